/**
 * The queues and exchanges an application needs. Declared idempotently at start-up:
 * over RabbitMQ through the HTTP management API (never by SEND/SUBSCRIBE headers),
 * in memory by the in-memory transport.
 */
export interface QueueSpec {
  name: string;
  /** Bindings to topic exchanges: the queue receives what is published there with a matching key. */
  bindings?: { exchange: string; routingKey: string }[];
  /** Messages redelivered more than this many times (crashing consumers) are dead-lettered by the broker. */
  deliveryLimit?: number;
}

export interface Topology {
  exchanges: { name: string; type: 'topic' }[];
  queues: QueueSpec[];
}

export const deadLetterQueueName = (queue: string): string => `${queue}.dead`;
export const retryQueueName = (queue: string): string => `${queue}.retry`;

export type Destination = { queue: string } | { exchange: string; routingKey: string };

export function describeDestination(destination: Destination): string {
  return 'queue' in destination ? `queue ${destination.queue}` : `exchange ${destination.exchange} (${destination.routingKey})`;
}

/** Topic-exchange matching: `*` is one word, `#` is zero or more words. */
export function routingKeyMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.');
  const k = key.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') {
      for (let n = j; n <= k.length; n++) if (match(i + 1, n)) return true;
      return false;
    }
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}
