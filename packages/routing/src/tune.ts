import { activateRankingModel, insertRankingModel, listHistoryAnswers, listHistoryQuestions, type Pool } from '@qr/db';
import { buildDataset, fitCommunityModel, type Dataset, type MethodMetrics, type TrainedModel } from '@qr/eval';
import type { Log } from '@qr/lemur';
import { DEFAULT_MODEL, type RankingModel } from '@qr/matching';
import type { SeAnswer, SeQuestion } from '@qr/stackexchange';
import { loadActiveModel } from './people-loader.js';

/** A time as the replay reads it (a dump's format: UTC, no zone, milliseconds). */
const dumpTime = (at: Date): string => at.toISOString().slice(0, 23);

/** The live database's history before `until`, as a dataset the evaluation's replay reads. */
export async function loadHistory(pool: Pool, until: Date): Promise<Dataset> {
  const [questions, answers] = await Promise.all([listHistoryQuestions(pool, until), listHistoryAnswers(pool, until)]);
  const seQuestions: SeQuestion[] = questions.map((q) => ({
    kind: 'question', id: q.id, createdAt: dumpTime(q.createdAt), ownerUserId: q.askerId, title: q.title, body: q.body, tags: q.tags,
    acceptedAnswerId: q.acceptedAnswerId ?? undefined, score: 0,
  }));
  const seAnswers: SeAnswer[] = answers.map((a) => ({
    kind: 'answer', id: a.id, parentId: a.questionId, createdAt: dumpTime(a.createdAt), ownerUserId: a.userId, body: a.body, score: a.score,
  }));
  return buildDataset(seQuestions, seAnswers, 1);
}

export type TuneOutcome =
  /** fitted, validated better than the active model (or forced), stored and activated */
  | 'activated'
  /** fitted and stored, but not activated: it did not validate better than the active model */
  | 'stored'
  /** too little history: nothing stored, the default model (or the active one) stays */
  | 'too-little-history';

export interface TuneResult {
  outcome: TuneOutcome;
  version: number | undefined;
  trained: TrainedModel;
  /** the active model's version before (undefined: the default model) */
  previous: number | undefined;
  /** the validation MRR of the new fit, and of what it was compared with (the active model, or the default) */
  comparison: { fitted: number; incumbent: number } | undefined;
}

/**
 * `qr tune`: fits the ranking model on the live database's own history (everything before now),
 * measures it on the later part of that history against the active model, the default and the
 * baselines, stores it versioned, and activates it when it validates better than the active model
 * (or when forced). Matchers pick an activation up at once (ranking_model_changed).
 */
export async function tuneModel(pool: Pool, options: { log: Log; force?: boolean; now?: Date; note?: string }): Promise<TuneResult> {
  const now = options.now ?? new Date();
  const [history, active] = await Promise.all([loadHistory(pool, now), loadActiveModel(pool, options.log)]);
  const compare: Record<string, RankingModel> = active.version === undefined ? {} : { active: active.model };
  const trained = fitCommunityModel(history, dumpTime(now), DEFAULT_MODEL, { compare });
  if (!trained.fitted) return { outcome: 'too-little-history', version: undefined, trained, previous: active.version, comparison: undefined };
  const methods = trained.validation?.methods ?? {};
  const mrr = (name: string): number => (methods[name] as MethodMetrics | undefined)?.mrr ?? Number.NEGATIVE_INFINITY;
  const comparison = { fitted: mrr('fitted'), incumbent: mrr(active.version === undefined ? 'default' : 'active') };
  const better = comparison.fitted > comparison.incumbent;
  const version = await insertRankingModel(pool, {
    model: trained.model,
    questions: trained.questions,
    trainedUntil: now,
    validation: trained.validation,
    note: options.note ?? (better ? 'validated better than the model it replaces' : options.force ? 'activated by --force' : 'not better than the active model'),
  });
  const activate = better || options.force === true;
  if (activate) await activateRankingModel(pool, version);
  return { outcome: activate ? 'activated' : 'stored', version, trained, previous: active.version, comparison };
}
