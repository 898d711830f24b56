import { randomUUID } from 'node:crypto';
import { createMessage, type OutboxEntry } from '@qr/lemur';
import { questionAskedTemplate } from '@qr/contracts';
import { runner } from 'node-pg-migrate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  askQuestion, createPool, getCorpusStats, hashToken, isDatabaseUnavailable, migrationsDir, unsubscribeByToken, getQuestionTerms, insertOutboxMessage, insertQuestionTerms, migrate, pendingMigrations, PgOutboxStore, pruneJournal, recordMatches, selectJournal, withTransaction, type Pool,
} from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

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

describe('migrations', () => {
  it('are recorded, so running them again applies nothing', async () => {
    expect(await migrate(db.url)).toEqual([]);
    expect(await pendingMigrations(db.url)).toEqual([]);
    const { rows } = await pool.query<{ name: string }>('select name from pgmigrations order by id');
    expect(rows.map((r) => r.name)).toEqual(['001_initial', '002_import_source', '003_decayed_expertise', '004_notifications', '005_site_status', '006_drop_corpus_stats', '007_api_tokens', '008_learned_ranking', '009_notification_claims', '010_unsubscribe_token_hashes', '011_idempotency_keys', '012_people_changes']);
    const { rows: tables } = await pool.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' order by 1");
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['users', 'questions', 'answers', 'votes', 'question_matches', 'outbox']));
  });

  it('hash the plain unsubscribe tokens of before 010, so links already sent keep working', async () => {
    const own = await createTestDatabase(adminUrl);
    const ownPool = createPool(own.url, { onError: () => {} });
    try {
      await runner({ databaseUrl: own.url, dir: migrationsDir, direction: 'down', count: 3, migrationsTable: 'pgmigrations', log: () => {} }); // to before 010
      const { rows: [user] } = await ownPool.query<{ id: number }>("insert into users (name, email) values ('old', 'old@x.test') returning id");
      await ownPool.query("insert into user_preferences (user_id, unsubscribe_token) values ($1, 'an-old-plain-token')", [user!.id]);
      expect(await migrate(own.url)).toEqual(['010_unsubscribe_token_hashes', '011_idempotency_keys', '012_people_changes']);
      const { rows } = await ownPool.query<{ hash: Buffer; kind: string | null }>('select hash, kind from unsubscribe_tokens');
      expect(rows).toEqual([{ hash: hashToken('an-old-plain-token'), kind: null }]);
      expect(await unsubscribeByToken(ownPool, 'an-old-plain-token', 'new_answer')).toEqual({ userId: user!.id, stopped: 'new_answer' });
    } finally {
      await ownPool.end();
      await own.drop();
    }
  });

  it('fail a transaction whose connection is dropped, with an error the caller can retry, and never crash the process', async () => {
    const own = createPool(db.url, { max: 2, onError: () => {} });
    try {
      let pid!: (n: number) => void;
      const backend = new Promise<number>((resolve) => (pid = resolve));
      const transaction = withTransaction(own, async (client) => {
        pid((await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid);
        await new Promise((r) => setTimeout(r, 300));
        await client.query('select 1');
      });
      await pool.query('select pg_terminate_backend($1)', [await backend]); // as a server restart or an administrator would
      await expect(transaction).rejects.toThrow();
      // the broken client was thrown away: the next transaction gets a working one
      expect(await withTransaction(own, async (client) => (await client.query<{ one: number }>('select 1 as one')).rows[0]!.one)).toBe(1);
    } finally {
      await own.end();
    }
  });

  it('tell a database that is away from work that is wrong, on errors the driver really gives', async () => {
    const nowhere = createPool('postgres://postgres@127.0.0.1:1/postgres', { onError: () => {} });
    const refused = await nowhere.query('select 1').catch((e: unknown) => e);
    await nowhere.end();
    const afterEnd = await nowhere.query('select 1').catch((e: unknown) => e);
    const missingTable = await pool.query('select * from no_such_table').catch((e: unknown) => e);
    const duplicate = await pool.query("insert into users (name, email) values ('d', 'dup@x.test'), ('d', 'dup@x.test')").catch((e: unknown) => e);
    const syntax = await pool.query('selec 1').catch((e: unknown) => e);
    for (const away of [refused, afterEnd, missingTable]) expect(isDatabaseUnavailable(away), String(away)).toBe(true);
    for (const wrong of [duplicate, syntax, new Error('question 7 does not exist'), undefined]) expect(isDatabaseUnavailable(wrong), String(wrong)).toBe(false);
  });

  it('keep question_matches unique per question and user', async () => {
    const { rows: [user] } = await pool.query<{ id: number }>("insert into users (name, email) values ('u', 'u@x.test') returning id");
    const { rows: [question] } = await pool.query<{ id: number }>("insert into questions (asker_id, title, body) values ($1, 't', 'b') returning id", [user!.id]);
    await pool.query("insert into question_matches (question_id, user_id, rank, score, reasons) values ($1, $2, 1, 1, '{}')", [question!.id, user!.id]);
    await expect(pool.query("insert into question_matches (question_id, user_id, rank, score, reasons) values ($1, $2, 2, 2, '{}')", [question!.id, user!.id])).rejects.toThrow(/duplicate key/);
  });
});

