import { bestFirst, keepTest, type Keep, type Scored } from './ranked.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
/** How many people passed over a decision names. */
export const MAX_PASSED_OVER = 5;

/**
 * How often a person may be asked (placed in a question's matches, which also emails them): in
 * proportion to how often they have shown they answer, with a floor so newcomers are asked too.
 * These are the operator's policy, not fitted weights: how much asking a community accepts.
 */
export interface AskBudgetPolicy {
  /** asks a person may get per answer they give (their rate over the last weeks) */
  asksPerAnswer: number;
  /** asks per week anyone may get, however little they answered */
  minAsksPerWeek: number;
}

/**
 * A question asks MATCH_LIMIT (10) people and gets one or two answers: five or so asks per answer is
 * the community's average. A person may be asked four times that for every answer they gave lately
 * (twenty), so those who answer much are rarely held back, and anyone at least once a day (seven a
 * week), Aardvark's mark. Measured against tighter budgets in docs/evaluation.md.
 */
export const DEFAULT_ASK_BUDGET: AskBudgetPolicy = { asksPerAnswer: 20, minAsksPerWeek: 7 };

/** What a person asked for: at most so many asks a day, or none until a moment (ms). */
export interface AskPreferences {
  maxAsksPerDay?: number | null;
  pausedUntil?: number | null;
}

export type PassReason = 'paused' | 'own daily limit' | 'budget';

/** A person's asks per week allowed, given their answers per day lately. */
export function weeklyBudget(policy: AskBudgetPolicy, answersPerDay: number): number {
  return Math.max(policy.minAsksPerWeek, policy.asksPerAnswer * Math.max(0, answersPerDay) * 7);
}

/** Who was asked when, over the last week: what budgets are counted against. */
export class AskLedger {
  private asks = new Map<number, number[]>();
  /** "question:person" -> when, of the asks recorded: the same ask learned twice (made here, then read back) counts once */
  private seen = new Map<string, number>();

  /** Records an ask by a question (times may come in any order); the same question and person again changes nothing. */
  record(userId: number, at: number, questionId: number): void {
    const key = `${questionId}:${userId}`;
    if (this.seen.has(key)) return;
    this.seen.set(key, at);
    let times = this.asks.get(userId);
    if (!times) this.asks.set(userId, (times = []));
    let i = times.length;
    while (i > 0 && (times[i - 1] as number) > at) i--;
    times.splice(i, 0, at);
  }

  /** Asks of a person at or after `since`. */
  countSince(userId: number, since: number): number {
    const times = this.asks.get(userId);
    if (!times) return 0;
    let i = times.length;
    while (i > 0 && (times[i - 1] as number) >= since) i--;
    return times.length - i;
  }

  /** Drops asks before `at` (they no longer count against any budget), and what it knew of them. */
  forgetBefore(at: number): void {
    for (const [userId, times] of this.asks) {
      let i = 0;
      while (i < times.length && (times[i] as number) < at) i++;
      if (i === times.length) this.asks.delete(userId);
      else if (i > 0) this.asks.set(userId, times.slice(i));
    }
    for (const [key, when] of this.seen) if (when < at) this.seen.delete(key);
  }
}

/** What deciding on one person needs: their answering rate, their preferences, the ledger, the policy. */
export interface BudgetCheck {
  policy: AskBudgetPolicy;
  ledger: AskLedger;
  answersPerDay(userId: number): number;
  preferences(userId: number): AskPreferences | undefined;
}

/** Why a person may not be asked at `now`, or undefined when they may. */
export function whyNotAsk(check: BudgetCheck, userId: number, now: number): PassReason | undefined {
  const prefs = check.preferences(userId);
  if (prefs?.pausedUntil != null && prefs.pausedUntil > now) return 'paused';
  if (prefs?.maxAsksPerDay != null && check.ledger.countSince(userId, now - DAY_MS + 1) + 1 > prefs.maxAsksPerDay) return 'own daily limit';
  if (check.ledger.countSince(userId, now - WEEK_MS + 1) + 1 > weeklyBudget(check.policy, check.answersPerDay(userId))) return 'budget';
  return undefined;
}

