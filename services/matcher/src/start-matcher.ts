import { decodeMessage, eventQueueName, matcherTasks, QUESTION_ASKED_QUEUE, subscriptions, topology, type Messages } from '@qr/contracts';
import { createPool, databaseGate, PgOutboxStore } from '@qr/db';
import { Consumer, OutboxRelay, type Transport } from '@qr/lemur';
import { closeAll, retryUntilDone, ServiceMetrics, startWorkerServer, type Logger } from '@qr/runtime';
import { DEFAULT_ASK_BUDGET, type AskBudgetPolicy } from '@qr/matching';
import { countAnswer, countUncountedAnswers, LivePeople } from '@qr/routing';
import { handleQuestionAsked } from './handle-question-asked.js';
import { deferQuestionRefresh } from './update-expertise.js';

export interface MatcherOptions {
  databaseUrl: string;
  transport: Transport;
  log: Logger;
  matchLimit?: number;
  prefetch?: number;
  maxAttempts?: number;
  /** How often a person may be asked; default DEFAULT_ASK_BUDGET. */
  askBudget?: AskBudgetPolicy;
  /** a people snapshot to start from and write (LivePeopleOptions.snapshot) */
  snapshot?: string;
  /** how often the snapshot is written again while running (LivePeopleOptions.snapshotEveryMs) */
  snapshotEveryMs?: number;
  retryInitialDelayMs?: number;
  /** undefined: no health server (in-process embedding). */
  healthPort?: number;
  /** the health server's address (HOST), and the bearer token /metrics needs (METRICS_TOKEN) */
  healthHost?: string;
  metricsToken?: string;
  drainTimeoutMs?: number;
  /** false: only connect (the topology was declared by `lemur access setup`). Default true. */
  declareTopology?: boolean;
  /**
   * Out of touch with Postgres's notifications (its LISTEN connection down, reconnecting) for this
   * long, the matcher cannot know who changed: /healthz says so from half of it, and at all of it
   * `onUnrecoverable` is called (main.ts exits, so an orchestrator restarts it). Default 120 s.
   */
  giveUpMs?: number;
  onUnrecoverable?(reason: string): void;
}

export interface RunningMatcher {
  healthPort: number | undefined;
  close(): Promise<void>;
}

type EventType = (typeof subscriptions.matcher)[number];

/**
 * The matcher worker: takes `question.asked` work (competing with other matchers), keeps expertise
 * current from answer events (its own durable queue per type), publishes `question.matched` through the outbox.
 */
export async function startMatcher(options: MatcherOptions): Promise<RunningMatcher> {
  const { log, transport } = options;
  const metrics = new ServiceMetrics('matcher');
  const pool = createPool(options.databaseUrl, { onError: (error) => log.warn({ err: error }, 'idle database client failed') });
  const relay = new OutboxRelay({ store: new PgOutboxStore(pool), transport, log, onPublished: (n) => metrics.messagesPublished.inc(n) });
  // answers nobody counted yet (after migration 008 dropped the old expertise, or an interrupted import)
  await retryUntilDone('counting answers', () => countUncountedAnswers(pool, log), log);
  // everything ranking reads, in memory and kept current through LISTEN/NOTIFY (packages/routing, live-people.ts)
  const loadStart = performance.now();
  const budget = options.askBudget ?? DEFAULT_ASK_BUDGET;
  const people = await retryUntilDone('loading people', () => LivePeople.start(pool, { databaseUrl: options.databaseUrl, log, budget, snapshot: options.snapshot, snapshotEveryMs: options.snapshotEveryMs }), log);
  log.info({ ...people.size, model: people.modelVersion ?? 'default', ms: Math.round(performance.now() - loadStart) }, 'people loaded');
  const deps = { pool, people, matchLimit: options.matchLimit ?? 10, onOutboxWrite: () => relay.kick() };
  const retry = { maxAttempts: options.maxAttempts ?? 5, initialDelayMs: options.retryInitialDelayMs ?? 1_000 };
  // a database outage is waited out, not counted against the messages (they are not at fault)
  const dependency = databaseGate(pool);

  if (options.declareTopology !== false) await retryUntilDone('declaring the topology', () => transport.declare(topology), log);
  await transport.connect();

  const consumers: Consumer<unknown>[] = [];
  const questions = new Consumer<Messages['question.asked']>({
    transport,
    queue: QUESTION_ASKED_QUEUE,
    defaultType: 'question.asked',
    decode: (type, version, body) => decodeMessage(['question.asked'], type, version, body),
    handle: async (message, { log: messageLog }) => {
      await handleQuestionAsked(deps, message, messageLog);
    },
    prefetch: options.prefetch ?? 10,
    retry,
    dependency,
    log,
    onSettled: metrics.onSettled,
  });
  consumers.push(questions as Consumer<unknown>);

  for (const type of subscriptions.matcher) {
    const consumer = new Consumer<Messages[EventType]>({
      transport,
      queue: eventQueueName('matcher', type),
      defaultType: type,
      decode: (t, version, body) => decodeMessage<EventType>([type], t, version, body),
      handle: async (message) => {
        if (message.type === 'answer.accepted') {
          await deferQuestionRefresh(pool, (message.body as Messages['answer.accepted']).questionId, message.correlationId);
          relay.kick();
        } else {
          await countAnswer(pool, message.body.answerId);
        }
      },
      prefetch: options.prefetch ?? 10,
      retry,
      dependency,
      log,
      onSettled: metrics.onSettled,
    });
    consumers.push(consumer as Consumer<unknown>);
  }
  const taskWorker = matcherTasks
    .worker({ transport, prefetch: options.prefetch ?? 10, retry, dependency, log, onSettled: metrics.onSettled })
    .defineTask('refresh-answer', async ({ answerId }) => {
      await countAnswer(pool, answerId);
    });

  // Expertise events first, so a restarted matcher has caught up before it takes questions.
  await taskWorker.start();
  for (const consumer of consumers.slice(1)) await consumer.start();
  await questions.start();
  relay.start();

  const giveUpMs = options.giveUpMs ?? 120_000;
  const failing = (): string | undefined => {
    const out = people.outOfTouchForMs;
    return out > giveUpMs / 2 ? `no LISTEN connection to Postgres for ${Math.round(out / 1000)} s (gives up at ${giveUpMs / 1000} s)` : undefined;
  };
  const watchdog = setInterval(() => {
    if (people.outOfTouchForMs <= giveUpMs) return;
    clearInterval(watchdog);
    const reason = failing() ?? 'out of touch';
    log.fatal({ reason }, 'the matcher cannot recover; giving up so that it is restarted');
    options.onUnrecoverable?.(reason);
  }, Math.min(5_000, giveUpMs / 4)).unref();
  const health = options.healthPort === undefined ? undefined
    : await startWorkerServer(options.healthPort, { pool, transport, databaseUrl: options.databaseUrl, metrics }, log, { host: options.healthHost, metricsToken: options.metricsToken, failing });
  log.info({ healthPort: health?.port }, 'matcher started');

  let closing: Promise<void> | undefined;
  return {
    healthPort: health?.port,
    close() {
      clearInterval(watchdog);
      closing ??= closeAll(log, [
        ['drain consumers', () => Promise.all([...consumers, taskWorker].map((c) => c.close(options.drainTimeoutMs ?? 10_000)))],
        ['flush the outbox relay', () => relay.close()],
        ['close the transport', () => transport.close()],
        ['stop following people', () => people.close()],
        ['stop the health server', () => health?.server.close()],
        ['end the pool', () => pool.end()],
      ]);
      return closing;
    },
  };
}
