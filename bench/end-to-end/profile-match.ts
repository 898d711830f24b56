// Where a match's time goes: decideMatches on a copy of the e2e community, one question at a time,
// with each query timed. Run after open-loop.ts has made its template database:
//   npx tsx bench/end-to-end/profile-match.ts [template-database]
import { randomUUID } from 'node:crypto';
import { createPool } from '@qr/db';
import pg from 'pg';
import { silentLog } from '@qr/lemur';
import { DEFAULT_ASK_BUDGET } from '@qr/matching';
import { decideMatches, LivePeople, PgPeople } from '@qr/routing';

const admin = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const client = new pg.Client({ connectionString: admin });
await client.connect();
const template = process.argv[2] ?? (await client.query<{ datname: string }>("select datname from pg_database where datname like 'bench_e2e_%' and datname not like 'bench_e2e_run_%' order by datname limit 1")).rows[0]?.datname;
if (!template) throw new Error('no template database: run bench/end-to-end/open-loop.ts first');
const name = `bench_profile_${randomUUID().replaceAll('-', '')}`;
await client.query(`create database ${name} template ${template}`);
const url = new URL(admin);
url.pathname = `/${name}`;
const pool = createPool(url.toString(), { onError: () => {} });
const timings = new Map<string, number[]>();
const query = pool.query.bind(pool);
// time every query by its first line
(pool as unknown as { query: typeof pool.query }).query = (async (...args: Parameters<typeof pool.query>) => {
  const started = performance.now();
  try {
    return await (query as (...a: unknown[]) => Promise<unknown>)(...args);
  } finally {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
    const label = text.replace(/\s+/g, ' ').slice(0, 70);
    timings.set(label, [...(timings.get(label) ?? []), performance.now() - started]);
  }
}) as typeof pool.query;
const live = await LivePeople.start(pool, { databaseUrl: url.toString(), log: silentLog, budget: DEFAULT_ASK_BUDGET });
timings.clear();
try {
  const { rows } = await pool.query<{ title: string; body: string; tags: string[]; askerId: number }>(
    'select title, body, tags, asker_id as "askerId" from questions order by random() limit 40',
  );
  for (const [name, people] of [['PgPeople (queries per question)', new PgPeople(pool, silentLog, DEFAULT_ASK_BUDGET)], ['LivePeople (in memory)', live]] as const) {
    const totals: number[] = [];
    timings.clear();
    for (const q of rows) {
      const started = performance.now();
      await decideMatches(people, q, 10);
      totals.push(performance.now() - started);
    }
    totals.sort((a, b) => a - b);
    console.log(`${name}: decideMatches p50 ${totals[20]!.toFixed(1)} ms, p95 ${totals[37]!.toFixed(1)} ms, max ${totals.at(-1)!.toFixed(1)} ms over ${totals.length} questions`);
    for (const [label, ms] of timings) {
      ms.sort((a, b) => a - b);
      console.log(`  ${ms[Math.floor(ms.length / 2)]!.toFixed(1).padStart(7)} ms p50 ${ms.at(-1)!.toFixed(1).padStart(7)} max  x${ms.length}  ${label}`);
    }
  }
} finally {
  await live.close();
  await pool.end();
  await client.query(`drop database ${name} with (force)`);
  await client.end();
}
