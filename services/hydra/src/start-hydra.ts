import { decodeMessage, eventQueueName, subscriptions, topology, type Messages } from '@qr/contracts';
import { createPool } from '@qr/db';
import { Consumer, type Transport } from '@qr/lemur';
import { closeAll, retryUntilDone, ServiceMetrics, startWorkerServer, type Logger } from '@qr/runtime';

type EventType = (typeof subscriptions.hydra)[number];

export interface HydraOptions {
  databaseUrl: string;
  transport: Transport;
  log: Logger;
  healthPort?: number;
  /** Called for every event received (tests, the embedded default). */
  onEvent?(type: EventType, body: Messages[EventType]): void;
}

/**
 * The notifier. For now it receives every event it will email about, each through its own durable
 * queue, and logs it; sending email is its own issue.
 */
export async function startHydra(options: HydraOptions): Promise<{ healthPort: number | undefined; close(): Promise<void> }> {
  const { log, transport } = options;
  const metrics = new ServiceMetrics('hydra');
  const pool = createPool(options.databaseUrl, { onError: (error) => log.warn({ err: error }, 'idle database client failed') });
  await retryUntilDone('declaring the topology', () => transport.declare(topology), log);
  await transport.connect();
  const consumers = subscriptions.hydra.map(
    (type) =>
      new Consumer<Messages[EventType]>({
        transport,
        queue: eventQueueName('hydra', type),
        defaultType: type,
        decode: (t, version, body) => decodeMessage<EventType>([type], t, version, body),
        handle: async (message, context) => {
          context.log.info({ event: message.body }, 'event received');
          options.onEvent?.(type, message.body);
        },
        log,
        onSettled: metrics.onSettled,
      }),
  );
  for (const consumer of consumers) await consumer.start();
  const health = options.healthPort === undefined ? undefined : await startWorkerServer(options.healthPort, { pool, transport, databaseUrl: options.databaseUrl, metrics }, log);
  log.info({ healthPort: health?.port }, 'hydra started');
  let closing: Promise<void> | undefined;
  return {
    healthPort: health?.port,
    close() {
      closing ??= closeAll(log, [
        ['drain consumers', () => Promise.all(consumers.map((c) => c.close()))],
        ['close the transport', () => transport.close()],
        ['stop the health server', () => health?.server.close()],
        ['end the pool', () => pool.end()],
      ]);
      return closing;
    },
  };
}
