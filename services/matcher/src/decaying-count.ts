const DAY_MS = 86_400_000;

/**
 * A person's events (answers, asks) over a sliding window, as a decayed count
 * sum over events of exp(-ln2 * age / halfLife), and a plain count over a shorter recent window,
 * both in O(1) per event and per reading instead of a pass over every event at every reading.
 *
 * Forward decay: the sum is kept as of the newest event (`anchor`), every term <= 1, and scaled to
 * the reading time when read. Events leave the window oldest first (kept in time order), and their
 * term is taken off the sum.
 */
export class DecayingCount {
  /** event times (ms), ascending; [head, length) are in the window */
  private times: number[] = [];
  private ids: number[] = [];
  private readonly known = new Set<number>();
  private head = 0;
  /** first event inside the recent (count) window */
  private recentHead = 0;
  private anchor = Number.NEGATIVE_INFINITY;
  /** sum over the events in the window of exp(-rate * (anchor - at)) */
  private sum = 0;
  private readonly rate: number;

  constructor(
    halfLifeDays: number,
    private readonly windowDays: number,
    /** the window of `recentCount` (days); <= windowDays */
    private readonly recentWindowDays = windowDays,
  ) {
    this.rate = Math.LN2 / halfLifeDays / DAY_MS;
  }

  /** Events in the window (after the last reading). */
  get size(): number {
    return this.times.length - this.head;
  }

  /** Adds an event once (by id); an event already outside the window is ignored. */
  add(id: number, at: number, now: number): void {
    if (this.known.has(id) || !(at > now - this.windowDays * DAY_MS)) return;
    this.known.add(id);
    if (at >= this.anchor) {
      // re-anchor on the newest event: the old terms shrink, the new one counts 1
      this.sum = this.sum * Math.exp(-this.rate * (at - this.anchor)) + 1; // first event: 0 * exp(-inf) + 1
      this.anchor = at;
      this.times.push(at);
      this.ids.push(id);
      return;
    }
    this.sum += Math.exp(-this.rate * (this.anchor - at));
    // out of order (rare: a reload, or commits finishing out of order): insert in place
    let i = this.times.length;
    while (i > this.head && (this.times[i - 1] as number) > at) i--;
    this.times.splice(i, 0, at);
    this.ids.splice(i, 0, id);
    if (i < this.recentHead) this.recentHead++;
  }

  /** The decayed count at `now` (events older than the window are dropped first). */
  decayed(now: number): number {
    this.expire(now);
    if (this.size === 0) return 0;
    return this.sum * Math.exp(-this.rate * (now - this.anchor));
  }

  /** Events newer than `now - recentWindowDays`. */
  recentCount(now: number): number {
    this.expire(now);
    const from = now - this.recentWindowDays * DAY_MS;
    if (this.recentHead < this.head) this.recentHead = this.head;
    while (this.recentHead < this.times.length && (this.times[this.recentHead] as number) <= from) this.recentHead++;
    return this.times.length - this.recentHead;
  }

  private expire(now: number): void {
    const from = now - this.windowDays * DAY_MS;
    const { times } = this;
    while (this.head < times.length && (times[this.head] as number) <= from) {
      this.sum -= Math.exp(-this.rate * (this.anchor - (times[this.head] as number)));
      this.known.delete(this.ids[this.head] as number);
      this.head++;
    }
    if (this.head === times.length) this.sum = 0; // nothing left: no rounding residue
    if (this.head > 64 && this.head * 2 > times.length) {
      // compact now and then, so the arrays do not keep every event ever seen
      this.times = times.slice(this.head);
      this.ids = this.ids.slice(this.head);
      this.recentHead = Math.max(0, this.recentHead - this.head);
      this.head = 0;
    }
  }
}
