import { createPool, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { silentLog } from '@qr/lemur';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { corpusRefreshDelay, decideMatches, handleQuestionAsked, LivePeople, PgPeople, refreshAnswerContribution } from '../src/index.js';

// LivePeople must rank exactly as reading Postgres per question (PgPeople) does, and follow every
// change another matcher commits: through LISTEN/NOTIFY, and after losing the LISTEN connection.

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase;
let pool: Pool;
let live: LivePeople | undefined;

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
});
afterAll(async () => {
  await live?.close();
  await pool.end();
  await db.drop();
});

const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => (await pool.query(sql, params)).rows[0] as T;
const user = async (name: string) => (await one<{ id: number }>('insert into users (name, email) values ($1, $2) returning id', [name, `${name}@x.test`])).id;
const ask = async (askerId: number, title: string, body: string, tags: string[]) =>
  (await one<{ id: number }>('insert into questions (asker_id, title, body, tags) values ($1, $2, $3, $4) returning id', [askerId, title, body, tags])).id;
const answer = async (questionId: number, userId: number, daysAgo: number) =>
  (await one<{ id: number }>("insert into answers (question_id, user_id, body, created_at) values ($1, $2, 'a', now() - make_interval(days => $3)) returning id", [questionId, userId, daysAgo])).id;

const topics = [
  { title: 'Dry hopping a stout with Citra hops', tags: ['hops', 'stout'] },
  { title: 'Which yeast for a Belgian tripel', tags: ['yeast', 'belgian'] },
  { title: 'Storing cider in oak barrels', tags: ['cider', 'oak'] },
  { title: 'Serving temperature of a lager', tags: ['lager', 'serving'] },
  { title: 'Gose with salt and coriander', tags: ['gose', 'sour'] },
];
const probes = [
  { title: 'How much Citra for dry hopping?', body: 'my stout needs hops', tags: ['hops'] },
  { title: 'Belgian yeast temperature', body: 'tripel fermentation', tags: ['yeast'] },
  { title: 'Oak and cider', body: 'barrel aging cider', tags: ['cider'] },
  { title: 'A question about nothing known', body: 'zzz qqq', tags: [] },
];

/** Both sources rank the probes the same: the same people in the same order, the same scores (recency computed a moment apart). */
async function expectSameRanking(askerId: number): Promise<void> {
  const pg = new PgPeople(pool, 0);
  for (const probe of probes) {
    const fromPg = await decideMatches({ people: pg, matchLimit: 10 }, { ...probe, askerId });
    const fromMemory = await decideMatches({ people: live!, matchLimit: 10 }, { ...probe, askerId });
    expect(fromMemory.matches.map((m) => m.userId)).toEqual(fromPg.matches.map((m) => m.userId));
    fromMemory.matches.forEach((m, i) => {
      expect(m.score).toBeCloseTo(fromPg.matches[i]!.score, 3);
      expect(m.reasons).toEqual(fromPg.matches[i]!.reasons);
    });
  }
}

async function eventually(check: () => Promise<void>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

it('ranks as Postgres does, follows committed changes, and reloads after losing its LISTEN connection', { timeout: 60_000 }, async () => {
  const asker = await user('asker');
  const people: number[] = [];
  for (let i = 0; i < 12; i++) people.push(await user(`p${i}`));
  // history: each person answers in one or two topics, at various ages (some outside the windows)
  for (let i = 0; i < people.length; i++) {
    for (const [k, topic] of [topics[i % topics.length]!, topics[(i * 3) % topics.length]!].entries()) {
      const q = await ask(asker, topic.title, topic.title, topic.tags);
      await refreshAnswerContribution(pool, await answer(q, people[i]!, (i * 17 + k * 40) % 200));
    }
  }
  // matches written by "another matcher": each asks ten people
  const matchElsewhere = async (probe: (typeof probes)[number]): Promise<void> => {
    const q = await ask(asker, probe.title, probe.body, probe.tags);
    await handleQuestionAsked({ pool, people: new PgPeople(pool, 0), matchLimit: 10, onOutboxWrite: () => {} }, {
      id: `m${q}`, type: 'question.asked', version: 1, correlationId: 'c', publishedAt: undefined, attempt: 1, redelivered: false, headers: {},
      body: { questionId: q, askerId: asker, title: probe.title, body: probe.body, tags: probe.tags },
    }, silentLog);
  };
  for (const probe of probes.slice(0, 2)) await matchElsewhere(probe);

  live = await LivePeople.start(pool, { databaseUrl: db.url, log: silentLog, corpusRefreshMs: 200, reconnectDelayMs: 200 });
  await expectSameRanking(asker);

  // a newcomer answers a cider question: committed elsewhere, followed here through NOTIFY
  const newcomer = await user('newcomer');
  const cider = await ask(asker, 'Cider in oak barrels for a year', 'oak cider barrel', ['cider', 'oak']);
  await refreshAnswerContribution(pool, await answer(cider, newcomer, 0));
  await eventually(async () => {
    const { matches } = await decideMatches({ people: live!, matchLimit: 10 }, { ...probes[2]!, askerId: asker });
    expect(matches.map((m) => m.userId)).toContain(newcomer);
  });
  await eventually(() => expectSameRanking(asker));

  // asks after the start arrive through question_matched, until most people are past the weekly cap
  for (let i = 0; i < 11; i++) await matchElsewhere(probes[i % 3]!);
  await eventually(() => expectSameRanking(asker));
  const capped = await decideMatches({ people: live!, matchLimit: 10 }, { ...probes[0]!, askerId: asker });
  const uncapped = await decideMatches({ people: live!, matchLimit: 10, maxAsksPerWeek: 1_000 }, { ...probes[0]!, askerId: asker });
  expect(capped.matches.map((m) => m.userId)).not.toEqual(uncapped.matches.map((m) => m.userId)); // the cap is in play

  // the LISTEN connection dies; meanwhile someone else answers; it comes back and reloads
  // only this test's database: other tests (and benchmarks) on the same server have matchers listening too
  await pool.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'listen people_changed%' and pid <> pg_backend_pid()");
  const late = await user('late');
  const tripel = await ask(asker, 'Tripel yeast and Belgian candi sugar', 'belgian tripel yeast', ['yeast', 'belgian']);
  await refreshAnswerContribution(pool, await answer(tripel, late, 0));
  await eventually(async () => {
    const { matches } = await decideMatches({ people: live!, matchLimit: 10 }, { ...probes[1]!, askerId: asker });
    expect(matches.map((m) => m.userId)).toContain(late);
  }, 10_000);
  await eventually(() => expectSameRanking(asker));
});

it('re-reads the corpus statistics every corpusRefreshMs, or less often when a re-read is slow (at most ~1% of the time, at least every 5 minutes)', () => {
  expect(corpusRefreshDelay(5_000, 3)).toBe(5_000);
  expect(corpusRefreshDelay(5_000, 50)).toBe(5_000);
  expect(corpusRefreshDelay(5_000, 800)).toBe(80_000);
  expect(corpusRefreshDelay(5_000, 60_000)).toBe(300_000); // one stalled re-read: at most 5 minutes
  expect(corpusRefreshDelay(600_000, 10)).toBe(600_000);
});
