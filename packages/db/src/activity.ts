import type pg from 'pg';
import { copyOut } from './copy-out.js';
import type { Queryable } from './pool.js';

/** One answer as the ranking's activity needs it. */
export interface AnswerFactRow {
  userId: number;
  at: number;
  questionAt: number;
  accepted: boolean;
  self: boolean;
}

/** The answers' facts of those `where` picks, oldest first (the one statement both readers below run). */
const answerFacts = (where: string): string => `select a.user_id as "userId", (extract(epoch from a.created_at) * 1000)::float8 as at,
         (extract(epoch from q.created_at) * 1000)::float8 as "questionAt",
         coalesce(q.accepted_answer_id = a.id, false) as accepted, q.asker_id = a.user_id as self
    from answers a join questions q on q.id = a.question_id
   where ${where}
   order by a.created_at, a.id`;

/**
 * Everyone's answers as the ranking's activity needs them (`undefined`: everyone's), oldest first:
 * when, when their question was asked, whether it is its accepted answer, and whether it answers the
 * author's own question (which counts for nothing).
 */
export async function loadAnswerFacts(db: Queryable, userIds: number[] | undefined): Promise<AnswerFactRow[]> {
  const { rows } = await db.query<AnswerFactRow>(answerFacts('($1::bigint[] is null or a.user_id = any($1))'), [userIds ?? null]);
  return rows;
}

/** Everyone's answers' facts, oldest first, streamed (COPY): a matcher's start, without holding them all. */
export async function streamAnswerFacts(pool: pg.Pool, each: (fact: AnswerFactRow) => void): Promise<number> {
  const fact: AnswerFactRow = { userId: 0, at: 0, questionAt: 0, accepted: false, self: false }; // reused: `each` copies what it keeps
  return copyOut(pool, answerFacts('true'), (row) => {
    fact.userId = row.int(0);
    fact.at = row.float(1);
    fact.questionAt = row.float(2);
    fact.accepted = row.bool(3);
    fact.self = row.bool(4);
    each(fact);
  });
}

/** When these people (`undefined`: everyone) last asked a question. */
export async function loadLastAsked(db: Queryable, userIds: number[] | undefined): Promise<{ userId: number; at: number }[]> {
  const { rows } = await db.query<{ userId: number; at: number }>(
    `select asker_id as "userId", (extract(epoch from max(created_at)) * 1000)::float8 as at
       from questions where ($1::bigint[] is null or asker_id = any($1)) group by asker_id`,
    [userIds ?? null],
  );
  return rows;
}

/** Who asked these questions, and when. */
export async function loadAskers(db: Queryable, questionIds: number[]): Promise<{ userId: number; at: number }[]> {
  const { rows } = await db.query<{ userId: number; at: number }>(
    'select asker_id as "userId", (extract(epoch from created_at) * 1000)::float8 as at from questions where id = any($1::bigint[])',
    [questionIds],
  );
  return rows;
}

/** The people with the most answers over the last `days` (at most `limit`): whom a question reaches whatever its words. */
export async function loadMostActive(db: Queryable, days: number, limit: number): Promise<number[]> {
  const { rows } = await db.query<{ userId: number }>(
    `select user_id as "userId" from answers where created_at > now() - make_interval(days => $1::int)
      group by user_id order by count(*) desc, user_id limit $2`,
    [days, limit],
  );
  return rows.map((r) => r.userId);
}

/**
 * Who was asked (placed in a question's matches) by these questions (`undefined`: all), over the
 * last `windowDays`, and when: what ask budgets count against.
 */
export async function loadAskTimes(db: Queryable, windowDays: number, questionIds: number[] | undefined): Promise<{ userId: number; questionId: number; at: number }[]> {
  const { rows } = await db.query<{ userId: number; questionId: number; at: number }>(
    `select user_id as "userId", question_id as "questionId", (extract(epoch from created_at) * 1000)::float8 as at
       from question_matches
      where created_at > now() - make_interval(days => $1::int) and ($2::bigint[] is null or question_id = any($2))`,
    [windowDays, questionIds ?? null],
  );
  return rows;
}
