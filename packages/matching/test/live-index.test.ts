import { describe, expect, it } from 'vitest';
import { LiveIndex, rankCandidates, type Candidate, type CorpusStats, type ExtractedTerms, type RankOptions } from '../src/index.js';
import { distinctPeople, factsOf, world } from './random-world.js';

// LiveIndex is what the live matcher ranks from, and it changes one person at a time as answers,
// votes and acceptances arrive. After any sequence of changes it must rank exactly as rankCandidates
// ranks the same people (candidates: whoever holds a question term, plus the extra people).

const live: Omit<RankOptions, 'limit'> = {
  smoothing: 0.5, evidenceWeight: 1, priorWeight: 0.25, recencyWeight: 2, loadWeight: 0.25, maxAsksPerWindow: 10, includeWithoutEvidence: true,
};

function put(index: LiveIndex, person: Candidate): void {
  index.setTotal(person.userId, person.total);
  index.setExpertise(person.userId, person.expertise);
}

/** Compares LiveIndex.rank with rankCandidates over holders + extra, for several options. */
function expectSameAsReference(index: LiveIndex, people: readonly Candidate[], stats: CorpusStats, question: ExtractedTerms, extra: number[], random: () => number): number {
  const holds = (p: Candidate): boolean => [...question.terms].some(([term, qw]) => qw > 0 && (p.expertise.get(term) ?? 0) > 0);
  const extraSet = new Set(extra);
  const list = people.filter((p) => holds(p) || extraSet.has(p.userId));
  // extra people the index has never seen: no expertise, no total
  for (const userId of extraSet) if (!people.some((p) => p.userId === userId)) list.push({ userId, expertise: new Map(), total: 0 });
  const facts = factsOf(people);
  const pick = (): number => people[Math.floor(random() * people.length)]!.userId;
  let nonEmpty = 0;
  for (const limit of [1, 10, 40]) {
    for (const options of [
      { limit, ...live, excludeUserIds: [pick()] },
      { limit, ...live, excludeUserIds: [pick(), 12345], maxAsksPerWindow: 3 },
      { limit, ...live, recencyWeight: 0, loadWeight: 0, priorWeight: 0 },
      { limit, ...live, includeWithoutEvidence: false },
      { limit },
      { limit, smoothing: 0.2, evidenceWeight: 3, priorWeight: 1, recencyWeight: 0.5, loadWeight: 1, maxAsksPerWindow: 6 },
    ] satisfies RankOptions[]) {
      const expected = rankCandidates(question, list, stats, options);
      expect(index.rank(question, extra, facts, stats, options)).toEqual(expected);
      if (expected.length) nonEmpty++;
      if (limit === 10 && (options as RankOptions).loadWeight === live.loadWeight) {
        work.scored += index.lastScored;
        work.candidates += list.length;
      }
    }
  }
  return nonEmpty;
}

/** How many candidates were scored exactly (the load prior looked up), of how many. */
const work = { scored: 0, candidates: 0 };

describe('LiveIndex.rank is rankCandidates, through changes one person at a time', () => {
  for (const seed of [11, 12]) {
    it(`seed ${seed}: built person by person, then changed, forgotten and re-added`, () => {
      const generated = world(seed);
      let people = distinctPeople(generated.people);
      const { questions, random, stats } = generated;
      const index = new LiveIndex();
      for (const person of people) put(index, person);
      const extraFor = (): number[] => [...Array.from({ length: 30 }, () => people[Math.floor(random() * people.length)]!.userId), 777_777, 777_778];
      let nonEmpty = 0;
      for (const question of questions.slice(0, 8)) nonEmpty += expectSameAsReference(index, people, stats, question, extraFor(), random);

      // changes: new profiles for some, a new total for others, some forgotten, newcomers, a re-add
      for (let round = 0; round < 3; round++) {
        const next = [...people];
        for (let i = 0; i < 60; i++) {
          const at = Math.floor(random() * next.length);
          const person = next[at]!;
          const donor = people[Math.floor(random() * people.length)]!;
          const roll = random();
          if (roll < 0.4) next[at] = { ...person, expertise: new Map([...donor.expertise].slice(0, 5 + Math.floor(random() * 20))), total: donor.total + 1 };
          else if (roll < 0.6) next[at] = { ...person, total: person.total * (0.5 + random()) };
          else if (roll < 0.8) next[at] = { ...person, expertise: new Map(), total: 0 };
          else next.push({ ...donor, userId: 50_000 + round * 1000 + i });
        }
        for (const person of next) {
          const before = people.find((p) => p.userId === person.userId);
          if (before === person) continue;
          if (person.expertise.size === 0 && person.total === 0) index.forget(person.userId);
          else put(index, person);
        }
        people = next;
        for (const question of questions.slice(8 + round * 4, 12 + round * 4)) nonEmpty += expectSameAsReference(index, people, stats, question, extraFor(), random);
      }
      expect(nonEmpty).toBeGreaterThan(100);
      // the bound does its work: most candidates never need their load prior
      expect(work.scored).toBeLessThan(work.candidates / 4);
      // postings hold exactly the positive weights of the people as they are now
      let entries = 0;
      for (const p of people) for (const w of p.expertise.values()) if (w > 0) entries++;
      expect(index.size.postings).toBe(entries);
    }, 60_000);
  }

  it('replaces a person in place, keeps only positive weights, and forgets', () => {
    const index = new LiveIndex();
    index.setTotal(1, 8);
    index.setExpertise(1, [['hop', 4], ['malt', 0], ['yeast', -1], ['hop', 2], ['oak', 3], ['oak', 0]]);
    expect(index.weight(1, 'hop')).toBe(2); // the last weight given, as in a Map
    expect(index.weight(1, 'malt')).toBeUndefined();
    expect(index.weight(1, 'oak')).toBeUndefined(); // last given 0: not held
    expect(index.size).toEqual({ people: 1, terms: 1, postings: 1 });
    index.setExpertise(1, [['malt', 1]]);
    expect(index.weight(1, 'hop')).toBeUndefined();
    expect(index.size).toEqual({ people: 1, terms: 1, postings: 1 });
    index.forget(1);
    expect(index.size).toEqual({ people: 1, terms: 0, postings: 0 });
    expect(index.total(1)).toBe(0);
    expect(index.total(2)).toBe(0);
  });
});
