import { grown } from './typed-arrays.js';

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

  constructor(capacity = 1) {
    this.answers = new Int32Array(0);
    this.last = new Float64Array(0);
    this.lastPost = new Float64Array(0);
    this.massValue = new Float64Array(0);
    this.massAt = new Float64Array(0);
    this.recentValue = new Float64Array(0);
    this.recentAt = new Float64Array(0);
    this.delayLogSum = new Float64Array(0);
    this.settledCount = new Int32Array(0);
    this.settledAccepted = new Int32Array(0);
    this.hours = new Uint32Array(0);
    this.ensure(capacity - 1);
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

  /** Rows this table has room for. */
  private get capacity(): number {
    return this.answers.length;
  }

  /** Makes room for row `row` (doubling); new rows read as no activity (times at -Infinity, the rest 0). */
  ensure(row: number): void {
    if (row < this.capacity) return;
    const capacity = Math.max(row + 1, this.capacity * 2);
    const never: readonly unknown[] = [this.last, this.lastPost, this.massAt, this.recentAt];
    const grow = <T extends Float64Array | Int32Array | Uint32Array>(column: T): T =>
      grown(column, capacity * this.widthOf(column), never.includes(column) ? Number.NEGATIVE_INFINITY : 0);
    this.answers = grow(this.answers);
    this.last = grow(this.last);
    this.lastPost = grow(this.lastPost);
    this.massValue = grow(this.massValue);
    this.massAt = grow(this.massAt);
    this.recentValue = grow(this.recentValue);
    this.recentAt = grow(this.recentAt);
    this.delayLogSum = grow(this.delayLogSum);
    this.settledCount = grow(this.settledCount);
    this.settledAccepted = grow(this.settledAccepted);
    this.hours = grow(this.hours);
  }

  /** Row `to` becomes a copy of `from`'s row `at`. */
  copy(from: ActivityTable, at: number, to: number): void {
    this.ensure(to);
    const sources = from.columns();
    this.columns().forEach((column, i) => {
      const width = this.widthOf(column);
      column.set((sources[i] as typeof column).subarray(at * width, (at + 1) * width), to * width);
    });
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
