import { DEFAULT_ASK_BUDGET, DEFAULT_MODEL, type AskBudgetPolicy, type FeatureName, type RankingModel } from '@qr/matching';
import type { Dataset } from './dataset.js';
import { averageRuns, evaluate } from './evaluate.js';
import { pairedBootstrap, type MethodMetrics } from './metrics.js';
import { baselines, randomRanker } from './rankers.js';
import { evaluateModels, type LoadReport } from './route.js';
import { fitCommunityModel, type ValidationReport } from './train.js';

export interface SiteReport {
  site: string;
  questions: number;
  cut: string;
  /** `matcher` is the production ranker (fitted model, budgets); `matcher_...` are ablations; the rest are baselines */
  methods: Record<string, MethodMetrics>;
  /** the matcher against the site's best baseline (by MRR), question by question */
  bootstrap: { versus: string; difference: number; low: number; high: number };
  /** how the matcher's asks fell on people */
  load: LoadReport;
  model: { fitted: boolean; reason: string; questions: number; weights: Record<FeatureName, number>; validation: ValidationReport | undefined };
}

/**
 * One community, as an operator would get it: the model fitted on its history before the test
 * period only (fitCommunityModel), then the test questions routed in time order with ask budgets,
 * against the baselines on the same questions. Ablations: the default model (what a new community
 * gets) and the fitted model without budgets.
 */
export function evaluateSite(site: string, dataset: Dataset, budget: AskBudgetPolicy = DEFAULT_ASK_BUDGET, defaultModel: RankingModel = DEFAULT_MODEL): SiteReport & { reciprocalRanks: Record<string, number[]> } {
  const trained = fitCommunityModel(dataset, dataset.cut, defaultModel);
  const runs = evaluateModels(dataset, dataset.test, {
    matcher: { model: trained.model, budget },
    matcher_default_model: { model: defaultModel, budget },
    matcher_no_budget: { model: trained.model, budget: undefined },
  });
  const reciprocal: Record<string, number[]> = {};
  const methods: Record<string, MethodMetrics> = {};
  const random = averageRuns(Array.from({ length: 20 }, (_, seed) => evaluate(dataset, randomRanker(seed))));
  methods.random = random.metrics;
  reciprocal.random = random.reciprocalRanks;
  for (const [name, ranker] of Object.entries(baselines)) {
    const { results, metrics } = evaluate(dataset, ranker);
    methods[name] = metrics;
    reciprocal[name] = results.map((r) => r.reciprocalRank);
  }
  for (const [name, run] of Object.entries(runs)) {
    methods[name] = run.metrics;
    reciprocal[name] = run.results.map((r) => r.reciprocalRank);
  }
  const baselineNames = Object.keys(methods).filter((name) => name !== 'matcher' && !name.startsWith('matcher_'));
  const versus = baselineNames.reduce((a, b) => ((methods[b] as MethodMetrics).mrr > (methods[a] as MethodMetrics).mrr ? b : a));
  return {
    reciprocalRanks: reciprocal,
    site,
    questions: dataset.test.length,
    cut: dataset.cut,
    methods,
    bootstrap: { versus, ...pairedBootstrap(reciprocal.matcher as number[], reciprocal[versus] as number[]) },
    load: runs.matcher?.load as LoadReport,
    model: { fitted: trained.fitted, reason: trained.reason, questions: trained.questions, weights: trained.model.weights, validation: trained.validation },
  };
}

/** The macro averages over sites: the matcher's MRR and each site's best baseline's, and their ratio. */
export function macroOf(reports: readonly SiteReport[]): { sites: number; matcherMrr: number; bestBaselineMrr: number; ratio: number; matcherHit10: number; worstLowerSite: string | undefined } {
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const matcherMrr = mean(reports.map((r) => (r.methods.matcher as MethodMetrics).mrr));
  const bestBaselineMrr = mean(reports.map((r) => (r.methods[r.bootstrap.versus] as MethodMetrics).mrr));
  const worse = reports.filter((r) => r.bootstrap.high <= 0).map((r) => r.site);
  return {
    sites: reports.length,
    matcherMrr,
    bestBaselineMrr,
    ratio: bestBaselineMrr > 0 ? matcherMrr / bestBaselineMrr : Number.NaN,
    matcherHit10: mean(reports.map((r) => (r.methods.matcher as MethodMetrics)['hit@10'])),
    worstLowerSite: worse[0],
  };
}
