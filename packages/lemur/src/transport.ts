import type { MessageHeaders, OutgoingMessage } from './message.js';
import type { Destination, Topology } from './topology.js';

/** One message handed to a subscriber. Settle it exactly once. */
export interface Delivery {
  headers: MessageHeaders;
  body: string;
  redelivered: boolean;
  /** Done with it: the broker forgets it. */
  ack(): void;
  /** Give it back to the queue (requeue) or, without requeue, to the queue's dead-letter target. */
  nack(options: { requeue: boolean }): void;
  /**
   * True once the broker has taken the message back (the connection it came on closed): settling
   * it does nothing and it will be delivered again, so a consumer need not start it.
   */
  stale?(): boolean;
}

export interface SubscribeOptions {
  /** How many unacknowledged messages this subscriber holds at most. */
  prefetch: number;
}

export interface Subscription {
  unsubscribe(): Promise<void>;
}

export interface PublishOptions {
  /** Deliver no earlier than this many ms from now (queues only). */
  delayMs?: number;
}

/**
 * The small interface every queue type implements. `publish` resolves only when the broker
 * has confirmed the message (a receipt) and rejects with PublishError otherwise.
 */
export interface Transport {
  readonly kind: string;
  connect(): Promise<void>;
  declare(topology: Topology): Promise<void>;
  publish(destination: Destination, message: OutgoingMessage, options?: PublishOptions): Promise<void>;
  subscribe(queue: string, onDelivery: (delivery: Delivery) => void, options: SubscribeOptions): Promise<Subscription>;
  isConnected(): boolean;
  close(): Promise<void>;
}
