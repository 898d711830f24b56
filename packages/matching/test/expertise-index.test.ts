import { describe, expect, it } from 'vitest';
import {
  ExpertiseIndex, extractTerms, rankCandidates, type Candidate, type CorpusStats, type ExtractedTerms, type IndexedPerson,
  type QuestionText, type RankOptions,
} from '../src/index.js';
import { ASKER, corpus, expertiseFrom, HOPS_EXPERT, hopsQuestions, person, WINE_EXPERT, wineQuestions } from './fixtures.js';
import { world } from './random-world.js';

// ---------- the fixtures of rank-candidates.test.ts (test/fixtures.ts) ----------

const fixture: Candidate[] = [
  person(WINE_EXPERT, expertiseFrom(wineQuestions.map((q) => [q, { score: 5, accepted: true }]))),
  person(HOPS_EXPERT, expertiseFrom(hopsQuestions.map((q) => [q, { score: 2, accepted: false }]))),
  person(ASKER, expertiseFrom([[hopsQuestions[0] as QuestionText, { score: 9, accepted: true }]]), { recentAnswers: 2.26 }),
  person(14, new Map([['tag:mead', 4], ['honei', 2]]), { recentAnswers: 0.5 }),
];
const hopsQuestion = extractTerms({ title: 'How much hops for dry hopping a pale ale?', body: '<p>I plan to add <em>hops</em> after fermentation.</p>', tags: ['hops'] });

const live: Omit<RankOptions, 'limit'> = {
  smoothing: 0.5, evidenceWeight: 1, priorWeight: 0.25, recencyWeight: 2, loadWeight: 0.25, maxAsksPerWindow: 10, includeWithoutEvidence: true,
};

/** The index must answer exactly as rankCandidates, whichever way it finds the top. */
function expectSame(index: ExpertiseIndex, people: readonly Candidate[], question: ExtractedTerms, stats: CorpusStats, options: RankOptions): void {
  const expected = rankCandidates(question, people, stats, options);
  expect(index.rank(question, stats, options)).toEqual(expected);
  expect(index.rank(question, stats, options, 'exhaustive')).toEqual(expected);
}

