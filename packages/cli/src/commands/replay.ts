import { asReplay, type Destination } from '@qr/lemur';
import { getMatches, getQuestion, selectJournal, type JournalEntry } from '@qr/db';
import { DEFAULT_ASK_BUDGET } from '@qr/matching';
import { decideMatches, PgPeople } from '@qr/routing';
import type { CliContext } from '../context.js';
import { commandLog, progress, table, UsageError, type Output } from '../output.js';

export interface ReplayOptions {
  question?: number[];
  type?: string[];
  since?: Date;
  until?: Date;
  limit?: number;
  to?: string;
  dryRun?: boolean;
  matchLimit: number;
}

/**
 * `lemur replay`: re-publishes messages from the journal. To their own queue or exchange (idempotent
 * consumers leave what was already written as it is), or to a debug queue (`--to`). With --dry-run,
 * runs the matcher's decision on the selected questions and prints scores and reasons; writes nothing.
 */
export async function replayCommand(ctx: CliContext, io: Output, options: ReplayOptions): Promise<{ selected: number; published: number }> {
  if (!options.question?.length && !options.type?.length && !options.since && !options.until) {
    throw new UsageError('say what to replay: --question <id...>, --type <type...>, --since and/or --until');
  }
  const types = options.type?.length ? options.type : options.question?.length ? ['question.asked'] : undefined;
  const entries = await selectJournal(ctx.pool, { types, questionIds: options.question, since: options.since, until: options.until, limit: options.limit });
  if (entries.length === 0) {
    io.out('no message in the journal matches');
    return { selected: 0, published: 0 };
  }
  if (options.dryRun) {
    await dryRun(ctx, io, entries, options.matchLimit);
    return { selected: entries.length, published: 0 };
  }
  const transport = await ctx.transport();
  if (options.to) await ctx.management.request('PUT', `queues/${encodeURIComponent(ctx.config.stompVhost)}/${encodeURIComponent(options.to)}`, { durable: true, arguments: {} });
  const bar = progress('replaying', entries.length);
  let published = 0;
  const replayedAt = new Date().toISOString();
  try {
    for (let i = 0; i < entries.length; i += 500) {
      const window = entries.slice(i, i + 500);
      await Promise.all(
        window.map(async (entry) => {
          const destination: Destination = options.to ? { queue: options.to } : entry.destination;
          await transport.publish(destination, asReplay(entry.message, replayedAt));
          published += 1;
          bar.update(published);
        }),
      );
    }
  } finally {
    bar.stop();
  }
  io.out(`replayed ${published} message(s) to ${options.to ? `debug queue ${options.to}` : 'their destinations'}`);
  return { selected: entries.length, published };
}

async function dryRun(ctx: CliContext, io: Output, entries: JournalEntry[], matchLimit: number): Promise<void> {
  const questionIds = [...new Set(entries.filter((e) => e.message.type === 'question.asked').map((e) => (JSON.parse(e.message.body) as { questionId: number }).questionId))];
  if (questionIds.length === 0) throw new UsageError('--dry-run runs the matcher: select question.asked messages (--question or --type question.asked)');
  for (const questionId of questionIds) {
    const question = await getQuestion(ctx.pool, questionId);
    if (!question) {
      io.out(`question ${questionId}: no longer exists`);
      continue;
    }
    const { decision } = await decideMatches(new PgPeople(ctx.pool, commandLog(io), DEFAULT_ASK_BUDGET), question, matchLimit);
    const { matches } = decision;
    const stored = await getMatches(ctx.pool, questionId);
    const sameOrder = stored.length === matches.length && stored.every((s, i) => s.userId === matches[i]?.userId);
    const sameScores = sameOrder && stored.every((s, i) => Math.abs(s.score - (matches[i]?.score ?? NaN)) < 1e-9);
    io.out(`question ${questionId}: ${question.title}`);
    io.out(table(['rank', 'user', 'score', 'terms', 'tags'], matches.map((m, i) => [i + 1, m.userId, m.score.toFixed(4), m.reasons.terms.join(', '), m.reasons.tags.join(', ')])));
    if (decision.passed.length) io.out(`passed over for load: ${decision.passed.map((p) => `${p.userId} (${p.reason})`).join(', ')}`);
    const verdict = sameScores
      ? 'the same people, order and scores'
      : sameOrder
        ? 'the same people in the same order; scores moved (the corpus and expertise grew since)'
        : `different: stored ${stored.map((m) => m.userId).join(', ') || 'none'} (expertise, activity, asks or the model changed since)`;
    io.out(question.matchedAt ? `stored matches: ${verdict}` : 'not matched yet');
  }
}
