import type { Destination, OutgoingMessage } from '@qr/lemur';
import { outboxValues } from './outbox.js';
import type { Queryable } from './pool.js';

export interface MatchRow {
  userId: number;
  score: number;
  reasons: unknown;
}

/**
 * Writes a question's matches once: marks it matched, inserts its matches and the outbox message that
 * announces them, in one statement (one round trip; atomic without BEGIN and COMMIT). Returns false,
 * writing nothing, when the question was already matched (a redelivery, a replay, another matcher).
 * It also notifies channel `question_matched` with the question id: Postgres delivers a notification
 * when (and only if) the statement's transaction commits, so a LISTEN learns the moment the matches
 * are visible.
 */
export async function recordMatches(db: Queryable, questionId: number, matches: MatchRow[], announce: { destination: Destination; message: OutgoingMessage }): Promise<boolean> {
  const { rows } = await db.query<{ matched: number }>(
    `with matched as (
       update questions set matched_at = now() where id = $1 and matched_at is null
       returning id, pg_notify('question_matched', id::text)
     ), written as (
       insert into question_matches (question_id, user_id, rank, score, reasons)
       select matched.id, m.user_id, m.rank, m.score, m.reasons
         from matched, unnest($2::bigint[], $3::int[], $4::float8[], $5::jsonb[]) as m(user_id, rank, score, reasons)
       on conflict (question_id, user_id) do nothing
     ), announced as (
       insert into outbox (message_id, type, queue, exchange, routing_key, headers, body)
       select $6, $7, $8, $9, $10, $11, $12 from matched
     )
     select count(*)::int as matched from matched`,
    [
      questionId, matches.map((m) => m.userId), matches.map((_, i) => i + 1), matches.map((m) => m.score), matches.map((m) => JSON.stringify(m.reasons)),
      ...outboxValues(announce.destination, announce.message),
    ],
  );
  return rows[0]?.matched === 1;
}

export async function getMatches(db: Queryable, questionId: number): Promise<MatchRow[]> {
  const { rows } = await db.query<MatchRow>(
    'select user_id as "userId", score, reasons from question_matches where question_id = $1 order by rank',
    [questionId],
  );
  return rows;
}
