// Chooses the matcher's parameters on the validation period (questions 60-80% by date), never the test period.
// npx tsx packages/eval/src/tune.ts --posts <Posts.xml>
import { parseArgs } from 'node:util';
import { loadDataset } from './dataset.js';
import { evaluate } from './evaluate.js';
import { defaultMatcherParams, matcherRanker, type MatcherParams } from './matcher-ranker.js';
import { recentAnswersRanker } from './rankers.js';

const { values } = parseArgs({ options: { posts: { type: 'string' } } });
const validation = await loadDataset(values.posts as string, 0.6, 0.8);
const baseline = evaluate(validation, recentAnswersRanker).metrics;
process.stdout.write(`validation: ${validation.test.length} questions from ${validation.cut}; recent_answers_90d MRR ${baseline.mrr.toFixed(3)} Hit@10 ${baseline['hit@10'].toFixed(3)} Gini ${baseline.gini.toFixed(3)}\n`);

const grid: Partial<Record<keyof MatcherParams, number[]>> = {
  evidenceWeight: [0.25, 0.5, 1, 2],
  recencyWeight: [0.5, 1, 2],
  recencyHalfLifeDays: [14, 30, 60],
  priorWeight: [0, 0.25, 0.5],
  expertiseHalfLifeDays: [180, 730],
  loadWeight: [0, 0.25],
};
const keys = Object.keys(grid) as (keyof MatcherParams)[];
const results: { params: MatcherParams; mrr: number; hit: number; gini: number }[] = [];
const walk = (i: number, params: MatcherParams): void => {
  if (i === keys.length) {
    const { metrics } = evaluate(validation, matcherRanker(validation, params));
    results.push({ params, mrr: metrics.mrr, hit: metrics['hit@10'], gini: metrics.gini });
    return;
  }
  for (const value of grid[keys[i] as keyof MatcherParams] as number[]) walk(i + 1, { ...params, [keys[i] as string]: value });
};
walk(0, defaultMatcherParams);
results.sort((a, b) => b.mrr - a.mrr);
for (const r of results.slice(0, 12)) {
  process.stdout.write(`MRR ${r.mrr.toFixed(3)} Hit@10 ${r.hit.toFixed(3)} Gini ${r.gini.toFixed(3)}  ${keys.map((k) => `${k}=${r.params[k]}`).join(' ')}\n`);
}
