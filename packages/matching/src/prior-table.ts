import { weightVector, type RankingModel } from './model.js';
import type { PersonActivity } from './person-activity.js';

/** How long one table's bounds hold: it is rebuilt for the next window (and for another model). */
export const PRIOR_WINDOW_MS = 10 * 60_000;

/**
 * Everyone's prior bound (PersonActivity.priorBoundOver) for one model and one time window, for
 * top-k.ts: a candidate's content part plus their prior bound is at least their score, so only those
 * whose bound can still reach the k-th best are scored in full. A person whose activity changes (or
 * who arrives) gets their bound recomputed at once.
 */
export class PriorTable {
  private key = '';
  private model: RankingModel | undefined;
  private weights: Float64Array = new Float64Array(0);
  private from = 0;
  private until = Number.NEGATIVE_INFINITY;
  /** per slot */
  private bound: Float64Array = new Float64Array(0);

  /** Makes the table hold for `model` at `now`: rebuilt for another model, or past its window. */
  prepare(model: RankingModel, now: number, count: number, activityAt: (slot: number) => PersonActivity): void {
    const key = `${model.mu}:${weightVector(model).join(',')}`;
    if (key === this.key && now >= this.from && now <= this.until) return;
    this.key = key;
    this.model = model;
    this.weights = weightVector(model);
    this.from = now;
    this.until = now + PRIOR_WINDOW_MS;
    this.bound = new Float64Array(Math.max(1024, count));
    for (let slot = 0; slot < count; slot++) this.bound[slot] = activityAt(slot).priorBoundOver(this.weights, model.mu, this.from, this.until);
  }

  /** A person's activity changed (or they arrived): their bound now. */
  changed(slot: number, activity: PersonActivity): void {
    if (!this.model) return; // not built yet: the first prepare reads everyone
    if (slot >= this.bound.length) {
      const grown = new Float64Array(Math.max(slot + 1, this.bound.length * 2));
      grown.set(this.bound);
      this.bound = grown;
    }
    this.bound[slot] = activity.priorBoundOver(this.weights, this.model.mu, this.from, this.until);
  }

  boundOf(slot: number): number {
    return this.bound[slot] as number;
  }
}
