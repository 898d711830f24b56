export { buildDataset, loadDataset, type Dataset } from './dataset.js';
export { averageRuns, evaluate } from './evaluate.js';
export { gini, pairedBootstrap, scoreRanking, summarize, type MethodMetrics, type QuestionResult } from './metrics.js';
export { mostAnswersRanker, randomRanker, recentAnswersRanker, tagOverlapRanker, type Moment, type Ranker } from './rankers.js';
