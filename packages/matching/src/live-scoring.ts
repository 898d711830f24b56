/**
 * The matcher's parameters, shared by the live matcher and the evaluation replay so they cannot
 * drift. Chosen on a validation period (questions 60-80% by date of the beer dump, see
 * packages/eval/src/tune.ts), never on the test period; the top of that grid is flat around them.
 */
export const liveScoring = {
  smoothing: 0.5,
  /** topical evidence, per unit of question weight */
  evidenceWeight: 1,
  /** ln(1 + age-decayed expertise volume) */
  priorWeight: 0.25,
  /** ln(1 + recent answers): availability */
  recencyWeight: 2,
  recencyHalfLifeDays: 14,
  /** an answer's expertise halves every year */
  expertiseHalfLifeDays: 365,
  /** ln(1 + recent asks): spreads the load */
  loadWeight: 0.25,
  loadHalfLifeDays: 7,
  /** asks (top-10 appearances) per person per 7 days before they go after everyone else */
  maxAsksPerWeek: 10,
} as const;

const DAY_MS = 86_400_000;
/** Forward decay is anchored here: values are stored as v * exp(rate * days since the anchor). */
export const DECAY_ANCHOR_MS = Date.parse('2010-01-01T00:00:00Z');

export const daysSinceAnchor = (at: Date | number): number => ((typeof at === 'number' ? at : at.getTime()) - DECAY_ANCHOR_MS) / DAY_MS;

/**
 * Forward decay: an answer's expertise is stored multiplied by exp(rate * t_answer). Every person's
 * weights then carry the same factor exp(-rate * now) at any moment, which cancels in P(t|u); the
 * volume prior multiplies it back with `expertiseDecayAt`.
 */
export function expertiseGrowth(answeredAt: Date | number): number {
  return Math.exp((Math.LN2 / liveScoring.expertiseHalfLifeDays) * daysSinceAnchor(answeredAt));
}

export function expertiseDecayAt(now: Date | number): number {
  return Math.exp(-(Math.LN2 / liveScoring.expertiseHalfLifeDays) * daysSinceAnchor(now));
}
