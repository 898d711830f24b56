/**
 * When a list keeps an impact tier (`top`, below): from `from` postings (shorter ones are read whole at
 * no great cost), with the `share` highest values of each channel apart. Measured at 1M people
 * (bench/README.md, score-at-scale): a ranking reads 18.5k postings against 125k with no tiers, p99
 * 19 against 48 ms; shares of 5%, 2%, 1% and 0.5% read 55k, 37k, 29k and 23k. (Tests set them so that
 * a small index has large tiers.)
 */
export interface Tiering {
  from: number;
  share: number;
}
export const TIERING: Tiering = { from: 2048, share: 0.002 };
const UNTIERED: Tiering = { from: Number.POSITIVE_INFINITY, share: 0 };

/** A long list's highest values, kept apart (see PostingList's invariants). */
export interface ImpactTier {
  /** a copy of the postings holding a value at or above `cut[c]` in some channel c */
  top: PostingList;
  cut: Float64Array;
}
/** Postings sampled for a cut: a cut only needs to be about right (any cut is exact). */
const TIER_SAMPLE = 16_384;

/**
 * One term's postings: who holds it (dense person slots) and what they hold (`width` values each: the
 * channels the term's kind can hold, see contribution.ts `valuesHeld`), plus a bound on each channel.
 *
 * Invariants:
 * - entries [0, main) are sorted by slot, and so are entries [main, size) (the tail); a slot appears
 *   at most once in all; so finding a slot is two binary searches;
 * - new slots go to the tail (or straight onto the end of the main run when they come after its last
 *   slot, as when people are loaded in slot order); the tail is merged into the main run when it
 *   grows past ~4 sqrt(main), so an insert costs O(sqrt n) moves, amortised;
 * - a removed posting keeps its place with all values 0 (nothing reads a 0 value) until the next
 *   merge drops it; `live` counts postings with any value above 0;
 * - `max[c]` is at least every value of channel c ever stored since the last merge (values only
 *   grow by adding; a merge recomputes it): the bound exact pruning reads (top-k.ts);
 * - a list of at least `tierFrom` postings (once merged, settled or read) keeps its highest values
 *   apart too, an impact tier: `tier.top` holds a copy, values equal, of exactly the postings holding
 *   a value at or above `tier.cut[c]` in some channel c, so every other posting holds less than `cut[c]` in
 *   each channel. The cuts are fixed at a merge (the `share` highest of each channel, sampled)
 *   and the copy follows every change. A ranking reads the few top postings and bounds the rest of a
 *   long list by the cuts rather than by its largest values (top-k-lists.ts).
 */
export class PostingList {
  slots: Int32Array;
  values: Float64Array;
  size = 0;
  main = 0;
  live = 0;
  readonly max: Float64Array;
  /** the impact tier (see the invariants), or undefined for a list too short to keep one */
  tier: ImpactTier | undefined;

  constructor(readonly width: number, private readonly tiering = TIERING) {
    this.slots = new Int32Array(4);
    this.values = new Float64Array(4 * width);
    this.max = new Float64Array(width);
  }

  /** Bytes its arrays take (their capacity, used or not), its top tier's included. */
  get bytes(): number {
    return this.slots.byteLength + this.values.byteLength + this.max.byteLength + (this.tier?.top.bytes ?? 0);
  }

  /** Where `slot`'s posting is, or -1. */
  find(slot: number): number {
    const at = search(this.slots, 0, this.main, slot);
    if (at >= 0) return at;
    return this.size > this.main ? search(this.slots, this.main, this.size, slot) : -1;
  }

  /** Adds `add` (width values) to `slot`'s posting, making it if needed; returns its position (`live` counts it if it now holds something). */
  add(slot: number, add: ArrayLike<number>): number {
    let at = this.find(slot);
    if (at < 0) at = this.insert(slot);
    const { values, width, max } = this;
    const before = this.holds(at);
    for (let c = 0; c < width; c++) {
      const v = (values[at * width + c] as number) + (add[c] as number);
      values[at * width + c] = v;
      if (v > (max[c] as number)) max[c] = v;
    }
    if (!before && this.holds(at)) this.live++;
    this.retier(slot, at, false);
    return at;
  }

  /** Sets `slot`'s values (width of them), making the posting if needed; returns its position. */
  set(slot: number, to: ArrayLike<number>): number {
    // after everything held (loading people in slot order): no search
    let at = this.comesLast(slot) ? -1 : this.find(slot);
    if (at < 0) at = this.insert(slot);
    const before = this.holds(at);
    for (let c = 0; c < this.width; c++) {
      const v = to[c] as number;
      this.values[at * this.width + c] = v;
      if (v > (this.max[c] as number)) this.max[c] = v;
    }
    const after = this.holds(at);
    if (before !== after) this.live += after ? 1 : -1;
    this.retier(slot, at, true);
    return at;
  }

