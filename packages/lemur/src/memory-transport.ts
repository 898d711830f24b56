import { PublishError } from './errors.js';
import type { MessageHeaders, OutgoingMessage } from './message.js';
import { deadLetterQueueName, describeDestination, routingKeyMatches, type Destination, type Topology } from './topology.js';
import type { Delivery, PublishOptions, SubscribeOptions, Subscription, Transport } from './transport.js';

interface StoredMessage {
  headers: MessageHeaders;
  body: string;
  deliveries: number;
}

interface Consumer {
  connection: MemoryTransport;
  prefetch: number;
  unacked: Set<StoredMessage>;
  onDelivery: (delivery: Delivery) => void;
  active: boolean;
}

interface MemoryQueue {
  name: string;
  ready: StoredMessage[];
  consumers: Consumer[];
  nextConsumer: number;
  deliveryLimit: number | undefined;
  /** counters since start, for rates */
  published: number;
  acked: number;
}

/** What an operator sees of a queue (the same shape as RabbitManagement's, without its rates). */
export interface MemoryQueueStats {
  name: string;
  messages: number;
  ready: number;
  unacked: number;
  consumers: number;
  published: number;
  acked: number;
}

/**
 * An in-process broker with RabbitMQ's semantics where our code relies on them: durable named
 * queues, topic exchanges, prefetch, redelivery of what a closed connection held unacked
 * (flagged `redelivered`), nack to the dead-letter queue, a delivery limit. One broker is shared
 * by every MemoryTransport (a "connection") made from it. Nothing survives the process.
 */
export class MemoryBroker {
  private readonly queues = new Map<string, MemoryQueue>();
  private readonly bindings = new Map<string, { routingKey: string; queue: string }[]>();
  private readonly timers = new Set<NodeJS.Timeout>();

  declare(topology: Topology): void {
    for (const exchange of topology.exchanges) if (!this.bindings.has(exchange.name)) this.bindings.set(exchange.name, []);
    for (const spec of topology.queues) {
      for (const name of [spec.name, deadLetterQueueName(spec.name)]) {
        if (!this.queues.has(name)) {
          this.queues.set(name, { name, ready: [], consumers: [], nextConsumer: 0, deliveryLimit: undefined, published: 0, acked: 0 });
        }
      }
      const queue = this.queues.get(spec.name);
      if (queue) queue.deliveryLimit = spec.deliveryLimit;
      for (const binding of spec.bindings ?? []) {
        const list = this.bindings.get(binding.exchange);
        if (!list) throw new Error(`exchange ${binding.exchange} is not declared`);
        if (!list.some((b) => b.queue === spec.name && b.routingKey === binding.routingKey)) {
          list.push({ routingKey: binding.routingKey, queue: spec.name });
        }
      }
    }
  }

  /** Messages waiting in a queue (not counting those delivered and unacked). */
  depth(queue: string): number {
    return this.queues.get(queue)?.ready.length ?? 0;
  }

  /** Every queue's depth, consumers and counters (published, acked since start). */
  stats(): MemoryQueueStats[] {
    return [...this.queues.values()].map((q) => {
      const unacked = q.consumers.reduce((sum, c) => sum + c.unacked.size, 0);
      return { name: q.name, messages: q.ready.length + unacked, ready: q.ready.length, unacked, consumers: q.consumers.filter((c) => c.active).length, published: q.published, acked: q.acked };
    });
  }

  /** A copy of what is waiting in a queue, for inspection in tests and tools. */
  peek(queue: string): { headers: MessageHeaders; body: string }[] {
    return (this.queues.get(queue)?.ready ?? []).map(({ headers, body }) => ({ headers: { ...headers }, body }));
  }

