// Throughput of lemur against a raw-STOMP ceiling and against BullMQ, pg-boss and Celery:
// the same no-op task (~100-byte JSON), the same N, the same consumer concurrency, one run.
// Run: cd /work/main && npx tsx bench/throughput/run.ts   (BENCH_N=20000, BENCH_CONCURRENCY=50, BENCH_PREFETCH=500, BENCH_ONLY=ceiling,lemur-stomp,...)
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage, type BenchConfig, type PeerOutcome, type PeerResult } from './common.js';
import { runBullmq, runBullmqDurable, runCelery, runPgBoss, runPgBossPolling } from './other-peers.js';
import { leanName, runLean } from './lean-stomp.js';
import { ceilingName, ceilingSameHeadersName, lemurStompName, runCeiling, runLemurMemory, runLemurStomp } from './stomp-peers.js';

const env = process.env;
const config: BenchConfig = {
  n: Number(env.BENCH_N ?? 20_000),
  concurrency: Number(env.BENCH_CONCURRENCY ?? 50),
  prefetch: Number(env.BENCH_PREFETCH ?? 500),
  window: 500,
  rabbit: {
    host: env.BENCH_RABBIT_HOST ?? '127.0.0.1',
    tcpPort: Number(env.BENCH_STOMP_TCP_PORT ?? 61613),
    login: 'guest',
    passcode: 'guest',
    wsUrl: env.BENCH_STOMP_URL ?? 'ws://127.0.0.1:15674/ws',
    managementUrl: env.BENCH_RABBIT_MANAGEMENT_URL ?? 'http://127.0.0.1:15672',
  },
  redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  postgresAdminUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  timeoutMs: Number(env.BENCH_PEER_TIMEOUT_MS ?? 120_000),
};

const narrow = (name: string): string => `${name}, prefetch = concurrency`;
const peers: { key: string; name: string; run: (c: BenchConfig) => Promise<PeerResult> }[] = [
  { key: 'ceiling-tcp', name: ceilingName.tcp, run: (c) => runCeiling(c, 'tcp') },
  { key: 'ceiling-tcp-headers', name: ceilingSameHeadersName.tcp, run: (c) => runCeiling(c, 'tcp', 'lemur') },
  { key: 'lean-tcp', name: leanName, run: runLean },
  { key: 'lemur-tcp', name: lemurStompName.tcp, run: (c) => runLemurStomp(c, 'tcp') },
  // the baseline of the window: the broker may send only as many as there are handlers (lemur's default)
  { key: 'ceiling-tcp-narrow', name: narrow(ceilingName.tcp), run: async (c) => ({ ...(await runCeiling({ ...c, prefetch: c.concurrency }, 'tcp')), name: narrow(ceilingName.tcp) }) },
  { key: 'lemur-tcp-narrow', name: narrow(lemurStompName.tcp), run: async (c) => ({ ...(await runLemurStomp({ ...c, prefetch: c.concurrency }, 'tcp')), name: narrow(lemurStompName.tcp) }) },
  { key: 'ceiling', name: ceilingName.ws, run: (c) => runCeiling(c, 'ws') },
  { key: 'ceiling-headers', name: ceilingSameHeadersName.ws, run: (c) => runCeiling(c, 'ws', 'lemur') },
  { key: 'lemur-stomp', name: lemurStompName.ws, run: (c) => runLemurStomp(c, 'ws') },
  { key: 'lemur-memory', name: 'lemur in memory (MemoryTransport)', run: runLemurMemory },
  { key: 'bullmq', name: 'BullMQ (Redis)', run: runBullmq },
  { key: 'bullmq-durable', name: 'BullMQ (Redis, AOF fsync always)', run: runBullmqDurable },
  { key: 'pg-boss', name: 'pg-boss (Postgres)', run: runPgBoss },
  { key: 'pg-boss-polling', name: 'pg-boss, default polling (Postgres)', run: runPgBossPolling },
  { key: 'celery', name: 'Celery (RabbitMQ AMQP)', run: runCelery },
];
const only = env.BENCH_ONLY?.split(',').map((s) => s.trim());

// Rounds: every peer once per round, in the same order, so that a slow spell of the machine hits
// them all; each row reports the round with the median end-to-end rate, and the range.
const rounds = Number(env.BENCH_ROUNDS ?? 3);
const runs = new Map<string, PeerResult[]>();
const failures = new Map<string, string>();
for (let round = 1; round <= rounds; round++) {
  for (const peer of peers) {
    if (only && !only.includes(peer.key)) continue;
    if (failures.has(peer.name)) continue;
    process.stderr.write(`round ${round}/${rounds}: ${peer.name} (N=${config.n}) ... `);
    try {
      const result = await peer.run(config);
      runs.set(peer.name, [...(runs.get(peer.name) ?? []), result]);
      process.stderr.write(`publish ${result.publishRate}/s, end-to-end ${result.e2eRate}/s${result.cpu ? `, CPU µs/msg ${result.cpu.clientUsPerMsg} + ${result.cpu.serverUsPerMsg}` : ''}\n`);
    } catch (error) {
      const why = errorMessage(error);
      failures.set(peer.name, why);
      process.stderr.write(`failed: ${why}\n`);
    }
  }
}
const outcomes: PeerOutcome[] = [];
for (const peer of peers) {
  const results = runs.get(peer.name);
  const failure = failures.get(peer.name);
  if (failure) outcomes.push({ name: peer.name, skipped: failure, runs: results });
  else if (results?.length) {
    const sorted = [...results].sort((a, b) => a.e2eRate - b.e2eRate);
    outcomes.push({ name: peer.name, result: sorted[Math.floor((sorted.length - 1) / 2)], runs: results });
  }
}

