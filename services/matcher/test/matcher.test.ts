import { createPool, getAnswer, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { PermanentError, silentLog, type ReceivedMessage } from '@qr/lemur';
import { expertiseGrowth, qualityFactor } from '@qr/matching';
import type { Messages } from '@qr/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferQuestionRefresh, handleQuestionAsked, PgPeople, refreshAnswerContribution } from '../src/index.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase;
let pool: Pool;
let kicks = 0;
// every test makes new people: read the most active afresh for each question
const deps = () => ({ pool, people: new PgPeople(pool, 0), matchLimit: 10, onOutboxWrite: () => kicks++ });

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => (await pool.query(sql, params)).rows[0] as T;
const user = async (name: string) => (await one<{ id: number }>('insert into users (name, email) values ($1, $2) returning id', [name, `${name}@x.test`])).id;
const question = async (askerId: number, title: string, tags: string[]) =>
  (await one<{ id: number }>('insert into questions (asker_id, title, body, tags) values ($1, $2, $3, $4) returning id', [askerId, title, title, tags])).id;
const answer = async (questionId: number, userId: number) =>
  (await one<{ id: number }>("insert into answers (question_id, user_id, body) values ($1, $2, 'a') returning id", [questionId, userId])).id;
const asked = (questionId: number, askerId: number): ReceivedMessage<Messages['question.asked']> => ({
  id: `m-${questionId}`, type: 'question.asked', version: 1, correlationId: 'c', publishedAt: undefined, attempt: 1, redelivered: false, headers: {},
  body: { questionId, askerId, title: 'x', body: 'x', tags: [] },
});
const expertiseOf = async (userId: number): Promise<Record<string, number>> =>
  Object.fromEntries((await pool.query<{ term: string; weight: number }>('select term, weight from user_expertise where user_id = $1', [userId])).rows.map((r) => [r.term, r.weight]));
/** What an acceptance does: defer refresh-answer tasks through the outbox; then run them as the task worker would. */
const accept = async (questionId: number): Promise<number[]> => {
  const deferred = await deferQuestionRefresh(pool, questionId);
  const { rows } = await pool.query<{ body: string }>(
    "delete from outbox where type = 'refresh-answer' and queue = 'matcher.tasks' returning body",
  );
  expect(rows).toHaveLength(deferred);
  const answerIds = rows.map((r) => (JSON.parse(r.body) as { answerId: number }).answerId);
  for (const answerId of answerIds) await refreshAnswerContribution(pool, answerId);
  return answerIds.sort((a, b) => a - b);
};
const sum = (weights: Record<string, number>): number => Object.values(weights).reduce((a, b) => a + b, 0);

describe('expertise kept current from answer events', () => {
  it('counts an answer once, moves with votes and acceptance, and ignores redeliveries', async () => {
    const asker = await user('asker1');
    const expert = await user('expert1');
    const other = await user('other1');
    const q = await question(asker, 'Dry hopping a stout with Citra', ['hops', 'stout']);
    const a = await answer(q, expert);

    // stored forward-decayed: each answer's factor times its growth since the decay anchor
    const growthA = expertiseGrowth((await getAnswer(pool, a))!.createdAt);
    expect((await refreshAnswerContribution(pool, a)).delta).toBeCloseTo(growthA, 6);
    expect(await refreshAnswerContribution(pool, a)).toEqual({ delta: 0 }); // answer.posted delivered twice
    const afterPost = await expertiseOf(expert);
    expect(sum(afterPost) / growthA).toBeCloseTo(1, 9);
    expect(afterPost['tag:hops']).toBeGreaterThan(0);

    await pool.query('update answers set score = 3 where id = $1', [a]); // what the api does on votes
    await refreshAnswerContribution(pool, a);
    await refreshAnswerContribution(pool, a);
    expect(sum(await expertiseOf(expert)) / growthA).toBeCloseTo(qualityFactor({ score: 3, accepted: false }), 9);

    await pool.query('update questions set accepted_answer_id = $2 where id = $1', [q, a]);
    expect(await accept(q)).toEqual([a]);
    expect(sum(await expertiseOf(expert)) / growthA).toBeCloseTo(qualityFactor({ score: 3, accepted: true }), 9);

    // acceptance moves to another answer: the first one loses its bonus
    const b = await answer(q, other);
    await refreshAnswerContribution(pool, b);
    await pool.query('update questions set accepted_answer_id = $2 where id = $1', [q, b]);
    expect(await accept(q)).toEqual([a, b]);
    const growthB = expertiseGrowth((await getAnswer(pool, b))!.createdAt);
    expect(sum(await expertiseOf(expert)) / growthA).toBeCloseTo(qualityFactor({ score: 3, accepted: false }), 9);
    expect(sum(await expertiseOf(other)) / growthB).toBeCloseTo(qualityFactor({ score: 0, accepted: true }), 9);
    expect((await getAnswer(pool, b))?.accepted).toBe(true);
  });

  it('rejects an event about an unknown answer as permanent', async () => {
    await expect(refreshAnswerContribution(pool, 987654321)).rejects.toBeInstanceOf(PermanentError);
  });
});

describe('handleQuestionAsked', () => {
  it('writes matches with reasons and question.matched once; a second delivery changes nothing', async () => {
    const asker = await user('asker2');
    const expert = await user('expert2');
    const past = await question(asker, 'Which yeast for a Belgian tripel?', ['yeast', 'belgian']);
    await refreshAnswerContribution(pool, await answer(past, expert));
    const q = await question(asker, 'Belgian tripel yeast temperature', ['yeast']);

    const kicksBefore = kicks;
    const first = await handleQuestionAsked(deps(), asked(q, asker), silentLog);
    expect(first.status).toBe('matched');
    expect(kicks).toBe(kicksBefore + 1);
    const rows = (await pool.query('select user_id, rank, score, reasons from question_matches where question_id = $1 order by rank', [q])).rows;
    expect(rows[0]).toMatchObject({ user_id: expert, rank: 1, reasons: { tags: ['yeast'], terms: expect.arrayContaining(['belgian', 'tripel']) } });
    expect(rows.map((r) => r.user_id)).not.toContain(asker);

    expect(await handleQuestionAsked(deps(), asked(q, asker), silentLog)).toEqual({ status: 'already-matched' });
    expect((await pool.query('select user_id, rank, score, reasons from question_matches where question_id = $1 order by rank', [q])).rows).toEqual(rows);
    const events = await one<{ n: number }>("select count(*)::int as n from outbox where type = 'question.matched' and (body::jsonb->>'questionId')::bigint = $1", [q]);
    expect(events.n).toBe(1);
  });

  it('matches two deliveries of one question racing each other exactly once', async () => {
    const asker = await user('asker3');
    const q = await question(asker, 'Racing question about yeast', ['yeast']);
    const outcomes = await Promise.all([handleQuestionAsked(deps(), asked(q, asker), silentLog), handleQuestionAsked(deps(), asked(q, asker), silentLog)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['already-matched', 'matched']);
    const events = await one<{ n: number }>("select count(*)::int as n from outbox where type = 'question.matched' and (body::jsonb->>'questionId')::bigint = $1", [q]);
    expect(events.n).toBe(1);
  });

  it('spreads the load: someone asked maxAsksPerWeek times this week goes after everyone else', async () => {
    const asker = await user('asker4');
    const expert = await user('expert4');
    const bystander = await user('bystander4');
    await refreshAnswerContribution(pool, await answer(await question(asker, 'Gose salt and coriander', ['gose']), expert));
    await refreshAnswerContribution(pool, await answer(await question(asker, 'Storing cider', ['cider']), bystander));
    const firsts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const q = await question(asker, `Gose question ${i}: salt?`, ['gose']);
      // one person asked per question, so only the one on top collects asks
      const outcome = await handleQuestionAsked({ ...deps(), matchLimit: 1, maxAsksPerWeek: 2 }, asked(q, asker), silentLog);
      if (outcome.status !== 'matched') throw new Error('not matched');
      firsts.push(outcome.matches[0]!.userId);
    }
    expect(firsts).toEqual([expert, expert, bystander]); // the third ask would be the expert's third this week
  });

  it('still asks someone when the question has no known term (cold start: the recently active), and says why', async () => {
    const asker = await user('asker5');
    const q = await question(asker, 'Zzyzx qwertyuiop?', []);
    const outcome = await handleQuestionAsked(deps(), asked(q, asker), silentLog);
    if (outcome.status !== 'matched') throw new Error('not matched');
    expect(outcome.matches.length).toBeGreaterThan(0);
    expect(outcome.matches.every((m) => m.reasons.terms.length === 0 && (m.reasons.recentAnswers ?? 0) > 0)).toBe(true);
    expect(outcome.matches.map((m) => m.userId)).not.toContain(asker);
  });

  it('treats a message about an unknown question as permanent (dead-lettered, not retried)', async () => {
    await expect(handleQuestionAsked(deps(), asked(987654321, 1), silentLog)).rejects.toThrow(PermanentError);
  });
});
