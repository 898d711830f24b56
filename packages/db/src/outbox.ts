import type { Destination, OutboxEntry, OutboxStore, OutgoingMessage } from '@qr/lemur';
import { withTransaction, type Pool, type Queryable } from './pool.js';

/** Writes a message to the outbox; call it inside the transaction that writes the data it describes. */
export async function insertOutboxMessage(db: Queryable, destination: Destination, message: OutgoingMessage): Promise<void> {
  await db.query(
    `insert into outbox (message_id, type, queue, exchange, routing_key, headers, body)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    outboxValues(destination, message),
  );
}

/** The values of an outbox row, in column order: message_id, type, queue, exchange, routing_key, headers, body. */
export function outboxValues(destination: Destination, message: OutgoingMessage): unknown[] {
  return [...outboxEnvelope(destination, message), message.body];
}

/** An outbox row's values but the body (for a statement that builds the body itself): message_id, type, queue, exchange, routing_key, headers. */
export function outboxEnvelope(destination: Destination, message: Pick<OutgoingMessage, 'id' | 'type' | 'headers'>): unknown[] {
  const [queue, exchange, routingKey] = 'queue' in destination ? [destination.queue, null, null] : [null, destination.exchange, destination.routingKey];
  return [message.id, message.type, queue, exchange, routingKey, JSON.stringify(message.headers)];
}

interface OutboxRow {
  id: number;
  messageId: string;
  type: string;
  queue: string | null;
  exchange: string | null;
  routingKey: string | null;
  headers: Record<string, string>;
  body: string;
}

/** Outbox rows claimed with `for update skip locked`: several relays (api instances) never publish the same row at once. */
export class PgOutboxStore implements OutboxStore {
  constructor(private readonly pool: Pool) {}

  claim(limit: number, publish: (entries: OutboxEntry[]) => Promise<string[]>): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      const { rows } = await client.query<OutboxRow>(
        `select id, message_id as "messageId", type, queue, exchange, routing_key as "routingKey", headers, body
           from outbox where sent_at is null order by id limit $1 for update skip locked`,
        [limit],
      );
      if (rows.length === 0) return 0;
      const entries: OutboxEntry[] = rows.map((row) => ({
        id: String(row.id),
        destination: row.queue !== null ? { queue: row.queue } : { exchange: row.exchange as string, routingKey: row.routingKey as string },
        message: { id: row.messageId, type: row.type, headers: row.headers, body: row.body },
      }));
      const sent = await publish(entries);
      if (sent.length > 0) await client.query('update outbox set sent_at = now() where id = any($1::bigint[])', [sent]);
      return rows.length;
    });
  }
}

export async function countUnsentOutbox(db: Queryable): Promise<{ count: number; oldestAgeSeconds: number }> {
  const { rows } = await db.query<{ count: number; age: number | null }>(
    `select count(*)::int as count, extract(epoch from now() - min(created_at))::float8 as age from outbox where sent_at is null`,
  );
  return { count: rows[0]?.count ?? 0, oldestAgeSeconds: rows[0]?.age ?? 0 };
}