export interface Ask extends Scored {
  /** people ranked above this one who were not asked (the first few) */
  passedOver: number[];
}

/**
 * A ranking of part of the people, best first (bestFirst): those for whom `keep` holds, down to
 * `floor` (scores at least it); `expected` is how many the reader expects to read (a hint). The
 * engine's lazy ranking gives it without scoring whom it skips.
 */
export type PartRanking = (keep: Keep, floor: number, expected: number) => Iterable<Scored>;

/** A whole ranking (best first) as a PartRanking: iterated from the start for each part, so an array or another iterable that starts again (not a generator). */
export function partsOf(ranked: Iterable<Scored>): PartRanking {
  return function* part(keeping, floor) {
    const keep = keepTest(keeping);
    for (const candidate of ranked) {
      if (candidate.score < floor) return;
      if (keep(candidate.userId)) yield candidate;
    }
  };
}

/**
 * The people to ask, from a ranking: the first `limit` who may be asked, in order. Those over their
 * budget or paused are passed over, and each ask names who was passed over above it (the first
 * MAX_PASSED_OVER, which is also all `passed` lists). A question is never left with nobody: when
 * everyone who could be asked is over the budget the community sets, the best of them is asked all
 * the same (a person's own limit or pause never is).
 *
 * It reads two parts of the ranking: those who may be asked, to the last ask; then, of those the first
 * part skipped (it asks `keep` about everyone it considers, and it considers everyone ranked above
 * what it gives), those above the last ask, only as many as it names. However many are passed over
 * (at a busy moment, thousands above the tenth ask), none of them is scored unless named; when nobody
 * was skipped, the second part is not read at all.
 */
export function chooseAsks(ranked: PartRanking, limit: number, whyNot: (userId: number) => PassReason | undefined): { asks: Ask[]; passed: { userId: number; reason: PassReason }[] } {
  const asks: Ask[] = [];
  const passed: { userId: number; reason: PassReason }[] = [];
  if (limit < 1) return { asks, passed };
  // whoever the first part skips: the people passed over above the last ask are among them (a
  // ranking considers everyone above what it gives), so the second part ranks only them, or nobody
  const skipped = new Set<number>();
  const may = (userId: number): boolean => {
    if (whyNot(userId) === undefined) return true;
    skipped.add(userId);
    return false;
  };
  const chosen: Scored[] = [];
  for (const candidate of ranked(may, Number.NEGATIVE_INFINITY, limit)) {
    chosen.push(candidate);
    if (chosen.length === limit) break;
  }
  const last = chosen.length === limit ? chosen.at(-1) : undefined;
  const above: Scored[] = [];
  let bestOverBudget: Scored | undefined;
  const passedOver = skipped.size ? ranked(skipped, last?.score ?? Number.NEGATIVE_INFINITY, MAX_PASSED_OVER) : [];
  for (const candidate of passedOver) {
    if (last && bestFirst(candidate, last) > 0) break;
    const reason = whyNot(candidate.userId) as PassReason;
    if (above.length < MAX_PASSED_OVER) {
      above.push(candidate);
      passed.push({ userId: candidate.userId, reason });
    }
    if (reason === 'budget') bestOverBudget ??= candidate;
    if (above.length === MAX_PASSED_OVER && (chosen.length > 0 || bestOverBudget)) break;
  }
  const passedAbove = (ask: Scored): number[] => above.filter((p) => bestFirst(p, ask) < 0).map((p) => p.userId);
  for (const ask of chosen) asks.push({ ...ask, passedOver: passedAbove(ask) });
  if (asks.length === 0 && bestOverBudget) {
    const best = bestOverBudget;
    asks.push({ ...best, passedOver: passedAbove(best) });
    const at = passed.findIndex((p) => p.userId === best.userId);
    if (at >= 0) passed.splice(at, 1);
  }
  return { asks, passed };
}