  publish(destination: Destination, message: OutgoingMessage, options: PublishOptions = {}): void {
    const targets = this.route(destination);
    if ('queue' in destination && targets.length === 0) {
      throw new PublishError(`${describeDestination(destination)} does not exist`);
    }
    for (const queue of targets) {
      const stored: StoredMessage = { headers: { ...message.headers }, body: message.body, deliveries: 0 };
      if (options.delayMs && options.delayMs > 0) {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          this.enqueue(queue, stored);
        }, options.delayMs);
        this.timers.add(timer);
      } else {
        this.enqueue(queue, stored);
      }
    }
  }

  subscribe(connection: MemoryTransport, queueName: string, onDelivery: (d: Delivery) => void, options: SubscribeOptions): Consumer {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`queue ${queueName} does not exist`);
    const consumer: Consumer = { connection, prefetch: Math.max(1, options.prefetch), unacked: new Set(), onDelivery, active: true };
    queue.consumers.push(consumer);
    this.dispatchSoon(queue);
    return consumer;
  }

  cancel(queueName: string, consumer: Consumer): void {
    const queue = this.queues.get(queueName);
    consumer.active = false;
    if (!queue) return;
    queue.consumers = queue.consumers.filter((c) => c !== consumer);
    // What the consumer held goes back to the head of the queue, as RabbitMQ does on channel close.
    const held = [...consumer.unacked];
    consumer.unacked.clear();
    queue.ready.unshift(...held);
    this.dispatchSoon(queue);
  }

  /** Stops delayed deliveries (for a clean test teardown). */
  shutdown(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private route(destination: Destination): MemoryQueue[] {
    if ('queue' in destination) {
      const queue = this.queues.get(destination.queue);
      return queue ? [queue] : [];
    }
    const bound = this.bindings.get(destination.exchange) ?? [];
    const names = new Set(bound.filter((b) => routingKeyMatches(b.routingKey, destination.routingKey)).map((b) => b.queue));
    return [...names].map((name) => this.queues.get(name)).filter((q): q is MemoryQueue => q !== undefined);
  }

  private enqueue(queue: MemoryQueue, message: StoredMessage): void {
    queue.published += 1;
    queue.ready.push(message);
    this.dispatchSoon(queue);
  }

  private deadLetter(queue: MemoryQueue, message: StoredMessage, reason: string): void {
    const dead = this.queues.get(deadLetterQueueName(queue.name));
    if (!dead) return; // RabbitMQ drops it too when no dead-letter target exists
    this.enqueue(dead, { headers: { ...message.headers, 'x-first-death-reason': reason, 'x-first-death-queue': queue.name }, body: message.body, deliveries: 0 });
  }

  private dispatchSoon(queue: MemoryQueue): void {
    setImmediate(() => this.dispatch(queue));
  }

  private dispatch(queue: MemoryQueue): void {
    while (queue.ready.length > 0) {
      const consumer = this.nextFreeConsumer(queue);
      if (!consumer) return;
      const message = queue.ready.shift() as StoredMessage;
      if (queue.deliveryLimit !== undefined && message.deliveries > queue.deliveryLimit) {
        this.deadLetter(queue, message, 'delivery_limit');
        continue;
      }
      message.deliveries += 1;
      consumer.unacked.add(message);
      let settled = false;
      const settle = (): boolean => {
        if (settled || !consumer.unacked.has(message)) return false;
        settled = true;
        consumer.unacked.delete(message);
        this.dispatchSoon(queue);
        return true;
      };
      const headers: MessageHeaders = { ...message.headers };
      if (message.deliveries > 1) headers['x-delivery-count'] = String(message.deliveries - 1);
      consumer.onDelivery({
        headers,
        body: message.body,
        redelivered: message.deliveries > 1,
        ack: () => {
          if (settle()) queue.acked += 1;
        },
        nack: ({ requeue }) => {
          if (!settle()) return;
          if (requeue) queue.ready.unshift(message);
          else this.deadLetter(queue, message, 'rejected');
        },
        // its connection closed (or it was settled): the broker holds it again, settling it does nothing
        stale: () => !consumer.unacked.has(message),
      });
    }
  }

  private nextFreeConsumer(queue: MemoryQueue): Consumer | undefined {
    const n = queue.consumers.length;
    for (let i = 0; i < n; i++) {
      const index = (queue.nextConsumer + i) % n;
      const consumer = queue.consumers[index];
      if (consumer && consumer.active && consumer.unacked.size < consumer.prefetch) {
        queue.nextConsumer = (index + 1) % n;
        return consumer;
      }
    }
    return undefined;
  }
}

/** A connection to a MemoryBroker. Closing it hands back everything it held unacked. */
export class MemoryTransport implements Transport {
  readonly kind = 'memory';
  private connected = false;
  private readonly consumers = new Map<Consumer, string>();
  private closing: Promise<void> | undefined;

  constructor(readonly broker: MemoryBroker = new MemoryBroker()) {}

  async connect(): Promise<void> {
    this.connected = true;
  }

  async declare(topology: Topology): Promise<void> {
    this.broker.declare(topology);
  }

  async publish(destination: Destination, message: OutgoingMessage, options?: PublishOptions): Promise<void> {
    if (!this.connected) throw new PublishError('not connected');
    this.broker.publish(destination, message, options);
  }

  async subscribe(queue: string, onDelivery: (d: Delivery) => void, options: SubscribeOptions): Promise<Subscription> {
    if (!this.connected) throw new Error('not connected');
    const consumer = this.broker.subscribe(this, queue, onDelivery, options);
    this.consumers.set(consumer, queue);
    return {
      unsubscribe: async () => {
        if (!this.consumers.delete(consumer)) return;
        this.broker.cancel(queue, consumer);
      },
    };
  }

  isConnected(): boolean {
    return this.connected;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.connected = false;
      for (const [consumer, queue] of this.consumers) this.broker.cancel(queue, consumer);
      this.consumers.clear();
    })();
    return this.closing;
  }
}
