import type { Queryable } from './pool.js';

/**
 * People's recent answers as a decayed count (each answer counts exp(-ln2 * age / halfLife)), over
 * the last `windowDays`. With `userIds`, for those people; without, the most active ones (at most
 * `limit`): the cold-start candidates.
 */
export async function loadRecentAnswers(
  db: Queryable,
  options: { halfLifeDays: number; windowDays: number; userIds?: number[]; limit?: number },
): Promise<Map<number, number>> {
  const { rows } = await db.query<{ userId: number; recent: number }>(
    `select user_id as "userId",
            sum(exp(-ln(2) / $1::float8 * extract(epoch from now() - created_at) / 86400))::float8 as recent
       from answers
      where created_at > now() - make_interval(days => $2::int)
        and ($3::bigint[] is null or user_id = any($3))
      group by user_id
      order by recent desc
      limit $4`,
    [options.halfLifeDays, options.windowDays, options.userIds ?? null, options.limit ?? 1_000_000],
  );
  return new Map(rows.map((r) => [r.userId, r.recent]));
}

/** How often each person was asked (appeared in a question's top 10) lately: decayed, and counted within the cap window. */
export async function loadRecentAsks(
  db: Queryable,
  userIds: number[],
  options: { halfLifeDays: number; windowDays: number },
): Promise<Map<number, { recentAsks: number; asksInWindow: number }>> {
  const { rows } = await db.query<{ userId: number; recentAsks: number; asksInWindow: number }>(
    `select user_id as "userId",
            sum(exp(-ln(2) / $2::float8 * extract(epoch from now() - created_at) / 86400))::float8 as "recentAsks",
            (count(*) filter (where created_at > now() - make_interval(days => $3::int)))::int as "asksInWindow"
       from question_matches
      where user_id = any($1) and rank <= 10 and created_at > now() - make_interval(days => ceil($2::float8 * 8)::int)
      group by user_id`,
    [userIds, options.halfLifeDays, options.windowDays],
  );
  return new Map(rows.map((r) => [r.userId, { recentAsks: r.recentAsks, asksInWindow: r.asksInWindow }]));
}

/** When these people (`undefined`: everyone) answered, over the last `windowDays`: for a matcher's in-memory copy. */
export async function loadAnswerTimes(db: Queryable, windowDays: number, userIds: number[] | undefined): Promise<{ userId: number; id: number; at: number }[]> {
  const { rows } = await db.query<{ userId: number; id: number; at: number }>(
    `select user_id as "userId", id, (extract(epoch from created_at) * 1000)::float8 as at
       from answers
      where created_at > now() - make_interval(days => $1::int) and ($2::bigint[] is null or user_id = any($2))`,
    [windowDays, userIds ?? null],
  );
  return rows;
}

/** Who was asked (a top-10 match) by these questions (`undefined`: all), over the last `windowDays`, and when. */
export async function loadAskTimes(db: Queryable, windowDays: number, questionIds: number[] | undefined): Promise<{ userId: number; questionId: number; at: number }[]> {
  const { rows } = await db.query<{ userId: number; questionId: number; at: number }>(
    `select user_id as "userId", question_id as "questionId", (extract(epoch from created_at) * 1000)::float8 as at
       from question_matches
      where rank <= 10 and created_at > now() - make_interval(days => $1::int) and ($2::bigint[] is null or question_id = any($2))`,
    [windowDays, questionIds ?? null],
  );
  return rows;
}
