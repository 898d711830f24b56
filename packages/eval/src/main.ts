// `npm run eval -- --posts A.xml [--posts B.xml ...] [--sites DIR] [--json out.json]`: the routing evaluation.
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ASK_BUDGET, type AskBudgetPolicy, type RankingModel } from '@qr/matching';
import { loadDataset, type Dataset } from './dataset.js';
import { siteLines, summaryLines } from './report.js';
import { evaluateSite, macroOf, type SiteReport } from './site.js';
import { fitPooledModel, trainingGroups } from './train.js';

const usage = [
  'usage: npm run eval -- --posts <Posts.xml> [--posts <Posts.xml> ...] [--sites <dir with */Posts.xml>] [--json <file>]',
  '  --asks-per-answer <n>, --min-asks-per-week <n>   the ask budget (default: as live)',
  '  --leave-one-out                                  each site\'s default model pooled from the other sites only',
  '  --windows 0.4,0.5,0.6,0.7,0.8                     development: test on each window of the questions (shares by date), fitted before it, pooled',
  '  --fit-default                                    print the default model: one fit over every site\'s training period',
].join('\n');

let values: Record<string, string | string[] | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      posts: { type: 'string', multiple: true }, sites: { type: 'string' }, json: { type: 'string' }, 'fit-default': { type: 'boolean' }, 'leave-one-out': { type: 'boolean' },
      windows: { type: 'string' }, 'asks-per-answer': { type: 'string' }, 'min-asks-per-week': { type: 'string' },
    },
  }));
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n${usage}\n`);
  process.exit(2);
}
const fail = (message: string): never => {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(2);
};
const number = (name: string, fallback: number): number => {
  const value = values[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  return n >= 0 && Number.isFinite(n) ? n : fail(`--${name} takes a number >= 0`);
};
const budget: AskBudgetPolicy = { asksPerAnswer: number('asks-per-answer', DEFAULT_ASK_BUDGET.asksPerAnswer), minAsksPerWeek: number('min-asks-per-week', DEFAULT_ASK_BUDGET.minAsksPerWeek) };
const windows = typeof values.windows === 'string' ? values.windows.split(',').map(Number) : [0.8, 1];
if (windows.length < 2 || windows.some((w, i) => !(w > 0 && w <= 1) || (i > 0 && w <= (windows[i - 1] as number)))) fail('--windows takes rising shares in (0, 1], e.g. 0.4,0.5,0.6');

const files = [...((values.posts as string[] | undefined) ?? [])];
if (typeof values.sites === 'string') {
  for (const entry of (await readdir(values.sites)).sort()) {
    const file = path.join(values.sites, entry, 'Posts.xml');
    if (await stat(file).then((s) => s.isFile(), () => false)) files.push(file);
  }
}
if (files.length === 0) fail('say which dumps: --posts or --sites');
const siteName = (file: string): string => path.basename(path.dirname(path.resolve(file)));
const out = (lines: string[]): boolean => process.stdout.write(`${lines.join('\n')}\n`);

const full = new Map<string, Dataset>();
for (const file of files) full.set(file, await loadDataset(file));

if (values['fit-default']) {
  const groups = [...full.values()].flatMap((dataset) => trainingGroups(dataset));
  out([`${groups.length} training questions from ${files.map(siteName).join(', ')} (each before its test period)`, JSON.stringify(fitPooledModel(groups).weights, null, 2)]);
  process.exit(0);
}

const defaults = new Map<string, RankingModel>();
if (values['leave-one-out']) {
  const groups = new Map([...full].map(([file, dataset]) => [file, trainingGroups(dataset)]));
  for (const file of files) defaults.set(file, fitPooledModel([...groups].filter(([other]) => other !== file).flatMap(([, g]) => g)));
}

const reports: SiteReport[] = [];
const pooled = new Map<string, Record<string, number[]>>();
for (const file of files) {
  for (let w = 0; w + 1 < windows.length; w++) {
    const started = performance.now();
    const dataset = w === 0 && windows[0] === 0.8 && windows[1] === 1 ? (full.get(file) as Dataset) : await loadDataset(file, windows[w], windows[w + 1]);
    const { reciprocalRanks, ...report } = evaluateSite(siteName(file), dataset, budget, defaults.get(file));
    out(siteLines(windows.length > 2 ? `${file} [${windows[w]}, ${windows[w + 1]})` : file, report, performance.now() - started));
    reports.push(report);
    const sums = pooled.get(file) ?? {};
    for (const [method, rr] of Object.entries(reciprocalRanks)) (sums[method] ??= []).push(...rr);
    pooled.set(file, sums);
  }
}

if (windows.length > 2) {
  // each site's test windows pooled question by question; its best baseline is chosen over all of them
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const rows = [...pooled].map(([file, rr]) => {
    const best = Object.keys(rr).filter((m) => m !== 'matcher' && !m.startsWith('matcher_')).reduce((a, b) => (mean(rr[b] as number[]) > mean(rr[a] as number[]) ? b : a));
    return { site: siteName(file), questions: (rr.matcher as number[]).length, matcher: mean(rr.matcher as number[]), best, bestMrr: mean(rr[best] as number[]) };
  });
  const ratio = mean(rows.map((r) => r.matcher)) / mean(rows.map((r) => r.bestMrr));
  out(['| site | questions | matcher MRR | best baseline | its MRR |', '|---|---:|---:|---|---:|', ...rows.map((r) => `| ${r.site} | ${r.questions} | ${r.matcher.toFixed(3)} | ${r.best} | ${r.bestMrr.toFixed(3)} |`), `macro ratio over windows ${windows.join(', ')}: ${ratio.toFixed(3)}`]);
} else if (reports.length > 1) {
  out(summaryLines(reports, macroOf(reports)));
}
if (typeof values.json === 'string') {
  const json = reports.length === 1 ? reports[0] : { sites: Object.fromEntries(reports.map((r) => [windows.length > 2 ? `${r.site} ${r.cut}` : r.site, r])), macro: macroOf(reports) };
  await writeFile(values.json, `${JSON.stringify(json, null, 2)}\n`);
}
