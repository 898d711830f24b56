// The other task queues: BullMQ (Redis), pg-boss (Postgres), Celery (RabbitMQ over AMQP).
// Their client libraries are imported lazily, so a missing package only skips that peer.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Countdown, cpuMeter, payload, result, runId, type BenchConfig, type CpuUse, type PeerResult } from './common.js';
import { withVhost } from './stomp-peers.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * BullMQ: Queue.addBulk over chunks of `window`, a Worker with `concurrency`; completion counted
 * on the worker's `completed` event (the job was moved to completed in Redis). Jobs are removed on
 * completion, as a broker forgets an acked message. Fresh key prefix, obliterated afterwards.
 */
export async function runBullmq(config: BenchConfig): Promise<PeerResult> {
  return bullmq(config, 'BullMQ (Redis)');
}

/**
 * BullMQ with Redis writing every command to its append-only file and fsyncing it before replying
 * (appendonly yes, appendfsync always): the durability closest to a quorum queue's fsync before
 * the confirm. The machine's Redis runs without persistence; the settings are restored afterwards.
 */
export async function runBullmqDurable(config: BenchConfig): Promise<PeerResult> {
  const { Redis } = await import('ioredis');
  const url = new URL(config.redisUrl);
  const admin = new Redis({ host: url.hostname, port: Number(url.port || 6379), maxRetriesPerRequest: 1, lazyConnect: true });
  admin.on('error', () => {});
  await admin.connect();
  const before = {
    appendonly: ((await admin.config('GET', 'appendonly')) as string[])[1] ?? 'no',
    appendfsync: ((await admin.config('GET', 'appendfsync')) as string[])[1] ?? 'everysec',
  };
  try {
    await admin.config('SET', 'appendfsync', 'always');
    await admin.config('SET', 'appendonly', 'yes');
    // Turning AOF on starts a rewrite in the background; wait for it before measuring.
    for (let i = 0; i < 100 && /aof_rewrite_in_progress:1/.test(await admin.info('persistence')); i++) await new Promise((r) => setTimeout(r, 100));
    return await bullmq(config, 'BullMQ (Redis, AOF fsync always)');
  } finally {
    await admin.config('SET', 'appendonly', before.appendonly).catch(() => {});
    await admin.config('SET', 'appendfsync', before.appendfsync).catch(() => {});
    admin.disconnect();
  }
}

async function bullmq(config: BenchConfig, label: string): Promise<PeerResult> {
  const { Queue, Worker } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const url = new URL(config.redisUrl);
  const connection = { host: url.hostname, port: Number(url.port || 6379) };

  // Fail fast when Redis is not there (BullMQ itself would retry forever).
  const probe = new Redis({ ...connection, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2_000 });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw new Error(`Redis not reachable at ${config.redisUrl}`, { cause: error });
  } finally {
    probe.disconnect();
  }
  const persistence = await (async () => {
    const p = new Redis({ ...connection, maxRetriesPerRequest: 1 });
    try {
      const aof = ((await p.config('GET', 'appendonly')) as string[])[1];
      const fsync = ((await p.config('GET', 'appendfsync')) as string[])[1];
      return aof === 'yes' ? `AOF on (appendfsync ${fsync})` : 'AOF off (RDB snapshots at most): an acknowledged add can be lost on a crash';
    } catch {
      return 'persistence unknown';
    } finally {
      p.disconnect();
    }
  })();

  const prefix = `bench-${runId()}`;
  const name = 'noop';
  const queue = new Queue(name, { connection: { ...connection, maxRetriesPerRequest: null }, prefix });
  const countdown = new Countdown(config.n, config.timeoutMs, 'BullMQ');
  const worker = new Worker(name, async () => {}, {
    connection: { ...connection, maxRetriesPerRequest: null },
    prefix,
    concurrency: config.concurrency,
    removeOnComplete: { count: 0 },
  });
  worker.on('completed', () => countdown.tick());
  worker.on('error', () => {});
  try {
    await queue.waitUntilReady();
    await worker.waitUntilReady();
    const cpu = cpuMeter('redis-server'); // before the clock starts: its /proc scan is not timed
    const start = performance.now();
    for (let from = 0; from < config.n; from += config.window) {
      const jobs = [];
      for (let i = from; i < Math.min(config.n, from + config.window); i++) jobs.push({ name, data: payload(i), opts: { removeOnComplete: true } });
      await queue.addBulk(jobs);
    }
    const published = performance.now();
    const finished = await countdown.done;
    return result(
      label,
      config.n,
      published - start,
      finished - start,
      `Worker concurrency ${config.concurrency}; addBulk chunks of ${config.window}`,
      `Redis ${persistence}; job completed (removed) after handler`,
      cpu.stop(config.n),
    );
  } finally {
    countdown.cancel();
    await worker.close(true).catch(() => {});
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close().catch(() => {});
  }
}

