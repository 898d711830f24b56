/**
 * The matcher at 10k, 100k and 1M people, loaded from Postgres: the synthetic community
 * (synthetic.ts) bulk-loaded by COPY (community-pg.ts; kept as a template database per size, seed and
 * day, so a second run starts at once), then, per size:
 * - the matcher process (services/matcher, as deployed, on RabbitMQ): from spawn to /readyz, its
 *   "people loaded" time, and its resident memory once ready (VmRSS) and at its peak (VmHWM), loading
 *   everyone from Postgres, and again starting from a snapshot (MATCHER_SNAPSHOT) written by a start before;
 * - in this process, LivePeople (the matcher's people source) started from that snapshot, and
 *   `decide` (ranking, budgets, reasons: the matcher's whole per-question engine work, Postgres
 *   aside) timed on synthetic questions: p50/p95/p99/max;
 * - then answers written at `--answer-rate` a second for `--answer-seconds` (reflection.ts), and how
 *   soon each probe answer counts in that LivePeople's ranking (the answers stay in the kept database).
 * Prints tables and writes bench/results/live-at-scale.json.
 *
 *   npx tsx bench/matching/live-at-scale.ts --sizes=10000,100000,1000000 --questions=500 --answer-rate=200
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, migrate } from '@qr/db';
import { RabbitManagement, silentLog } from '@qr/lemur';
import { DEFAULT_ASK_BUDGET, extractTerms } from '@qr/matching';
import { LivePeople } from '@qr/routing';
import { freePort } from '@qr/runtime';
import pg from 'pg';
import { arg } from '../args.js';
import { summary } from '../stats.js';
import { syntheticDatabaseName, syntheticSpec, writeSyntheticCommunity, type SyntheticStats } from './community-pg.js';
import { measureReflection } from './reflection.js';
import { Synth, SYNTHETIC_SEED, syntheticEnd, textOf } from './synthetic.js';

const SIZES = arg('sizes', '10000,100000').split(',').map(Number);
const QUESTIONS = Number(arg('questions', '500'));
const WARMUP = Number(arg('warmup', '50'));
const SEED = Number(arg('seed', String(SYNTHETIC_SEED)));
/** --matcher-starts=no: no matcher process is started (its figures are left out); only this process's LivePeople is measured */
const MATCHER_STARTS = arg('matcher-starts', 'yes') !== 'no';
const ANSWER_RATE = Number(arg('answer-rate', '200'));
const ANSWER_SECONDS = Number(arg('answer-seconds', '30'));
/**
 * --jemalloc=PATH: the matcher loading from Postgres is started a second time with jemalloc preloaded
 * (LD_PRELOAD=PATH, e.g. Debian's libjemalloc2: /usr/lib/x86_64-linux-gnu/libjemalloc.so.2), beside
 * glibc's malloc in the same run: the lists grown while loading leave freed blocks that glibc keeps.
 */
const JEMALLOC = arg('jemalloc', '');
/**
 * --snapshots=DIR: with --matcher-starts=no, this process's LivePeople keeps its snapshot there (one per
 * database), so that a second run starts in seconds rather than loading everyone from Postgres.
 */
const SNAPSHOTS = arg('snapshots', '');
const MATCH_LIMIT = 10;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const admin = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rabbit = { management: 'http://127.0.0.1:15672', stomp: 'stomp://127.0.0.1:61613', login: 'guest', passcode: 'guest' };
const end = syntheticEnd();

const adminClient = new pg.Client({ connectionString: admin });
await adminClient.connect();
const urlOf = (name: string): string => {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
};

/** The community of `people` as a database, made once per size, seed, day and migration set. */
async function community(people: number): Promise<{ url: string; stats: SyntheticStats; loadSeconds?: number }> {
  const spec = syntheticSpec(people, end, SEED);
  const name = syntheticDatabaseName(spec, readdirSync(join(root, 'migrations')).length);
  const { rows } = await adminClient.query<{ c: string | null }>("select shobj_description(oid, 'pg_database') as c from pg_database where datname = $1", [name]);
  if (rows[0]?.c) return { url: urlOf(name), stats: JSON.parse(rows[0].c) as SyntheticStats };
  await adminClient.query(`drop database if exists ${name} with (force)`);
  await adminClient.query(`create database ${name}`);
  await migrate(urlOf(name));
  const pool = createPool(urlOf(name), { max: 8, onError: () => {} });
  const started = performance.now();
  const stats = await writeSyntheticCommunity(pool, spec, (n) => process.stderr.write(`  ${n.toLocaleString('en')} people written\r`));
  const loadSeconds = (performance.now() - started) / 1000;
  await pool.end();
  await adminClient.query(`comment on database ${name} is '${JSON.stringify({ ...stats, loadSeconds })}'`);
  process.stderr.write(`\n${name}: ${JSON.stringify(stats)} in ${loadSeconds.toFixed(0)} s\n`);
  return { url: urlOf(name), stats, loadSeconds };
}

