import type { Queryable } from './pool.js';

export interface MatchRow {
  userId: number;
  score: number;
  reasons: unknown;
}

/**
 * Claims the right to write a question's matches: true once, false for every later call. It also
 * notifies channel `question_matched` with the question id: Postgres delivers a notification when
 * (and only if) the transaction commits, so a LISTEN learns the moment the matches are visible.
 */
export async function markQuestionMatched(db: Queryable, questionId: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `update questions set matched_at = now() where id = $1 and matched_at is null
     returning pg_notify('question_matched', id::text)`,
    [questionId],
  );
  return rowCount === 1;
}

export async function insertMatches(db: Queryable, questionId: number, matches: MatchRow[]): Promise<void> {
  if (matches.length === 0) return;
  await db.query(
    `insert into question_matches (question_id, user_id, rank, score, reasons)
     select $1, m.user_id, m.rank, m.score, m.reasons
       from unnest($2::bigint[], $3::int[], $4::float8[], $5::jsonb[]) as m(user_id, rank, score, reasons)
     on conflict (question_id, user_id) do nothing`,
    [questionId, matches.map((m) => m.userId), matches.map((_, i) => i + 1), matches.map((m) => m.score), matches.map((m) => JSON.stringify(m.reasons))],
  );
}

export async function getMatches(db: Queryable, questionId: number): Promise<MatchRow[]> {
  const { rows } = await db.query<MatchRow>(
    'select user_id as "userId", score, reasons from question_matches where question_id = $1 order by rank',
    [questionId],
  );
  return rows;
}
