import { topology } from '@qr/contracts';
import { selectJournal, type Pool } from '@qr/db';
import {
  asReplay, deadLetterQueueName, describeDeadLetter, replayDeadLetters, type DeadLetter, type MemoryBroker, type RabbitManagement, type Transport,
} from '@qr/lemur';

export interface QueueView {
  name: string;
  messages: number;
  ready: number;
  unacked: number;
  consumers: number;
  /** messages/s, when the broker says (RabbitMQ's management API); the memory broker gives counters instead */
  publishRate?: number;
  ackRate?: number;
  published?: number;
  acked?: number;
}

/**
 * What the operations page does, on either broker: each queue's depth, consumers and rates; the
 * dead letters of a queue with their reasons; replaying dead letters or a question's messages.
 */
export interface QueueOps {
  queues(): Promise<QueueView[]>;
  deadLetters(queue: string, limit: number): Promise<DeadLetter[]>;
  /** Moves dead letters (all, or these message ids) back to their queue, attempts reset. */
  replayDeadLetters(queue: string, ids?: string[]): Promise<{ replayed: number; skipped: number }>;
  /** Publishes a question's question.asked again from the journal (the matcher leaves its matches as they are). */
  replayQuestion(questionId: number): Promise<number>;
}

/** Whether the system declares a work queue of this name (one that can have dead letters). */
export const isOurQueue = (name: string): boolean => topology.queues.some((q) => q.name === name);

/** The queues the system declares, with their dead-letter queues: the ones an operator is shown. */
const ourQueues = (): Set<string> => new Set(topology.queues.flatMap((q) => [q.name, deadLetterQueueName(q.name)]));

abstract class BaseQueueOps implements QueueOps {
  constructor(
    protected readonly pool: Pool,
    protected readonly transport: Transport,
    protected readonly connect: () => Promise<Transport>,
  ) {}

  abstract queues(): Promise<QueueView[]>;
  abstract deadLetters(queue: string, limit: number): Promise<DeadLetter[]>;

  replayDeadLetters(queue: string, ids?: string[]): Promise<{ replayed: number; skipped: number }> {
    return replayDeadLetters(this.connect, queue, { ids, idleMs: 500 });
  }

  async replayQuestion(questionId: number): Promise<number> {
    const entries = await selectJournal(this.pool, { questionIds: [questionId], types: ['question.asked'] });
    const replayedAt = new Date().toISOString();
    for (const entry of entries) {
      await this.transport.publish(entry.destination, asReplay(entry.message, replayedAt));
    }
    return entries.length;
  }
}

export class RabbitQueueOps extends BaseQueueOps {
  constructor(pool: Pool, transport: Transport, connect: () => Promise<Transport>, private readonly management: RabbitManagement) {
    super(pool, transport, connect);
  }

  async queues(): Promise<QueueView[]> {
    const ours = ourQueues();
    return (await this.management.listQueues())
      .filter((q) => ours.has(q.name))
      .map((q) => ({ name: q.name, messages: q.messages, ready: q.ready, unacked: q.unacked, consumers: q.consumers, publishRate: q.publishRate, ackRate: q.ackRate }));
  }

  async deadLetters(queue: string, limit: number): Promise<DeadLetter[]> {
    return (await this.management.peek(deadLetterQueueName(queue), limit)).map(describeDeadLetter);
  }
}

export class MemoryQueueOps extends BaseQueueOps {
  constructor(pool: Pool, transport: Transport, connect: () => Promise<Transport>, private readonly broker: MemoryBroker) {
    super(pool, transport, connect);
  }

  queues(): Promise<QueueView[]> {
    const ours = ourQueues();
    return Promise.resolve(this.broker.stats().filter((q) => ours.has(q.name)));
  }

  deadLetters(queue: string, limit: number): Promise<DeadLetter[]> {
    return Promise.resolve(this.broker.peek(deadLetterQueueName(queue)).slice(0, limit).map(describeDeadLetter));
  }
}
