import { createPool, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { extractTerms } from '@qr/matching';
import { countAnswer, toStored } from '@qr/routing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeSyntheticCommunity } from '../bench/matching/community-pg.js';

// The scale benchmarks bulk-load a synthetic community with COPY (bench/matching/community-pg.ts),
// computing everyone's expertise in one pass. On a sample of people, what it stored must be what the
// write path (countAnswer, answer by answer, in transactions) stores for the same answers.

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

type Row = { term: string; weight: number; recent: number; count: number };
const expertiseOf = async (userId: number): Promise<Map<string, Row>> => {
  const { rows } = await pool.query<Row>('select term, weight, recent_weight as recent, recent_count as count from user_expertise where user_id = $1', [userId]);
  return new Map(rows.map((r) => [r.term, r]));
};

it('stores for a sample of people the expertise countAnswer computes from the same answers', { timeout: 120_000 }, async () => {
  const stats = await writeSyntheticCommunity(pool, { people: 400, seed: 7, end: Date.parse('2026-06-01T00:00:00Z') });
  expect(stats.answers).toBeGreaterThan(400);
  const sample = Array.from({ length: 20 }, (_, i) => 1 + i * 20);
  let compared = 0;
  for (const userId of sample) {
    const bulk = await expertiseOf(userId);
    const { rows: answers } = await pool.query<{ id: number; questionId: number }>('select id, question_id as "questionId" from answers where user_id = $1 order by id', [userId]);
    // the stored question terms are what extraction gives for the stored text
    for (const { questionId } of answers) {
      const { rows } = await pool.query<{ title: string; body: string; tags: string[]; terms: Record<string, number> }>(
        'select q.title, q.body, q.tags, t.terms from questions q join question_terms t on t.question_id = q.id where q.id = $1', [questionId]);
      expect(rows[0]!.terms).toEqual(toStored(extractTerms(rows[0]!)).terms);
    }
    // the write path, from scratch: the person's marks and terms removed, each answer counted again
    await pool.query('delete from user_expertise where user_id = $1', [userId]);
    await pool.query('delete from answer_contributions where user_id = $1', [userId]);
    for (const { id } of answers) expect((await countAnswer(pool, id)).counted).toBe(true);
    const written = await expertiseOf(userId);
    expect([...bulk.keys()].sort()).toEqual([...written.keys()].sort());
    for (const [term, row] of bulk) {
      const other = written.get(term)!;
      // the same sums in the same order: equal to the last bit, or within rounding
      for (const key of ['weight', 'recent', 'count'] as const) expect(row[key]).toBeCloseTo(other[key], 12);
      compared += 1;
    }
  }
  expect(compared).toBeGreaterThan(1000);
});
