import type { Destination, OutgoingMessage } from '@qr/lemur';
import type { Queryable } from './pool.js';

/**
 * The journal is the outbox: every message this system publishes is a row there, kept after it
 * was sent until the retention prunes it. Replays read it.
 */
export interface JournalFilter {
  types?: string[];
  /** Messages whose body names one of these questions (body.questionId). */
  questionIds?: number[];
  since?: Date;
  until?: Date;
  limit?: number;
}

export interface JournalEntry {
  journalId: number;
  createdAt: Date;
  sentAt: Date | null;
  destination: Destination;
  message: OutgoingMessage;
}

export async function selectJournal(db: Queryable, filter: JournalFilter): Promise<JournalEntry[]> {
  const { rows } = await db.query<{
    id: number; messageId: string; type: string; queue: string | null; exchange: string | null; routingKey: string | null;
    headers: Record<string, string>; body: string; createdAt: Date; sentAt: Date | null;
  }>(
    `select id, message_id as "messageId", type, queue, exchange, routing_key as "routingKey", headers, body,
            created_at as "createdAt", sent_at as "sentAt"
       from outbox
      where ($1::text[] is null or type = any($1))
        and ($2::bigint[] is null or (body::jsonb->>'questionId')::bigint = any($2))
        and ($3::timestamptz is null or created_at >= $3)
        and ($4::timestamptz is null or created_at < $4)
      order by id
      limit $5`,
    [filter.types?.length ? filter.types : null, filter.questionIds?.length ? filter.questionIds : null, filter.since ?? null, filter.until ?? null, filter.limit ?? 100_000],
  );
  return rows.map((r) => ({
    journalId: r.id,
    createdAt: r.createdAt,
    sentAt: r.sentAt,
    destination: r.queue !== null ? { queue: r.queue } : { exchange: r.exchange as string, routingKey: r.routingKey as string },
    message: { id: r.messageId, type: r.type, headers: r.headers, body: r.body },
  }));
}

/** Deletes sent messages older than `olderThan`; unsent ones are never pruned. Returns how many went. */
export async function pruneJournal(db: Queryable, olderThan: Date): Promise<number> {
  const { rowCount } = await db.query('delete from outbox where sent_at is not null and created_at < $1', [olderThan]);
  return rowCount ?? 0;
}
