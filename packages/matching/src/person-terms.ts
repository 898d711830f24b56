/**
 * Which terms (ids) each person holds, for replacing or forgetting them: one shared Int32Array, each
 * slot a run [start, start + length) of it with room for `room` ids. A run that outgrows its room
 * moves to the end with a quarter more; the space it left is counted as waste, and everything is
 * packed again once waste passes half the pool. About 4 bytes a (term, person) entry, against a Map
 * per person (~50 bytes an entry and ~200 a person).
 */
export class PersonTerms {
  private pool = new Int32Array(1024);
  private used = 0;
  private waste = 0;
  private start = new Int32Array(1024);
  private length = new Int32Array(1024);
  private room = new Int32Array(1024);

  /** A slot's term ids (a view: valid until the next change). */
  of(slot: number): Int32Array {
    if (slot >= this.start.length) return this.pool.subarray(0, 0);
    const start = this.start[slot] as number;
    return this.pool.subarray(start, start + (this.length[slot] as number));
  }

  /** Adds a term id to a slot's (the caller knows it is not there yet). */
  add(slot: number, termId: number): void {
    this.ensureSlot(slot);
    const length = this.length[slot] as number;
    if (length === this.room[slot]) this.relocate(slot, Math.max(4, Math.ceil(length * 1.25)));
    this.pool[(this.start[slot] as number) + length] = termId;
    this.length[slot] = length + 1;
  }

  /** Replaces a slot's term ids. */
  set(slot: number, termIds: ArrayLike<number>): void {
    this.ensureSlot(slot);
    if (termIds.length > (this.room[slot] as number)) this.relocate(slot, termIds.length, false);
    const start = this.start[slot] as number;
    for (let i = 0; i < termIds.length; i++) this.pool[start + i] = termIds[i] as number;
    this.length[slot] = termIds.length;
  }

  /** Moves a slot's run to the end of the pool with room for `room` ids (keeping its ids unless told not to). */
  private relocate(slot: number, room: number, keep = true): void {
    if (this.waste > this.used / 2 && this.waste > 1 << 16) this.pack();
    this.waste += this.room[slot] as number;
    if (this.used + room > this.pool.length) {
      const pool = new Int32Array(Math.max(this.used + room, Math.ceil(this.pool.length * 1.25)));
      pool.set(this.pool.subarray(0, this.used));
      this.pool = pool;
    }
    const from = this.start[slot] as number;
    if (keep) this.pool.copyWithin(this.used, from, from + (this.length[slot] as number));
    else this.length[slot] = 0;
    this.start[slot] = this.used;
    this.room[slot] = room;
    this.used += room;
  }

  /** Packs every run to the front, each keeping its room (the wasted space is given back). */
  private pack(): void {
    const pool = new Int32Array(Math.max(1024, this.used - this.waste + (this.used >> 3)));
    let at = 0;
    for (let slot = 0; slot < this.start.length; slot++) {
      const room = this.room[slot] as number;
      if (room === 0) continue;
      const start = this.start[slot] as number;
      pool.set(this.pool.subarray(start, start + (this.length[slot] as number)), at);
      this.start[slot] = at;
      at += room;
    }
    this.pool = pool;
    this.used = at;
    this.waste = 0;
  }

  private ensureSlot(slot: number): void {
    if (slot < this.start.length) return;
    const length = Math.max(slot + 1, this.start.length * 2);
    for (const name of ['start', 'length', 'room'] as const) {
      const grown = new Int32Array(length);
      grown.set(this[name]);
      this[name] = grown;
    }
  }
}
