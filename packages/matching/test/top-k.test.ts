import { describe, expect, it } from 'vitest';
import {
  answerContribution, chooseAsks, decide, DEFAULT_MODEL, FEATURES, modelOf, partsOf, PeopleIndex, PersonActivity, ranking, topK, type PassReason, type RankInput, type TopStats,
} from '../src/index.js';
import { community } from './random-community.js';

// topK must give exactly what rank() gives for the first k (same people, order, scores), whatever
// the model's signs, and after people change; and it must skip most of the work.

const DAY = 86_400_000;

describe('ranking and topK: read lazily, exactly the exhaustive ranking', () => {
  // (lists this small keep no impact tier by default: the second of each pair has large ones, 20% of a list of 8 or more)
  for (const [seed, tiering] of [[11], [12], [13], [11, { from: 8, share: 0.2 }], [14, { from: 8, share: 0.2 }]] as const) {
    it(`seed ${seed}${tiering ? ', lists in tiers' : ''}: every question, several k and models, before and after people change`, () => {
      const { answers, questions, stats, random, end } = community(seed, 400, 3000);
      const index = new PeopleIndex({ tiering });
      for (const a of answers) index.addAnswer(a.userId, a.self ? new Map() : answerContribution(a.question.terms, a.answerTerms, a.at), a);
      // weights of any sign, content weights >= 0 (what the fit allows), and the default
      const nonNegativeContent = modelOf(FEATURES.map((_, f) => (f < 4 ? random() * 2 : random() * 4 - 2)));
      const withNegative = modelOf(FEATURES.map(() => random() * 4 - 2));
      const userIds = [...new Set(answers.map((a) => a.userId))];
      const pick = (): number => userIds[Math.floor(random() * userIds.length)]!;
      const check = (): { scored: number; candidates: number; postings: number; listed: number } => {
        let scored = 0;
        let candidates = 0;
        let postings = 0;
        let listed = 0;
        for (const question of questions) {
          const inputs: RankInput[] = [
            { question, stats, now: end, model: DEFAULT_MODEL, exclude: [pick()] },
            { question, stats, now: end + 40 * DAY, model: nonNegativeContent, extra: [pick(), pick(), 999_999], exclude: [pick()] },
            { question, stats, now: end, model: withNegative, exclude: [pick()] },
            { question, stats, now: end, model: { ...DEFAULT_MODEL, mu: 1 }, extra: userIds.slice(0, 50) },
          ];
          for (const input of inputs) {
            const all = index.rank(input);
            expect([...ranking(index, input)]).toEqual(all); // read to the end, the lazy ranking is the whole ranking
            // a part of it: the people kept, down to a floor, exactly as the whole ranking filtered
            const kept = new Set(userIds.filter(() => random() < 0.3));
            const floor = all[Math.floor(random() * all.length)]?.score ?? 0;
            const keep = (userId: number): boolean => kept.has(userId);
            expect([...ranking(index, input, undefined, 5, { keep })]).toEqual(all.filter((c) => keep(c.userId)));
            expect([...ranking(index, input, undefined, 10, { keep: (u) => !keep(u), floor })]).toEqual(all.filter((c) => !keep(c.userId) && c.score >= floor));
            // a set of people: scored one by one when small, ranked through the lists when not
            expect([...ranking(index, input, undefined, 5, { keep: kept, floor })]).toEqual(all.filter((c) => keep(c.userId) && c.score >= floor));
            const many = new Set([...kept, ...Array.from({ length: 600 }, (_, i) => 5_000_000 + i)]);
            expect([...ranking(index, input, undefined, 5, { keep: many, floor })]).toEqual(all.filter((c) => many.has(c.userId) && c.score >= floor));
            // deciding through the parts chooses as chooseAsks over the whole ranking, whoever may not be asked
            const overBudget = random() < 0.5 ? kept : new Set<number>();
            const whyNot = (userId: number): PassReason | undefined => (overBudget.has(userId) ? (userId % 3 ? 'budget' : 'paused') : undefined);
            const decision = decide(index, input, 10, whyNot);
            const expected = chooseAsks(partsOf(all), 10, whyNot);
            expect(decision.matches.map((m) => [m.userId, m.reasons.passedOver ?? []])).toEqual(expected.asks.map((a) => [a.userId, a.passedOver]));
            expect(decision.passed).toEqual(expected.passed);
            for (const k of [1, 10, 37]) {
              const s = {} as TopStats;
              expect(topK(index, input, k, s)).toEqual(all.slice(0, k));
              scored += s.scored;
              candidates += all.length;
              postings += s.postings;
              listed += s.listed;
            }
          }
        }
        return { scored, candidates, postings, listed };
      };
      const before = check();
      // it skipped work: postings it did not read, people it did not score (how much is the bench's to say)
      expect(before.postings).toBeLessThan(before.listed * 0.6);
      expect(before.scored).toBeLessThan(before.candidates * 0.6);

      for (let i = 0; i < 60; i++) {
        const activity = new PersonActivity();
        activity.add({ at: end - DAY, questionAt: end - 2 * DAY, accepted: true, self: false });
        const donor = answers[Math.floor(random() * answers.length)]!;
        index.setPerson(pick(), answerContribution(donor.question.terms, donor.answerTerms, end - DAY), activity);
      }
      for (let i = 0; i < 20; i++) index.forget(pick());
      const a = answers[0]!;
      index.addAnswer(pick(), answerContribution(a.question.terms, a.answerTerms, end), { ...a, at: end, self: false });
      check();
    }, 30_000); // ~2 s each alone, near vitest's 5 s default while other work shares the cores
  }

  it('a question few people can answer is ranked to its end without trying everyone', () => {
    const { answers, stats, end } = community(21, 2000, 6000);
    const index = new PeopleIndex();
    for (const a of answers) index.addAnswer(a.userId, a.self ? new Map() : answerContribution(a.question.terms, a.answerTerms, a.at), a);
    // two people answered a question of a word nobody else holds
    const word = 'quoxyzzyx';
    const rare = new Map([[word, 2]]);
    for (const userId of [answers[0]!.userId, answers[1]!.userId]) index.addAnswer(userId, answerContribution(rare, new Map(), end), { at: end, questionAt: end - DAY, accepted: false, self: false });
    const question = { terms: rare, surface: new Map([[word, word]]), fields: { title: rare, body: new Map(), tags: new Map() } };
    for (const model of [DEFAULT_MODEL, modelOf(FEATURES.map((_, f) => (f === 1 ? -1 : 1)))]) {
      const input: RankInput = { question, stats, now: end, model, extra: [answers[2]!.userId] };
      const all = index.rank(input);
      expect(all.length).toBe(3); // the two holders and the extra person
      const s = {} as TopStats;
      expect(topK(index, input, 10, s)).toEqual(all); // asked for more than there are
      // read past its candidates, it ends once no one else can be one: before, it tried all 2,000 (a million in the matcher: seconds)
      expect(s.tried).toBeLessThan(200);
    }
  });
});
