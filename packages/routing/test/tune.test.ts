import { activateRankingModel, createPool, getActiveRankingModel, insertRankingModel, listRankingModels, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { silentLog } from '@qr/lemur';
import { FEATURES, modelOf, parseModel } from '@qr/matching';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tuneModel } from '../src/index.js';

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

/**
 * 150 days of a community: 40 people, each answering one topic at a rate of their own, 300 questions,
 * each answered by one to three of its topic's people (the busier, the likelier).
 */
async function seedCommunity(): Promise<void> {
  let state = 7;
  const random = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
  const topics = ['hops stout citra', 'yeast belgian tripel', 'cider oak barrel', 'lager serving temperature', 'gose salt coriander', 'kegging carbonation pressure'];
  const { rows: users } = await pool.query<{ id: number }>(
    "insert into users (name, email) select 'p' || i, 'p' || i || '@tune.test' from generate_series(1, 40) i returning id",
  );
  const people = users.map((u, i) => ({ id: u.id, topic: i % topics.length, rate: 0.2 + random() }));
  for (let i = 0; i < 300; i++) {
    const topic = Math.floor(random() * topics.length);
    const daysAgo = 150 - i / 2;
    const asker = people[Math.floor(random() * people.length)]!.id;
    const words = topics[topic]!;
    const { rows: [q] } = await pool.query<{ id: number }>(
      "insert into questions (asker_id, title, body, tags, created_at) values ($1, $2, $3, $4, now() - make_interval(secs => $5::float8 * 86400)) returning id",
      [asker, `${words} question ${i}`, `about ${words}`, [words.split(' ')[0]], daysAgo],
    );
    const experts = people.filter((p) => p.topic === topic && p.id !== asker);
    const answerers = new Set<number>();
    for (let k = 1 + Math.floor(random() * 3); k > 0; k--) {
      const total = experts.reduce((s, p) => s + p.rate, 0);
      let x = random() * total;
      answerers.add((experts.find((p) => (x -= p.rate) < 0) ?? experts[0]!).id);
    }
    for (const userId of answerers) {
      await pool.query("insert into answers (question_id, user_id, body, created_at) values ($1, $2, $3, now() - make_interval(secs => $4::float8 * 86400))", [q!.id, userId, `on ${words}`, daysAgo - 0.1]);
    }
  }
}

describe('tuneModel', () => {
  it('keeps the default model and stores nothing while a community has too little history', async () => {
    const result = await tuneModel(pool, { log: silentLog });
    expect(result.outcome).toBe('too-little-history');
    expect(result.trained.reason).toMatch(/too little history/);
    expect(await listRankingModels(pool)).toEqual([]);
  });

  it('fits on the history, validates against the active model, stores a version and activates it when better', { timeout: 120_000 }, async () => {
    await seedCommunity();
    // a poor active model: it prefers whoever answered longest ago
    const poor = await insertRankingModel(pool, { model: modelOf(FEATURES.map((n) => (n === 'since_answer' ? 3 : 0))), questions: 0, trainedUntil: new Date(), validation: undefined, note: 'poor' });
    await activateRankingModel(pool, poor);

    const result = await tuneModel(pool, { log: silentLog });
    expect(result.outcome).toBe('activated');
    expect(result.previous).toBe(poor);
    const methods = result.trained.validation!.methods;
    expect(Object.keys(methods)).toEqual(expect.arrayContaining(['fitted', 'default', 'active', 'most_answers', 'recent_answers_90d', 'tag_overlap', 'hybrid']));
    expect(result.comparison!.fitted).toBeGreaterThan(result.comparison!.incumbent);
    expect(methods.fitted!.mrr).toBeGreaterThan(methods.recent_answers_90d!.mrr); // the topics are what decides here

    const active = await getActiveRankingModel(pool);
    expect(active?.version).toBe(result.version);
    expect(parseModel(active!.model)).toEqual(result.trained.model);
    expect(active?.questions).toBe(result.trained.questions);
    expect((active?.validation as { questions: number }).questions).toBe(result.trained.validation!.questions);
    expect((await listRankingModels(pool)).map((m) => [m.version, m.active])).toEqual([[result.version, true], [poor, false]]);

    // --force activates even a fit that is not better; rolling back is activating a stored version
    const forced = await tuneModel(pool, { log: silentLog, force: true });
    expect(forced.outcome).toBe('activated');
    expect(await activateRankingModel(pool, poor)).toBe(true);
    expect((await getActiveRankingModel(pool))?.version).toBe(poor);
    expect(await activateRankingModel(pool, 999_999)).toBe(false);
    expect((await getActiveRankingModel(pool))?.version).toBe(poor);
  });
});
