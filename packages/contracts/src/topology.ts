import { createMessage, type Destination, type NewMessageOptions, type OutgoingMessage, type Topology } from '@qr/lemur';
import type { Messages, MessageType } from './messages.js';
import { MATCHER_TASKS_QUEUE } from './tasks.js';

export const EVENTS_EXCHANGE = 'events';
export const QUESTION_ASKED_QUEUE = 'question.asked';

/** Work goes to a queue named after its type; events go to the topic exchange, keyed by type. */
export function destinationOf(type: MessageType): Destination {
  return type === 'question.asked' ? { queue: QUESTION_ASKED_QUEUE } : { exchange: EVENTS_EXCHANGE, routingKey: type };
}

/** A consumer's own queue for one event type, e.g. `hydra.answer.posted`. */
export const eventQueueName = (consumer: string, type: MessageType): string => `${consumer}.${type}`;

/** The events each consumer reads, each through its own durable queue. */
export const subscriptions = {
  matcher: ['answer.posted', 'answer.voted', 'answer.accepted'],
  hydra: ['question.matched', 'answer.posted', 'answer.voted', 'answer.accepted'],
} as const satisfies Record<string, readonly MessageType[]>;

export const topology: Topology = {
  exchanges: [{ name: EVENTS_EXCHANGE, type: 'topic' }],
  queues: [
    { name: QUESTION_ASKED_QUEUE },
    { name: MATCHER_TASKS_QUEUE },
    ...Object.entries(subscriptions).flatMap(([consumer, types]) =>
      types.map((type) => ({ name: eventQueueName(consumer, type), bindings: [{ exchange: EVENTS_EXCHANGE, routingKey: type }] })),
    ),
  ],
};

/** A typed message of this system, with the headers every consumer relies on. */
export function newMessage<K extends MessageType>(type: K, body: Messages[K], options?: NewMessageOptions): OutgoingMessage {
  return createMessage(type, body, options);
}
