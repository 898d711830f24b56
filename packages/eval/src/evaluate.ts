import type { SeQuestion } from '@qr/stackexchange';
import { cmp, type Dataset } from './dataset.js';
import { scoreRanking, summarize, type MethodMetrics, type QuestionResult } from './metrics.js';
import type { Moment, Ranker } from './rankers.js';

/** Replays the questions (default: the test questions) in time order; each ranker sees only what happened before each question. */
export function evaluate(dataset: Dataset, ranker: Ranker, questions: readonly SeQuestion[] = dataset.test): { results: QuestionResult[]; metrics: MethodMetrics } {
  const results: QuestionResult[] = [];
  const everyone = new Set<number>();
  let seen = 0; // answers before the current question: a prefix of dataset.answers
  for (const question of questions) {
    while (seen < dataset.answers.length && cmp((dataset.answers[seen] as { createdAt: string }).createdAt, question.createdAt) < 0) seen++;
    const history = dataset.answers.slice(0, seen);
    const candidateSet = new Set(history.map((a) => a.ownerUserId as number));
    if (question.ownerUserId !== undefined) candidateSet.delete(question.ownerUserId);
    // the reference sorts user ids as text
    const candidates = [...candidateSet].sort((a, b) => cmp(String(a), String(b)));
    for (const u of candidates) everyone.add(u);
    const moment: Moment = { question, history, candidates, dataset };
    const answers = dataset.answersByQuestion.get(question.id) ?? [];
    const relevant = new Set(answers.map((a) => a.ownerUserId as number).filter((u) => u !== question.ownerUserId));
    const acceptedOwner = answers.find((a) => a.id === question.acceptedAnswerId)?.ownerUserId;
    const acceptedUser = acceptedOwner !== undefined && acceptedOwner !== question.ownerUserId ? acceptedOwner : undefined;
    results.push(scoreRanking(ranker(moment), relevant, acceptedUser));
  }
  return { results, metrics: summarize(results, everyone) };
}

/** Averages several runs (the random baseline over seeds), metric by metric and question by question. */
export function averageRuns(runs: { results: QuestionResult[]; metrics: MethodMetrics }[]): { reciprocalRanks: number[]; metrics: MethodMetrics } {
  const keys = Object.keys(runs[0]?.metrics ?? {}) as (keyof MethodMetrics)[];
  const metrics = Object.fromEntries(keys.map((k) => [k, runs.reduce((s, r) => s + r.metrics[k], 0) / runs.length])) as unknown as MethodMetrics;
  const n = runs[0]?.results.length ?? 0;
  const reciprocalRanks = Array.from({ length: n }, (_, i) => runs.reduce((s, r) => s + (r.results[i]?.reciprocalRank ?? 0), 0) / runs.length);
  return { reciprocalRanks, metrics };
}