  /**
   * Appends a posting for a slot the list does not hold, in any slot order, without looking (loading
   * a fresh index from rows that are unique per slot and term): the tail may be out of order until
   * `settle`, and nothing else may be called before it.
   */
  appendUnsorted(slot: number, to: ArrayLike<number>): void {
    if (this.size === this.slots.length) this.grow();
    const { width } = this;
    if (this.comesLast(slot)) this.main++;
    this.slots[this.size] = slot;
    for (let c = 0; c < width; c++) {
      const v = to[c] as number;
      this.values[this.size * width + c] = v;
      if (v > (this.max[c] as number)) this.max[c] = v;
    }
    if (this.holds(this.size)) this.live++;
    this.size++;
  }

  /** Sorts what appendUnsorted left out of order and merges it in: the invariants hold again, with no room to spare (a loaded list mostly stays as loaded). */
  settle(): void {
    if (this.size === this.main) {
      if (this.slots.length > Math.max(4, this.size)) this.fit(Math.max(4, this.size));
      this.makeTier();
      return;
    }
    const { width } = this;
    const order = Int32Array.from({ length: this.size - this.main }, (_, i) => this.main + i).sort((a, b) => (this.slots[a] as number) - (this.slots[b] as number));
    const slots = Int32Array.from(order, (at) => this.slots[at] as number);
    const values = new Float64Array(order.length * width);
    order.forEach((at, i) => values.set(this.values.subarray(at * width, (at + 1) * width), i * width));
    this.slots.set(slots, this.main);
    this.values.set(values, this.main * width);
    this.merge(0);
  }

  /** Zeroes `slot`'s posting, if any (dropped at the next merge). */
  clear(slot: number): void {
    const at = this.find(slot);
    if (at < 0) return;
    if (this.holds(at)) this.live--;
    this.values.fill(0, at * this.width, (at + 1) * this.width);
    this.tier?.top.clear(slot);
  }

  /** Any value above 0 at this position. */
  holds(at: number): boolean {
    for (let c = 0; c < this.width; c++) if ((this.values[at * this.width + c] as number) > 0) return true;
    return false;
  }

  /** No tail, and `slot` after every slot held: it goes onto the end of the main run (and is not there). */
  private comesLast(slot: number): boolean {
    return this.main === this.size && (this.main === 0 || (this.slots[this.main - 1] as number) < slot);
  }

  /** Makes a posting (all 0) for a slot it does not hold; returns its position. */
  private insert(slot: number): number {
    if (this.size - this.main >= 16 + 4 * Math.sqrt(this.main)) this.merge();
    if (this.size === this.slots.length) this.grow();
    const { slots, values, width } = this;
    if (this.comesLast(slot)) {
      slots[this.size] = slot; // after everything: onto the end of the main run
      values.fill(0, this.size * width, (this.size + 1) * width);
      this.main++;
      return this.size++;
    }
    // into the tail, in slot order
    let at = this.size;
    while (at > this.main && (slots[at - 1] as number) > slot) at--;
    slots.copyWithin(at + 1, at, this.size);
    values.copyWithin((at + 1) * width, at * width, this.size * width);
    slots[at] = slot;
    values.fill(0, at * width, (at + 1) * width);
    this.size++;
    return at;
  }

  /** A list of `size` postings sorted by slot, read by `fill` into its arrays (a snapshot's); live count and bounds recomputed. */
  static read(width: number, size: number, fill: (slots: Int32Array, values: Float64Array) => void, tiering = TIERING): PostingList {
    const list = new PostingList(width, tiering);
    list.slots = new Int32Array(Math.max(4, size));
    list.values = new Float64Array(list.slots.length * width);
    fill(list.slots.subarray(0, size), list.values.subarray(0, size * width));
    list.size = list.main = size;
    for (let i = 1; i < size; i++) if ((list.slots[i - 1] as number) >= (list.slots[i] as number)) throw new Error('a snapshot list is not sorted by slot');
    for (let i = 0; i < size; i++) {
      if (list.holds(i)) list.live++;
      for (let c = 0; c < width; c++) list.max[c] = Math.max(list.max[c] as number, list.values[i * width + c] as number);
    }
    list.makeTier();
    return list;
  }

  /**
   * The postings sorted by slot, none zeroed, as a snapshot writes them: merged when there is a tail or
   * a zeroed posting (with room to grow: the list is changing), untouched otherwise (most lists, most
   * of the time: a merge would copy them into arrays a quarter larger).
   */
  tidy(): void {
    if (this.size !== this.main || this.live !== this.size) this.merge();
  }

