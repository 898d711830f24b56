import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from './support/processes.js';

const run = promisify(execFile);
const sites = path.resolve(repoRoot, '../shared/data/stackexchange');
const dir = mkdtempSync(path.join(tmpdir(), 'qr-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Metrics = Record<string, number>;
interface SiteReport {
  questions: number;
  methods: Record<string, Metrics>;
  bootstrap: { versus: string; difference: number; low: number; high: number };
  load: { beyondBudget: number; asks: number; perPersonPerDay: { p50: number; p95: number; max: number } };
  model: { fitted: boolean; weights: Record<string, number>; validation: { questions: number; methods: Record<string, Metrics> } };
}

// The baselines' figures of the data's README, computed by the reference protocol (route_eval.py).
const reference: Record<string, Record<string, Metrics>> = {
  beer: {
    most_answers: { 'p@1': 0.016, 'p@5': 0.022, mrr: 0.079, 'r@10': 0.177, 'hit@10': 0.248, 'acc_hit@10': 0.222 },
    recent_answers_90d: { 'p@1': 0.2, 'p@5': 0.106, mrr: 0.331, 'r@10': 0.436, 'hit@10': 0.6, 'acc_hit@10': 0.458 },
    tag_overlap: { 'p@1': 0.112, 'p@5': 0.053, mrr: 0.176, 'r@10': 0.214, 'hit@10': 0.312, 'acc_hit@10': 0.278 },
  },
  cardano: { tag_overlap: { mrr: 0.318 }, hybrid: { mrr: 0.332 } },
  ai: { recent_answers_90d: { mrr: 0.228, 'hit@10': 0.4 } },
  iot: { most_answers: { mrr: 0.497, 'hit@10': 0.826 } },
  'music.meta': { recent_answers_90d: { mrr: 0.57, 'hit@10': 0.906 } },
};
const testQuestions: Record<string, number> = { beer: 125, cardano: 163, ai: 80, iot: 46, 'music.meta': 117 };

it('npm run eval over the five public sites: the baselines agree with the reference, and the matcher clears the bars', async () => {
  const json = path.join(dir, 'sites.json');
  const { stdout } = await run('npm', ['run', '-s', 'eval', '--', '--sites', sites, '--json', json], { cwd: repoRoot, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  expect(stdout).toContain('| macro average |');
  const { sites: reports, macro } = JSON.parse(readFileSync(json, 'utf8')) as { sites: Record<string, SiteReport>; macro: { matcherMrr: number; bestBaselineMrr: number; ratio: number } };
  expect(Object.keys(reports).sort()).toEqual(Object.keys(testQuestions).sort());
  for (const [site, report] of Object.entries(reports)) {
    expect(report.questions, site).toBe(testQuestions[site]);
    for (const [method, figures] of Object.entries(reference[site] ?? {})) {
      for (const [metric, value] of Object.entries(figures)) expect(Math.abs((report.methods[method]?.[metric] ?? NaN) - value), `${site} ${method} ${metric}`).toBeLessThanOrEqual(0.01);
    }
    // the production ranker, and ablations named so they are not mistaken for baselines
    expect(Object.keys(report.methods)).toEqual(expect.arrayContaining(['random', 'most_answers', 'recent_answers_90d', 'tag_overlap', 'hybrid', 'matcher', 'matcher_default_model', 'matcher_no_budget']));
    expect(report.bootstrap.versus).not.toMatch(/^matcher/);
    // fitted on the site's own history, measured on its later part
    expect(report.model.fitted, site).toBe(true);
    expect(report.model.validation.questions).toBeGreaterThan(20);
    // asks within budgets, as live
    expect(report.load.asks).toBe(10 * report.questions);
    expect(report.load.beyondBudget, site).toBe(0);
    // on no site significantly worse than its best baseline
    expect(report.bootstrap.high, site).toBeGreaterThan(0);
  }
  // the macro average of the matcher's MRR is at least 1.10 x that of each site's best baseline
  expect(macro.ratio).toBeGreaterThanOrEqual(1.1);
  expect(macro.ratio).toBeCloseTo(macro.matcherMrr / macro.bestBaselineMrr, 9);
  const beer = reports.beer!.methods.matcher!;
  expect(beer.mrr).toBeGreaterThanOrEqual(0.37);
  expect(beer['hit@10']).toBeGreaterThanOrEqual(0.62);
}, 660_000);

it('npm run eval on one site keeps the single-site JSON shape', async () => {
  const json = path.join(dir, 'iot.json');
  await run('npm', ['run', '-s', 'eval', '--', '--posts', path.join(sites, 'iot', 'Posts.xml'), '--json', json], { cwd: repoRoot, timeout: 300_000 });
  const report = JSON.parse(readFileSync(json, 'utf8')) as SiteReport;
  expect(report.questions).toBe(46);
  for (const key of ['p@1', 'p@5', 'mrr', 'r@10', 'hit@10', 'acc_hit@10', 'gini']) expect(report.methods.matcher![key]).toEqual(expect.any(Number));
  expect(report.bootstrap).toEqual({ versus: expect.any(String), difference: expect.any(Number), low: expect.any(Number), high: expect.any(Number) });
}, 300_000);

it('refuses arguments it does not know, with the usage', async () => {
  await expect(run('npm', ['run', '-s', 'eval', '--', '--post', 'x.xml'], { cwd: repoRoot })).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('usage:') });
  await expect(run('npm', ['run', '-s', 'eval'], { cwd: repoRoot })).rejects.toMatchObject({ code: 2 });
});
