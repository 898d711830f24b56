import { activateRankingModel, createPool, insertRankingModel, recordMatches, updatePreferences, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { createMessage, silentLog, type Log } from '@qr/lemur';
import { DEFAULT_ASK_BUDGET, extractTerms, FEATURES, modelOf, readSnapshot } from '@qr/matching';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { corpusRefreshDelay, decideMatches, LivePeople, PgPeople } from '../src/index.js';
import { loadIndex, loadPeople } from '../src/people-loader.js';
import { Community, topics } from './community.js';

// LivePeople must decide exactly as reading Postgres per question (PgPeople) does, and follow every
// change another process commits: answers, asks, preferences, a new model; through LISTEN/NOTIFY,
// and after losing the LISTEN connection.

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase;
let pool: Pool;
let live: LivePeople | undefined;
let c: Community;

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
  c = new Community(pool);
});
afterAll(async () => {
  await live?.close();
  await pool.end();
  await db.drop();
});

const probes = [
  { title: 'How much Citra for dry hopping?', body: 'my stout needs hops', tags: ['hops'] },
  { title: 'Belgian yeast temperature', body: 'tripel fermentation', tags: ['yeast'] },
  { title: 'Oak and cider', body: 'barrel aging cider', tags: ['cider'] },
  { title: 'A question about nothing known', body: 'zzz qqq', tags: [] },
];

/** Both sources decide the probes the same: the same people in the same order, the same scores (read a moment apart) and reasons. */
async function expectSameDecisions(askerId: number): Promise<void> {
  await live!.reloadCorpus(); // its paced re-read may be seconds away; Postgres is read now
  const pg = new PgPeople(pool, silentLog, DEFAULT_ASK_BUDGET);
  for (const probe of probes) {
    const fromPg = (await decideMatches(pg, { ...probe, askerId }, 10)).decision.matches;
    const fromMemory = (await decideMatches(live!, { ...probe, askerId }, 10)).decision.matches;
    expect(fromMemory.map((m) => m.userId)).toEqual(fromPg.map((m) => m.userId));
    for (const [i, m] of fromMemory.entries()) {
      expect(m.score).toBeCloseTo(fromPg[i]!.score, 3);
      expect(m.reasons).toEqual(fromPg[i]!.reasons);
    }
  }
}

