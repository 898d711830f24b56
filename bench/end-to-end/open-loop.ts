// End to end, open loop: questions POSTed at a fixed rate to the api, which stores them and
// publishes question.asked through its outbox to RabbitMQ (STOMP over TCP), where a matcher
// process ranks 10,000 people with their history and commits the matches to Postgres. Latency is
// measured from the moment each POST was due (not when it was sent: a late sender does not hide
// queueing) to the commit of its matches, which the bench learns from LISTEN question_matched
// (the matcher's transaction notifies; Postgres delivers notifications at commit).
//
// 1. find the highest rate held for BENCH_STEP_SECONDS (60) without the backlog growing (at no
//    moment more than one second of arrivals waiting for their matches):
//    doubling from BENCH_START_RATE, then halving the gap between held and not held;
// 2. run BENCH_STEP_SECONDS again at half that rate and report p50/p95/p99.
//
// Run from the repository root: npm run bench:end-to-end -w @qr/bench   (~10 min; needs Postgres and RabbitMQ)
// Quick look: BENCH_STEP_SECONDS=15 BENCH_SEARCH_STEPS=2 npx tsx bench/end-to-end/open-loop.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RabbitManagement } from '@qr/lemur';
import { freePort } from '@qr/runtime';
import pg from 'pg';
import { communityTemplate } from './community.js';
import { round, writeRollingRestartReport, writeSearchReport, type Step } from './report.js';
import { percentile } from '../stats.js';

/** Ends a fixed-rate run early, after its one step. */
class Done extends Error {}

const root = fileURLToPath(new URL('../..', import.meta.url));
const serviceToken = `bench-${randomUUID()}`;
const env = process.env;
const admin = env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const posts = path.resolve(root, '../shared/data/stackexchange/beer/Posts.xml');
const USERS = Number(env.BENCH_USERS ?? 10_000);
const STEP_SECONDS = Number(env.BENCH_STEP_SECONDS ?? 60);
const START_RATE = Number(env.BENCH_START_RATE ?? 10);
const MAX_RATE = Number(env.BENCH_MAX_RATE ?? 2_000);
const SEARCH_STEPS = Number(env.BENCH_SEARCH_STEPS ?? 3);
const MATCHERS = Number(env.BENCH_MATCHERS ?? 1);
/** Only one step at this rate (for profiling); no search. */
const FIXED_RATE = env.BENCH_FIXED_RATE ? Number(env.BENCH_FIXED_RATE) : undefined;
/**
 * BENCH_SYNTHETIC_PEOPLE=1000000: the synthetic community of that size that bench/matching/live-at-scale.ts
 * made (its template database, today's, must exist) instead of the copied beer dump.
 */
const SYNTHETIC_PEOPLE = env.BENCH_SYNTHETIC_PEOPLE ? Number(env.BENCH_SYNTHETIC_PEOPLE) : undefined;
/** BENCH_MATCHER_SNAPSHOT=DIR: each matcher starts from (and writes) a people snapshot there (MATCHER_SNAPSHOT). */
const MATCHER_SNAPSHOTS = env.BENCH_MATCHER_SNAPSHOT;
/** How long a step's questions may take to be matched after its last POST (BENCH_DRAIN_SECONDS, 120) before they count as never matched. */
const DRAIN_SECONDS = Number(env.BENCH_DRAIN_SECONDS ?? 120);
/** How long a service may take to be ready (a million people loaded from Postgres take minutes). */
const START_SECONDS = Number(env.BENCH_START_SECONDS ?? 60);
/**
 * BENCH_ROLLING_RESTART=1 (with BENCH_FIXED_RATE, two matchers or more): a tenth into the step, each
 * matcher in turn is stopped (SIGTERM: it drains) and started again, the next once it is ready.
 * Every question must still be matched, and none twice (a second question_matched for one id).
 */
const ROLLING_RESTART = env.BENCH_ROLLING_RESTART === '1';
/** Extra node flags for the matcher processes, e.g. --cpu-prof. */
const MATCHER_NODE_FLAGS = env.BENCH_MATCHER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
const rabbit = { management: 'http://127.0.0.1:15672', stomp: env.BENCH_STOMP_URL ?? 'stomp://127.0.0.1:61613', login: 'guest', passcode: 'guest' };

