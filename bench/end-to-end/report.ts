// What open-loop.ts prints and writes: the rate search's table (bench/results/end-to-end.json), or
// a rolling restart's (bench/results/rolling-restart.json).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import type { CommunityStats } from './community.js';

export interface Step {
  rate: number;
  seconds: number;
  due: number;
  created: number;
  failed: number;
  achievedRate: number;
  /** asked (201) but not yet matched when the last POST was due, and the largest in the last half. */
  backlogAtEnd: number;
  /** The most questions asked (201) and not yet matched at any moment of the step (sampled every 100 ms). */
  maxBacklog: number;
  matchedWithinStep: number;
  drainSeconds: number;
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  postMs: { p50: number; p99: number };
  held: boolean;
  why?: string;
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

const machine = (): { nproc: number; cpu: string; node: string } => ({ nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version });

function write(root: string, file: string, value: object): void {
  const out = path.join(root, 'bench/results', file);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine: machine(), ...value }, null, 2)}\n`);
  process.stderr.write(`wrote ${out}\n`);
}

export function writeSearchReport(r: { root: string; community: CommunityStats; matchers: number; stepSeconds: number; steps: Step[]; maxHeld: number; firstFailed: number; atHalf: Step }): void {
  const throughputFile = path.join(r.root, 'bench/results/throughput.json');
  const ceiling = existsSync(throughputFile)
    ? (JSON.parse(readFileSync(throughputFile, 'utf8')) as { outcomes: { name: string; result?: { e2eRate: number } }[] }).outcomes.find(
        (o) => o.name === 'ceiling: raw stompjs, STOMP over TCP',
      )?.result?.e2eRate
    : undefined;
  const m = machine();
  const lines: string[] = [];
  lines.push(`## End to end, open loop: POST /questions -> matches committed (${r.community.distinctUsers} people, ${r.community.answers} answers of history)`);
  lines.push('');
  lines.push(`Machine: ${m.nproc} cores, ${m.cpu}, Node ${m.node}; api, ${r.matchers} matcher(s), Postgres, RabbitMQ and this load generator share the cores.`);
  lines.push(`Each step offers a fixed rate for ${r.stepSeconds} s; latency runs from when a POST was due to the commit of its matches.`);
  lines.push('');
  lines.push('| offered q/s | held | POSTs | achieved q/s | backlog max / at end | p50 ms | p95 ms | p99 ms | max ms | POST p50 / p99 ms | why not held |');
  lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|');
  for (const s of r.steps) {
    lines.push(
      `| ${s.rate} | ${s.held ? 'yes' : 'no'} | ${s.created} | ${s.achievedRate} | ${s.maxBacklog} / ${s.backlogAtEnd} | ${s.latencyMs.p50} | ${s.latencyMs.p95} | ${s.latencyMs.p99} | ${s.latencyMs.max} | ${s.postMs.p50} / ${s.postMs.p99} | ${s.why ?? ''} |`,
    );
  }
  const { maxHeld, firstFailed, atHalf } = r;
  lines.push('');
  lines.push(`Highest rate held for ${r.stepSeconds} s: **${maxHeld} questions/s**${Number.isFinite(firstFailed) ? ` (${firstFailed}/s was not)` : ''}.`);
  lines.push(`At half of it (${atHalf.rate}/s): p50 ${atHalf.latencyMs.p50} ms, p95 ${atHalf.latencyMs.p95} ms, p99 ${atHalf.latencyMs.p99} ms.`);
  if (ceiling) lines.push(`End to end / raw broker (ceiling over TCP, ${ceiling} msg/s in bench/results/throughput.json): ${round(maxHeld / ceiling, 3)}.`);
  console.log(lines.join('\n'));
  write(r.root, 'end-to-end.json', {
    community: r.community, matchers: r.matchers, stepSeconds: r.stepSeconds, maxHeld, firstFailed: Number.isFinite(firstFailed) ? firstFailed : null, atHalf, steps: r.steps,
    ceilingRate: ceiling ?? null, endToEndOverRaw: ceiling ? round(maxHeld / ceiling, 3) : null,
  });
}

export function writeRollingRestartReport(r: {
  root: string; community: CommunityStats; matchers: number; step: Step; restarted: { name: string; stoppedSeconds: number; readySeconds: number }[]; neverMatched: number; repeated: number;
}): void {
  const s = r.step;
  const lines = [`## Rolling restart of ${r.matchers} matchers at ${s.rate} questions/s (${r.community.distinctUsers} people)`, '', '| matcher | stopped (drained) in s | ready again in s |', '|---|---:|---:|'];
  for (const m of r.restarted) lines.push(`| ${m.name} | ${m.stoppedSeconds} | ${m.readySeconds} |`);
  lines.push('', `Questions asked: ${s.created}; never matched: ${r.neverMatched}; matched twice: ${r.repeated}; p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms.`);
  console.log(lines.join('\n'));
  write(r.root, 'rolling-restart.json', { community: r.community, matchers: r.matchers, step: s, restarted: r.restarted, neverMatched: r.neverMatched, repeated: r.repeated });
}