/** kB fields of /proc/<pid>/status, in MB. */
function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

/** The real matcher process on `url`: seconds from spawn to /readyz, its load time as it logs it, its memory once ready. */
async function matcherStart(url: string, snapshot?: string, preload?: string): Promise<{ readySeconds: number; loadedMs: number | undefined; rssMb: number; peakMb: number; rssLaterMb: number }> {
  const vhost = `bench-live-${randomUUID()}`;
  const management = new RabbitManagement({ url: rabbit.management, login: rabbit.login, passcode: rabbit.passcode, vhost });
  await management.createVhost();
  const healthPort = await freePort();
  const env = {
    ...process.env, DATABASE_URL: url, STOMP_URL: rabbit.stomp, STOMP_VHOST: vhost, STOMP_LOGIN: rabbit.login, STOMP_PASSCODE: rabbit.passcode,
    RABBITMQ_MANAGEMENT_URL: rabbit.management, LOG_LEVEL: 'info', HEALTH_PORT: String(healthPort), MATCHER_SNAPSHOT: snapshot ?? '',
    // (jemalloc gives freed pages back from a thread of its own; by default only when the process allocates again)
    ...(preload ? { LD_PRELOAD: preload, MALLOC_CONF: 'background_thread:true' } : {}),
  };
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/matcher/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let loadedMs: number | undefined;
  let output = '';
  const read = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
    const line = /\{[^\n]*"msg":"people loaded"[^\n]*\}/.exec(output);
    if (line && loadedMs === undefined) loadedMs = (JSON.parse(line[0]) as { ms: number }).ms;
  };
  child.stdout.on('data', read);
  child.stderr.on('data', read);
  const deadline = Date.now() + 20 * 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the matcher exited with ${child.exitCode}: ${output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`the matcher was not ready within 20 minutes: ${output.slice(-2000)}`);
      if (await fetch(`http://127.0.0.1:${healthPort}/readyz`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const readySeconds = (performance.now() - started) / 1000;
    const once = memoryOf(child.pid as number);
    // and 15 s later, idle: what the allocator kept of what loading freed (jemalloc gives back unused pages after ~10 s)
    await new Promise((r) => setTimeout(r, 15_000));
    return { readySeconds, loadedMs, ...once, rssLaterMb: memoryOf(child.pid as number).rssMb };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await management.deleteVhost();
  }
}

const stats = (ms: number[]) => summary(ms, 2);

