import { ActivityTable, type AnswerFact } from './activity-table.js';
import { decayedAdd, decayedRead, daysBetween, HALF_LIFE_DAYS } from './decay.js';
import { FEATURES, type FeatureName } from './features.js';

export type { AnswerFact } from './activity-table.js';

/** An answer counts for its author only when it answers someone else. The one place this rule lives. */
export const countsForAuthor = (answer: Pick<AnswerFact, 'self'>): boolean => !answer.self;

/**
 * Acceptance comes after an answer; an answer's is counted once it is this old. In a replay of a dump
 * (which holds only final acceptances) this keeps what was decided after the ranked question out of
 * its features, and live it is the same rule, so both compute the same thing.
 */
export const SETTLED_AFTER_DAYS = 7;

const DAY_MS = 86_400_000;
const NEVER_DAYS = 3650;
const HOURS_AROUND = 2; // hour_of_day looks at the question's hour +-2
const HOUR_WINDOW = 2 * HOURS_AROUND + 1;

/** The hour of the day (UTC) of a moment in ms: what `new Date(at).getUTCHours()` says, without the object. */
const hourOf = (at: number): number => Math.floor((((at % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000);

/** log1p(days from `then` to `now`), at most NEVER_DAYS (also for never). */
const daysSince = (then: number, now: number): number => Math.log1p(Math.min(NEVER_DAYS, Math.max(0, daysBetween(then, now))));

const at = (name: FeatureName): number => FEATURES.indexOf(name);
const VOLUME = at('volume');
const RECENT_30D = at('recent_30d');
const SINCE_ANSWER = at('since_answer');
const SINCE_POST = at('since_post');
const HOUR_OF_DAY = at('hour_of_day');
const ANSWER_SPEED = at('answer_speed');
const ACCEPT_RATE = at('accept_rate');

const LONG = HALF_LIFE_DAYS.expertise;
const SHORT = HALF_LIFE_DAYS.recent;

/**
 * A person's answering, summed as their answers arrive (in time order, or near it): counts decayed at
 * two time scales, when they last answered or asked, at which hours of the day, how quickly after the
 * question, and how often their settled answers were accepted. O(1) per answer and per read
 * (amortised), so a matcher can keep one per person and a replay can grow one answer at a time.
 * Reads must not go back in time (`now` never before an earlier read's).
 *
 * It is a view of one row of an ActivityTable (the index keeps everyone's in one); made alone, it
 * has a table of its own.
 */
export class PersonActivity {
  constructor(
    readonly table = new ActivityTable(1),
    readonly row = 0,
  ) {}

  get answers(): number {
    return this.table.answers[this.row] as number;
  }

  get last(): number {
    return this.table.last[this.row] as number;
  }

  /** their last answer or question */
  get lastPost(): number {
    return this.table.lastPost[this.row] as number;
  }

  /** Adds an answer; one that does not count for its author (countsForAuthor) changes nothing. */
  add(answer: AnswerFact): void {
    if (!countsForAuthor(answer)) return;
    const { table: t, row: r } = this;
    t.answers[r] = (t.answers[r] as number) + 1;
    t.last[r] = Math.max(t.last[r] as number, answer.at);
    t.lastPost[r] = Math.max(t.lastPost[r] as number, answer.at);
    decayedAdd(t.massValue, t.massAt, r, LONG, answer.at);
    decayedAdd(t.recentValue, t.recentAt, r, SHORT, answer.at);
    t.hours[r * 24 + hourOf(answer.at)]! += 1;
    t.delayLogSum[r] = (t.delayLogSum[r] as number) + Math.log1p(Math.max(0, answer.at - answer.questionAt) / 3_600_000);
    let pending = t.pending.get(r);
    if (!pending) t.pending.set(r, (pending = []));
    let i = pending.length;
    while (i > 0 && (pending[i - 1] as AnswerFact).at > answer.at) i--;
    pending.splice(i, 0, { at: answer.at, questionAt: answer.questionAt, accepted: answer.accepted, self: answer.self });
    // reads are never before an answer added (now >= its time), so what is settled at its time already is settled for them
    this.settle(answer.at);
  }

  /** They asked a question at `at`. */
  asked(at: number): void {
    this.table.lastPost[this.row] = Math.max(this.lastPost, at);
  }

  /** Answers in the last 30 days, decayed (30-day half-life): how much they answer now. */
  recentAnswers(now: number): number {
    return decayedRead(this.table.recentValue[this.row] as number, this.table.recentAt[this.row] as number, SHORT, now);
  }

  /** Their answering rate per day lately (a 30-day decayed count is ~ rate x 30 / ln 2). */
  answersPerDay(now: number): number {
    return (this.recentAnswers(now) * Math.LN2) / SHORT;
  }

  /**
   * The most the activity part of their score (the sum over activity features of weight x feature) can
   * be at any moment from `from` to `until` and at any hour of the day, as long as nothing is added:
   * each feature moves one way as time passes (counts decay, days since grow), so it is at its best at
   * one end; the hour at its best hour; the acceptance rate anywhere in [0, 1] (answers settle).
   */
  priorBoundOver(weights: Float64Array, mu: number, from: number, until: number): number {
    const best = (w: number, a: number, b: number): number => Math.max(w * a, w * b);
    const { table: t, row: r } = this;
    let fewest = Infinity;
    let most = 0;
    for (let hour = 0; hour < 24; hour++) {
      let near = 0;
      for (let k = -HOURS_AROUND; k <= HOURS_AROUND; k++) near += t.hours[r * 24 + ((hour + k + 24) % 24)] as number;
      fewest = Math.min(fewest, near);
      most = Math.max(most, near);
    }
    const answers = this.answers;
    const hourShare = (near: number): number => Math.log((near + (2 * HOUR_WINDOW) / 24) / (answers + 2));
    const mass = (at: number): number => decayedRead(t.massValue[r] as number, t.massAt[r] as number, LONG, at);
    const recent = (at: number): number => decayedRead(t.recentValue[r] as number, t.recentAt[r] as number, SHORT, at);
    return (
      best(weights[VOLUME] as number, Math.log(mass(from) + mu), Math.log(mass(until) + mu)) +
      best(weights[RECENT_30D] as number, Math.log1p(recent(from)), Math.log1p(recent(until))) +
      best(weights[SINCE_ANSWER] as number, daysSince(this.last, from), daysSince(this.last, until)) +
      best(weights[SINCE_POST] as number, daysSince(this.lastPost, from), daysSince(this.lastPost, until)) +
      best(weights[HOUR_OF_DAY] as number, hourShare(fewest), hourShare(most)) +
      (weights[ANSWER_SPEED] as number) * (((t.delayLogSum[r] as number) + 2 * Math.log1p(24)) / (answers + 2)) +
      best(weights[ACCEPT_RATE] as number, 0, 1)
    );
  }

  /** Writes their activity features at `now` into `row`, at their places in FEATURES (the content ones are left as they are). */
  writeFeatures(now: number, mu: number, row: Float64Array): void {
    this.settle(now);
    const { table: t, row: r } = this;
    const n = this.answers;
    const hour = hourOf(now);
    let near = 0;
    for (let k = -HOURS_AROUND; k <= HOURS_AROUND; k++) near += t.hours[r * 24 + ((hour + k + 24) % 24)] as number;
    row[VOLUME] = Math.log(decayedRead(t.massValue[r] as number, t.massAt[r] as number, LONG, now) + mu);
    row[RECENT_30D] = Math.log1p(this.recentAnswers(now));
    row[SINCE_ANSWER] = daysSince(this.last, now);
    row[SINCE_POST] = daysSince(this.lastPost, now);
    row[HOUR_OF_DAY] = Math.log((near + (2 * HOUR_WINDOW) / 24) / (n + 2));
    row[ANSWER_SPEED] = ((t.delayLogSum[r] as number) + 2 * Math.log1p(24)) / (n + 2);
    row[ACCEPT_RATE] = ((t.settledAccepted[r] as number) + 0.5) / ((t.settledCount[r] as number) + 2);
  }

  /** Moves answers that became settled by `now` out of `pending`. */
  private settle(now: number): void {
    const { table: t, row: r } = this;
    const pending = t.pending.get(r);
    if (!pending) return;
    let i = 0;
    while (i < pending.length && daysBetween((pending[i] as AnswerFact).at, now) >= SETTLED_AFTER_DAYS) {
      t.settledCount[r] = (t.settledCount[r] as number) + 1;
      if ((pending[i] as AnswerFact).accepted) t.settledAccepted[r] = (t.settledAccepted[r] as number) + 1;
      i++;
    }
    if (i === pending.length) t.pending.delete(r);
    else if (i > 0) t.pending.set(r, pending.slice(i));
  }
}
