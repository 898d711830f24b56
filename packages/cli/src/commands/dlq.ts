import { deadLetterQueueName, describeDeadLetter, replayDeadLetters } from '@qr/lemur';
import type { CliContext } from '../context.js';
import { parseOrRaw, progress, table, UsageError, type Output } from '../output.js';

async function deadLetters(ctx: CliContext, queue: string, limit: number) {
  return (await ctx.management.peek(deadLetterQueueName(queue), limit)).map(describeDeadLetter);
}

/** `lemur dlq list <queue>`: what was dead-lettered from the queue, and why. */
export async function dlqList(ctx: CliContext, io: Output, queue: string, options: { limit: number; json?: boolean }): Promise<void> {
  const letters = await deadLetters(ctx, queue, options.limit);
  if (options.json) {
    io.out(JSON.stringify(letters.map(({ headers: _h, ...rest }) => rest), null, 2));
    return;
  }
  if (letters.length === 0) {
    io.out(`${deadLetterQueueName(queue)} is empty`);
    return;
  }
  io.out(table(['#', 'id', 'type', 'attempts', 'dead at', 'reason'], letters.map((d, i) => [i + 1, d.id, d.type, d.attempts, d.deadAt, d.reason])));
}

/** `lemur dlq show <queue> <id|#>`: one dead letter whole: headers and body. */
export async function dlqShow(ctx: CliContext, io: Output, queue: string, which: string, options: { limit: number }): Promise<void> {
  const letters = await deadLetters(ctx, queue, options.limit);
  const index = /^\d+$/.test(which) ? Number(which) - 1 : -1;
  const letter = letters.find((d) => d.id === which) ?? letters[index];
  if (!letter) throw new UsageError(`no dead letter ${which} in ${deadLetterQueueName(queue)} (${letters.length} there; see 'lemur dlq list ${queue}')`);
  io.out(JSON.stringify({ ...letter, body: parseOrRaw(letter.body) }, null, 2));
}

/** `lemur dlq replay <queue>`: moves dead letters back to the queue for another try. */
export async function dlqReplay(ctx: CliContext, io: Output, queue: string, options: { id?: string[]; limit?: number }): Promise<void> {
  const depth = await ctx.management.queueDepth(deadLetterQueueName(queue)); // for the progress bar only: it lags
  const bar = progress('replaying dead letters', Math.max(1, options.limit ? Math.min(options.limit, depth) : depth));
  try {
    const { replayed, skipped } = await replayDeadLetters(ctx.connect, queue, { ids: options.id, limit: options.limit, onProgress: (n) => bar.update(n) });
    bar.stop();
    io.out(`replayed ${replayed} dead letter(s) to ${queue}${skipped ? `; ${skipped} left in ${deadLetterQueueName(queue)}` : ''}`);
  } finally {
    bar.stop();
  }
}

/** `lemur dlq purge <queue>`: drops every dead letter of the queue. */
export async function dlqPurge(ctx: CliContext, io: Output, queue: string, options: { yes?: boolean }): Promise<void> {
  if (!options.yes) throw new UsageError(`this deletes every dead letter in ${deadLetterQueueName(queue)} for good; add --yes to confirm`);
  const purged = await ctx.management.purge(deadLetterQueueName(queue));
  io.out(`purged ${purged} dead letter(s) from ${deadLetterQueueName(queue)}`);
}