// ---- the community: the beer dump's history spread over BENCH_USERS people, or a synthetic one --------
const adminClient = new pg.Client({ connectionString: admin });
await adminClient.connect();
const { templateName, community } = await communityTemplate(adminClient, { root, admin, postsXml: posts, users: USERS, syntheticPeople: SYNTHETIC_PEOPLE });
const dbName = `bench_e2e_run_${randomUUID().replaceAll('-', '')}`;
await adminClient.query(`create database ${dbName} template ${templateName}`);
const dbUrl = new URL(admin);
dbUrl.pathname = `/${dbName}`;
const db = {
  url: dbUrl.toString(),
  drop: () => adminClient.query(`drop database if exists ${dbName} with (force)`).then(() => adminClient.end()),
};

const pool = new pg.Pool({ connectionString: db.url, max: 4 });
const { rows: people } = await pool.query<{ id: number }>('select id from users');
const { rows: sample } = await pool.query<{ title: string; body: string; tags: string[] }>(
  `select title, body, tags from questions ${SYNTHETIC_PEOPLE ? '' : "where source = 'bench'"} order by random() limit 2000`,
);

// ---- the system: api and matcher processes on RabbitMQ and Postgres ---------------------------------
const vhost = `bench-e2e-${randomUUID()}`;
const management = new RabbitManagement({ url: rabbit.management, login: rabbit.login, passcode: rabbit.passcode, vhost });
await management.createVhost();
const port = await freePort();
const serviceEnv = {
  ...env,
  DATABASE_URL: db.url,
  STOMP_URL: rabbit.stomp,
  STOMP_VHOST: vhost,
  STOMP_LOGIN: rabbit.login,
  STOMP_PASSCODE: rabbit.passcode,
  RABBITMQ_MANAGEMENT_URL: rabbit.management,
  LOG_LEVEL: 'warn',
  HEALTH_PORT: '0',
};
const children: ChildProcess[] = [];
/** Set once it is connected, for cleanUp. */
const open: { listener?: pg.Client } = {};
// Stopped by hand (Ctrl-C, kill): stop the services and drop the run's database and vhost, as at the end.
let cleaning: Promise<void> | undefined;
/** Set by a signal: no service starts after it, and no step or report runs on. */
let stopping = false;
class Stopped extends Done {}
function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) return resolve();
      const hard = setTimeout(() => c.kill('SIGKILL'), 10_000); // one that ignores SIGTERM
      c.on('exit', () => {
        clearTimeout(hard);
        resolve();
      });
    })));
    await open.listener?.end().catch(() => {});
    await pool.end().catch(() => {});
    await management.deleteVhost().catch(() => {});
    await db.drop();
  })();
  return cleaning;
}
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    stopping = true;
    process.stderr.write(`${signal}: stopping the services, dropping ${dbName} and the vhost\n`);
    cleanUp()
      .catch((error: unknown) => process.stderr.write(`clean-up failed (drop ${dbName} and the vhost by hand): ${String(error)}\n`))
      .finally(() => process.exit(code));
  });
}
const api = start('api', 'services/api/src/main.ts', { ...serviceEnv, PORT: String(port), HOST: '127.0.0.1', BOOTSTRAP_TOKEN: serviceToken }, port);
api.catch(() => {}); // handled by the Promise.all below; not an unhandled rejection while matchers start
const matcherSpecs: { name: string; env: NodeJS.ProcessEnv; port: number }[] = [];
for (let i = 0; i < MATCHERS; i++) {
  const healthPort = await freePort();
  const snapshot = MATCHER_SNAPSHOTS ? path.join(MATCHER_SNAPSHOTS, `matcher-${i + 1}.snapshot`) : '';
  matcherSpecs.push({ name: `matcher-${i + 1}`, env: { ...serviceEnv, HEALTH_PORT: String(healthPort), MATCHER_SNAPSHOT: snapshot }, port: healthPort });
}
const matchers = matcherSpecs.map((m) => start(m.name, 'services/matcher/src/main.ts', m.env, m.port));
for (const matcher of matchers) matcher.catch(() => {}); // handled by the Promise.all below
const running = await Promise.all([api, ...matchers]).catch((error: unknown) => {
  // stopped by a signal while starting: its handler cleans up and exits; wait for it here
  if (error instanceof Stopped) return new Promise<never>(() => {});
  throw error;
});
const matcherChildren = running.slice(1);
const base = `http://127.0.0.1:${port}`;

