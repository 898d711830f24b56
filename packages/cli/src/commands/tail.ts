import type { IMessage } from '@stomp/stompjs';
import { Client } from '@stomp/stompjs';
import { createStompSocket } from '@qr/lemur';
import type { CliContext } from '../context.js';
import { parseOrRaw, type Output } from '../output.js';

/**
 * `lemur tail <queue>`: prints each message as it is delivered to the queue's consumers, through
 * RabbitMQ's firehose (deliver.<queue>), so it takes nothing away from the workers. The firehose
 * carries the body and the delivery, not our headers. Tracing is switched on for the vhost while
 * tail runs (it costs the broker some throughput) and back off after, if it was off.
 */
export async function tailCommand(ctx: CliContext, io: Output, queue: string, options: { count?: number; signal?: AbortSignal }): Promise<number> {
  const wasTracing = await ctx.management.setTracing(true);
  const { config } = ctx;
  let printed = 0;
  const client = new Client({
    webSocketFactory: () => createStompSocket(config.stompUrl),
    connectHeaders: { login: config.stompLogin, passcode: config.stompPasscode, host: config.stompVhost },
    reconnectDelay: 1000,
    debug: () => {},
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const stop = (): void => resolve();
      options.signal?.addEventListener('abort', stop, { once: true });
      client.onConnect = () => {
        client.subscribe(`/exchange/amq.rabbitmq.trace/deliver.${queue}`, (frame: IMessage) => {
          printed += 1;
          io.out(JSON.stringify({ at: new Date().toISOString(), queue, redelivered: frame.headers.redelivered === 'true', body: parseOrRaw(frame.body) }));
          if (options.count && printed >= options.count) resolve();
        });
        io.err(`tailing ${queue} (deliveries to its consumers); Ctrl-C stops`);
      };
      client.onStompError = (frame) => reject(new Error(frame.headers.message));
      client.activate();
    });
  } finally {
    await client.deactivate();
    if (!wasTracing) await ctx.management.setTracing(false);
  }
  return printed;
}
