import type { CliContext } from '../context.js';
import { table, type Output } from '../output.js';

/** `lemur queues`: each queue's depth, consumers and rates. */
export async function queuesCommand(ctx: CliContext, io: Output, options: { json?: boolean }): Promise<void> {
  const queues = await ctx.management.listQueues();
  if (options.json) {
    io.out(JSON.stringify(queues, null, 2));
    return;
  }
  io.out(table(
    ['queue', 'type', 'ready', 'unacked', 'consumers', 'in/s', 'out/s', 'ack/s'],
    queues.map((q) => [q.name, q.type, q.ready, q.unacked, q.consumers, q.publishRate.toFixed(1), q.deliverRate.toFixed(1), q.ackRate.toFixed(1)]),
  ));
}
