/** One answer, as far as a person's activity is concerned. Times are ms since the epoch. */
export interface AnswerFact {
  at: number;
  /** when the question it answers was asked */
  questionAt: number;
  accepted: boolean;
  /** an answer to the person's own question: it teaches nothing about them (no self-made expertise) */
  self: boolean;
}

const HOURS = 24;

/**
 * Everyone's activity sums, one row per person, in typed columns (~170 bytes a person, against ~640
 * for an object with its own counters and hour array): what PersonActivity reads and writes. A
 * PersonActivity is a view of one row; one made alone has a table of its own, of one row.
 *
 * Invariants: a row nobody wrote reads as no activity (every count 0, every time -Infinity); answers
 * not settled yet (person-activity.ts) are kept per row in `pending`, oldest first, and only for rows
 * that have some (people who answered in the last week).
 */
export class ActivityTable {
  answers: Int32Array;
  last: Float64Array;
  lastPost: Float64Array;
  /** forward-free decayed counts (decay.ts decayedAdd): value and as-of, 365-day and 30-day half-lives */
  massValue: Float64Array;
  massAt: Float64Array;
  recentValue: Float64Array;
  recentAt: Float64Array;
  delayLogSum: Float64Array;
  settledCount: Int32Array;
  settledAccepted: Int32Array;
  /** HOURS per row: answers at each hour of the day (UTC) */
  hours: Uint32Array;
  readonly pending = new Map<number, AnswerFact[]>();

  constructor(private capacity = 1) {
    this.answers = new Int32Array(capacity);
    this.last = new Float64Array(capacity).fill(Number.NEGATIVE_INFINITY);
    this.lastPost = new Float64Array(capacity).fill(Number.NEGATIVE_INFINITY);
    this.massValue = new Float64Array(capacity);
    this.massAt = new Float64Array(capacity).fill(Number.NEGATIVE_INFINITY);
    this.recentValue = new Float64Array(capacity);
    this.recentAt = new Float64Array(capacity).fill(Number.NEGATIVE_INFINITY);
    this.delayLogSum = new Float64Array(capacity);
    this.settledCount = new Int32Array(capacity);
    this.settledAccepted = new Int32Array(capacity);
    this.hours = new Uint32Array(capacity * HOURS);
  }

  /** Every column, in a fixed order (hours last: HOURS values per row), for writing and reading snapshots. */
  columns(): (Float64Array | Int32Array | Uint32Array)[] {
    return [this.answers, this.last, this.lastPost, this.massValue, this.massAt, this.recentValue, this.recentAt, this.delayLogSum, this.settledCount, this.settledAccepted, this.hours];
  }

  /** How many values a column holds per row. */
  widthOf(column: Float64Array | Int32Array | Uint32Array): number {
    return column === this.hours ? HOURS : 1;
  }

  /** A table of `rows` rows whose columns (columns() order) are read by `fill`, each given an array of its type to fill. */
  static read(rows: number, fill: (column: Float64Array | Int32Array | Uint32Array) => void): ActivityTable {
    const table = new ActivityTable(Math.max(1, rows));
    for (const column of table.columns()) fill(column.subarray(0, rows * table.widthOf(column)));
    return table;
  }

  /** Bytes its columns take (the unsettled answers aside). */
  get bytes(): number {
    return this.columns().reduce((sum, column) => sum + column.byteLength, 0);
  }

  /** Makes room for row `row` (doubling). */
  ensure(row: number): void {
    if (row < this.capacity) return;
    const capacity = Math.max(row + 1, this.capacity * 2);
    const grow = <T extends Float64Array | Int32Array | Uint32Array>(from: T, per = 1, fill = 0): T => {
      const next = new (from.constructor as new (n: number) => T)(capacity * per);
      next.set(from);
      if (fill !== 0) next.fill(fill, from.length);
      return next;
    };
    const never = Number.NEGATIVE_INFINITY;
    this.answers = grow(this.answers);
    this.last = grow(this.last, 1, never);
    this.lastPost = grow(this.lastPost, 1, never);
    this.massValue = grow(this.massValue);
    this.massAt = grow(this.massAt, 1, never);
    this.recentValue = grow(this.recentValue);
    this.recentAt = grow(this.recentAt, 1, never);
    this.delayLogSum = grow(this.delayLogSum);
    this.settledCount = grow(this.settledCount);
    this.settledAccepted = grow(this.settledAccepted);
    this.hours = grow(this.hours, HOURS);
    this.capacity = capacity;
  }

  /** Row `to` becomes a copy of `from`'s row `at`. */
  copy(from: ActivityTable, at: number, to: number): void {
    this.ensure(to);
    this.answers[to] = from.answers[at] as number;
    this.last[to] = from.last[at] as number;
    this.lastPost[to] = from.lastPost[at] as number;
    this.massValue[to] = from.massValue[at] as number;
    this.massAt[to] = from.massAt[at] as number;
    this.recentValue[to] = from.recentValue[at] as number;
    this.recentAt[to] = from.recentAt[at] as number;
    this.delayLogSum[to] = from.delayLogSum[at] as number;
    this.settledCount[to] = from.settledCount[at] as number;
    this.settledAccepted[to] = from.settledAccepted[at] as number;
    this.hours.set(from.hours.subarray(at * HOURS, (at + 1) * HOURS), to * HOURS);
    const pending = from.pending.get(at);
    if (pending?.length) this.pending.set(to, [...pending]);
    else this.pending.delete(to);
  }

  /** Row `row` reads as no activity again. */
  clear(row: number): void {
    this.copy(EMPTY, 0, row);
  }
}

const EMPTY = new ActivityTable(1);
