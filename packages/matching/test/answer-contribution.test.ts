import { describe, expect, it } from 'vitest';
import { addWeights, answerContribution, extractTerms, qualityFactor } from '../src/index.js';

const question = extractTerms({ title: 'Dry hopping an IPA', body: 'How long should hops stay in the fermenter?', tags: ['hops', 'ipa'] });
const sum = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

describe('qualityFactor', () => {
  it('is 1 + ln(1 + score) + 1 if accepted, and 0.5 for a negative score', () => {
    expect(qualityFactor({ score: 0, accepted: false })).toBe(1);
    expect(qualityFactor({ score: 0, accepted: true })).toBe(2);
    expect(qualityFactor({ score: 3, accepted: false })).toBeCloseTo(1 + Math.log(4), 12);
    expect(qualityFactor({ score: 3, accepted: true })).toBeCloseTo(2 + Math.log(4), 12);
    expect(qualityFactor({ score: -2, accepted: false })).toBe(0.5);
    expect(qualityFactor({ score: -2, accepted: true })).toBe(0.5);
  });
});

describe('answerContribution', () => {
  it('spreads the question terms, L1-normalised, so the contribution sums to the quality factor', () => {
    const unit = answerContribution(question, { score: 0, accepted: false });
    expect(sum(unit)).toBeCloseTo(1, 12);
    expect([...unit.keys()].sort()).toEqual([...question.terms.keys()].sort());
    // proportions of the question are kept: "hop" (title 2 + body 1) is worth as much as a tag (3)
    expect(unit.get('hop')).toBeCloseTo(unit.get('tag:hops') ?? 0, 12);
    expect(unit.get('tag:ipa')).toBeCloseTo(3 * (unit.get('ferment') ?? 0), 12);

    const good = answerContribution(question, { score: 10, accepted: true });
    expect(sum(good)).toBeCloseTo(2 + Math.log(11), 12);
  });

  it('is raised by acceptance and by score, and halved by a negative score', () => {
    const total = (score: number, accepted: boolean): number => sum(answerContribution(question, { score, accepted }));
    expect(total(0, true)).toBeGreaterThan(total(0, false));
    expect(total(5, false)).toBeGreaterThan(total(1, false));
    expect(total(-1, false)).toBeCloseTo(0.5, 12);
  });

  it('does not let a long question weigh more than a short one', () => {
    const long = extractTerms({ title: 'Hops', body: 'hops '.repeat(50) + 'bitterness aroma whirlpool timing', tags: ['hops'] });
    expect(sum(answerContribution(long, { score: 2, accepted: false }))).toBeCloseTo(sum(answerContribution(question, { score: 2, accepted: false })), 12);
  });

  it('is empty for a question without terms and leaves the question untouched', () => {
    expect(answerContribution(extractTerms({ title: '', body: '', tags: [] }), { score: 3, accepted: true }).size).toBe(0);
    const before = [...question.terms];
    answerContribution(question, { score: 3, accepted: true });
    expect([...question.terms]).toEqual(before);
  });
});

describe('addWeights', () => {
  it('sums term by term into the first map and returns it', () => {
    const into = new Map([['hop', 1], ['yeast', 0.5]]);
    const result = addWeights(into, new Map([['hop', 2], ['wine', 0.25]]));
    expect(result).toBe(into);
    expect([...into].sort()).toEqual([['hop', 3], ['wine', 0.25], ['yeast', 0.5]]);
  });
});
