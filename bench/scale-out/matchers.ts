// Matcher throughput with 1, 2 and 4 worker processes on one queue, side by side in one run.
// Run from the repository root: npm run bench:scale-out -w @qr/bench   (needs local Postgres and RabbitMQ)
// Each run: a copy of a database holding the imported beer community (782 people, 1,566 answers),
// a fresh vhost, N matcher processes, and a backlog of questions published at once; the clock runs
// from the first publish until every question is matched (committed in Postgres).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { destinationOf, newMessage, topology } from '@qr/contracts';
import { createPool, insertQuestion, withTransaction } from '@qr/db';
import { createTestDatabase } from '@qr/db/testing';
import { RabbitManagement, StompTransport } from '@qr/lemur';
import pg from 'pg';

const root = fileURLToPath(new URL('../..', import.meta.url));
const admin = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const posts = path.resolve(root, '../shared/data/stackexchange/beer/Posts.xml');
const QUESTIONS = Number(process.env.BENCH_QUESTIONS ?? 1500);
const WORKERS = [1, 2, 4];

const template = await createTestDatabase(admin);
execFileSync(process.execPath, ['--import', 'tsx', 'packages/cli/src/main.ts', 'import', 'stackexchange', posts, '--source', 'beer'], { cwd: root, env: { ...process.env, DATABASE_URL: template.url }, stdio: 'ignore' });

async function copyOf(templateUrl: string): Promise<string> {
  const name = `bench_${randomUUID().replaceAll('-', '')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name} template ${new URL(templateUrl).pathname.slice(1)}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

async function waitForLog(child: ChildProcess, text: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no "${text}" in 30 s:\n${out.slice(-2000)}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(text)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

interface Row { workers: number; questions: number; seconds: number; perSecond: number; speedup: number }
const rows: Row[] = [];
for (const workers of WORKERS) {
  const databaseUrl = await copyOf(template.url);
  const vhost = `bench-${randomUUID()}`;
  const management = new RabbitManagement({ url: 'http://127.0.0.1:15672', login: 'guest', passcode: 'guest', vhost });
  await management.createVhost();
  const env = { ...process.env, DATABASE_URL: databaseUrl, STOMP_VHOST: vhost, LOG_LEVEL: 'warn', HEALTH_PORT: '0', MATCHER_MIN_ASKS_PER_WEEK: '1000000', MATCHER_PREFETCH: '20' };
  const pool = createPool(databaseUrl, { onError: () => {} });
  const { rows: sample } = await pool.query<{ title: string; body: string; tags: string[]; askerId: number }>(
    `select title, body, tags, asker_id as "askerId" from questions order by random() limit $1`, [QUESTIONS]);
  const matchers: ChildProcess[] = [];
  for (let i = 0; i < workers; i++) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/matcher/src/main.ts'], { cwd: root, env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'ignore'] });
    matchers.push(child);
    await waitForLog(child, 'matcher started');
  }
  // the backlog: questions stored, then published at once through our transport (as the relay would)
  const ids: number[] = [];
  const messages = await withTransaction(pool, async (client) => {
    const out = [];
    for (let i = 0; i < QUESTIONS; i++) {
      const s = sample[i % sample.length]!;
      const q = await insertQuestion(client, { askerId: s.askerId, title: s.title, body: s.body, tags: s.tags });
      ids.push(q.id);
      out.push(newMessage('question.asked', { questionId: q.id, askerId: s.askerId, title: s.title, body: s.body, tags: s.tags }));
    }
    return out;
  });
  const transport = new StompTransport({ url: 'ws://127.0.0.1:15674/ws', login: 'guest', passcode: 'guest', vhost, managementUrl: 'http://127.0.0.1:15672' });
  await transport.connect();
  await transport.declare(topology);
  const started = performance.now();
  for (let i = 0; i < messages.length; i += 500) await Promise.all(messages.slice(i, i + 500).map((m) => transport.publish(destinationOf('question.asked'), m)));
  for (;;) {
    const { rows: done } = await pool.query<{ n: number }>('select count(*)::int as n from questions where id = any($1) and matched_at is not null', [ids]);
    if (done[0]!.n === ids.length) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  rows.push({ workers, questions: QUESTIONS, seconds, perSecond: QUESTIONS / seconds, speedup: 0 });
  for (const child of matchers) child.kill('SIGTERM');
  await Promise.all(matchers.map((c) => new Promise((r) => c.on('exit', r))));
  await transport.close();
  await pool.end();
  await management.deleteVhost();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`drop database ${new URL(databaseUrl).pathname.slice(1)} with (force)`);
  await client.end();
}
for (const row of rows) row.speedup = row.perSecond / (rows[0]!.perSecond);
await template.drop();

const cpu = execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).toString().trim();
process.stdout.write(`\nMatcher scale-out: ${QUESTIONS} questions against the beer community, ${cpu}, ${execFileSync('nproc').toString().trim()} cores, Node ${process.version}\n\n`);
process.stdout.write('| matchers | questions | seconds | questions/s | speed-up |\n|---|---|---|---|---|\n');
for (const r of rows) process.stdout.write(`| ${r.workers} | ${r.questions} | ${r.seconds.toFixed(2)} | ${r.perSecond.toFixed(0)} | ${r.speedup.toFixed(2)}x |\n`);
mkdirSync(path.join(root, 'bench/results'), { recursive: true });
writeFileSync(path.join(root, 'bench/results/scale-out.json'), `${JSON.stringify({ questions: QUESTIONS, cpu, cores: Number(execFileSync('nproc').toString()), runs: rows }, null, 2)}\n`);
