import { randomUUID } from 'node:crypto';

/** Header names our publishers set. RabbitMQ overwrites `message-id` on every delivery, so ours is `x-message-id`. */
export const Headers = {
  messageId: 'x-message-id',
  type: 'x-message-type',
  version: 'x-message-version',
  correlationId: 'x-correlation-id',
  publishedAt: 'x-published-at',
  attempt: 'x-attempt',
  deadReason: 'x-dead-reason',
  deadError: 'x-dead-error',
  deadAt: 'x-dead-at',
  deadQueue: 'x-dead-queue',
} as const;

export type MessageHeaders = Record<string, string>;

/** A message as it travels: the body is the serialized JSON text. */
export interface OutgoingMessage {
  id: string;
  type: string;
  headers: MessageHeaders;
  body: string;
}

/** A decoded message as a handler sees it. */
export interface ReceivedMessage<TBody = unknown> {
  id: string;
  type: string;
  version: number;
  correlationId: string;
  publishedAt: string | undefined;
  /** 1 on the first delivery; counts our retries (x-attempt) and broker redeliveries (x-delivery-count). */
  attempt: number;
  redelivered: boolean;
  headers: MessageHeaders;
  body: TBody;
}

export interface NewMessageOptions {
  id?: string;
  correlationId?: string;
  publishedAt?: Date;
  version?: number;
  headers?: MessageHeaders;
}

/**
 * Builds a message carrying the headers every consumer of ours relies on. Version 1 and attempt 1
 * are what a consumer assumes when `x-message-version` and `x-attempt` are absent (as on a bare
 * message from another STOMP client), so they are only written when they say something else:
 * every header costs the broker work on every message (measured in bench/throughput).
 */
export function createMessage(type: string, body: unknown, options: NewMessageOptions = {}): OutgoingMessage {
  const id = options.id ?? randomUUID();
  // Literal names (Headers.messageId, .type, .correlationId, .publishedAt): an object literal with
  // constant keys is built from a template, computed keys are added one by one (per message).
  let headers: MessageHeaders = {
    'x-message-id': id,
    'x-message-type': type,
    'x-correlation-id': options.correlationId ?? id,
    'x-published-at': (options.publishedAt ?? new Date()).toISOString(),
  };
  if (options.headers) headers = { ...options.headers, ...headers };
  if (options.version !== undefined && options.version !== 1) headers[Headers.version] = String(options.version);
  return { id, type, body: JSON.stringify(body), headers };
}

/** A journal message sent again for debugging: attempts start over, and it says when it was replayed. */
export function asReplay(message: OutgoingMessage, replayedAt: string): OutgoingMessage {
  return { ...message, headers: { ...message.headers, [Headers.attempt]: '1', 'x-replayed-at': replayedAt } };
}