describe('ExpertiseIndex on the rankCandidates fixtures', () => {
  const index = ExpertiseIndex.build(fixture);

  it('ranks as rankCandidates does: order, scores, reasons, exclusions, limits', () => {
    const matches = index.rank(hopsQuestion, corpus, { limit: 10 });
    expect(matches.map((m) => m.userId)).toEqual([HOPS_EXPERT, ASKER, WINE_EXPERT]); // 14 (mead) shares nothing
    expect(matches[0]?.reasons.tags).toEqual(['hops']);
    expect(matches[0]?.reasons.terms[0]).toBe('hops');
    expect(index.rank(hopsQuestion, corpus, { limit: 1, excludeUserIds: [ASKER] }).map((m) => m.userId)).toEqual([HOPS_EXPERT]);
    expect(index.rank(hopsQuestion, corpus, { limit: 0 })).toEqual([]);
    for (const options of [
      { limit: 10 }, { limit: 2 }, { limit: 10, excludeUserIds: [ASKER, 99] }, { limit: 10, ...live }, { limit: 2, ...live, excludeUserIds: [HOPS_EXPERT] },
      { limit: 10, ...live, maxAsksPerWindow: 0 }, { limit: Number.POSITIVE_INFINITY, ...live }, { limit: 3.7, priorWeight: 0 },
    ]) {
      expectSame(index, fixture, hopsQuestion, corpus, options);
    }
  });

  it('keeps people with no evidence only with includeWithoutEvidence, on priors alone, with their recent answers', () => {
    const matches = index.rank(hopsQuestion, corpus, { limit: 10, ...live });
    expect(matches.map((m) => m.userId)).toContain(14);
    expect(matches.find((m) => m.userId === 14)?.reasons).toEqual({ terms: [], tags: [], recentAnswers: 0.5 });
    const noWords = extractTerms({ title: 'the and of', body: '', tags: [] });
    expect(index.rank(noWords, corpus, { limit: 10 })).toEqual([]);
    expectSame(index, fixture, noWords, corpus, { limit: 10, ...live });
  });

  it('computes the documented score to the last bit', () => {
    const question = { terms: new Map([['hop', 2], ['tag:hops', 3]]), surface: new Map([['hop', 'hopping'], ['tag:hops', 'hops']]) };
    const stats: CorpusStats = { documents: 9, documentFrequency: new Map([['hop', 4], ['tag:hops', 9]]), averageTerms: 10 };
    const one = ExpertiseIndex.build([{ userId: 1, expertise: new Map([['hop', 1], ['tag:hops', 3]]), total: 8 }]);
    expect(one.rank(question, stats, { limit: 5 })).toEqual([{ userId: 1, score: 8.5535, reasons: { terms: ['hopping'], tags: ['hops'] } }]);
  });

  it('orders ties by userId whatever the input order, and an empty index ranks nobody', () => {
    const input = [9, 4, 7, 2].map((userId) => person(userId, new Map([['hop', 1]])));
    const forward = ExpertiseIndex.build(input).rank(hopsQuestion, corpus, { limit: 3 });
    expect(forward.map((m) => m.userId)).toEqual([2, 4, 7]);
    expect(ExpertiseIndex.build([...input].reverse()).rank(hopsQuestion, corpus, { limit: 3 })).toEqual(forward);
    expect(ExpertiseIndex.build([]).rank(hopsQuestion, corpus, { limit: 10, ...live })).toEqual([]);
  });

  it('breaks ties at the k-th place by userId even when the tied people are found late', () => {
    // 2 people best on priors alone, then 100 equals on evidence, in input order from the largest userId
    const question = { terms: new Map([['lambic', 2]]), surface: new Map([['lambic', 'lambic']]) };
    const stats: CorpusStats = { documents: 1000, documentFrequency: new Map([['lambic', 100]]) };
    const people: Candidate[] = [
      { userId: 1, expertise: new Map(), total: 0, recentAnswers: 1 },
      { userId: 2, expertise: new Map(), total: 0, recentAnswers: 1 },
    ];
    for (let userId = 300; userId > 200; userId--) people.push({ userId, expertise: new Map([['lambic', 1], ['other', 3]]), total: 4 });
    const index = ExpertiseIndex.build(people);
    for (const options of [{ limit: 2, ...live }, { limit: 3, ...live, includeWithoutEvidence: false, excludeUserIds: [201] }]) {
      const expected = rankCandidates(question, people, stats, options);
      expect(expected.map((m) => m.userId)).toEqual(options.includeWithoutEvidence ? [201, 202] : [202, 203, 204]);
      expect(index.rank(question, stats, options)).toEqual(expected);
      expect(index.lastWork.strategy).toBe('pruned');
    }
  });

  it('keeps people who share a userId in input order, as rankCandidates does', () => {
    const question = { terms: new Map([['ale', 1], ['cider', 1]]), surface: new Map([['ale', 'ale'], ['cider', 'cider']]) };
    const stats: CorpusStats = { documents: 100, documentFrequency: new Map([['ale', 10], ['cider', 10]]) };
    const people: Candidate[] = [];
    for (let i = 0; i < 40; i++) people.push({ userId: 100 + i, expertise: new Map([['mead', 1]]), total: 1 });
    people.push({ userId: 7, expertise: new Map([['cider', 1]]), total: 2 }, { userId: 7, expertise: new Map([['ale', 1]]), total: 2 });
    const index = ExpertiseIndex.build(people);
    for (const options of [{ limit: 2 }, { limit: 2, ...live }]) {
      const expected = rankCandidates(question, people, stats, options);
      expect(expected.map((m) => m.reasons.terms)).toEqual([['cider'], ['ale']]);
      expect(index.rank(question, stats, options)).toEqual(expected);
    }
  });

  it('rejects numbers that are not finite', () => {
    expect(() => ExpertiseIndex.build([{ userId: 1, expertise: new Map([['hop', Number.NaN]]), total: 1 }])).toThrow(RangeError);
    expect(() => ExpertiseIndex.build([{ userId: 1, expertise: new Map(), total: Number.POSITIVE_INFINITY }])).toThrow(RangeError);
  });
});

