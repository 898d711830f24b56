// Storing a question and its question.asked message: the api's transaction of five round trips
// (BEGIN, the asker check, the insert, the outbox insert, COMMIT) against askQuestion's one
// statement, side by side on the same Postgres, in interleaved rounds.
//
// Run from the repository root: npx tsx bench/writes/ask-question.ts   (BENCH_ASKS=2000, BENCH_ROUNDS=3, BENCH_IN_FLIGHT=8)
import { destinationOf, newMessage, questionAskedTemplate } from '@qr/contracts';
import { askQuestion, createPool, insertOutboxMessage, insertQuestion, userExists, withTransaction, type Pool } from '@qr/db';
import { createTestDatabase } from '@qr/db/testing';
import { createMessage } from '@qr/lemur';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from '../stats.js';

const env = process.env;
const ASKS = Number(env.BENCH_ASKS ?? 2_000);
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = Number(env.BENCH_IN_FLIGHT ?? 8);
const adminUrl = env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type Ask = { askerId: number; title: string; body: string; tags: string[] };
type Variant = { name: string; ask: (pool: Pool, q: Ask) => Promise<number> };

const variants: Variant[] = [
  {
    name: 'transaction: BEGIN, asker check, insert, outbox insert, COMMIT (before)',
    ask: (pool, q) =>
      withTransaction(pool, async (client) => {
        if (!(await userExists(client, q.askerId))) throw new Error('unknown asker');
        const row = await insertQuestion(client, q);
        const message = newMessage('question.asked', { questionId: row.id, ...q, askedAt: row.createdAt.toISOString() });
        await insertOutboxMessage(client, destinationOf('question.asked'), message);
        return row.id;
      }),
  },
  {
    name: 'askQuestion: one statement (now)',
    ask: async (pool, q) => {
      const { id, type, headers } = createMessage('question.asked', null);
      const row = await askQuestion(pool, q, { destination: destinationOf('question.asked'), message: { id, type, headers }, bodyTemplate: questionAskedTemplate(q) });
      if (!row) throw new Error('unknown asker');
      return row.id;
    },
  },
];

const db = await createTestDatabase(adminUrl);
const pool = createPool(db.url, { max: IN_FLIGHT, onError: (error) => process.stderr.write(`pool: ${error.message}\n`) });
try {
  const { rows: users } = await pool.query<{ id: number }>(
    "insert into users (name, email) select 'asker ' || i, 'asker' || i || '@bench.test' from generate_series(1, 100) as i returning id",
  );
  const asks: Ask[] = Array.from({ length: ASKS }, (_, i) => ({
    askerId: users[i % users.length]!.id,
    title: `How long should a lager ferment at ${i % 15} degrees?`,
    body: 'I brew a pilsner with Saaz hops and a Bohemian yeast; the airlock went quiet after a week. '.repeat(3),
    tags: ['lager', 'fermentation', `temp-${i % 7}`],
  }));
  for (const variant of variants) for (const q of asks.slice(0, 100)) await variant.ask(pool, q); // warm-up

  const results = new Map<string, { latencies: number[]; rates: number[] }>(variants.map((v) => [v.name, { latencies: [], rates: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of variants) {
      const r = results.get(variant.name)!;
      // one at a time: the latency a POST sees
      for (const q of asks) {
        const t = performance.now();
        await variant.ask(pool, q);
        r.latencies.push(performance.now() - t);
      }
      // IN_FLIGHT at once: what a busy api instance's pool can write
      const start = performance.now();
      let next = 0;
      await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
        while (next < asks.length) await variant.ask(pool, asks[next++]!);
      }));
      r.rates.push(asks.length / ((performance.now() - start) / 1000));
      process.stderr.write(`round ${round + 1}: ${variant.name}: ${Math.round(r.rates.at(-1)!)} asks/s with ${IN_FLIGHT} in flight\n`);
    }
  }

  const pct = (sorted: number[], p: number): number => Math.round(percentile(sorted, p) * 1000) / 1000;
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rows = variants.map((v) => {
    const r = results.get(v.name)!;
    const sorted = [...r.latencies].sort((a, b) => a - b);
    return { name: v.name, asks: sorted.length, p50: pct(sorted, 0.5), p95: pct(sorted, 0.95), p99: pct(sorted, 0.99), ratePerSecond: Math.round(median(r.rates)), rates: r.rates.map(Math.round) };
  });
  const machine = { nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
  console.log(`## Storing a question with its question.asked message (${ASKS} asks x ${ROUNDS} rounds, interleaved)\n`);
  console.log(`Machine: ${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}; Postgres on the same machine.\n`);
  console.log(`| how | one at a time: p50 ms | p95 ms | p99 ms | ${IN_FLIGHT} in flight: asks/s (median round; rounds) |`);
  console.log('|---|---:|---:|---:|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.ratePerSecond} (${r.rates.join(', ')}) |`);
  const [before, now] = rows;
  console.log(`\nnow / before: p50 latency ${Math.round((now!.p50 / before!.p50) * 100) / 100}, rate ${Math.round((now!.ratePerSecond / before!.ratePerSecond) * 100) / 100}`);
  const out = path.join(root, 'bench/results/ask-question.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine, asks: ASKS, rounds: ROUNDS, inFlight: IN_FLIGHT, rows }, null, 2)}\n`);
  process.stderr.write(`wrote ${out}\n`);
} finally {
  await pool.end();
  await db.drop();
}