async function eventually(check: () => Promise<void>, timeoutMs = 5_000): Promise<void> {
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

const matchesOf = async (askerId: number, probe: (typeof probes)[number]) => (await decideMatches(live!, { ...probe, askerId }, 10)).decision.matches;

it('decides as Postgres does, and follows answers, asks, preferences and models committed elsewhere', { timeout: 60_000 }, async () => {
  const asker = await c.user('asker');
  const people: number[] = [];
  for (let i = 0; i < 12; i++) people.push(await c.user(`p${i}`));
  // history: each person answers in one or two topics, at various ages
  for (let i = 0; i < people.length; i++) {
    for (const [k, topic] of [topics[i % topics.length]!, topics[(i * 3) % topics.length]!].entries()) {
      const q = await c.ask(asker, topic.title, topic.title, topic.tags, 1 + ((i * 17 + k * 40) % 200));
      await c.answer(q, people[i]!, (i * 17 + k * 40) % 200);
    }
  }
  live = await LivePeople.start(pool, { databaseUrl: db.url, log: silentLog, budget: DEFAULT_ASK_BUDGET, corpusRefreshMs: 200, reconnectDelayMs: 200 });
  await expectSameDecisions(asker);

  // a newcomer answers a cider question: committed elsewhere, followed here through NOTIFY
  const newcomer = await c.user('newcomer');
  await c.answer(await c.ask(asker, 'Cider in oak barrels for a year', 'oak cider barrel', ['cider', 'oak'], 0.1), newcomer);
  await eventually(async () => expect((await matchesOf(asker, probes[2]!)).map((m) => m.userId)).toContain(newcomer));
  await eventually(() => expectSameDecisions(asker));

  // the best for cider pauses: asked no more, and the ask that goes to someone else says so
  const best = (await matchesOf(asker, probes[2]!))[0]!.userId;
  await updatePreferences(pool, best, { pausedUntil: new Date(Date.now() + 86_400_000) });
  await eventually(async () => {
    const matches = await matchesOf(asker, probes[2]!);
    expect(matches.map((m) => m.userId)).not.toContain(best);
    expect(matches[0]!.reasons.passedOver).toEqual([best]);
  });
  await eventually(() => expectSameDecisions(asker));
  await updatePreferences(pool, best, { pausedUntil: null });
  await eventually(async () => expect((await matchesOf(asker, probes[2]!))[0]!.userId).toBe(best));

  // asks made by another matcher count against budgets here: a floor of one ask a week, no answer-earned budget
  const tight = await LivePeople.start(pool, { databaseUrl: db.url, log: silentLog, budget: { asksPerAnswer: 0, minAsksPerWeek: 1 } });
  try {
    const first = (await decideMatches(tight, { ...probes[0]!, askerId: asker }, 3)).decision.matches.map((m) => m.userId);
    const q = await c.ask(asker, probes[0]!.title, probes[0]!.body, probes[0]!.tags);
    await recordMatches(pool, q, first.map((userId) => ({ userId, score: 1, reasons: {} })), { destination: { queue: 'q' }, message: createMessage('question.matched', {}) });
    await eventually(async () => {
      const next = (await decideMatches(tight, { ...probes[0]!, askerId: asker }, 3)).decision;
      expect(next.matches.map((m) => m.userId).some((u) => first.includes(u))).toBe(false);
      expect(next.passed.map((p) => p.reason)).toContain('budget');
    });
  } finally {
    await tight.close();
  }

  // the LISTEN connection dies; meanwhile someone else answers; it comes back and reloads
  // only this test's database: other tests (and benchmarks) on the same server have matchers listening too
  await pool.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'listen people_changed%' and pid <> pg_backend_pid()");
  const late = await c.user('late');
  await c.answer(await c.ask(asker, 'Tripel yeast and Belgian candi sugar', 'belgian tripel yeast', ['yeast', 'belgian'], 0.1), late);
  await eventually(async () => expect((await matchesOf(asker, probes[1]!)).map((m) => m.userId)).toContain(late), 10_000);
  await eventually(() => expectSameDecisions(asker));
  // a model activated elsewhere is ranked with at the next question: here, only "volume" counts
  const byVolume = modelOf(FEATURES.map((name) => (name === 'volume' ? 1 : 0)));
  const version = await insertRankingModel(pool, { model: byVolume, questions: 0, trainedUntil: new Date(), validation: undefined, note: 'test' });
  expect(await activateRankingModel(pool, version)).toBe(true);
  await eventually(async () => expect(live!.modelVersion).toBe(version));
  const scores = (await matchesOf(asker, probes[3]!)).map((m) => m.score);
  expect(scores).toEqual([...scores].sort((a, b) => b - a));
  await expectSameDecisions(asker);

});

it('re-reads the corpus statistics every corpusRefreshMs, or less often when a re-read is slow (at most ~1% of the time, at least every 5 minutes)', () => {
  expect(corpusRefreshDelay(5_000, 3)).toBe(5_000);
  expect(corpusRefreshDelay(5_000, 50)).toBe(5_000);
  expect(corpusRefreshDelay(5_000, 800)).toBe(80_000);
  expect(corpusRefreshDelay(5_000, 60_000)).toBe(300_000); // one stalled re-read: at most 5 minutes
  expect(corpusRefreshDelay(600_000, 10)).toBe(600_000);
});

it('loads everyone by COPY exactly as it loads some people by query: terms (whatever their characters), answers, questions', { timeout: 30_000 }, async () => {
  const asker = await c.user('copy-asker');
  const someone = await c.user('copy-someone');
  await c.answer(await c.ask(asker, 'Lager serving temperature', 'cold lager', ['lager'], 3), someone, 2);
  // terms as COPY's text format escapes them: backslash, tab, newline, and a non-ASCII one
  const odd = ['back\\slash', 'tab\there', 'new\nline', 'bière', '\\N'];
  for (const term of odd) {
    await pool.query('insert into user_expertise (term, user_id, weight, recent_weight, recent_count) values ($1, $2, 0.123456789012345, 1e-300, 0)', [term, someone]);
  }
  const index = await loadIndex(pool);
  const byQuery = await loadPeople(pool, [someone, asker]);
  for (const userId of [someone, asker]) {
    const person = byQuery.get(userId)!;
    for (const [term, values] of person.terms) expect(index.values(userId, term)).toEqual(values.expertise > 0 || values.recent > 0 ? values : undefined);
    const now = Date.now();
    const fromCopy = new Float64Array(FEATURES.length);
    const fromQuery = new Float64Array(FEATURES.length);
    index.activity(userId)!.writeFeatures(now, 10, fromCopy);
    person.activity.writeFeatures(now, 10, fromQuery);
    expect(fromCopy).toEqual(fromQuery);
  }
  for (const term of odd) expect(index.values(someone, term)?.expertise).toBe(0.123456789012345);
});

it('starts from a snapshot of its database: everyone as loaded, and who changed since it was taken read again', { timeout: 60_000 }, async () => {
  const messages: string[] = [];
  const log: Log = { debug() {}, info: (_o, msg) => void messages.push(msg ?? ''), warn: (_o, msg) => void messages.push(msg ?? ''), error() {}, child: () => log };
  const path = join(mkdtempSync(join(tmpdir(), 'qr-people-')), 'people.snapshot');
  const options = { databaseUrl: db.url, log, budget: DEFAULT_ASK_BUDGET, snapshot: path };
  const first = await LivePeople.start(pool, options); // no snapshot yet: everyone from Postgres, then written
  expect(existsSync(path)).toBe(true);
  await first.close(); // written again
  // while no matcher runs: someone new answers, someone known answers again
  const asker = await c.user('snap-asker');
  const newcomer = await c.user('snap-newcomer');
  await c.answer(await c.ask(asker, 'Gose with coriander and salt', 'salt coriander gose sour', ['gose', 'sour'], 0.1), newcomer);
  messages.length = 0;
  live = await LivePeople.start(pool, options);
  expect(messages).toContain('people read from the snapshot');
  expect(messages).not.toContain('people snapshot written');
  await expectSameDecisions(asker);
  // it holds what loading everyone from Postgres gives (the newcomer's terms among them)
  const fresh = await LivePeople.start(pool, { databaseUrl: db.url, log: silentLog, budget: DEFAULT_ASK_BUDGET });
  expect(live.size).toEqual(fresh.size);
  await fresh.close();
  const gose = { title: 'Gose: how much coriander?', body: 'salt and coriander in a gose', tags: ['gose'] };
  const pg = new PgPeople(pool, silentLog, DEFAULT_ASK_BUDGET);
  expect((await decideMatches(live, { ...gose, askerId: asker }, 40)).decision.matches.map((m) => m.userId))
    .toEqual((await decideMatches(pg, { ...gose, askerId: asker }, 40)).decision.matches.map((m) => m.userId));
  await live.close();

  // a snapshot of another database is not used
  const other = await createTestDatabase(adminUrl);
  const otherPool = createPool(other.url, { onError: () => {} });
  try {
    messages.length = 0;
    const elsewhere = await LivePeople.start(otherPool, { ...options, databaseUrl: other.url });
    expect(messages).toContain('the snapshot is of another database (or has no time): loading everyone from Postgres');
    expect(elsewhere.size.people).toBe(0);
    await elsewhere.close();
  } finally {
    await otherPool.end();
    await other.drop();
  }
  live = undefined;
});

it('writes its snapshot again while running: a matcher that is killed starts from a recent one', { timeout: 60_000 }, async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'qr-people-')), 'people.snapshot');
  const running = await LivePeople.start(pool, { databaseUrl: db.url, log: silentLog, budget: DEFAULT_ASK_BUDGET, snapshot: path, snapshotEveryMs: 300 });
  try {
    const firstTaken = readSnapshot(path).meta.takenAt as number;
    const asker = await c.user('periodic-asker');
    const answerer = await c.user('periodic-answerer');
    await c.answer(await c.ask(asker, 'Kveik at forty degrees', 'kveik ferments hot and fast', ['kveik'], 0.1), answerer);
    const [term] = [...extractTerms({ title: 'Kveik', body: '', tags: [] }).terms.keys()];
    // never closed: what the file holds was written by the periodic write, with the new answer in it
    await eventually(async () => {
      const { index, meta } = readSnapshot(path);
      expect(meta.takenAt as number).toBeGreaterThan(firstTaken);
      expect(index.values(answerer, term!)?.expertise).toBeGreaterThan(0);
    });
  } finally {
    await running.close();
  }
});