describe('PgOutboxStore', () => {
  it('never hands the same row to two relays at once, and keeps what was not confirmed', async () => {
    await pool.query('delete from outbox');
    for (let i = 0; i < 10; i++) await insertOutboxMessage(pool, { queue: 'q' }, createMessage('t', { i }));
    const store = new PgOutboxStore(pool);
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    const seen: string[][] = [];
    const first = store.claim(6, async (entries: OutboxEntry[]) => {
      seen.push(entries.map((e) => e.id));
      await firstHolds; // still publishing while the second relay looks
      return entries.map((e) => e.id);
    });
    await new Promise((r) => setTimeout(r, 100));
    // the second relay confirms only its first entry: the rest must stay unsent
    const second = await store.claim(6, async (entries) => {
      seen.push(entries.map((e) => e.id));
      return entries.slice(0, 1).map((e) => e.id);
    });
    releaseFirst();
    expect(await first).toBe(6);
    expect(second).toBe(4);
    expect(new Set(seen.flat()).size).toBe(10); // disjoint
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from outbox where sent_at is null');
    expect(rows[0]!.n).toBe(3);
    const [again] = [await store.claim(10, async (entries) => entries.map((e) => e.id))];
    expect(again).toBe(3);
  });
});

describe('the journal (the outbox, kept after sending)', () => {
  it('selects by question, type and time, and prunes only sent messages older than the retention', async () => {
    await pool.query('delete from outbox');
    await insertOutboxMessage(pool, { queue: 'question.asked' }, createMessage('question.asked', { questionId: 7 }));
    await insertOutboxMessage(pool, { exchange: 'events', routingKey: 'answer.posted' }, createMessage('answer.posted', { questionId: 7, answerId: 1 }));
    await insertOutboxMessage(pool, { queue: 'question.asked' }, createMessage('question.asked', { questionId: 8 }));
    expect((await selectJournal(pool, { questionIds: [7] })).map((e) => e.message.type)).toEqual(['question.asked', 'answer.posted']);
    expect((await selectJournal(pool, { types: ['question.asked'] })).map((e) => JSON.parse(e.message.body).questionId)).toEqual([7, 8]);
    expect(await selectJournal(pool, { since: new Date(Date.now() + 60_000) })).toEqual([]);
    const [entry] = await selectJournal(pool, { questionIds: [8] });
    expect(entry!.destination).toEqual({ queue: 'question.asked' });

    await pool.query("update outbox set created_at = now() - interval '10 days'");
    await pool.query("update outbox set sent_at = now() where body::jsonb->>'questionId' = '7'");
    expect(await pruneJournal(pool, new Date(Date.now() - 7 * 86_400_000))).toBe(2); // the unsent one stays
    expect((await selectJournal(pool, {})).map((e) => JSON.parse(e.message.body).questionId)).toEqual([8]);
  });
});

describe('askQuestion', () => {
  const asked = { destination: { queue: 'question.asked' } };
  const newUser = async (): Promise<number> =>
    (await pool.query<{ id: number }>('insert into users (name, email) values ($1, $2) returning id', ['asker', `${randomUUID()}@x.test`])).rows[0]!.id;

  it('stores the question and its question.asked message in one statement, the body the contract\'s with the stored id and time put in', async () => {
    const askerId = await newUser();
    // quotes, backslashes, newlines, tabs, a control character, non-Latin letters and an emoji: JSON escaping made by Postgres
    const q = { askerId, title: 'Why "hops" \\ bitter?\nÜmlaut 🍺 \u2028 tab\t', body: '<p>malt</p>\u0001 ends', tags: ['ipa', 'c++', 'ümlaut'] };
    const message = createMessage('question.asked', null, { correlationId: 'request-1' });
    const row = await askQuestion(pool, q, { ...asked, message, bodyTemplate: questionAskedTemplate(q) });
    expect(row).toMatchObject({ askerId, title: q.title, body: q.body, tags: q.tags, acceptedAnswerId: null, matchedAt: null });
    const { rows: [out] } = await pool.query<{ type: string; queue: string; exchange: string | null; headers: Record<string, string>; body: string }>(
      'select type, queue, exchange, headers, body from outbox where message_id = $1', [message.id],
    );
    expect(out).toMatchObject({ type: 'question.asked', queue: 'question.asked', exchange: null, headers: message.headers });
    const body = JSON.parse(out!.body) as Record<string, unknown>;
    expect(body).toEqual({ questionId: row!.id, askerId, title: q.title, body: q.body, tags: q.tags, askedAt: row!.createdAt.toISOString() });
    expect(Object.keys(body)).toEqual(['questionId', 'askerId', 'title', 'body', 'tags', 'askedAt']);
  });

  it('writes nothing for an asker who does not exist, and nothing when the outbox insert fails', async () => {
    const before = async () => ({
      questions: Number((await pool.query('select count(*) from questions')).rows[0].count),
      outbox: Number((await pool.query('select count(*) from outbox')).rows[0].count),
    });
    const start = await before();
    const missing = createMessage('question.asked', null);
    const none = { askerId: 987654321, title: 't', body: 'b', tags: [] };
    expect(await askQuestion(pool, none, { ...asked, message: missing, bodyTemplate: questionAskedTemplate(none) })).toBeUndefined();
    expect(await before()).toEqual(start);
    const askerId = await newUser();
    const first = createMessage('question.asked', null);
    const one = { askerId, title: 't', body: 'b', tags: [] };
    await askQuestion(pool, one, { ...asked, message: first, bodyTemplate: questionAskedTemplate(one) });
    const written = await before();
    // a message id used before: the outbox insert fails, and the question goes with it
    const two = { askerId, title: 't2', body: 'b2', tags: [] };
    await expect(askQuestion(pool, two, { ...asked, message: first, bodyTemplate: questionAskedTemplate(two) })).rejects.toThrow(/duplicate key/);
    expect(await before()).toEqual(written);
  });
});

