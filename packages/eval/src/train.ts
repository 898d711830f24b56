import { CONTENT_FEATURES, DEFAULT_MODEL, modelOf, type RankingModel } from '@qr/matching';
import type { SeQuestion } from '@qr/stackexchange';
import { buildDataset, cmp, type Dataset } from './dataset.js';
import { evaluate } from './evaluate.js';
import { fitListwise, type FitOptions, type RankingGroup } from './fit.js';
import type { MethodMetrics } from './metrics.js';
import { baselines } from './rankers.js';
import { CommunityReplay } from './replay.js';
import { evaluateModels } from './route.js';

/**
 * How every community's weights are fitted: topical evidence may weigh nothing but never count
 * against anyone (the content features, first in FEATURES, are held non-negative). Without it the
 * nearly collinear topic features came out with opposite signs, and a fresh answer on a question's
 * very topic lowered its author's score.
 */
export const FIT_OPTIONS: FitOptions = { nonNegative: Array.from({ length: CONTENT_FEATURES }, (_, i) => i) };

/** Fewer past questions than these and a community keeps the default model: its own fit would be noise. */
export const MIN_FIT_QUESTIONS = 60;
export const MIN_VALIDATION_QUESTIONS = 20;
/** The later share of the past that the fit is validated on (and not fitted on, for that measurement). */
export const VALIDATION_SHARE = 0.2;

export interface ValidationReport {
  /** questions of the validation period, and when it starts */
  questions: number;
  from: string;
  /** the model fitted without them, the default model (and any model compared), and each baseline, on them */
  methods: Record<string, MethodMetrics>;
}

export interface TrainedModel {
  model: RankingModel;
  /** false: too little history; `model` is the default */
  fitted: boolean;
  reason: string;
  /** past questions the stored model was fitted on (all of them, validation period included) */
  questions: number;
  validation: ValidationReport | undefined;
}

/** The dataset as it stood at `until`: questions and answers created before it, nothing later. */
export function historyBefore(dataset: Dataset, until: string): Dataset {
  const questions = [...dataset.questions.values()].filter((q) => cmp(q.createdAt, until) < 0);
  const kept = new Set(questions.map((q) => q.id));
  const answers = dataset.answers.filter((a) => cmp(a.createdAt, until) < 0 && kept.has(a.parentId));
  return { ...buildDataset(questions, answers), malformed: dataset.malformed };
}

/** Past questions someone other than the asker answered, oldest first. */
function answeredByOthers(history: Dataset): SeQuestion[] {
  return [...history.questions.values()]
    .filter((q) => (history.answersByQuestion.get(q.id) ?? []).some((a) => a.ownerUserId !== q.ownerUserId))
    .sort((a, b) => cmp(a.createdAt, b.createdAt));
}

/** Each question's candidates as feature rows, and which of them answered it (the fitter's input). */
export function rankingGroups(history: Dataset, questions: readonly SeQuestion[]): RankingGroup[] {
  const replay = new CommunityReplay(history);
  return questions.map((question) => {
    const moment = replay.at(question);
    const { userIds, rows } = replay.features(moment);
    const answerers = new Set((history.answersByQuestion.get(question.id) ?? []).map((a) => a.ownerUserId).filter((u) => u !== question.ownerUserId));
    return { rows, relevant: userIds.flatMap((u, i) => (answerers.has(u) ? [i] : [])) };
  });
}

/**
 * Fits a community's ranking model on its own past, everything before `until`, time-ordered: the
 * weights are fitted on the earlier questions and measured on the later VALIDATION_SHARE of them
 * (against the default model and the baselines on the same questions), then fitted again on all of
 * them, which is the model kept. Nothing at or after `until` is read. With too little history the
 * default model stays.
 *
 * Chosen on the training periods of the public sites (rolling windows before each test period):
 * this plain fit beat pulling the weights toward the default model, and beat choosing between the
 * two on the validation period (docs/evaluation.md).
 */
export function fitCommunityModel(
  dataset: Dataset,
  until: string,
  defaultModel: RankingModel = DEFAULT_MODEL,
  options: FitOptions & { compare?: Record<string, RankingModel> } = {},
): TrainedModel {
  const history = historyBefore(dataset, until);
  const questions = answeredByOthers(history);
  const validationFrom = Math.floor(questions.length * (1 - VALIDATION_SHARE));
  const validationQuestions = questions.slice(validationFrom);
  if (validationFrom < MIN_FIT_QUESTIONS || validationQuestions.length < MIN_VALIDATION_QUESTIONS) {
    return {
      model: defaultModel,
      fitted: false,
      reason: `too little history: ${questions.length} answered question(s), ${MIN_FIT_QUESTIONS + MIN_VALIDATION_QUESTIONS} needed; the default model stays`,
      questions: questions.length,
      validation: undefined,
    };
  }
  const groups = rankingGroups(history, questions);
  const fit: FitOptions = { ...FIT_OPTIONS, ...options };
  const heldOut = modelOf(fitListwise(groups.slice(0, validationFrom), fit), defaultModel.mu);
  const validation = validate(history, validationQuestions, { fitted: heldOut, default: defaultModel, ...options.compare });
  return {
    model: modelOf(fitListwise(groups, fit), defaultModel.mu),
    fitted: true,
    reason: `fitted on ${questions.length} answered questions`,
    questions: questions.length,
    validation,
  };
}

/** The models (without budgets: load is not what is validated) and the baselines on the validation questions. */
export function validate(history: Dataset, questions: readonly SeQuestion[], models: Record<string, RankingModel>): ValidationReport {
  const methods: Record<string, MethodMetrics> = {};
  const runs = evaluateModels(history, questions, Object.fromEntries(Object.entries(models).map(([name, model]) => [name, { model, budget: undefined }])));
  for (const [name, run] of Object.entries(runs)) methods[name] = run.metrics;
  for (const [name, ranker] of Object.entries(baselines)) methods[name] = evaluate(history, ranker, questions).metrics;
  return { questions: questions.length, from: questions[0]?.createdAt ?? '', methods };
}

/** Every community's training period (before its test cut) as ranking groups, for a pooled fit. */
export function trainingGroups(dataset: Dataset): RankingGroup[] {
  const history = historyBefore(dataset, dataset.cut);
  return rankingGroups(history, answeredByOthers(history));
}

/**
 * One model over several communities' training periods pooled, every question weighing the same: what
 * a community with no history of its own starts from (DEFAULT_MODEL) and what its own fit is pulled toward.
 */
export function fitPooledModel(groups: readonly RankingGroup[]): RankingModel {
  return modelOf(fitListwise(groups, { ...FIT_OPTIONS, recencyHalfLife: Number.POSITIVE_INFINITY }), DEFAULT_MODEL.mu);
}
