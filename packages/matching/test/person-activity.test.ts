import { describe, expect, it } from 'vitest';
import { decayedAdd, decayedRead, FEATURES, PersonActivity, SETTLED_AFTER_DAYS, type FeatureName } from '../src/index.js';

/** The activity features at `now`, by name. */
function featuresOf(a: PersonActivity, now: number): Record<'recent30d' | 'sinceAnswer' | 'sincePost' | 'acceptRate' | 'hourOfDay' | 'answerSpeed', number> {
  const row = new Float64Array(FEATURES.length);
  a.writeFeatures(now, 10, row);
  const of = (name: FeatureName): number => row[FEATURES.indexOf(name)] as number;
  return { recent30d: of('recent_30d'), sinceAnswer: of('since_answer'), sincePost: of('since_post'), acceptRate: of('accept_rate'), hourOfDay: of('hour_of_day'), answerSpeed: of('answer_speed') };
}

const DAY = 86_400_000;
const T0 = Date.parse('2025-03-01T10:00:00Z');
const answer = (daysAfter: number, extra: Partial<{ accepted: boolean; self: boolean; delayHours: number }> = {}) => ({
  at: T0 + daysAfter * DAY,
  questionAt: T0 + daysAfter * DAY - (extra.delayHours ?? 1) * 3_600_000,
  accepted: extra.accepted ?? false,
  self: extra.self ?? false,
});

describe('PersonActivity', () => {
  it('counts nothing of an answer to one\'s own question', () => {
    const a = new PersonActivity();
    a.add(answer(0, { self: true, accepted: true }));
    expect(a.answers).toBe(0);
    expect(featuresOf(a, T0 + DAY)).toEqual(featuresOf(new PersonActivity(), T0 + DAY));
  });

  it('decays recent answers with a 30-day half-life and reads days since the last answer and the last post', () => {
    const a = new PersonActivity();
    a.add(answer(0));
    const f = featuresOf(a, T0 + 30 * DAY);
    expect(f.recent30d).toBeCloseTo(Math.log1p(0.5), 12);
    expect(f.sinceAnswer).toBeCloseTo(Math.log1p(30), 12);
    a.asked(T0 + 29 * DAY);
    expect(featuresOf(a, T0 + 30 * DAY).sincePost).toBeCloseTo(Math.log1p(1), 12);
    expect(a.answersPerDay(T0 + 30 * DAY)).toBeCloseTo((0.5 * Math.LN2) / 30, 12);
  });

  it('counts an acceptance only once the answer is settled', () => {
    const a = new PersonActivity();
    a.add(answer(0, { accepted: true }));
    expect(featuresOf(a, T0 + (SETTLED_AFTER_DAYS - 1) * DAY).acceptRate).toBeCloseTo(0.5 / 2, 12);
    expect(featuresOf(a, T0 + SETTLED_AFTER_DAYS * DAY).acceptRate).toBeCloseTo(1.5 / 3, 12);
  });

  it('knows the hours of the day they answer at, and how quickly', () => {
    const a = new PersonActivity();
    for (let i = 0; i < 4; i++) a.add(answer(i, { delayHours: 2 })); // all at 10:00 UTC
    const atTen = featuresOf(a, T0 + 10 * DAY); // 10:00
    const atTwentyTwo = featuresOf(a, T0 + 10 * DAY + 12 * 3_600_000); // 22:00
    expect(atTen.hourOfDay).toBeGreaterThan(atTwentyTwo.hourOfDay);
    expect(atTen.answerSpeed).toBeCloseTo((4 * Math.log1p(2) + 2 * Math.log1p(24)) / 6, 12);
  });
});

describe('decayed counts', () => {
  it('halve every half-life, and take an event older than the last at its decayed weight', () => {
    const value = new Float64Array(1);
    const asOf = new Float64Array(1).fill(Number.NEGATIVE_INFINITY);
    decayedAdd(value, asOf, 0, 10, T0);
    expect(decayedRead(value[0]!, asOf[0]!, 10, T0 + 10 * DAY)).toBeCloseTo(0.5, 12);
    decayedAdd(value, asOf, 0, 10, T0 + 10 * DAY);
    decayedAdd(value, asOf, 0, 10, T0); // late
    expect(decayedRead(value[0]!, asOf[0]!, 10, T0 + 10 * DAY)).toBeCloseTo(2, 12);
  });
});
