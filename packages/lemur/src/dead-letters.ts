import { randomUUID } from 'node:crypto';
import { Headers, type MessageHeaders, type OutgoingMessage } from './message.js';
import { deadLetterQueueName } from './topology.js';
import type { Delivery, Transport } from './transport.js';

export interface DeadLetter {
  id: string;
  type: string;
  reason: string;
  error: string;
  attempts: string;
  deadAt: string;
  headers: MessageHeaders;
  body: string;
}

/** Reads a dead letter's story from its headers (ours, or the broker's x-first-death-* when it dead-lettered it itself). */
export function describeDeadLetter(message: { headers: MessageHeaders; body: string }): DeadLetter {
  const h = message.headers;
  return {
    id: h[Headers.messageId] ?? '',
    type: h[Headers.type] ?? '',
    reason: h[Headers.deadReason] ?? (h['x-first-death-reason'] ? `broker: ${h['x-first-death-reason']}` : ''),
    error: h[Headers.deadError] ?? '',
    attempts: h[Headers.attempt] ?? h['x-delivery-count'] ?? '',
    deadAt: h[Headers.deadAt] ?? '',
    headers: h,
    body: message.body,
  };
}

const deadHeaders = new Set<string>([
  Headers.deadReason, Headers.deadError, Headers.deadAt, Headers.deadQueue, 'message-id', 'destination', 'subscription', 'ack',
  'redelivered', 'content-length', 'content-type', 'receipt', 'persistent', 'expiration', 'x-delivery-count', 'x-death',
  'x-first-death-exchange', 'x-first-death-queue', 'x-first-death-reason',
]);

export interface ReplayDeadLettersOptions {
  /** Only these message ids; default all. */
  ids?: readonly string[];
  /** At most this many; default all. */
  limit?: number;
  /** The replay ends when no dead letter arrived for this long (the management API's depth lags, so it is not trusted). Default 1500 ms. */
  idleMs?: number;
  /** Looks at no more than this many dead letters in one run. Default 10,000. */
  maxMessages?: number;
  onProgress?(done: number): void;
}

/**
 * Moves dead letters of `queue` back to it for another try: each is published again (same id and
 * headers, attempts reset, the dead-letter headers removed) and acked in the dead-letter queue only
 * after the broker confirmed the copy. Messages not selected are left where they are: the replay
 * runs on a connection of its own and closes it, which hands them back to the dead-letter queue
 * (over STOMP, nothing else can: RabbitMQ ignores a NACK sent after UNSUBSCRIBE).
 */
export async function replayDeadLetters(connect: () => Promise<Transport>, queue: string, options: ReplayDeadLettersOptions = {}): Promise<{ replayed: number; skipped: number }> {
  const transport = await connect();
  try {
    return await replayOn(transport, queue, options);
  } finally {
    await transport.close();
  }
}

async function replayOn(transport: Transport, queue: string, options: ReplayDeadLettersOptions): Promise<{ replayed: number; skipped: number }> {
  const wanted = options.ids ? new Set(options.ids) : undefined;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const total = options.maxMessages ?? 10_000;
  const idleMs = options.idleMs ?? 1_500;
  let seen = 0;
  let replayed = 0;
  const held: Delivery[] = [];
  /** A message that fails again at once comes back while we still listen: replay each one once per run. */
  const replayedIds = new Set<string>();
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  let idle = setTimeout(() => finish(), idleMs);
  const work: Promise<void>[] = [];
  const subscription = await transport.subscribe(
    deadLetterQueueName(queue),
    (delivery) => {
      seen += 1;
      clearTimeout(idle);
      idle = setTimeout(() => finish(), idleMs);
      const dead = describeDeadLetter(delivery);
      // a dead letter without an id (dead-lettered by a version that kept empty ids) gets one now:
      // the loop guard below follows ids, and the copy must come back recognisable
      if (dead.id === '') dead.id = randomUUID();
      if ((wanted && !wanted.has(dead.id)) || replayed >= limit || replayedIds.has(dead.id)) {
        held.push(delivery); // left unacked: handed back when the connection closes
      } else {
        replayed += 1;
        replayedIds.add(dead.id);
        work.push(
          (async () => {
            const headers: MessageHeaders = {};
            for (const [name, value] of Object.entries(delivery.headers)) if (!deadHeaders.has(name)) headers[name] = value;
            headers[Headers.attempt] = '1';
            headers['x-replayed-from'] = deadLetterQueueName(queue);
            headers[Headers.messageId] = dead.id;
            const copy: OutgoingMessage = { id: dead.id, type: dead.type, headers, body: delivery.body };
            try {
              await transport.publish({ queue }, copy);
              delivery.ack();
              options.onProgress?.(replayed);
            } catch (error) {
              replayed -= 1;
              delivery.nack({ requeue: true });
              throw error;
            }
          })(),
        );
      }
      if (seen >= total) finish();
    },
    { prefetch: total },
  );
  await finished;
  clearTimeout(idle);
  const results = await Promise.allSettled(work);
  await subscription.unsubscribe();
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return { replayed, skipped: held.length };
}
