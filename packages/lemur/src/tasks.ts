import { Consumer, type ConsumerOptions, type HandlerContext } from './consumer.js';
import { PermanentError } from './errors.js';
import { createMessage, type NewMessageOptions, type OutgoingMessage, type ReceivedMessage } from './message.js';
import type { Destination } from './topology.js';
import type { Transport } from './transport.js';

/** Task name -> the type of its arguments. A worker and every process that defers share this map (types only). */
export type TaskMap = Record<string, unknown>;

export type TaskHandler<Args> = (args: Args, context: HandlerContext & { message: ReceivedMessage<Args> }) => Promise<void>;

export interface TaskQueueOptions<M extends TaskMap> {
  /** The queue the tasks travel on (declare it in the topology). */
  queue: string;
  /** Checks arguments at the worker (they crossed a network); throw to dead-letter. Default: accept. */
  validate?<K extends keyof M & string>(name: K, args: unknown): M[K];
}

/**
 * Deferring functions to workers: a worker defines named tasks, any process defers a call with
 * arguments type-checked against the task map, and the call runs on a worker under the consumer's
 * policy (at least once, retries with backoff, dead letters).
 *
 *   const tasks = new TaskQueue<{ 'send-digest': { userId: number } }>({ queue: 'mail.tasks' });
 *   tasks.worker({ transport }).defineTask('send-digest', async ({ userId }) => { ... }).start();
 *   await tasks.client(transport).defer('send-digest', { userId: 7 });
 */
export class TaskQueue<M extends TaskMap> {
  constructor(readonly options: TaskQueueOptions<M>) {}

  get destination(): Destination {
    return { queue: this.options.queue };
  }

  /** The message that runs `name(args)`: publish it, or write it to an outbox in the caller's transaction. */
  message<K extends keyof M & string>(name: K, args: M[K], options?: NewMessageOptions): { destination: Destination; message: OutgoingMessage } {
    return { destination: this.destination, message: createMessage(name, args, options) };
  }

  client(transport: Transport): { defer<K extends keyof M & string>(name: K, args: M[K], options?: NewMessageOptions & { delayMs?: number }): Promise<string> } {
    return {
      defer: async (name, args, options) => {
        const { destination, message } = this.message(name, args, options);
        await transport.publish(destination, message, { delayMs: options?.delayMs });
        return message.id;
      },
    };
  }

  worker(options: Omit<ConsumerOptions<unknown>, 'queue' | 'defaultType' | 'decode' | 'handle'>): TaskWorker<M> {
    return new TaskWorker(this.options, options);
  }
}

export class TaskWorker<M extends TaskMap> {
  private readonly handlers = new Map<string, TaskHandler<never>>();
  private consumer: Consumer<unknown> | undefined;

  constructor(
    private readonly queue: TaskQueueOptions<M>,
    private readonly options: Omit<ConsumerOptions<unknown>, 'queue' | 'defaultType' | 'decode' | 'handle'>,
  ) {}

  defineTask<K extends keyof M & string>(name: K, handler: TaskHandler<M[K]>): this {
    if (this.handlers.has(name)) throw new Error(`task ${name} is already defined`);
    this.handlers.set(name, handler as TaskHandler<never>);
    return this;
  }

  async start(): Promise<void> {
    this.consumer = new Consumer<unknown>({
      ...this.options,
      queue: this.queue.queue,
      defaultType: '',
      decode: (type, _version, body) => {
        if (!this.handlers.has(type)) throw new PermanentError(`no task named "${type}" on this worker`);
        return this.queue.validate ? this.queue.validate(type, body) : body;
      },
      handle: async (message, context) => {
        const handler = this.handlers.get(message.type) as TaskHandler<unknown>;
        await handler(message.body, { ...context, message });
      },
    });
    await this.consumer.start();
  }

  close(timeoutMs?: number): Promise<void> {
    return this.consumer?.close(timeoutMs) ?? Promise.resolve();
  }
}