const byKey = (name: string): PeerResult | undefined => outcomes.find((o) => o.name === name)?.result;
const ratio = (lemur: PeerResult | undefined, other: PeerResult | undefined): { publish: number; e2e: number } | null =>
  lemur && other ? { publish: round2(lemur.publishRate / other.publishRate), e2e: round2(lemur.e2eRate / other.e2eRate) } : null;
const ratios: Record<string, { publish: number; e2e: number } | null> = {};
for (const path of ['tcp', 'ws'] as const) {
  const lemur = byKey(lemurStompName[path]);
  if (!lemur) continue;
  const label = `lemur(${path === 'tcp' ? 'STOMP/TCP' : 'Web-STOMP'})`;
  ratios[`${label}/ceiling on the same path`] = ratio(lemur, byKey(ceilingName[path]));
  ratios[`${label}/ceiling with lemur's headers, same path`] = ratio(lemur, byKey(ceilingSameHeadersName[path]));
  if (path === 'tcp') ratios[`${label}/the broker's limit for its frames (minimal client)`] = ratio(lemur, byKey(leanName));
  ratios[`${label}/lemur(memory)`] = ratio(lemur, byKey('lemur in memory (MemoryTransport)'));
  if (path === 'tcp') {
    ratios[`${label}/itself with prefetch = concurrency`] = ratio(lemur, byKey(narrow(lemurStompName.tcp)));
    ratios[`${label} with prefetch = concurrency/ceiling with prefetch = concurrency`] = ratio(byKey(narrow(lemurStompName.tcp)), byKey(narrow(ceilingName.tcp)));
  }
  ratios[`${label}/BullMQ`] = ratio(lemur, byKey('BullMQ (Redis)'));
  ratios[`${label}/BullMQ (AOF fsync always)`] = ratio(lemur, byKey('BullMQ (Redis, AOF fsync always)'));
  ratios[`${label}/pg-boss (re-fetch at once)`] = ratio(lemur, byKey('pg-boss (Postgres)'));
  ratios[`${label}/pg-boss (default polling, N≤2000)`] = ratio(lemur, byKey('pg-boss, default polling (Postgres)'));
  ratios[`${label}/Celery`] = ratio(lemur, byKey('Celery (RabbitMQ AMQP)'));
}

const machine = { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
const lines: string[] = [];
lines.push(`## Task-queue throughput: N=${config.n} no-op tasks (~100-byte JSON), consumer concurrency ${config.concurrency}, broker window (prefetch) ${config.prefetch} where a peer has one`);
lines.push('');
lines.push(`Machine: ${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}; broker, databases, clients and workers share the cores.`);
lines.push('Publish = first publish until the last one is confirmed/returned; end-to-end = first publish until the last completion (worker started before publishing).');
lines.push('');
lines.push(`Each peer ran ${rounds} time(s), interleaved; a row is its median round by end-to-end rate, with the range over rounds.`);
lines.push('');
lines.push('CPU per message over the timed part: this process (the client that publishes and the worker, both here for every peer but Celery), the server\'s processes by name, and the busy share of both cores.');
lines.push('');
lines.push('| peer | publish msg/s | end-to-end msg/s | CPU µs/msg: client + server (server) | machine busy | concurrency | guarantees |');
lines.push('|---|---:|---:|---|---:|---|---|');
for (const o of outcomes) {
  const r = o.result;
  const range = (pick: (x: PeerResult) => number): string => {
    const values = (o.runs ?? []).map(pick);
    return values.length > 1 ? ` (${Math.min(...values)}–${Math.max(...values)})` : '';
  };
  const cpu = r?.cpu ? `${r.cpu.clientUsPerMsg} + ${r.cpu.serverUsPerMsg} (${r.cpu.server})` : '–';
  const busy = r?.cpu ? `${r.cpu.machineBusyPct}%` : '–';
  if (r) lines.push(`| ${r.name} | ${r.publishRate}${range((x) => x.publishRate)} | ${r.e2eRate}${range((x) => x.e2eRate)} | ${cpu} | ${busy} | ${r.concurrency} | ${r.guarantees} |`);
  else lines.push(`| ${o.name} | – | – | – | – | – | failed: ${o.skipped ?? ''} |`);
}
lines.push('');
lines.push('| ratio (rates, >1 = lemur faster) | publish | end-to-end |');
lines.push('|---|---:|---:|');
for (const [name, r] of Object.entries(ratios)) lines.push(`| ${name} | ${r ? r.publish : '–'} | ${r ? r.e2e : '–'} |`);
console.log(lines.join('\n'));

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'throughput.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(
  out,
  `${JSON.stringify({ at: new Date().toISOString(), machine, config: { n: config.n, concurrency: config.concurrency, prefetch: config.prefetch, window: config.window, rounds }, outcomes, ratios }, null, 2)}\n`,
);
process.stderr.write(`wrote ${out}\n`);
// Some client libraries keep sockets or timers alive after close; the measurements are done.
process.exit(0);

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
