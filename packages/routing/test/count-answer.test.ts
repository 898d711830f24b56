import { createPool, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { PermanentError, silentLog } from '@qr/lemur';
import { DEFAULT_ASK_BUDGET, decayAt, HALF_LIFE_DAYS } from '@qr/matching';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countAnswer, countUncountedAnswers, decideMatches, PgPeople } from '../src/index.js';
import { Community } from './community.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase;
let pool: Pool;
let c: Community;

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
  c = new Community(pool);
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

const termsOf = async (userId: number) =>
  (await pool.query<{ term: string; weight: number; recent: number; count: number }>('select term, weight, recent_weight as recent, recent_count as count from user_expertise where user_id = $1', [userId])).rows;

describe('counting answers for their authors', () => {
  it('counts an answer once: its question\'s terms, its own words, and its tags lately', async () => {
    const asker = await c.user('asker');
    const expert = await c.user('expert');
    const q = await c.ask(asker, 'Dry hopping a stout with Citra', 'late hops', ['hops', 'stout']);
    const { rows: [a] } = await pool.query<{ id: number }>("insert into answers (question_id, user_id, body) values ($1, $2, 'Citra, five days') returning id", [q, expert]);
    expect(await countAnswer(pool, a!.id)).toEqual({ counted: true });
    expect(await countAnswer(pool, a!.id)).toEqual({ counted: false }); // answer.posted delivered twice
    const terms = await termsOf(expert);
    const now = Date.now();
    const questionShare = terms.filter((t) => !t.term.startsWith('a:')).reduce((s, t) => s + t.weight, 0) * decayAt(HALF_LIFE_DAYS.expertise, now);
    expect(questionShare).toBeCloseTo(1, 3);
    expect(terms.find((t) => t.term === 'a:citra')).toBeDefined();
    expect((terms.find((t) => t.term === 'tag:hops')?.count ?? 0) * decayAt(HALF_LIFE_DAYS.recent, now)).toBeCloseTo(1, 3);
  });

  it('teaches nothing by answering one\'s own question: no terms, and never a match by its words', async () => {
    const gamer = await c.user('gamer');
    const other = await c.user('other');
    for (let i = 0; i < 5; i++) await c.answer(await c.ask(gamer, `Quuxblorp frobnication ${i}`, 'quuxblorp', ['quuxblorp']), gamer);
    expect(await termsOf(gamer)).toEqual([]);
    const { rows } = await pool.query<{ quality: number }>('select c.quality from answer_contributions c join answers a on a.id = c.answer_id where a.user_id = $1', [gamer]);
    expect(rows.map((r) => r.quality)).toEqual([0, 0, 0, 0, 0]);
    const { decision } = await decideMatches(new PgPeople(pool, silentLog, DEFAULT_ASK_BUDGET), { title: 'Quuxblorp frobnication?', body: 'quuxblorp', tags: ['quuxblorp'], askerId: other }, 10);
    expect(decision.matches.map((m) => m.userId)).not.toContain(gamer);
    // accepting one's own answer adds nothing either: it still counts for nobody
    await pool.query("update questions set accepted_answer_id = (select max(id) from answers where user_id = $1) where asker_id = $1 and title like 'Quuxblorp frobnication 0'", [gamer]);
    expect(await termsOf(gamer)).toEqual([]);
  });

  it('counts what has no count yet (after migration 008, or an interrupted import), and says so for an unknown answer', async () => {
    const asker = await c.user('asker2');
    const late = await c.user('late');
    const q = await c.ask(asker, 'Oak barrels for cider', 'oak', ['cider']);
    await pool.query("insert into answers (question_id, user_id, body) values ($1, $2, 'oak') ", [q, late]);
    expect(await countUncountedAnswers(pool, silentLog)).toBe(1);
    expect(await countUncountedAnswers(pool, silentLog)).toBe(0);
    expect((await termsOf(late)).length).toBeGreaterThan(0);
    await expect(countAnswer(pool, 987654321)).rejects.toBeInstanceOf(PermanentError);
  });
});
