// `npm run eval -- --posts <Posts.xml> [--json <file>]`: the routing evaluation of the matching issue.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { loadDataset } from './dataset.js';
import { averageRuns, evaluate } from './evaluate.js';
import { pairedBootstrap, type MethodMetrics } from './metrics.js';
import { matcherRanker } from './matcher-ranker.js';
import { mostAnswersRanker, randomRanker, recentAnswersRanker, tagOverlapRanker } from './rankers.js';

const { values } = parseArgs({ options: { posts: { type: 'string' }, json: { type: 'string' } } });
if (!values.posts) {
  process.stderr.write('usage: npm run eval -- --posts <Posts.xml> [--json <file>]\n');
  process.exit(2);
}

const started = performance.now();
const dataset = await loadDataset(values.posts);
const methods: Record<string, { reciprocalRanks: number[]; metrics: MethodMetrics }> = {};
methods.random = averageRuns(Array.from({ length: 20 }, (_, seed) => evaluate(dataset, randomRanker(seed))));
for (const [name, ranker] of [
  ['most_answers', mostAnswersRanker],
  ['recent_answers_90d', recentAnswersRanker],
  ['tag_overlap', tagOverlapRanker],
  ['matcher', matcherRanker(dataset)],
] as const) {
  const { results, metrics } = evaluate(dataset, ranker);
  methods[name] = { reciprocalRanks: results.map((r) => r.reciprocalRank), metrics };
}

const baselines = Object.entries(methods).filter(([name]) => name !== 'matcher');
const [bestName, best] = baselines.reduce((a, b) => (b[1].metrics.mrr > a[1].metrics.mrr ? b : a));
const matcher = methods.matcher as { reciprocalRanks: number[]; metrics: MethodMetrics };
const ci = pairedBootstrap(matcher.reciprocalRanks, best.reciprocalRanks);

const f = (x: number): string => x.toFixed(3);
const lines = [
  `${values.posts}: ${dataset.test.length} test questions from ${dataset.cut} (last 20% by date, answered by someone other than the asker); answerable at all: ${f(matcher.metrics.answerable)}`,
  '',
  '| method | P@1 | P@5 | MRR | R@10 | Hit@10 | accepted Hit@10 | Gini top-10 load |',
  '|---|---|---|---|---|---|---|---|',
  ...Object.entries(methods).map(([name, { metrics: m }]) => `| ${name} | ${f(m['p@1'])} | ${f(m['p@5'])} | ${f(m.mrr)} | ${f(m['r@10'])} | ${f(m['hit@10'])} | ${f(m['acc_hit@10'])} | ${f(m.gini)} |`),
  '',
  `matcher MRR - ${bestName} MRR = ${f(ci.difference)}, paired bootstrap 95% CI [${f(ci.low)}, ${f(ci.high)}] (10,000 resamples); ${((matcher.metrics.mrr / best.metrics.mrr - 1) * 100).toFixed(1)}% relative`,
  `(${Math.round(performance.now() - started)} ms)`,
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.json) {
  const json = {
    questions: dataset.test.length,
    cut: dataset.cut,
    methods: Object.fromEntries(Object.entries(methods).map(([name, { metrics }]) => [name, metrics])),
    bootstrap: { versus: bestName, ...ci },
  };
  await writeFile(values.json, `${JSON.stringify(json, null, 2)}\n`);
}
