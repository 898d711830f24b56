import { decodeMessage, eventQueueName, subscriptions, topology, type Messages } from '@qr/contracts';
import { createPool, databaseGate } from '@qr/db';
import { Consumer, type RetryPolicy, type Transport } from '@qr/lemur';
import { closeAll, retryUntilDone, ServiceMetrics, startWorkerServer, type Logger } from '@qr/runtime';
import { startDigestLoop } from './digests.js';
import { folderMailer, smtpMailer, type Mailer } from './mailer.js';
import { notify, type NotifyDeps } from './notify.js';

type EventType = (typeof subscriptions.hydra)[number];

export interface HydraOptions {
  databaseUrl: string;
  transport: Transport;
  log: Logger;
  /** smtp(s):// URL; unset: write .eml files to mailDir */
  smtpUrl?: string;
  mailDir?: string;
  mailFrom?: string;
  publicUrl?: string;
  healthPort?: number;
  /** the health server's address (HOST), and the bearer token /metrics needs (METRICS_TOKEN) */
  healthHost?: string;
  metricsToken?: string;
  digestIntervalMs?: number;
  retry?: Partial<RetryPolicy>;
  /** a mailer of the caller's (tests) */
  mailer?: Mailer;
  /** false: only connect (the topology was declared by `lemur access setup`). Default true. */
  declareTopology?: boolean;
}

/**
 * The notifier: emails matched people about a question they can answer, askers about new answers,
 * answerers about acceptances and up-votes, each email once and within each person's preferences.
 */
export async function startHydra(options: HydraOptions): Promise<{ healthPort: number | undefined; deps: NotifyDeps; close(): Promise<void> }> {
  const { log, transport } = options;
  const metrics = new ServiceMetrics('hydra');
  const pool = createPool(options.databaseUrl, { onError: (error) => log.warn({ err: error }, 'idle database client failed') });
  const from = options.mailFrom ?? 'Question Router <noreply@question-router.local>';
  const mailer = options.mailer ?? (options.smtpUrl ? smtpMailer(options.smtpUrl, from) : folderMailer(options.mailDir ?? '.data/mail', from));
  const deps: NotifyDeps = {
    pool,
    mailer,
    publicUrl: options.publicUrl ?? 'http://127.0.0.1:3000',
    messageIdDomain: /@([^>\s]+)/.exec(from)?.[1] ?? 'question-router.local',
    log,
  };
  if (options.declareTopology !== false) await retryUntilDone('declaring the topology', () => transport.declare(topology), log);
  await transport.connect();
  const consumers = subscriptions.hydra.map(
    (type) =>
      new Consumer<Messages[EventType]>({
        transport,
        queue: eventQueueName('hydra', type),
        defaultType: type,
        decode: (t, version, body) => decodeMessage<EventType>([type], t, version, body),
        handle: async (message, context) => {
          const outcome = await notify({ ...deps, log: context.log }, type, message.body);
          context.log.info({ event: type, ...outcome }, 'event handled');
        },
        retry: { maxAttempts: 8, initialDelayMs: 2_000, maxDelayMs: 300_000, ...options.retry },
        dependency: databaseGate(pool), // a database outage is waited out, not counted against the events
        log,
        onSettled: metrics.onSettled,
      }),
  );
  for (const consumer of consumers) await consumer.start();
  const digests = startDigestLoop(deps, options.digestIntervalMs ?? 60_000);
  const health = options.healthPort === undefined ? undefined : await startWorkerServer(options.healthPort, { pool, transport, databaseUrl: options.databaseUrl, metrics }, log, { host: options.healthHost, metricsToken: options.metricsToken });
  log.info({ healthPort: health?.port, mail: mailer.describe }, 'hydra started');
  let closing: Promise<void> | undefined;
  return {
    healthPort: health?.port,
    deps,
    close() {
      closing ??= closeAll(log, [
        ['drain consumers', () => Promise.all(consumers.map((c) => c.close()))],
        ['stop digests', () => digests.stop()],
        ['close the transport', () => transport.close()],
        ['close the mailer', () => mailer.close()],
        ['stop the health server', () => health?.server.close()],
        ['end the pool', () => pool.end()],
      ]);
      return closing;
    },
  };
}
