export { buildDataset, cmp, loadDataset, type Dataset } from './dataset.js';
export { averageRuns, evaluate } from './evaluate.js';
export { fitListwise, type FitOptions, type RankingGroup } from './fit.js';
export { gini, pairedBootstrap, scoreRanking, summarize, type MethodMetrics, type QuestionResult } from './metrics.js';
export { baselines, hybridRanker, mostAnswersRanker, randomRanker, recentAnswersRanker, tagOverlapRanker, type Moment, type Ranker } from './rankers.js';
export { CommunityReplay, timeOf, type ReplayPoint } from './replay.js';
export { ASKS_PER_QUESTION, evaluateModels, type LoadReport, type Run, type Variant } from './route.js';
export { evaluateSite, macroOf, type SiteReport } from './site.js';
export {
  FIT_OPTIONS, fitCommunityModel, fitPooledModel, historyBefore, MIN_FIT_QUESTIONS, MIN_VALIDATION_QUESTIONS, rankingGroups, trainingGroups, validate, type TrainedModel, type ValidationReport,
} from './train.js';
