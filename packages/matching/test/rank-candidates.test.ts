import { describe, expect, it } from 'vitest';
import { addWeights, answerContribution, extractTerms, rankCandidates, type Candidate, type CorpusStats, type Match } from '../src/index.js';
import { ASKER, candidates, corpus, HOPS_EXPERT, person, WINE_EXPERT } from './fixtures.js';

const hopsQuestion = extractTerms({ title: 'How much hops for dry hopping a pale ale?', body: '<p>I plan to add <em>hops</em> after fermentation.</p>', tags: ['hops'] });

describe('rankCandidates', () => {
  it('puts the hops expert over the wine expert for a hops question and drops people with nothing in common', () => {
    const matches = rankCandidates(hopsQuestion, candidates, corpus, { limit: 10 });
    expect(matches.map((m) => m.userId).sort((a, b) => a - b)).toEqual([HOPS_EXPERT, WINE_EXPERT, ASKER]); // 14 (mead) shares nothing
    const hops = matches.find((m) => m.userId === HOPS_EXPERT);
    const wine = matches.find((m) => m.userId === WINE_EXPERT);
    expect(matches.indexOf(hops as Match)).toBeLessThan(matches.indexOf(wine as Match));
    expect(hops?.score).toBeGreaterThan(3 * (wine?.score ?? Infinity)); // the wine expert only shares "add"/"fermentation"
  });

  it('excludes the asker and respects the limit', () => {
    const matches = rankCandidates(hopsQuestion, candidates, corpus, { limit: 1, excludeUserIds: [ASKER] });
    expect(matches.map((m) => m.userId)).toEqual([HOPS_EXPERT]);
    expect(rankCandidates(hopsQuestion, candidates, corpus, { limit: 0 })).toEqual([]);
  });

  it('gives reasons: the readable words and the tags that matched, best first', () => {
    const [hops, wine] = rankCandidates(hopsQuestion, candidates, corpus, { limit: 10, excludeUserIds: [ASKER] });
    expect(hops?.reasons.tags).toEqual(['hops']);
    expect(hops?.reasons.terms[0]).toBe('hops'); // the stem "hop" shown as the question's first spelling of it
    expect(hops?.reasons.terms).toEqual(expect.arrayContaining(['dry']));
    expect(hops?.reasons.terms).not.toContain('hop');
    expect(wine?.reasons).toEqual({ terms: ['fermentation', 'add'], tags: [] });
  });

  it('computes score = sum qw ln(1 + lambda P(t|u) / ((1 - lambda) P(t))) + 0.5 ln(1 + total), rounded to 4 decimals', () => {
    const question = { terms: new Map([['hop', 2], ['tag:hops', 3]]), surface: new Map([['hop', 'hopping'], ['tag:hops', 'hops']]) };
    const stats: CorpusStats = { documents: 9, documentFrequency: new Map([['hop', 4], ['tag:hops', 9]]), averageTerms: 10 };
    const [match] = rankCandidates(question, [{ userId: 1, expertise: new Map([['hop', 1], ['tag:hops', 3]]), total: 8 }], stats, { limit: 5 });
    const background = (df: number): number => (df + 0.5) / 10 / 10;
    const expected = 2 * Math.log(1 + (0.5 * 1) / 8 / (0.5 * background(4))) + 3 * Math.log(1 + (0.5 * 3) / 8 / (0.5 * background(9))) + 0.5 * Math.log(9);
    expect(match?.score).toBe(Math.round(expected * 1e4) / 1e4);
    expect(match?.score).toBe(8.5535);
    expect(match?.reasons).toEqual({ terms: ['hopping'], tags: ['hops'] });
  });

  it('lets a rare term beat a common one through idf', () => {
    const question = { terms: new Map([['lambic', 1], ['beer', 1]]), surface: new Map([['lambic', 'lambic'], ['beer', 'beer']]) };
    const stats: CorpusStats = { documents: 1000, documentFrequency: new Map([['lambic', 3], ['beer', 800]]) };
    const matches = rankCandidates(question, [
      { userId: 1, expertise: new Map([['beer', 1]]), total: 5 },
      { userId: 2, expertise: new Map([['lambic', 1]]), total: 5 },
    ], stats, { limit: 5, priorWeight: 0 });
    expect(matches.map((m) => m.userId)).toEqual([2, 1]);
    expect(matches[0]?.score).toBeGreaterThan(3 * (matches[1]?.score ?? Infinity));
  });

  it('ranks one answer on a rare, specific topic above many answers on a common one', () => {
    // the shape of ../shared/checks/contract-smoke.sh: a made-up tag only one person has answered
    const question = extractTerms({ title: 'How bitter do hops make a pale ale?', body: 'My first IPA brew day. hopzqx', tags: ['hops', 'hopzqx'] });
    const specialist = answerContribution(extractTerms({ title: 'Which hops give an IPA its bitterness?', body: 'The boil or dry hopping? hopzqx', tags: ['ipa', 'hops', 'hopzqx'] }), { score: 0, accepted: false });
    const generalist = new Map<string, number>();
    for (const q of [
      { title: 'When should I add hops for bitterness?', body: 'My IPA is not bitter enough.', tags: ['hops', 'ipa'] },
      { title: 'Does dry hopping add bitterness?', body: 'A pale ale dry hopped with Citra hops.', tags: ['hops', 'dry-hopping'] },
      { title: 'Best hops for a pale ale?', body: 'Cascade or Citra hops?', tags: ['hops', 'pale-ale'] },
    ]) addWeights(generalist, answerContribution(extractTerms(q), { score: 2, accepted: true }));
    const df = new Map<string, number>([...generalist.keys()].map((t) => [t, 3]));
    df.set('tag:hopzqx', 1);
    df.set('hopzqx', 1);
    const matches = rankCandidates(question, [person(1, generalist), person(2, specialist)], { documents: 8, documentFrequency: df }, { limit: 2 });
    expect(matches.map((m) => m.userId)).toEqual([2, 1]);
    expect(matches[0]?.reasons.tags).toContain('hopzqx');
  });

  it('orders ties by userId ascending whatever the input order', () => {
    const expertise = new Map([['hop', 1]]);
    const input: Candidate[] = [9, 4, 7, 2].map((userId) => person(userId, expertise));
    const matches = rankCandidates(hopsQuestion, input, corpus, { limit: 3 });
    expect(matches.map((m) => m.userId)).toEqual([2, 4, 7]);
    expect(new Set(matches.map((m) => m.score)).size).toBe(1);
    expect(rankCandidates(hopsQuestion, [...input].reverse(), corpus, { limit: 3 })).toEqual(matches);
  });

  it('caps reasons at 5 of each kind', () => {
    const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf'];
    const question = extractTerms({ title: words.join(' '), body: '', tags: words });
    const expertise = new Map<string, number>([...question.terms.keys()].map((t, i) => [t, i + 1]));
    const [match] = rankCandidates(question, [person(1, expertise)], { documents: 0, documentFrequency: new Map() }, { limit: 1 });
    expect(match?.reasons.terms).toEqual(['golf', 'foxtrot', 'echo', 'delta', 'charlie']);
    expect(match?.reasons.tags).toEqual(['golf', 'foxtrot', 'echo', 'delta', 'charlie']);
  });

  it('returns [] for an empty question or no candidates', () => {
    expect(rankCandidates(extractTerms({ title: 'the and of', body: '', tags: [] }), candidates, corpus, { limit: 10 })).toEqual([]);
    expect(rankCandidates(hopsQuestion, [], corpus, { limit: 10 })).toEqual([]);
    expect(rankCandidates(hopsQuestion, [{ userId: 1, expertise: new Map(), total: 0 }], corpus, { limit: 10 })).toEqual([]);
  });
});