// ---- measuring ---------------------------------------------------------------------------------------
const dueAt = new Map<number, number>(); // question id -> when its POST was due (performance.now())
const latencies: number[] = []; // of the current step
let matchedInStep = 0;
const listener = new pg.Client({ connectionString: db.url });
open.listener = listener;
await listener.connect();
await listener.query('listen question_matched');
// A question can be matched before its POST's response is read here (the notification and the
// 201 race on this busy event loop): such a match waits in matchedEarly until the id is known.
const matchedEarly = new Map<number, number>(); // question id -> when its match was heard
const matchedIds = new Set<number>();
let repeated = 0; // question_matched heard twice for one id: matched twice
listener.on('notification', (n) => {
  const now = performance.now();
  const id = Number(n.payload);
  if (matchedIds.has(id) || matchedEarly.has(id)) {
    repeated += 1;
    return;
  }
  const due = dueAt.get(id);
  if (due === undefined) {
    matchedEarly.set(id, now);
    return;
  }
  matched(id, due, now);
});

function matched(id: number, due: number, at: number): void {
  matchedIds.add(id);
  dueAt.delete(id);
  latencies.push(at - due);
  matchedInStep += 1;
}


async function step(rate: number, seconds: number): Promise<Step> {
  if (stopping) throw new Stopped();
  latencies.length = 0;
  matchedInStep = 0;
  dueAt.clear();
  matchedEarly.clear();
  const total = Math.round(rate * seconds);
  const postTimes: number[] = [];
  let created = 0;
  let failed = 0;
  let firstError: string | undefined;
  const inFlight = new Set<Promise<void>>();
  let maxBacklog = 0;
  const sampler = setInterval(() => (maxBacklog = Math.max(maxBacklog, dueAt.size)), 100);
  const start = performance.now();
  try {
    for (let i = 0; i < total; i++) {
      if (stopping) throw new Stopped();
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const q = sample[i % sample.length]!;
      const askerId = Number(people[Math.floor(Math.random() * people.length)]!.id); // ids are JSON numbers (the api takes no "1" for 1)
      const request = (async () => {
        try {
          const response = await fetch(`${base}/questions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${serviceToken}` },
            body: JSON.stringify({ askerId, title: q.title, body: q.body, tags: q.tags }),
          });
          const body = (await response.json()) as { id?: number; error?: { message: string } };
          postTimes.push(performance.now() - due);
          if (response.status === 201 && body.id !== undefined) {
            created += 1;
            dueAt.set(body.id, due);
            const heard = matchedEarly.get(body.id);
            if (heard !== undefined) {
              matchedEarly.delete(body.id);
              matched(body.id, due, heard);
            }
          } else {
            failed += 1;
            firstError ??= `${response.status} ${body.error?.message ?? ''}`;
          }
        } catch (error) {
          failed += 1;
          firstError ??= String(error);
        }
      })();
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    }
    await Promise.all([...inFlight]);
  } finally {
    clearInterval(sampler);
  }
  // asked (201) and not matched yet: what dueAt holds (created - matchedInStep)
  const backlogAtEnd = dueAt.size;
  maxBacklog = Math.max(maxBacklog, backlogAtEnd);
  const lastDue = start + ((total - 1) * 1000) / rate;
  const sentSeconds = (performance.now() - start) / 1000;
  const matchedWithinStep = matchedInStep;
  // let the rest drain, so every latency of this step is counted
  const drainStart = performance.now();
  while (dueAt.size > 0 && performance.now() - drainStart < DRAIN_SECONDS * 1000) await new Promise((r) => setTimeout(r, 50));
  const drainSeconds = (performance.now() - Math.max(drainStart, lastDue)) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const posts = [...postTimes].sort((a, b) => a - b);
  const achievedRate = created / sentSeconds;
  // Held: every POST accepted, at the offered rate, and at the end no more than one second of
  // arrivals still waiting for their matches (a growing queue would have piled up far more).
  let why: string | undefined;
  if (failed > 0) why = `${failed} POSTs failed (${firstError})`;
  else if (achievedRate < rate * 0.98) why = `POSTs completed at ${achievedRate.toFixed(1)}/s`;
  else if (backlogAtEnd > rate) why = `${backlogAtEnd} questions waiting at the end (> 1 s of arrivals)`;
  else if (maxBacklog > rate) why = `${maxBacklog} questions waiting at once during the step (> 1 s of arrivals)`;
  else if (dueAt.size > 0) why = `${dueAt.size} never matched within ${DRAIN_SECONDS} s`;
  else if (repeated > 0) why = `${repeated} matched twice`;
  return {
    rate,
    seconds,
    due: total,
    created,
    failed,
    achievedRate: round(achievedRate, 1),
    backlogAtEnd,
    maxBacklog,
    matchedWithinStep,
    drainSeconds: round(drainSeconds, 2),
    latencyMs: { p50: pct(sorted, 0.5), p95: pct(sorted, 0.95), p99: pct(sorted, 0.99), max: round(sorted.at(-1) ?? NaN, 1) },
    postMs: { p50: pct(posts, 0.5), p99: pct(posts, 0.99) },
    held: why === undefined,
    why,
  };
}

