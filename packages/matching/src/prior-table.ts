import { weightVector, type RankingModel } from './model.js';
import type { PersonActivity } from './person-activity.js';

/** How long one table's bounds hold: it is rebuilt for the next window (and for another model). */
export const PRIOR_WINDOW_MS = 10 * 60_000;

/**
 * Everyone's prior bound (PersonActivity.priorBoundOver) for one model and one time window, and the
 * people in decreasing order of it, for top-k.ts: someone who holds none of the keys read so far can
 * score at most the unread keys' bounds plus their prior bound, so only the first few in this order
 * can still enter the top k. A person whose activity changed after the order was made is "moved": their
 * bound is recomputed at once, and they are looked at apart from the order until the next rebuild.
 */
export class PriorTable {
  private key = '';
  private model: RankingModel | undefined;
  private weights: Float64Array = new Float64Array(0);
  private from = 0;
  private until = Number.NEGATIVE_INFINITY;
  /** per slot */
  private bound: Float64Array = new Float64Array(0);
  /** slots, highest bound first, as of the last rebuild; `sorted` their bounds then */
  order: Int32Array = new Int32Array(0);
  sorted: Float64Array = new Float64Array(0);
  /** slots whose bound changed (or who arrived) since the order was made */
  readonly moved = new Set<number>();

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
    const order = Int32Array.from({ length: count }, (_, slot) => slot);
    const bound = this.bound;
    order.sort((a, b) => (bound[b] as number) - (bound[a] as number));
    this.order = order;
    this.sorted = Float64Array.from(order, (slot) => bound[slot] as number);
    this.moved.clear();
  }

  /** A person's activity changed (or they arrived): their bound now, and looked at apart from the order. */
  changed(slot: number, activity: PersonActivity): void {
    if (!this.model) return; // not built yet: the first prepare reads everyone
    if (slot >= this.bound.length) {
      const grown = new Float64Array(Math.max(slot + 1, this.bound.length * 2));
      grown.set(this.bound);
      this.bound = grown;
    }
    this.bound[slot] = activity.priorBoundOver(this.weights, this.model.mu, this.from, this.until);
    this.moved.add(slot);
  }

  boundOf(slot: number): number {
    return this.bound[slot] as number;
  }

  /** The highest bound of anyone. */
  highest(): number {
    let top = this.sorted.length ? (this.sorted[0] as number) : Number.NEGATIVE_INFINITY;
    for (const slot of this.moved) top = Math.max(top, this.bound[slot] as number);
    return top;
  }

  /** How many in the order have a bound above `x` (binary search; the moved are counted apart). */
  countAbove(x: number): number {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.sorted[mid] as number) > x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