/**
 * pg-boss (v10): insert() in batches of `window` (one multi-row INSERT each), one work() with
 * batchSize = concurrency (pg-boss 10 has no teamSize: a batch of 50 fetched with SKIP LOCKED,
 * completed together when the handler resolves). End-to-end ends when the database shows all N
 * completed. A fresh database, dropped afterwards.
 */
export async function runPgBoss(config: BenchConfig): Promise<PeerResult> {
  return pgBoss(config, 'refetch');
}

/**
 * pg-boss as documented, no help: its v10 worker sleeps the polling interval (min 0.5 s) after every
 * fetch, even a full one, so one worker with batchSize 50 tops out near 100 jobs/s. Run on at most
 * 2,000 jobs (N=20,000 would take over 3 minutes).
 */
export async function runPgBossPolling(config: BenchConfig): Promise<PeerResult> {
  return pgBoss({ ...config, n: Math.min(config.n, 2_000) }, 'poll');
}

async function pgBoss(config: BenchConfig, mode: 'poll' | 'refetch'): Promise<PeerResult> {
  const { default: PgBoss } = await import('pg-boss');
  const dbName = `bench_pgboss_${runId()}`;
  const admin = new pg.Client({ connectionString: config.postgresAdminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(`Postgres not reachable at ${config.postgresAdminUrl}`, { cause: error });
  }
  await admin.query(`create database ${dbName}`);
  const url = new URL(config.postgresAdminUrl);
  url.pathname = `/${dbName}`;
  const boss = new PgBoss({ connectionString: url.toString(), max: 10, supervise: false, schedule: false });
  boss.on('error', () => {});
  const observer = new pg.Client({ connectionString: url.toString() });
  const countdown = new Countdown(config.n, config.timeoutMs, 'pg-boss');
  try {
    await boss.start();
    await observer.connect();
    const name = 'noop';
    await boss.createQueue(name);
    let workerId = '';
    workerId = await boss.work(name, { batchSize: config.concurrency, pollingIntervalSeconds: 0.5 }, async (jobs) => {
      for (let i = 0; i < jobs.length; i++) countdown.tick();
      // A full batch means more are waiting: skip the poll sleep (public API, pg-boss 10).
      if (mode === 'refetch' && jobs.length === config.concurrency && workerId) boss.notifyWorker(workerId);
    });
    const cpu = cpuMeter('postgres'); // before the clock starts: its /proc scan is not timed
    const start = performance.now();
    for (let from = 0; from < config.n; from += config.window) {
      const jobs = [];
      for (let i = from; i < Math.min(config.n, from + config.window); i++) jobs.push({ name, data: payload(i) });
      await boss.insert(jobs);
    }
    const published = performance.now();
    await countdown.done;
    // The handler resolved for all N; the completion UPDATE commits just after: wait for it.
    const deadline = Date.now() + config.timeoutMs;
    let finished = 0;
    let usage: CpuUse | undefined;
    for (;;) {
      const { rows } = await observer.query<{ n: string }>(`select count(*) as n from pgboss.job where name = $1 and state = 'completed'`, [name]);
      if (Number(rows[0]?.n ?? 0) >= config.n) {
        finished = performance.now();
        usage = cpu.stop(config.n);
        break;
      }
      if (Date.now() > deadline) throw new Error(`pg-boss: completions not committed within ${config.timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return result(
      mode === 'refetch' ? 'pg-boss (Postgres)' : 'pg-boss, default polling (Postgres)',
      config.n,
      published - start,
      finished - start,
      mode === 'refetch'
        ? `one work() with batchSize ${config.concurrency}, notifyWorker() after a full batch so it re-fetches at once; insert batches of ${config.window}`
        : `one work() with batchSize ${config.concurrency}, pollingIntervalSeconds 0.5 (the minimum; sleeps after every fetch); N capped at ${config.n}`,
      'transactional (each insert batch commits; completion is a committed UPDATE), Postgres fsync on',
      usage,
    );
  } finally {
    countdown.cancel();
    await boss.stop({ graceful: false, wait: true, timeout: 5_000 }).catch(() => {});
    await observer.end().catch(() => {});
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => {});
    await admin.end().catch(() => {});
  }
}

const python = '/usr/bin/python3';

/**
 * Celery 5.2 (Debian python3-celery) on the same RabbitMQ over AMQP, its own vhost: a Python
 * driver (celery_peer.py) starts a worker subprocess (prefork, 2 processes for 2 cores, prefetch
 * multiplier prefetch / 2, so it has the same broker window as the STOMP peers), publishes N with delay(), waits for
 * the N-th task, stops the worker.
 */
export async function runCelery(config: BenchConfig): Promise<PeerResult> {
  if (!existsSync(python)) throw new Error(`${python} not found`);
  const check = await exec(python, ['-c', 'import celery'], {}, 20_000);
  if (check.code !== 0) throw new Error(`Celery is not importable by ${python} (apt-get install -y python3-celery): ${check.stderr.trim().split('\n').pop()}`);
  const pool = process.env.BENCH_CELERY_POOL ?? 'prefork';
  const processes = Number(process.env.BENCH_CELERY_CONCURRENCY ?? 2);
  // the same broker window as the STOMP peers: prefetch = processes × multiplier
  const multiplier = Math.max(1, Math.round(config.prefetch / processes));
  return withVhost(config, 'celery', async (vhost) => {
    const broker = `amqp://${config.rabbit.login}:${config.rabbit.passcode}@${config.rabbit.host}:5672/${encodeURIComponent(vhost)}`;
    const run = await exec(
      python,
      [join(here, 'celery_peer.py')],
      {
        CELERY_BENCH_BROKER: broker,
        CELERY_BENCH_N: String(config.n),
        CELERY_BENCH_POOL: pool,
        CELERY_BENCH_CONCURRENCY: String(processes),
        CELERY_BENCH_PREFETCH_MULTIPLIER: String(multiplier),
        CELERY_BENCH_TIMEOUT_S: String(config.timeoutMs / 1000),
        CELERY_BENCH_CONFIRM: process.env.BENCH_CELERY_CONFIRM ?? '0',
      },
      config.timeoutMs + 90_000,
    );
    const line = run.stdout.trim().split('\n').pop() ?? '';
    if (run.code !== 0 || !line.startsWith('{')) throw new Error(`celery_peer.py exited ${run.code}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    const r = JSON.parse(line) as { publish_ms: number; e2e_ms: number; pool: string; concurrency: number; prefetch: number; confirm_publish: boolean; celery: string };
    return result(
      'Celery (RabbitMQ AMQP)',
      config.n,
      r.publish_ms,
      r.e2e_ms,
      `Celery ${r.celery}, ${r.pool} pool, ${r.concurrency} workers, prefetch ${r.prefetch}; delay() one by one`,
      `persistent, classic durable queue, task_acks_late; publish ${r.confirm_publish ? 'with' : 'WITHOUT'} publisher confirms; end = N-th task_postrun (ack follows)`,
    );
  });
}

function exec(command: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
