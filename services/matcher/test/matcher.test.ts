import { createPool, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { PermanentError, silentLog, type ReceivedMessage } from '@qr/lemur';
import { DEFAULT_ASK_BUDGET, type AskBudgetPolicy } from '@qr/matching';
import { countAnswer, PgPeople } from '@qr/routing';
import type { Messages } from '@qr/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferQuestionRefresh, handleQuestionAsked } from '../src/index.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase;
let pool: Pool;
let kicks = 0;
// every test makes new people: read them afresh for each question
const deps = (budget: AskBudgetPolicy = DEFAULT_ASK_BUDGET) => ({ pool, people: new PgPeople(pool, silentLog, budget), matchLimit: 10, onOutboxWrite: () => kicks++ });

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
describe('an acceptance', () => {
  it('defers a refresh-answer task for every answer of the question, through the outbox', async () => {
    const asker = await user('asker1');
    const q = await question(asker, 'Dry hopping a stout with Citra', ['hops', 'stout']);
    const answers = [await answer(q, await user('a1')), await answer(q, await user('a2'))];
    expect(await deferQuestionRefresh(pool, q, 'corr')).toBe(2);
    const { rows } = await pool.query<{ body: string; headers: Record<string, string> }>("select body, headers from outbox where type = 'refresh-answer' and queue = 'matcher.tasks' order by id");
    expect(rows.map((r) => (JSON.parse(r.body) as { answerId: number }).answerId).sort()).toEqual(answers.sort());
    expect(rows.every((r) => r.headers['x-correlation-id'] === 'corr')).toBe(true);
  });
});

describe('handleQuestionAsked', () => {
  it('writes matches with reasons and question.matched once; a second delivery changes nothing', async () => {
    const asker = await user('asker2');
    const expert = await user('expert2');
    const past = await question(asker, 'Which yeast for a Belgian tripel?', ['yeast', 'belgian']);
    await countAnswer(pool, await answer(past, expert));
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

  it('holds each person to their ask budget: the next best is asked, and the reasons say who was passed over', async () => {
    const asker = await user('asker4');
    const expert = await user('expert4');
    const bystander = await user('bystander4');
    await countAnswer(pool, await answer(await question(asker, 'Gose salt and coriander', ['gose']), expert));
    await countAnswer(pool, await answer(await question(asker, 'Storing cider', ['cider']), bystander));
    const firsts: number[] = [];
    const passedOver: (number[] | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const q = await question(asker, `Gose question ${i}: salt?`, ['gose']);
      // one person asked per question; a budget of two asks a week for everyone (no answer earns more)
      const outcome = await handleQuestionAsked({ ...deps({ asksPerAnswer: 0, minAsksPerWeek: 2 }), matchLimit: 1 }, asked(q, asker), silentLog);
      if (outcome.status !== 'matched') throw new Error('not matched');
      firsts.push(outcome.matches[0]!.userId);
      passedOver.push(outcome.matches[0]!.reasons.passedOver);
    }
    expect(firsts).toEqual([expert, expert, bystander]); // the third ask would be the expert's third this week
    expect(passedOver).toEqual([undefined, undefined, [expert]]);
    const stored = await one<{ reasons: { passedOver?: number[] } }>('select reasons from question_matches where user_id = $1 order by question_id desc limit 1', [bystander]);
    expect(stored.reasons.passedOver).toEqual([expert]);
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

  it('counts a question\'s terms on the retry when that write failed after its matches committed', async () => {
    const asker = await user('asker9');
    const q = await question(asker, 'Lagering a pilsner in a chest freezer', ['lager']);
    const counted = async () => (await pool.query('select 1 from question_terms where question_id = $1', [q])).rowCount;
    // the second write fails (as it did when the database went away between the two)
    await pool.query(`create function refuse_terms() returns trigger language plpgsql as $$ begin raise exception 'injected fault'; end $$`);
    await pool.query('create trigger refuse_terms before insert on question_terms for each row execute function refuse_terms()');
    await expect(handleQuestionAsked(deps(), asked(q, asker), silentLog)).rejects.toThrow(/injected fault/);
    await pool.query('drop trigger refuse_terms on question_terms; drop function refuse_terms()');
    expect((await one<{ matched_at: Date | null }>('select matched_at from questions where id = $1', [q])).matched_at).not.toBeNull();
    expect(await counted()).toBe(0);
    expect((await handleQuestionAsked(deps(), asked(q, asker), silentLog)).status).toBe('already-matched');
    expect(await counted()).toBe(1);
    const frequency = async () => (await one<{ documents: number }>("select documents from term_document_frequency where term = 'tag:lager'")).documents;
    const before = await frequency();
    await handleQuestionAsked(deps(), asked(q, asker), silentLog); // again: counted once only
    expect(await frequency()).toBe(before);
  });

  it('treats a message about an unknown question as permanent (dead-lettered, not retried)', async () => {
    await expect(handleQuestionAsked(deps(), asked(987654321, 1), silentLog)).rejects.toThrow(PermanentError);
  });
});