const steps: Step[] = [];
const report = (s: Step): void => {
  steps.push(s);
  process.stderr.write(
    `  ${s.rate}/s for ${s.seconds} s: ${s.held ? 'held' : `not held (${s.why})`}; p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, backlog max ${s.maxBacklog}, at end ${s.backlogAtEnd}\n`,
  );
};

let maxHeld = 0;
let firstFailed = Infinity;
let rate = START_RATE;
try {
  await step(Math.min(5, START_RATE), 5); // warm-up: connections, JIT, caches; not reported
  // doubling up from the start rate while it holds, or halving down until one holds
  if (FIXED_RATE) {
    const restarts = ROLLING_RESTART ? new Promise((r) => setTimeout(r, STEP_SECONDS * 100)).then(rollingRestart) : undefined;
    restarts?.catch(() => {}); // awaited below, after the step
    const s = await step(FIXED_RATE, STEP_SECONDS);
    report(s);
    if (restarts) {
      writeRollingRestartReport({ root, community, matchers: MATCHERS, step: s, restarted: await restarts, neverMatched: dueAt.size, repeated });
    }
    throw new Done();
  }
  for (;;) {
    const s = await step(rate, STEP_SECONDS);
    report(s);
    if (s.held) {
      maxHeld = Math.max(maxHeld, rate);
      if (Number.isFinite(firstFailed) || rate * 2 > MAX_RATE) break;
      rate *= 2;
    } else {
      firstFailed = Math.min(firstFailed, rate);
      if (maxHeld > 0 || rate <= 1) break;
      rate = Math.max(1, Math.floor(rate / 2));
    }
  }
  for (let i = 0; i < SEARCH_STEPS && Number.isFinite(firstFailed) && firstFailed - maxHeld > Math.max(2, maxHeld * 0.05); i++) {
    const mid = Math.round((maxHeld + firstFailed) / 2);
    const s = await step(mid, STEP_SECONDS);
    report(s);
    if (s.held) maxHeld = mid;
    else firstFailed = mid;
  }
  const half = Math.max(1, Math.round(maxHeld / 2));
  process.stderr.write(`latency at half the highest held rate (${half}/s):\n`);
  const atHalf = await step(half, STEP_SECONDS);
  report(atHalf);

  // ---- the report ------------------------------------------------------------------------------------
  if (stopping) throw new Stopped(); // no report (or JSON) from a run cut short
  writeSearchReport({ root, community, matchers: MATCHERS, stepSeconds: STEP_SECONDS, steps, maxHeld, firstFailed, atHalf });
} catch (error) {
  if (!(error instanceof Done)) throw error;
} finally {
  await cleanUp();
}

// ---- helpers -----------------------------------------------------------------------------------------
/** Each matcher in turn stopped (SIGTERM; it drains) and started again; the next once it is ready. */
async function rollingRestart(): Promise<{ name: string; stoppedSeconds: number; readySeconds: number }[]> {
  const restarted = [];
  for (const [i, spec] of matcherSpecs.entries()) {
    const old = matcherChildren[i] as ChildProcess;
    const stopAt = performance.now();
    const exited = new Promise((r) => old.once('exit', r));
    old.kill('SIGTERM');
    await exited;
    const startAt = performance.now();
    matcherChildren[i] = await start(spec.name, 'services/matcher/src/main.ts', spec.env, spec.port);
    restarted.push({ name: spec.name, stoppedSeconds: round((startAt - stopAt) / 1000, 1), readySeconds: round((performance.now() - startAt) / 1000, 1) });
  }
  return restarted;
}

/** Starts a service (logging warnings and errors only: request logs would cost the api CPU) and waits for its /readyz. */
async function start(name: string, script: string, childEnv: NodeJS.ProcessEnv, readyPort: number): Promise<ChildProcess> {
  if (stopping) throw new Stopped();
  const flags = script.includes('matcher') ? MATCHER_NODE_FLAGS : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', script], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const show = (chunk: Buffer): boolean => process.stderr.write(`[${name}] ${chunk.toString()}`);
  child.stdout?.on('data', show);
  child.stderr?.on('data', show);
  const deadline = Date.now() + START_SECONDS * 1000;
  for (;;) {
    if (stopping) throw new Stopped();
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${readyPort}/readyz`).then((r) => r.ok, () => false);
    if (ready) return child;
    if (Date.now() > deadline) throw new Error(`${name} not ready within ${START_SECONDS} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}


function pct(sorted: number[], p: number): number {
  return round(percentile(sorted, p), 1);
}

