import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { repoRoot } from './support/processes.js';

const run = promisify(execFile);
const beer = path.resolve(repoRoot, '../shared/data/stackexchange/beer/Posts.xml');

// The reference figures of ../shared/data/stackexchange/README.md, computed by ../shared/eval/route_eval.py.
const reference = {
  random: { 'p@1': 0.002, 'p@5': 0.003, mrr: 0.015, 'r@10': 0.013, 'hit@10': 0.024, 'acc_hit@10': 0.016 },
  most_answers: { 'p@1': 0.016, 'p@5': 0.022, mrr: 0.079, 'r@10': 0.177, 'hit@10': 0.248, 'acc_hit@10': 0.222 },
  recent_answers_90d: { 'p@1': 0.2, 'p@5': 0.106, mrr: 0.331, 'r@10': 0.436, 'hit@10': 0.6, 'acc_hit@10': 0.458 },
  tag_overlap: { 'p@1': 0.112, 'p@5': 0.053, mrr: 0.176, 'r@10': 0.214, 'hit@10': 0.312, 'acc_hit@10': 0.278 },
};

type Metrics = Record<string, number>;

it('npm run eval on the beer dump: baselines agree with the reference, and the matcher clears the bar', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'qr-eval-'));
  try {
    const { stdout } = await run('npm', ['run', '-s', 'eval', '--', '--posts', beer, '--json', path.join(dir, 'eval.json')], { cwd: repoRoot, timeout: 120_000 });
    expect(stdout).toContain('| matcher |');
    const json = JSON.parse(readFileSync(path.join(dir, 'eval.json'), 'utf8')) as { questions: number; methods: Record<string, Metrics>; bootstrap: { low: number } };
    expect(json.questions).toBe(125);
    for (const [method, figures] of Object.entries(reference)) {
      for (const [metric, value] of Object.entries(figures)) expect(Math.abs((json.methods[method]?.[metric] ?? NaN) - value), `${method} ${metric}`).toBeLessThanOrEqual(0.01);
    }
    const matcher = json.methods.matcher as Metrics;
    for (const key of ['p@1', 'p@5', 'mrr', 'r@10', 'hit@10', 'acc_hit@10', 'gini']) expect(matcher[key]).toEqual(expect.any(Number));
    // the bars of the matching issue, as a guard against scoring changes that lose quality
    expect(matcher.mrr).toBeGreaterThanOrEqual(0.37);
    expect(matcher['hit@10']).toBeGreaterThanOrEqual(0.62);
    expect(json.bootstrap.low).toBeGreaterThan(0);
    expect(matcher.gini).toBeLessThanOrEqual((json.methods.recent_answers_90d as Metrics).gini ?? NaN);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 150_000);
