import { describe, expect, it } from 'vitest';
import {
  answerContribution, DEFAULT_MODEL, extractTerms, FEATURES, modelOf, PeopleIndex, PersonActivity, rankReference, reasonsFor, type RankInput, type RankingModel, type ReferencePerson,
} from '../src/index.js';
import { community, referencePeople, START } from './random-community.js';

// PeopleIndex is the engine every ranking goes through (the live matcher, dry runs, the evaluation,
// fitting). Whatever way it was filled (answer by answer, or person by person), and after any
// change, it must rank exactly as the plain reference ranks the same people.

const DAY = 86_400_000;

function expectSame(index: PeopleIndex, people: readonly ReferencePerson[], input: RankInput): number {
  const expected = rankReference(people, input);
  expect(index.rank(input)).toEqual(expected);
  return expected.length;
}

describe('PeopleIndex ranks exactly as the reference', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: filled answer by answer, then people replaced, forgotten and added`, () => {
      const { answers, questions, stats, random, end } = community(seed);
      const index = new PeopleIndex();
      for (const a of answers) index.addAnswer(a.userId, a.self ? new Map() : answerContribution(a.question.terms, a.answerTerms, a.at), a);
      let people = referencePeople(answers);
      const randomModel: RankingModel = modelOf(FEATURES.map(() => random() * 4 - 2));
      const pick = (): number => people[Math.floor(random() * people.length)]!.userId;
      const inputs = (question: (typeof questions)[number]): RankInput[] => [
        { question, stats, now: end, model: DEFAULT_MODEL, exclude: [pick()] },
        { question, stats, now: end, model: randomModel, extra: [pick(), pick(), 999_999], exclude: [pick(), 12345] },
        { question, stats, now: end + 30 * DAY, model: { ...randomModel, mu: 1 }, extra: people.map((p) => p.userId) },
      ];
      let ranked = 0;
      for (const question of questions) for (const input of inputs(question)) ranked += expectSame(index, people, input);
      expect(ranked).toBeGreaterThan(questions.length * 3 * 20); // questions reach many people

      // some people get another's terms and a fresh activity, some are forgotten, newcomers arrive
      const next = [...people];
      for (let i = 0; i < 40; i++) {
        const at = Math.floor(random() * next.length);
        const donor = people[Math.floor(random() * people.length)]!;
        const activity = new PersonActivity();
        activity.add({ at: end - DAY, questionAt: end - 2 * DAY, accepted: true, self: false });
        next[at] = { userId: next[at]!.userId, terms: new Map([...donor.terms].slice(0, 30)), activity };
        index.setPerson(next[at]!.userId, next[at]!.terms, activity);
      }
      for (let i = 0; i < 15; i++) {
        const at = Math.floor(random() * next.length);
        index.forget(next[at]!.userId);
        next[at] = { userId: next[at]!.userId, terms: new Map(), activity: new PersonActivity() };
      }
      const newcomer = { userId: 5000, terms: new Map(people[0]!.terms), activity: new PersonActivity() };
      index.setPerson(newcomer.userId, newcomer.terms, newcomer.activity);
      people = [...next, newcomer];
      for (const question of questions) for (const input of inputs(question)) expectSame(index, people, input);
    });
  }

  it('reads feature rows whose activity part is the person\'s own, and scores them with the model\'s weights', () => {
    const { answers, questions, stats, end } = community(3, 50, 300);
    const index = new PeopleIndex();
    for (const a of answers) index.addAnswer(a.userId, a.self ? new Map() : answerContribution(a.question.terms, a.answerTerms, a.at), a);
    const { userIds, rows } = index.features({ question: questions[0]!, stats, now: end, mu: DEFAULT_MODEL.mu, extra: [424242] });
    expect(userIds).toContain(424242); // someone the index never saw: an empty activity, no terms
    const someone = userIds.indexOf(answers[0]!.userId);
    const own = new Float64Array(FEATURES.length);
    index.activity(answers[0]!.userId)!.writeFeatures(end, DEFAULT_MODEL.mu, own);
    expect(rows[someone]!.slice(4)).toEqual(own.slice(4));
    const stranger = rows[userIds.indexOf(424242)]!;
    expect(stranger.slice(0, 4)).toEqual(new Float64Array(4)); // no content
  });
});

describe('what a question reaches', () => {
  const at = START + 100 * DAY;
  const hops = extractTerms({ title: 'Dry hopping with Citra', body: 'late hop additions', tags: ['hops'] });
  const wine = extractTerms({ title: 'Cloudy wine', body: 'fining after fermentation', tags: ['wine'] });
  const stats = { documents: 10, documentFrequency: new Map([['hop', 3], ['tag:hops', 3], ['wine', 3], ['tag:wine', 3]]) };
  const index = new PeopleIndex();
  const fact = (self = false) => ({ at, questionAt: at - 3_600_000, accepted: false, self });
  index.addAnswer(1, answerContribution(hops.terms, extractTerms({ title: '', body: 'use citra late', tags: [] }).terms, at), fact());
  index.addAnswer(2, answerContribution(wine.terms, new Map(), at), fact());
  const input = (question: typeof hops, extra: number[] = []): RankInput => ({ question, stats, now: at + DAY, model: DEFAULT_MODEL, extra, exclude: [9] });

  it('ranks whoever shares a term, and the extra people; never the excluded', () => {
    expect(index.rank(input(hops)).map((s) => s.userId)).toEqual([1]);
    expect(index.rank(input(hops, [2, 9])).map((s) => s.userId).sort()).toEqual([1, 2]);
  });

  it('gives as reasons the question\'s words and tags that counted for the person, as the question spells them', () => {
    const reasons = reasonsFor(index, 1, input(hops));
    expect(reasons.tags).toEqual(['hops']);
    expect(reasons.terms).toContain('citra'); // a rare word they answered about; common ones count for little
    expect(reasons.terms.every((t) => ['dry', 'hopping', 'citra', 'late', 'hop', 'additions'].includes(t))).toBe(true);
    expect(reasons.recentAnswers).toBeGreaterThan(0);
    expect(reasonsFor(index, 2, input(hops))).toMatchObject({ terms: [], tags: [] });
  });

  it('adds nothing to anyone for an answer to one\'s own question', () => {
    const own = new PeopleIndex();
    own.addAnswer(3, new Map(), fact(true));
    expect(own.activity(3)?.answers).toBe(0);
    expect(own.rank(input(hops))).toEqual([]);
  });
});
