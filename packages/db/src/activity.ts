import type { Queryable } from './pool.js';

/**
 * Everyone's answers as the ranking's activity needs them (`undefined`: everyone's), oldest first:
 * when, when their question was asked, whether it is its accepted answer, and whether it answers the
 * author's own question (which counts for nothing).
 */
export async function loadAnswerFacts(
  db: Queryable,
  userIds: number[] | undefined,
): Promise<{ userId: number; at: number; questionAt: number; accepted: boolean; self: boolean }[]> {
  const { rows } = await db.query<{ userId: number; at: number; questionAt: number; accepted: boolean; self: boolean }>(
    `select a.user_id as "userId", (extract(epoch from a.created_at) * 1000)::float8 as at,
            (extract(epoch from q.created_at) * 1000)::float8 as "questionAt",
            coalesce(q.accepted_answer_id = a.id, false) as accepted, q.asker_id = a.user_id as self
       from answers a join questions q on q.id = a.question_id
      where ($1::bigint[] is null or a.user_id = any($1))
      order by a.created_at, a.id`,
    [userIds ?? null],
  );
  return rows;
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
