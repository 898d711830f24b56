import { describe, expect, it } from 'vitest';
import { ANSWER_PREFIX, answerContribution, decayAt, extractAnswerTerms, extractTerms, growth, HALF_LIFE_DAYS } from '../src/index.js';

describe('what one answer adds to its author', () => {
  const at = Date.parse('2024-05-05T00:00:00Z');
  const question = extractTerms({ title: 'Dry hopping a stout', body: '<p>Citra or Mosaic hops?</p>', tags: ['hops', 'stout'] });
  const answer = extractAnswerTerms('<p>Use <b>Citra</b>, late: citra again</p>');
  const added = answerContribution(question.terms, answer, at);

  it('adds its question\'s terms and its own words as shares, forward-decayed from when it was posted', () => {
    const shares = (prefix: boolean) => [...added].filter(([t]) => t.startsWith(ANSWER_PREFIX) === prefix);
    const sum = (entries: [string, { expertise: number }][]) => entries.reduce((s, [, v]) => s + v.expertise, 0);
    expect(sum(shares(false)) * decayAt(HALF_LIFE_DAYS.expertise, at)).toBeCloseTo(1, 12);
    expect(sum(shares(true)) * decayAt(HALF_LIFE_DAYS.expertise, at)).toBeCloseTo(1, 12);
    expect(added.get(`${ANSWER_PREFIX}citra`)!.expertise).toBeCloseTo((2 / 4) * growth(HALF_LIFE_DAYS.expertise, at), 12);
  });

  it('counts each tag once in the recent tag count, and no word', () => {
    expect(added.get('tag:hops')!.tagRecent * decayAt(HALF_LIFE_DAYS.recent, at)).toBeCloseTo(1, 12);
    expect(added.get('stout')!.tagRecent).toBe(0);
  });
});