// ---------- randomized equivalence ----------

describe('ExpertiseIndex.rank is rankCandidates, on randomized communities', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`seed ${seed}: same top, scores and reasons with and without includeWithoutEvidence, exclusions, caps and ties`, () => {
      const { people, stats, questions, random } = world(seed);
      const index = ExpertiseIndex.build(people);
      expect(index.size).toBe(people.length);
      const userIds = people.map((p) => p.userId);
      const pick = (): number => userIds[Math.floor(random() * userIds.length)] as number;
      let pruned = 0;
      let fellBack = 0;
      let compared = 0;
      for (const question of questions) {
        for (const limit of [1, 10, 40]) {
          const variants: RankOptions[] = [
            { limit, ...live, excludeUserIds: [pick()] },
            { limit, ...live, excludeUserIds: [pick(), pick(), pick(), 12345] },
            { limit, ...live, maxAsksPerWindow: 3 },
            { limit, ...live, recencyWeight: 0, loadWeight: 0, priorWeight: 0 }, // ties everywhere
            { limit, ...live, includeWithoutEvidence: false, excludeUserIds: [pick()] },
            { limit, excludeUserIds: [pick()] }, // rankCandidates' own defaults: raw evidence sum
            { limit, smoothing: 0.2, evidenceWeight: 3, priorWeight: 1, recencyWeight: 0.5, loadWeight: 1, maxAsksPerWindow: 6, includeWithoutEvidence: random() < 0.5 },
            { limit, ...live, evidenceWeight: -1 }, // bounds do not hold: the exhaustive path
          ];
          for (const options of variants) {
            const expected = rankCandidates(question, people, stats, options);
            expect(index.rank(question, stats, options)).toEqual(expected);
            if (index.lastWork.strategy === 'pruned') pruned++;
            else if (index.lastWork.strategy === 'exhaustive') fellBack++;
            expect(index.rank(question, stats, options, 'exhaustive')).toEqual(expected);
            compared++;
          }
        }
      }
      for (const limit of [people.length, people.length + 5]) {
        expectSame(index, people, questions[0] as ExtractedTerms, stats, { limit, ...live, excludeUserIds: [pick()] });
        expectSame(index, people, questions[1] as ExtractedTerms, stats, { limit, excludeUserIds: [pick()] });
      }
      expect(compared).toBe(questions.length * 3 * 8);
      // the pruned path is the one exercised, and it really skips postings
      expect(pruned).toBeGreaterThan(compared / 2);
      expect(fellBack).toBeGreaterThan(0);
    }, 60_000);
  }

  it('reads only part of the postings on a skewed community, and still agrees', () => {
    const { people, stats, questions, random } = world(99, 6000);
    const index = ExpertiseIndex.build(people);
    let scanned = 0;
    let all = 0;
    for (const question of questions) {
      const options = { limit: 10, ...live, excludeUserIds: [people[Math.floor(random() * people.length)]?.userId ?? 0] };
      expect(index.rank(question, stats, options)).toEqual(rankCandidates(question, people, stats, options));
      scanned += index.lastWork.postingsScanned;
      for (const term of question.terms.keys()) all += index.postingsOf(term)?.slots.length ?? 0;
    }
    expect(scanned).toBeLessThan(all / 2);
  }, 60_000);

  it('builds from a one-shot iterable and keeps postings in slot order with positive weights only', () => {
    const { people } = world(7, 500);
    function* once(): Generator<IndexedPerson> {
      yield* people;
    }
    const index = ExpertiseIndex.build(once());
    expect(index.size).toBe(people.length);
    let entries = 0;
    for (const p of people) if (p.total > 0) for (const w of p.expertise.values()) if (w > 0) entries++;
    expect(index.postingCount).toBe(entries);
    const postings = index.postingsOf('w0');
    expect(postings).toBeDefined();
    const slots = [...(postings?.slots ?? [])];
    expect(slots).toEqual([...slots].sort((a, b) => a - b));
    expect([...(postings?.weights ?? [])].every((w) => w > 0)).toBe(true);
  });
});
