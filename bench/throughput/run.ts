// Throughput of lemur against a raw-STOMP ceiling and against BullMQ, pg-boss and Celery:
// the same no-op task (~100-byte JSON), the same N, the same consumer concurrency, one run.
// Run: cd /work/main && npx tsx bench/throughput/run.ts   (BENCH_N=20000, BENCH_CONCURRENCY=50, BENCH_ONLY=ceiling,lemur-stomp,...)
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage, type BenchConfig, type PeerOutcome, type PeerResult } from './common.js';
import { runBullmq, runCelery, runPgBoss, runPgBossPolling } from './other-peers.js';
import { runCeiling, runLemurMemory, runLemurStomp } from './stomp-peers.js';

const env = process.env;
const config: BenchConfig = {
  n: Number(env.BENCH_N ?? 20_000),
  concurrency: Number(env.BENCH_CONCURRENCY ?? 50),
  window: 500,
  rabbit: {
    host: env.BENCH_RABBIT_HOST ?? '127.0.0.1',
    login: 'guest',
    passcode: 'guest',
    wsUrl: env.BENCH_STOMP_URL ?? 'ws://127.0.0.1:15674/ws',
    managementUrl: env.BENCH_RABBIT_MANAGEMENT_URL ?? 'http://127.0.0.1:15672',
  },
  redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  postgresAdminUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  timeoutMs: Number(env.BENCH_PEER_TIMEOUT_MS ?? 120_000),
};

const peers: { key: string; name: string; run: (c: BenchConfig) => Promise<PeerResult> }[] = [
  { key: 'ceiling', name: 'ceiling: raw stompjs, Web-STOMP', run: runCeiling },
  { key: 'lemur-stomp', name: 'lemur over STOMP (Web-STOMP)', run: runLemurStomp },
  { key: 'lemur-memory', name: 'lemur in memory (MemoryTransport)', run: runLemurMemory },
  { key: 'bullmq', name: 'BullMQ (Redis)', run: runBullmq },
  { key: 'pg-boss', name: 'pg-boss (Postgres)', run: runPgBoss },
  { key: 'pg-boss-polling', name: 'pg-boss, default polling (Postgres)', run: runPgBossPolling },
  { key: 'celery', name: 'Celery (RabbitMQ AMQP)', run: runCelery },
];
const only = env.BENCH_ONLY?.split(',').map((s) => s.trim());

const outcomes: PeerOutcome[] = [];
for (const peer of peers) {
  if (only && !only.includes(peer.key)) continue;
  process.stderr.write(`running ${peer.name} (N=${config.n}) ... `);
  try {
    const result = await peer.run(config);
    outcomes.push({ name: peer.name, result });
    process.stderr.write(`publish ${result.publishRate}/s, end-to-end ${result.e2eRate}/s\n`);
  } catch (error) {
    const why = errorMessage(error);
    outcomes.push({ name: peer.name, skipped: why });
    process.stderr.write(`skipped: ${why}\n`);
  }
}

const byKey = (name: string): PeerResult | undefined => outcomes.find((o) => o.name === name)?.result;
const lemur = byKey('lemur over STOMP (Web-STOMP)');
const ratio = (other: PeerResult | undefined): { publish: number; e2e: number } | null =>
  lemur && other ? { publish: round2(lemur.publishRate / other.publishRate), e2e: round2(lemur.e2eRate / other.e2eRate) } : null;
const ratios = {
  'lemur(STOMP)/ceiling': ratio(byKey('ceiling: raw stompjs, Web-STOMP')),
  'lemur(STOMP)/lemur(memory)': ratio(byKey('lemur in memory (MemoryTransport)')),
  'lemur(STOMP)/BullMQ': ratio(byKey('BullMQ (Redis)')),
  'lemur(STOMP)/pg-boss (re-fetch at once)': ratio(byKey('pg-boss (Postgres)')),
  'lemur(STOMP)/pg-boss (default polling, N≤2000)': ratio(byKey('pg-boss, default polling (Postgres)')),
  'lemur(STOMP)/Celery': ratio(byKey('Celery (RabbitMQ AMQP)')),
};

const machine = { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
const lines: string[] = [];
lines.push(`## Task-queue throughput: N=${config.n} no-op tasks (~100-byte JSON), consumer concurrency ${config.concurrency}`);
lines.push('');
lines.push(`Machine: ${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}; broker, databases, clients and workers share the cores.`);
lines.push('Publish = first publish until the last one is confirmed/returned; end-to-end = first publish until the last completion (worker started before publishing).');
lines.push('');
lines.push('| peer | publish ms | publish msg/s | end-to-end ms | end-to-end msg/s | concurrency | guarantees |');
lines.push('|---|---:|---:|---:|---:|---|---|');
for (const o of outcomes) {
  const r = o.result;
  if (r) lines.push(`| ${r.name} | ${r.publishMs} | ${r.publishRate} | ${r.e2eMs} | ${r.e2eRate} | ${r.concurrency} | ${r.guarantees} |`);
  else lines.push(`| ${o.name} | – | – | – | – | – | not run: ${o.skipped ?? ''} |`);
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
  `${JSON.stringify({ at: new Date().toISOString(), machine, config: { n: config.n, concurrency: config.concurrency, window: config.window }, outcomes, ratios }, null, 2)}\n`,
);
process.stderr.write(`wrote ${out}\n`);
// Some client libraries keep sockets or timers alive after close; the measurements are done.
process.exit(0);

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
