import { FEATURES } from '@qr/matching';
import type { MethodMetrics } from './metrics.js';
import type { macroOf, SiteReport } from './site.js';

const f = (x: number): string => x.toFixed(3);

/** One site's tables, as `npm run eval` prints them. */
export function siteLines(file: string, report: SiteReport, ms: number): string[] {
  const m = report.methods;
  const b = report.bootstrap;
  const l = report.load;
  const v = report.model.validation;
  return [
    `${file}: ${report.questions} test questions from ${report.cut} (the last 20% by date, answered by someone other than the asker); answerable at all: ${f((m.matcher as MethodMetrics).answerable)}`,
    '',
    '| method | P@1 | P@5 | MRR | R@10 | Hit@10 | accepted Hit@10 | Gini of asks |',
    '|---|---|---|---|---|---|---|---|',
    ...Object.entries(m).map(([name, x]) => `| ${name} | ${f(x['p@1'])} | ${f(x['p@5'])} | ${f(x.mrr)} | ${f(x['r@10'])} | ${f(x['hit@10'])} | ${f(x['acc_hit@10'])} | ${f(x.gini)} |`),
    '',
    `matcher MRR - ${b.versus} MRR = ${f(b.difference)}, paired bootstrap 95% CI [${f(b.low)}, ${f(b.high)}] (10,000 resamples)`,
    `asks: ${l.asks} to ${l.people} people over ${l.days.toFixed(0)} days; per person per day p50 ${f(l.perPersonPerDay.p50)}, p95 ${f(l.perPersonPerDay.p95)}, max ${f(l.perPersonPerDay.max)}; ` +
      `busiest day p50 ${l.busiestDay.p50}, p95 ${l.busiestDay.p95}, max ${l.busiestDay.max}; under one a day: ${(100 * l.underOnePerDay).toFixed(0)}% of people; ` +
      `beyond budget: ${(100 * l.beyondBudget).toFixed(1)}% of asks; someone passed over for load on ${(100 * l.passedOver).toFixed(0)}% of questions`,
    `model: ${report.model.reason}${v ? `; validation (${v.questions} questions from ${v.from}): ${Object.entries(v.methods).map(([name, x]) => `${name} ${f(x.mrr)}`).join(', ')}` : ''}`,
    `weights: ${FEATURES.map((name) => `${name} ${report.model.weights[name].toFixed(3)}`).join(', ')}`,
    `(${Math.round(ms)} ms)`,
    '',
  ];
}

/** The sites side by side, and their macro average. */
export function summaryLines(reports: readonly SiteReport[], macro: ReturnType<typeof macroOf>): string[] {
  const lines = [
    '| site | test questions | matcher MRR | Hit@10 | accepted Hit@10 | best baseline | its MRR | difference, 95% CI | asks/person/day p50, p95, max | beyond budget | validation MRR (fitted; best baseline) |',
    '|---|---:|---:|---:|---:|---|---:|---|---|---:|---|',
  ];
  for (const r of reports) {
    const m = r.methods.matcher as MethodMetrics;
    const v = r.model.validation;
    const vBest = v ? Object.entries(v.methods).filter(([name]) => name !== 'fitted' && name !== 'default').reduce((a, c) => (c[1].mrr > a[1].mrr ? c : a)) : undefined;
    lines.push(
      `| ${r.site} | ${r.questions} | ${f(m.mrr)} | ${f(m['hit@10'])} | ${f(m['acc_hit@10'])} | ${r.bootstrap.versus} | ${f((r.methods[r.bootstrap.versus] as MethodMetrics).mrr)} | ` +
        `${r.bootstrap.difference >= 0 ? '+' : ''}${f(r.bootstrap.difference)} [${f(r.bootstrap.low)}, ${f(r.bootstrap.high)}] | ` +
        `${r.load.perPersonPerDay.p50.toFixed(2)}, ${r.load.perPersonPerDay.p95.toFixed(2)}, ${r.load.perPersonPerDay.max.toFixed(2)} | ${(100 * r.load.beyondBudget).toFixed(1)}% | ` +
        `${v && vBest ? `${f((v.methods.fitted as MethodMetrics).mrr)}; ${vBest[0]} ${f(vBest[1].mrr)}` : 'default model'} |`,
    );
  }
  lines.push(`| macro average | | ${f(macro.matcherMrr)} | ${f(macro.matcherHit10)} | | | ${f(macro.bestBaselineMrr)} | ratio ${f(macro.ratio)} | | | |`);
  const worse = reports.filter((r) => r.bootstrap.high <= 0).map((r) => r.site);
  lines.push(worse.length ? `significantly worse than its best baseline on: ${worse.join(', ')}` : 'on no site significantly worse than its best baseline');
  return lines;
}
