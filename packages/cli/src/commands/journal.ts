import { pruneJournal } from '@qr/db';
import type { CliContext } from '../context.js';
import type { Output } from '../output.js';

/** `lemur journal prune --older-than <days>`: what the api also does hourly. */
export async function journalPrune(ctx: CliContext, io: Output, options: { olderThanDays: number }): Promise<void> {
  const pruned = await pruneJournal(ctx.pool, new Date(Date.now() - options.olderThanDays * 86_400_000));
  io.out(`pruned ${pruned} sent message(s) older than ${options.olderThanDays} day(s) from the journal`);
}
