import {
  AskLedger, bestFirst, chooseAsks, partsOf, scoreOf, weeklyBudget, weightVector, whyNotAsk, type AskBudgetPolicy, type RankingModel, type Scored,
} from '@qr/matching';
import type { SeQuestion } from '@qr/stackexchange';
import type { Dataset } from './dataset.js';
import { scoreRanking, summarize, type MethodMetrics, type QuestionResult } from './metrics.js';
import { CommunityReplay, timeOf } from './replay.js';

/** How many people a question asks: the matcher's MATCH_LIMIT default. */
export const ASKS_PER_QUESTION = 10;
const DAY_MS = 86_400_000;

/** A way of routing: a model, and the ask budgets it is held to (undefined: none, the ranking as it is). */
export interface Variant {
  model: RankingModel;
  budget: AskBudgetPolicy | undefined;
}

/** How the asks fell on people over the evaluated period. */
export interface LoadReport {
  asks: number;
  people: number;
  days: number;
  /** each asked person's asks per day over the period */
  perPersonPerDay: { p50: number; p95: number; max: number };
  /** each asked person's most asks in one (UTC) day */
  busiestDay: { p50: number; p95: number; max: number };
  /** share of asked people averaging under one ask a day (Aardvark kept most answerers there) */
  underOnePerDay: number;
  /** share of asks made beyond the person's budget at that moment, recounted from the asks afterwards */
  beyondBudget: number;
  /** share of questions where someone who ranked higher was passed over for load */
  passedOver: number;
}

export interface Run {
  results: QuestionResult[];
  metrics: MethodMetrics;
  load: LoadReport | undefined;
}

/**
 * Routes each question as the live matcher would at the moment it was asked, for each variant: the
 * engine's ranking under the variant's model, then (with a budget) the first ASKS_PER_QUESTION people
 * who may be asked, exactly as live (chooseAsks, whyNotAsk), their asks recorded for the next
 * questions. The measured ranking is the asks first, then everyone else by score.
 */
export function evaluateModels(dataset: Dataset, questions: readonly SeQuestion[], variants: Record<string, Variant>): Record<string, Run> {
  const replay = new CommunityReplay(dataset);
  const everyone = new Set<number>();
  const state = Object.entries(variants).map(([name, variant]) => ({
    name,
    variant,
    weights: weightVector(variant.model),
    ledger: new AskLedger(),
    asks: [] as { userId: number; at: number; answersPerDay: number }[],
    passedOver: 0,
    results: [] as QuestionResult[],
  }));
  const mus = new Set(state.map((s) => s.variant.model.mu));
  for (const question of questions) {
    const moment = replay.at(question);
    for (const u of moment.candidates) everyone.add(u);
    const now = moment.input.now;
    const answers = dataset.answersByQuestion.get(question.id) ?? [];
    const relevant = new Set(answers.map((a) => a.ownerUserId as number).filter((u) => u !== question.ownerUserId));
    const acceptedOwner = answers.find((a) => a.id === question.acceptedAnswerId)?.ownerUserId;
    const accepted = acceptedOwner !== undefined && acceptedOwner !== question.ownerUserId ? acceptedOwner : undefined;
    const rowsByMu = new Map([...mus].map((mu) => [mu, replay.features(moment, mu)]));
    const answersPerDay = (userId: number): number => replay.index.activity(userId)?.answersPerDay(now) ?? 0;
    for (const s of state) {
      const { userIds, rows } = rowsByMu.get(s.variant.model.mu) as { userIds: number[]; rows: Float64Array[] };
      const ranked: Scored[] = userIds.map((userId, i) => ({ userId, score: scoreOf(s.weights, rows[i] as Float64Array) })).sort(bestFirst);
      let ranking = ranked.map((r) => r.userId);
      const policy = s.variant.budget;
      if (policy) {
        const check = { policy, ledger: s.ledger, answersPerDay, preferences: () => undefined };
        const { asks, passed } = chooseAsks(partsOf(ranked), ASKS_PER_QUESTION, (userId) => whyNotAsk(check, userId, now));
        const asked = new Set(asks.map((a) => a.userId));
        ranking = [...asks.map((a) => a.userId), ...ranking.filter((u) => !asked.has(u))];
        for (const a of asks) {
          s.ledger.record(a.userId, now, question.id);
          s.asks.push({ userId: a.userId, at: now, answersPerDay: answersPerDay(a.userId) });
        }
        if (passed.length && asks.some((a) => a.passedOver.length)) s.passedOver += 1;
      } else {
        for (const userId of ranking.slice(0, ASKS_PER_QUESTION)) s.asks.push({ userId, at: now, answersPerDay: answersPerDay(userId) });
      }
      s.results.push(scoreRanking(ranking, relevant, accepted));
    }
  }
  const first = questions[0] ? timeOf(questions[0].createdAt) : 0;
  const last = questions.at(-1) ? timeOf((questions.at(-1) as SeQuestion).createdAt) : 0;
  const days = Math.max(1, (last - first) / DAY_MS);
  return Object.fromEntries(
    state.map((s) => [
      s.name,
      {
        results: s.results,
        metrics: summarize(s.results, everyone),
        load: s.variant.budget ? loadReport(s.asks, s.variant.budget, days, s.passedOver / Math.max(1, questions.length)) : undefined,
      },
    ]),
  );
}

function quantiles(values: number[]): { p50: number; p95: number; max: number } {
  const xs = [...values].sort((a, b) => a - b);
  const at = (q: number): number => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), max: xs.at(-1) ?? 0 };
}

/** The asks' spread over people, and a recount of each ask against the budget it had to fit. */
function loadReport(asks: { userId: number; at: number; answersPerDay: number }[], policy: AskBudgetPolicy, days: number, passedOver: number): LoadReport {
  const byPerson = new Map<number, number[]>();
  for (const a of asks) {
    let times = byPerson.get(a.userId);
    if (!times) byPerson.set(a.userId, (times = []));
    times.push(a.at);
  }
  let beyond = 0;
  for (const a of asks) {
    const times = byPerson.get(a.userId) as number[];
    const inWeek = times.filter((t) => t <= a.at && t > a.at - 7 * DAY_MS).length; // this ask and the week's before it
    if (inWeek > weeklyBudget(policy, a.answersPerDay)) beyond += 1;
  }
  const rates = [...byPerson.values()].map((times) => times.length / days);
  const busiest = [...byPerson.values()].map((times) => {
    const perDay = new Map<number, number>();
    for (const t of times) perDay.set(Math.floor(t / DAY_MS), (perDay.get(Math.floor(t / DAY_MS)) ?? 0) + 1);
    return Math.max(...perDay.values());
  });
  return {
    asks: asks.length,
    people: byPerson.size,
    days,
    perPersonPerDay: quantiles(rates),
    busiestDay: quantiles(busiest),
    underOnePerDay: rates.length ? rates.filter((r) => r < 1).length / rates.length : 1,
    beyondBudget: asks.length ? beyond / asks.length : 0,
    passedOver,
  };
}
