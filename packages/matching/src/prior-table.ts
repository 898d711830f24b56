import { HELD_MAXIMA, type HeldMaxima } from './held.js';
import { weightVector, type RankingModel } from './model.js';
import { grown } from './typed-arrays.js';
import type { PersonActivity } from './person-activity.js';

/**
 * How long one table's bounds hold: it is rebuilt for the next window (and for another model). A
 * rebuild reads everyone (~2 s for a million people, blocking): rare. Bounds over a longer window are
 * no looser for the usual signs (decaying counts weigh up, days since weigh down: both at their best
 * at the window's start), only for weights of the other sign.
 */
export const PRIOR_WINDOW_MS = 2 * 60 * 60_000;

/** People per bucket when a table is built: a question reads the top buckets whole. */
export const BUCKET_SIZE = 256;

/**
 * Everyone's prior bound (PersonActivity.priorBoundOver) for one model and one time window, and the
 * people in buckets by that bound, for top-k.ts: someone who holds none of the postings a ranking
 * read can score at most what the unread ones can add plus their prior bound, so only the people of
 * the first few buckets can still enter the top.
 *
 * Invariants (bucket 0 holds the highest bounds):
 * - `floor` is fixed when the table is built and non-increasing (the last is -Infinity); a person is
 *   in the first bucket whose floor is at most their bound, so every bound in bucket i is below
 *   floor[i - 1];
 * - `ceiling[i]` is at least every bound in bucket i (raised when someone enters above it, never
 *   lowered until the next build), so ceiling[i] <= floor[i - 1] <= ceiling[i - 1]: the ceilings are
 *   non-increasing too, and ceiling[i] bounds everyone in buckets i and after;
 * - a person whose activity changes gets their bound recomputed and moves bucket at once (O(1));
 * - each bucket's value maxima are at least its members' (raised as people enter or their values grow).
 */
export class PriorTable implements HeldMaxima {
  private key = '';
  private model: RankingModel | undefined;
  private weights: Float64Array = new Float64Array(0);
  private from = 0;
  private until = Number.NEGATIVE_INFINITY;
  /** per slot */
  private bound: Float64Array = new Float64Array(0);
  private bucketOf: Int32Array = new Int32Array(0);
  private placeOf: Int32Array = new Int32Array(0);
  private floor: Float64Array = new Float64Array(0);
  private ceiling: Float64Array = new Float64Array(0);
  private members: Int32Array[] = [];
  private counts: Int32Array = new Int32Array(0);
  /** per bucket, HELD_MAXIMA values: at least each member's value maxima (held.ts), raised only */
  private maxima: Float64Array = new Float64Array(0);
  /** the people's value maxima, by slot */
  private people: HeldMaxima = { maximumOf: () => 0 };

  /** Makes the table hold for `model` at `now`: rebuilt for another model, or past its window. */
  prepare(model: RankingModel, now: number, count: number, activityAt: (slot: number) => PersonActivity, people: HeldMaxima): void {
    const key = `${model.mu}:${weightVector(model).join(',')}`;
    if (key === this.key && now >= this.from && now <= this.until) return;
    this.key = key;
    this.model = model;
    this.weights = weightVector(model);
    this.from = now;
    this.until = now + PRIOR_WINDOW_MS;
    const capacity = Math.max(1024, count);
    this.bound = new Float64Array(capacity);
    this.bucketOf = new Int32Array(capacity).fill(-1);
    this.placeOf = new Int32Array(capacity);
    for (let slot = 0; slot < count; slot++) this.bound[slot] = activityAt(slot).priorBoundOver(this.weights, model.mu, this.from, this.until);
    const sorted = this.bound.slice(0, count).sort().reverse(); // numeric, highest first
    const buckets = Math.max(1, Math.ceil(count / BUCKET_SIZE));
    this.floor = new Float64Array(buckets);
    for (let b = 0; b < buckets; b++) this.floor[b] = b === buckets - 1 ? Number.NEGATIVE_INFINITY : (sorted[(b + 1) * BUCKET_SIZE - 1] as number);
    this.ceiling = new Float64Array(buckets).fill(Number.NEGATIVE_INFINITY);
    this.members = Array.from({ length: buckets }, () => new Int32Array(BUCKET_SIZE));
    this.counts = new Int32Array(buckets);
    this.maxima = new Float64Array(buckets * HELD_MAXIMA);
    this.people = people;
    for (let slot = 0; slot < count; slot++) this.place(slot);
  }

  /** A person's activity changed (or they arrived): their bound now, and their bucket. */
  changed(slot: number, activity: PersonActivity): void {
    if (!this.model) return; // not built yet: the first prepare reads everyone
    if (slot >= this.bound.length) {
      const length = Math.max(slot + 1, this.bound.length * 2);
      this.bound = grown(this.bound, length);
      this.bucketOf = grown(this.bucketOf, length, -1);
      this.placeOf = grown(this.placeOf, length);
    }
    this.unplace(slot);
    this.bound[slot] = activity.priorBoundOver(this.weights, this.model.mu, this.from, this.until);
    this.place(slot);
  }

  /** A person's value maximum of kind `held` rose to `value`: their bucket's too. */
  raised(slot: number, held: number, value: number): void {
    const b = slot < this.bucketOf.length ? (this.bucketOf[slot] as number) : -1;
    if (b >= 0 && value > (this.maxima[b * HELD_MAXIMA + held] as number)) this.maxima[b * HELD_MAXIMA + held] = value;
  }

  /** At least every value of kind `held` anyone in bucket `b` holds. */
  maximumOf(b: number, held: number): number {
    return this.maxima[b * HELD_MAXIMA + held] as number;
  }

  boundOf(slot: number): number {
    return this.bound[slot] as number;
  }

  get bucketCount(): number {
    return this.counts.length;
  }

  /** At least the bound of everyone in bucket `b` and after (-Infinity past the last). */
  ceilingFrom(b: number): number {
    return b < this.ceiling.length ? (this.ceiling[b] as number) : Number.NEGATIVE_INFINITY;
  }

  /** The slots in bucket `b` (a view: valid until the next change). */
  bucket(b: number): Int32Array {
    return (this.members[b] as Int32Array).subarray(0, this.counts[b] as number);
  }

  private place(slot: number): void {
    const b = this.bound[slot] as number;
    let lo = 0;
    let hi = this.floor.length - 1; // the last floor is -Infinity: everyone fits somewhere
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.floor[mid] as number) <= b) hi = mid;
      else lo = mid + 1;
    }
    let list = this.members[lo] as Int32Array;
    const n = this.counts[lo] as number;
    if (n === list.length) this.members[lo] = list = grown(list, n * 2);
    list[n] = slot;
    this.counts[lo] = n + 1;
    this.bucketOf[slot] = lo;
    this.placeOf[slot] = n;
    if (b > (this.ceiling[lo] as number)) this.ceiling[lo] = b;
    for (let h = 0; h < HELD_MAXIMA; h++) this.maxima[lo * HELD_MAXIMA + h] = Math.max(this.maxima[lo * HELD_MAXIMA + h] as number, this.people.maximumOf(slot, h));
  }

  private unplace(slot: number): void {
    const b = this.bucketOf[slot] as number;
    if (b < 0) return;
    const list = this.members[b] as Int32Array;
    const last = (this.counts[b] as number) - 1;
    const at = this.placeOf[slot] as number;
    const moved = list[last] as number;
    list[at] = moved;
    this.placeOf[moved] = at;
    this.counts[b] = last;
    this.bucketOf[slot] = -1;
  }
}