const results = [];
for (const people of SIZES) {
  const { url, stats: shape, loadSeconds } = await community(people);
  const process_ = MATCHER_STARTS ? await matcherStart(url) : undefined;
  const withJemalloc = MATCHER_STARTS && JEMALLOC ? await matcherStart(url, undefined, JEMALLOC) : undefined;
  // with MATCHER_SNAPSHOT: a first start loads from Postgres and writes it; the next one starts from it
  const kept = !MATCHER_STARTS && SNAPSHOTS ? join(SNAPSHOTS, `${new URL(url).pathname.slice(1)}.snapshot`) : undefined;
  if (kept) mkdirSync(SNAPSHOTS, { recursive: true });
  const snapshot = kept ?? join(mkdtempSync(join(tmpdir(), 'qr-live-')), 'people.snapshot');
  if (MATCHER_STARTS) await matcherStart(url, snapshot);
  const fromSnapshot = MATCHER_STARTS ? await matcherStart(url, snapshot) : undefined;
  const pool = createPool(url, { max: 4, onError: () => {} }); // bigint ids as numbers, as every service reads them
  const started = performance.now();
  const live = await LivePeople.start(pool, { databaseUrl: url, log: silentLog, budget: DEFAULT_ASK_BUDGET, snapshot });
  const startSeconds = (performance.now() - started) / 1000;
  const size = live.size;
  const gen = new Synth(SEED + 1);
  const decideMs: number[] = [];
  for (let i = 0; i < WARMUP + QUESTIONS; i++) {
    const question = extractTerms(textOf(gen.question(gen.tag())));
    const askerId = 1 + gen.rng.int(people);
    const t = performance.now();
    await live.decide(question, askerId, MATCH_LIMIT);
    if (i >= WARMUP) decideMs.push(performance.now() - t);
  }
  const writes = createPool(url, { max: 8, onError: () => {} });
  const reflection = await measureReflection(writes, live, people, { rate: ANSWER_RATE, seconds: ANSWER_SECONDS, probeEveryMs: 250, timeoutMs: 10_000 }, SEED + 2);
  await writes.end();
  await live.close(); // (writes the snapshot again, as a matcher stopping does)
  if (!kept) rmSync(dirname(snapshot), { recursive: true, force: true });
  await pool.end();
  const row = { ...shape, people, bulkLoadSeconds: loadSeconds, matcher: process_, matcherWithJemalloc: withJemalloc, matcherFromSnapshot: fromSnapshot, inProcessStartSeconds: startSeconds, index: size, decideMs: stats(decideMs),
    answerLoad: { rate: ANSWER_RATE, achievedRate: Math.round(reflection.achievedRate), written: reflection.answersWritten, failed: reflection.failed, firstError: reflection.firstError, probes: reflection.reflectedMs.length + reflection.notReflected, notReflected: reflection.notReflected, reflectedMs: stats(reflection.reflectedMs) },
  };
  results.push(row);
  console.log(JSON.stringify(row));
}
await adminClient.end();

console.log('\n| people | answers | expertise rows | bulk load s | matcher ready s: from Postgres / from a snapshot | people loaded s (Postgres / snapshot) | matcher RSS MB once ready (Postgres / snapshot) | decide p50 / p95 / p99 / max ms |');
console.log('|---:|---:|---:|---:|---:|---:|---|---|');
for (const r of results) {
  const seconds = (ms: number | undefined): string => (ms === undefined ? '–' : (ms / 1000).toFixed(1));
  const { matcher: m, matcherFromSnapshot: f } = r;
  const loaded = `${seconds(m?.loadedMs)} / ${seconds(f?.loadedMs)}`;
  const ready = `${seconds(m && m.readySeconds * 1000)} / ${seconds(f && f.readySeconds * 1000)}`;
  console.log(`| ${r.people.toLocaleString('en')} | ${r.answers.toLocaleString('en')} | ${r.expertiseRows.toLocaleString('en')} | ${r.bulkLoadSeconds === undefined ? '(kept)' : r.bulkLoadSeconds.toFixed(0)} | ${ready} | ${loaded} | ${m?.rssMb ?? '–'} / ${f?.rssMb ?? '–'} | ${r.decideMs.p50} / ${r.decideMs.p95} / ${r.decideMs.p99} / ${r.decideMs.max} |`);
}
if (JEMALLOC) {
  console.log('\n| people | matcher from Postgres: malloc | ready s | people loaded s | RSS MB once ready / 15 s later | peak RSS MB |');
  console.log('|---:|---|---:|---:|---|---:|');
  for (const r of results) {
    for (const [name, m] of [['glibc', r.matcher], ['jemalloc', r.matcherWithJemalloc]] as const) {
      if (m) console.log(`| ${r.people.toLocaleString('en')} | ${name} | ${m.readySeconds.toFixed(1)} | ${((m.loadedMs ?? NaN) / 1000).toFixed(1)} | ${m.rssMb} / ${m.rssLaterMb} | ${m.peakMb} |`);
    }
  }
}
console.log(`\n| people | answers a second: asked / held | probes | reflected in the ranking p50 / p95 / p99 / max ms | not within 10 s | writes failed |`);
console.log('|---:|---|---:|---|---:|---:|');
for (const r of results) {
  const a = r.answerLoad;
  console.log(`| ${r.people.toLocaleString('en')} | ${a.rate} / ${a.achievedRate} | ${a.probes} | ${a.reflectedMs.p50} / ${a.reflectedMs.p95} / ${a.reflectedMs.p99} / ${a.reflectedMs.max} | ${a.notReflected} | ${a.failed} |`);
}
const out = join(root, 'bench', 'results', 'live-at-scale.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version }, results }, null, 2)}\n`);