describe('recordMatches', () => {
  it('writes a question\'s matches and outbox message once, all or nothing, and notifies question_matched only at commit', async () => {
    const { rows: [user] } = await pool.query<{ id: number }>("insert into users (name, email) values ('n', 'n@x.test') returning id");
    const ask = async (): Promise<number> =>
      (await pool.query<{ id: number }>("insert into questions (asker_id, title, body) values ($1, 't', 'b') returning id", [user!.id])).rows[0]!.id;
    const committed = await ask();
    const rolledBack = await ask();
    const failing = await ask();
    const matches = [{ userId: user!.id, score: 1.5, reasons: { terms: ['t'], tags: [] } }];
    const announce = (questionId: number, id: string = randomUUID()) => ({
      destination: { exchange: 'events', routingKey: 'question.matched' },
      message: { id, type: 'question.matched', headers: { 'x-message-id': id }, body: JSON.stringify({ questionId }) },
    });
    const written = async (questionId: number) => ({
      matched: (await pool.query('select 1 from questions where id = $1 and matched_at is not null', [questionId])).rowCount,
      matches: (await pool.query('select 1 from question_matches where question_id = $1', [questionId])).rowCount,
      outbox: (await pool.query("select 1 from outbox where body::jsonb->>'questionId' = $1", [String(questionId)])).rowCount,
    });
    const listener = await pool.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query('listen question_matched');
    try {
      await expect(
        withTransaction(pool, async (client) => {
          expect(await recordMatches(client, rolledBack, matches, announce(rolledBack))).toBe(true);
          throw new Error('the writes failed');
        }),
      ).rejects.toThrow('the writes failed');
      expect(await recordMatches(pool, committed, matches, announce(committed))).toBe(true);
      expect(await recordMatches(pool, committed, matches, announce(committed))).toBe(false);
      // the outbox insert fails (a message id used before): nothing of the statement stays
      const usedId = (await pool.query<{ id: string }>("select message_id as id from outbox where body::jsonb->>'questionId' = $1", [String(committed)])).rows[0]!.id;
      await expect(recordMatches(pool, failing, matches, announce(failing, usedId))).rejects.toThrow(/duplicate key/);
      await new Promise((r) => setTimeout(r, 200));
      expect(heard).toEqual([String(committed)]);
      expect(await written(committed)).toEqual({ matched: 1, matches: 1, outbox: 1 });
      expect(await written(rolledBack)).toEqual({ matched: 0, matches: 0, outbox: 0 });
      expect(await written(failing)).toEqual({ matched: 0, matches: 0, outbox: 0 });
    } finally {
      await listener.query('unlisten question_matched');
      listener.release();
    }
  });
});

describe('insertQuestionTerms', () => {
  it('stores a question\'s terms and counts them once: a second call (or a race) counts nothing', async () => {
    const { rows: [user] } = await pool.query<{ id: number }>("insert into users (name, email) values ('terms', 'terms@x.test') returning id");
    const { rows: [question] } = await pool.query<{ id: number }>("insert into questions (asker_id, title, body) values ($1, 't', 'b') returning id", [user!.id]);
    const stored = { terms: { hop: 2, 'tag:ipa': 3 }, surface: { hop: 'hops', 'tag:ipa': 'ipa' } };
    const before = await getCorpusStats(pool, ['hop', 'tag:ipa']);
    const results = await Promise.all([insertQuestionTerms(pool, question!.id, stored), insertQuestionTerms(pool, question!.id, stored)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await insertQuestionTerms(pool, question!.id, { terms: { other: 1 }, surface: {} })).toBe(false);
    const after = await getCorpusStats(pool, ['hop', 'tag:ipa', 'other']);
    expect(after.documentFrequency.get('hop')).toBe((before.documentFrequency.get('hop') ?? 0) + 1);
    expect(after.documentFrequency.get('tag:ipa')).toBe((before.documentFrequency.get('tag:ipa') ?? 0) + 1);
    expect(after.documentFrequency.get('other')).toBeUndefined();
    expect(await getQuestionTerms(pool, question!.id)).toEqual(stored);
  });
});