  /**
   * Merges the tail into the main run, dropping zeroed postings and recomputing the bounds (before
   * writing a snapshot), leaving room for `room` (a share of the postings kept) more.
   */
  merge(room = 0.25): void {
    const { width } = this;
    const slots = new Int32Array(Math.max(4, Math.ceil(this.live * (1 + room))));
    const values = new Float64Array(slots.length * width);
    this.max.fill(0);
    let a = 0;
    let b = this.main;
    let out = 0;
    while (a < this.main || b < this.size) {
      const from = b >= this.size || (a < this.main && (this.slots[a] as number) < (this.slots[b] as number)) ? a++ : b++;
      if (!this.holds(from)) continue;
      slots[out] = this.slots[from] as number;
      for (let c = 0; c < width; c++) {
        const v = this.values[from * width + c] as number;
        values[out * width + c] = v;
        if (v > (this.max[c] as number)) this.max[c] = v;
      }
      out++;
    }
    this.slots = slots;
    this.values = values;
    this.size = this.main = this.live = out;
    this.makeTier();
  }

  /** Whether the posting at `at` holds a value at or above its channel's cut: one the impact tier holds a copy of. */
  inTier(at: number): boolean {
    const { tier, width, values } = this;
    if (!tier) return false;
    for (let c = 0; c < width; c++) if ((values[at * width + c] as number) >= (tier.cut[c] as number)) return true;
    return false;
  }

  /** The top tier follows the posting of `slot` at `at`, just changed (`lowered`: maybe to below its cut; adding only raises). */
  private retier(slot: number, at: number, lowered: boolean): void {
    const top = this.tier?.top;
    if (!top) return;
    if (this.inTier(at)) top.set(slot, this.values.subarray(at * this.width, (at + 1) * this.width));
    else if (lowered) top.clear(slot);
  }

  /**
   * New cuts, and the top tier made again, for a list with no tail (after a merge or a read): each
   * channel's cut is its (1 - share)-quantile in a sample of evenly spaced postings (a channel whose
   * quantile is 0 sets no one apart: Infinity).
   */
  private makeTier(): void {
    this.tier = undefined;
    if (this.size < this.tiering.from) return;
    const { width, values, size } = this;
    const step = Math.max(1, Math.floor(size / TIER_SAMPLE));
    const sample = new Float64Array(Math.ceil(size / step));
    const cut = new Float64Array(width);
    for (let c = 0; c < width; c++) {
      let n = 0;
      for (let i = 0; i < size; i += step) sample[n++] = values[i * width + c] as number;
      const sorted = sample.subarray(0, n).sort();
      const q = sorted[Math.min(n - 1, Math.floor(n * (1 - this.tiering.share)))] as number;
      cut[c] = q > 0 ? q : Number.POSITIVE_INFINITY;
    }
    this.tier = { top: new PostingList(width, UNTIERED), cut };
    const { top } = this.tier;
    for (let at = 0; at < size; at++) if (this.inTier(at)) top.appendUnsorted(this.slots[at] as number, values.subarray(at * width, (at + 1) * width));
    top.settle();
  }

  /** The arrays made exactly `length` long (at least size). */
  private fit(length: number): void {
    this.slots = this.slots.slice(0, length);
    this.values = this.values.slice(0, length * this.width);
  }

  private grow(): void {
    // doubling while short (fewer allocations), then a quarter more: long lists hold most of a matcher's memory
    const length = this.slots.length < 4096 ? this.slots.length * 2 : Math.ceil(this.slots.length * 1.25);
    const slots = new Int32Array(length);
    slots.set(this.slots);
    const values = new Float64Array(length * this.width);
    values.set(this.values);
    this.slots = slots;
    this.values = values;
  }
}

/**
 * The position of `slot` in the sorted run [from, to) of `slots`, or -1: interpolation first (people's
 * slots spread evenly over a long list, so a guess from the run's ends lands a few places off), then a
 * binary search in what the guesses left.
 */
function search(slots: Int32Array, from: number, to: number, slot: number): number {
  let lo = from;
  let hi = to;
  for (let guesses = 0; guesses < 3 && hi - lo > 32; guesses++) {
    const first = slots[lo] as number;
    const last = slots[hi - 1] as number;
    if (slot < first || slot > last) return -1;
    if (last === first) break;
    const at = lo + Math.floor(((slot - first) / (last - first)) * (hi - 1 - lo));
    const s = slots[at] as number;
    if (s === slot) return at;
    // the guess splits the run; a second probe a little past it narrows the side the slot is on
    if (s < slot) {
      lo = at + 1;
      const ahead = Math.min(hi - 1, at + 16);
      if ((slots[ahead] as number) >= slot) hi = ahead + 1;
    } else {
      hi = at;
      const behind = Math.max(lo, at - 16);
      if ((slots[behind] as number) <= slot) lo = behind;
    }
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = slots[mid] as number;
    if (s < slot) lo = mid + 1;
    else if (s > slot) hi = mid;
    else return mid;
  }
  return -1;
}
