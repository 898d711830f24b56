import { describe, expect, it } from 'vitest';
import { extractTerms, rankCandidates, rankPostings, type Candidate, type PersonFacts, type RankOptions, type TermPostings } from '../src/index.js';
import { distinctPeople, factsOf, world } from './random-world.js';

// rankPostings is what the live matcher ranks with (term-major, from LivePeople's postings). It must
// give exactly what rankCandidates gives for the same people: same people, order, scores and reasons.

const live: Omit<RankOptions, 'limit'> = {
  smoothing: 0.5, evidenceWeight: 1, priorWeight: 0.25, recencyWeight: 2, loadWeight: 0.25, maxAsksPerWindow: 10, includeWithoutEvidence: true,
};

/** The same people, term-major, with their other numbers looked up by id. */
function termMajor(people: readonly Candidate[]): { postings: TermPostings; facts: PersonFacts } {
  const postings = new Map<string, Map<number, number>>();
  for (const person of people) {
    for (const [term, weight] of person.expertise) {
      let holders = postings.get(term);
      if (!holders) postings.set(term, (holders = new Map()));
      holders.set(person.userId, weight);
    }
  }
  return { postings, facts: factsOf(people) };
}

describe('rankPostings is rankCandidates, term-major', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: same top, scores and reasons, with every option the live matcher and the evaluation use`, () => {
      const generated = world(seed);
      const people = distinctPeople(generated.people);
      const { stats, questions, random } = generated;
      const { postings, facts } = termMajor(people);
      const everyone = new Set(people.map((p) => p.userId));
      const pick = (): number => people[Math.floor(random() * people.length)]!.userId;
      let compared = 0;
      let nonEmpty = 0;
      for (const question of questions) {
        // the live matcher's candidates: whoever holds a question term, plus some others (the most active)
        const some = new Set<number>();
        for (const term of question.terms.keys()) for (const userId of postings.get(term)?.keys() ?? []) some.add(userId);
        for (let i = 0; i < 50; i++) some.add(pick());
        for (const [candidates, list] of [[everyone, people], [some, people.filter((p) => some.has(p.userId))]] as const) {
          for (const limit of [1, 10, 40]) {
            const variants: RankOptions[] = [
              { limit, ...live, excludeUserIds: [pick()] },
              { limit, ...live, excludeUserIds: [pick(), pick(), 12345], maxAsksPerWindow: 3 },
              { limit, ...live, recencyWeight: 0, loadWeight: 0, priorWeight: 0 }, // ties everywhere
              { limit, ...live, includeWithoutEvidence: false },
              { limit }, // rankCandidates' own defaults: raw evidence sum
              { limit, smoothing: 0.2, evidenceWeight: 3, priorWeight: 1, recencyWeight: 0.5, loadWeight: 1, maxAsksPerWindow: 6 },
              { limit, ...live, evidenceWeight: -1 },
            ];
            for (const options of variants) {
              const expected = rankCandidates(question, list, stats, options);
              expect(rankPostings(question, postings, candidates, facts, stats, options)).toEqual(expected);
              compared++;
              if (expected.length > 0) nonEmpty++;
            }
          }
          // everyone ranked (the evaluation's use): compared as plain numbers, toEqual on 2,000 matches is slow
          const all = { limit: list.length + 5, ...live };
          const flat = (matches: { userId: number; score: number }[]): number[] => matches.flatMap((m) => [m.userId, m.score]);
          expect(flat(rankPostings(question, postings, candidates, facts, stats, all))).toEqual(flat(rankCandidates(question, list, stats, all)));
        }
      }
      expect(compared).toBe(questions.length * 2 * 3 * 7);
      expect(nonEmpty).toBeGreaterThan(compared * 0.8);
    }, 60_000);
  }

  it('ranks the documented example and gives reasons from the question words', () => {
    const question = extractTerms({ title: 'Dry hopping with Citra hops', body: 'how long', tags: ['hops'] });
    const postings = new Map([['hop', new Map([[1, 4], [2, 1]])], ['tag:hops', new Map([[2, 3]])]]);
    const totals = new Map([[1, 8], [2, 8]]);
    const facts: PersonFacts = { total: (u) => totals.get(u) ?? 0, volume: (u) => totals.get(u) ?? 0, recentAnswers: (u) => (u === 3 ? 1.04 : 0), recentAsks: () => 0, asksInWindow: () => 0 };
    const stats = { documents: 9, documentFrequency: new Map([['hop', 4], ['tag:hops', 9]]) };
    const matches = rankPostings(question, postings, new Set([1, 2, 3]), facts, stats, { limit: 5, ...live });
    expect(matches.map((m) => m.userId)).toEqual([2, 1, 3]);
    expect(matches[0]!.reasons).toEqual({ terms: ['hopping'], tags: ['hops'] });
    expect(matches[2]!.reasons).toEqual({ terms: [], tags: [], recentAnswers: 1 });
    expect(rankPostings(question, postings, new Set([1, 2, 3]), facts, stats, { limit: 5 }).map((m) => m.userId)).toEqual([2, 1]);
    expect(rankPostings(question, postings, new Set([1, 2]), facts, stats, { limit: 0 })).toEqual([]);
  });
});
