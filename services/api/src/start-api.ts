import { topology } from '@qr/contracts';
import { createPool, PgOutboxStore, pruneIdempotencyKeys, pruneJournal, pruneUnsubscribeTokens, type Pool } from '@qr/db';
import { OutboxRelay, StompTransport, type Transport } from '@qr/lemur';
import { closeAll, retryUntilDone, ServiceMetrics, type Logger } from '@qr/runtime';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from './app.js';
import { RabbitQueueOps, type QueueOps } from './queue-ops.js';

export interface RunningApi {
  app: FastifyInstance;
  url: string;
  relay: OutboxRelay;
  close(): Promise<void>;
}

/**
 * Starts the api: HTTP at once (questions are accepted even while the broker is away), the outbox
 * relay, and the broker connection and topology in the background.
 */
export async function startApi(options: {
  databaseUrl: string;
  port: number;
  host: string;
  transport: Transport;
  log: Logger;
  journalRetentionDays?: number;
  adminToken?: string;
  bootstrapToken?: string;
  /** false: only connect (the topology was declared by `lemur access setup`). Default true. */
  declareTopology?: boolean;
  rateLimits?: AppDeps['rateLimits'];
  trustProxy?: AppDeps['trustProxy'];
  requestTimeoutMs?: AppDeps['requestTimeoutMs'];
  streamLimits?: AppDeps['streamLimits'];
  metricsToken?: AppDeps['metricsToken'];
  /** The operations page's view of the queues; default: RabbitMQ's management API when the transport is STOMP. */
  queueOps?: (pool: Pool) => QueueOps;
}): Promise<RunningApi> {
  const { log, transport } = options;
  const metrics = new ServiceMetrics('api');
  const pool = createPool(options.databaseUrl, { onError: (error) => log.warn({ err: error }, 'idle database client failed') });
  const relay = new OutboxRelay({ store: new PgOutboxStore(pool), transport, log, onPublished: (n) => metrics.messagesPublished.inc(n) });
  const abort = new AbortController();
  const brokerReady = retryUntilDone('declaring the topology', () => (options.declareTopology === false ? Promise.resolve() : transport.declare(topology)), log, abort.signal)
    .then(() => transport.connect())
    .then(() => relay.start())
    .catch((error: unknown) => log.error({ err: error }, 'broker set-up abandoned'));
  const app = buildApp({ pool, transport, databaseUrl: options.databaseUrl, metrics, onOutboxWrite: () => relay.kick(), log: log as FastifyBaseLogger, adminToken: options.adminToken,
    bootstrapToken: options.bootstrapToken, rateLimits: options.rateLimits, trustProxy: options.trustProxy,
    requestTimeoutMs: options.requestTimeoutMs, streamLimits: options.streamLimits, metricsToken: options.metricsToken, queueOps: options.queueOps?.(pool) ?? defaultQueueOps(pool, transport) });
  const url = await app.listen({ port: options.port, host: options.host });
  const retentionMs = (options.journalRetentionDays ?? 7) * 86_400_000;
  const prune = (): void => {
    pruneJournal(pool, new Date(Date.now() - retentionMs)).then(
      (pruned) => pruned > 0 && log.info({ pruned, retentionDays: options.journalRetentionDays ?? 7 }, 'journal pruned'),
      (error: unknown) => log.warn({ err: error }, 'journal prune failed'),
    );
    pruneIdempotencyKeys(pool, new Date(Date.now() - 86_400_000)).catch((error: unknown) => log.warn({ err: error }, 'idempotency key prune failed'));
    pruneUnsubscribeTokens(pool).then(
      (pruned) => pruned > 0 && log.info({ pruned }, 'expired unsubscribe tokens forgotten'),
      (error: unknown) => log.warn({ err: error }, 'unsubscribe token prune failed'),
    );
  };
  prune();
  const pruneTimer = setInterval(prune, 3_600_000).unref();
  log.info({ url }, 'api listening');
  let closing: Promise<void> | undefined;
  return {
    app,
    url: url.replace('0.0.0.0', '127.0.0.1'),
    relay,
    close() {
      closing ??= closeAll(log, [
        ['stop http intake', () => app.close()],
        ['stop journal pruning', () => clearInterval(pruneTimer)],
        ['stop broker set-up', () => abort.abort()],
        ['flush the outbox relay', () => relay.close()],
        ['close the transport', () => transport.close()],
        ['wait for broker set-up', () => brokerReady],
        ['end the pool', () => pool.end()],
      ]);
      return closing;
    },
  };
}

function defaultQueueOps(pool: Pool, transport: Transport): QueueOps | undefined {
  if (!(transport instanceof StompTransport)) return undefined;
  const connect = async (): Promise<Transport> => {
    const another = transport.clone();
    await another.connect();
    return another;
  };
  return new RabbitQueueOps(pool, transport, connect, transport.managementApi);
}
