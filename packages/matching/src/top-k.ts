import { CONTENT_FEATURES, FEATURES } from './features.js';
import { scoreOf, weightVector } from './model.js';
import { bestFirst, type PeopleIndex, type RankInput, type Scored } from './people-index.js';
import { PersonActivity } from './person-activity.js';

/** What one topK did, for benches and tests. */
export interface TopStats {
  /** the question's candidates (whom rank() scores and sorts) */
  candidates: number;
  /** those scored in full (their activity features computed) */
  scored: number;
}

/** Slack for rounding: a bound is a sum in another order than the score it bounds. */
const ROUNDING = 1e-9;

/**
 * The best `k` candidates of a question: exactly `index.rank(input).slice(0, k)` (the same people,
 * order and scores), without computing everyone's activity features or sorting everyone.
 *
 * Every candidate's content part is summed as rank() sums it (the postings of the question's terms);
 * their activity part, the prior, is bounded by the index's PriorTable (each person's most over the
 * next minutes and any hour). Content plus prior bound is at least their score, whatever the weights'
 * signs (the content part is exact). The k highest bounds are scored in full; then only those whose
 * bound reaches the k-th best score so far, and nobody else can enter.
 */
export function topK(index: PeopleIndex, input: RankInput, k: number, stats?: TopStats): Scored[] {
  const weights = weightVector(input.model);
  const { mu } = input.model;
  const priors = index.priorTable(input.model, input.now);
  const { slots, slotless } = index.candidates({ ...input, mu });
  const row = new Float64Array(FEATURES.length);
  const best: Scored[] = []; // the k best so far, best first
  let scored = 0;
  const offer = (candidate: Scored): void => {
    if (k < 1 || (best.length === k && bestFirst(candidate, best[k - 1] as Scored) >= 0)) return;
    let i = best.length;
    while (i > 0 && bestFirst(candidate, best[i - 1] as Scored) < 0) i--;
    best.splice(i, 0, candidate);
    if (best.length > k) best.pop();
  };
  /** A candidate's score, computed as rank() computes it: content sums, activity features, the weighted sum. */
  const score = (slot: number): Scored => {
    for (let f = 0; f < CONTENT_FEATURES; f++) row[f] = index.contentAt(slot, f);
    index.activityAt(slot).writeFeatures(input.now, mu, row);
    scored += 1;
    return { userId: index.userIdAt(slot), score: scoreOf(weights, row) };
  };

  if (slotless.length) {
    row.fill(0);
    new PersonActivity().writeFeatures(input.now, mu, row);
    const empty = scoreOf(weights, row);
    for (const userId of slotless) offer({ userId, score: empty });
  }
  const bound = new Float64Array(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] as number;
    let content = 0;
    for (let f = 0; f < CONTENT_FEATURES; f++) content += (weights[f] as number) * index.contentAt(slot, f);
    const b = content + priors.boundOf(slot);
    bound[i] = b + ROUNDING * (1 + Math.abs(b));
  }
  // the k highest bounds first: their scores make the bar everyone else's bound must clear
  const ascending = Float64Array.from(bound).sort();
  const kthBound = ascending.length >= k && k > 0 ? (ascending[ascending.length - k] as number) : Number.NEGATIVE_INFINITY;
  for (let i = 0; i < slots.length; i++) if ((bound[i] as number) >= kthBound) offer(score(slots[i] as number));
  for (let i = 0; i < slots.length; i++) {
    if ((bound[i] as number) >= kthBound) continue;
    if (best.length === k && (bound[i] as number) < (best[k - 1] as Scored).score) continue;
    offer(score(slots[i] as number));
  }
  if (stats) Object.assign(stats, { candidates: slots.length + slotless.length, scored });
  return best;
}
