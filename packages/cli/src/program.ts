import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError, type Env } from '@qr/runtime';
import { accessSetupCommand } from './commands/access.js';
import { dlqList, dlqPurge, dlqReplay, dlqShow } from './commands/dlq.js';
import { importStackExchange } from './commands/import-stackexchange.js';
import { journalPrune } from './commands/journal.js';
import { queuesCommand } from './commands/queues.js';
import { replayCommand } from './commands/replay.js';
import { tailCommand } from './commands/tail.js';
import { tokenCreate, tokenList, tokenRevoke } from './commands/tokens.js';
import { tuneActivate, tuneCommand, tuneList } from './commands/tune.js';
import type { TokenScope } from '@qr/db';
import { loadCliConfig } from './config.js';
import { CliContext } from './context.js';
import { UsageError, type Output } from './output.js';

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
};
const ids = (value: string, previous: number[] = []): number[] => [...previous, ...value.split(',').map(positiveInt)];
const list = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').filter(Boolean)];
const date = (value: string): Date => {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidArgumentError('expected a date, e.g. 2026-11-29 or 2026-11-29T10:00:00Z');
  return d;
};

/** Runs the `lemur` command; returns the exit code (0 ok, 1 failed, 2 wrong arguments). */
export async function runCli(argv: string[], io: Output, env?: Env, signal?: AbortSignal): Promise<number> {
  let ctx: CliContext | undefined;
  const context = (): CliContext => (ctx ??= new CliContext(loadCliConfig(env)));
  const program = new Command('lemur')
    .description('Operate the question router: its queues (see, tail, replay, dead letters), its api tokens, imports.\nConnects with DATABASE_URL, STOMP_URL, STOMP_LOGIN, STOMP_PASSCODE, STOMP_VHOST, RABBITMQ_MANAGEMENT_URL.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError();

  program.command('queues')
    .description('each queue\'s depth, consumers and rates')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => queuesCommand(context(), io, o));

  program.command('tail')
    .description('print messages as they are delivered to a queue\'s consumers, taking nothing away from them')
    .argument('<queue>', 'e.g. question.asked')
    .option('--count <n>', 'stop after n messages', positiveInt)
    .action(async (queue: string, o: { count?: number }) => {
      await tailCommand(context(), io, queue, { ...o, signal });
    });

  const dlq = program.command('dlq').description('dead letters: what failed, why, and another try');
  dlq.command('list').description('the dead letters of a queue, with their reasons').argument('<queue>')
    .option('--limit <n>', 'at most n', positiveInt, 100).option('--json', 'print JSON')
    .action((queue: string, o: { limit: number; json?: boolean }) => dlqList(context(), io, queue, o));
  dlq.command('show').description('one dead letter whole: headers and body').argument('<queue>').argument('<which>', 'its message id, or its # in dlq list')
    .option('--limit <n>', 'look among the first n', positiveInt, 1000)
    .action((queue: string, which: string, o: { limit: number }) => dlqShow(context(), io, queue, which, o));
  dlq.command('replay').description('move dead letters back to their queue for another try').argument('<queue>')
    .option('--id <ids>', 'only these message ids (comma-separated, repeatable)', list)
    .option('--limit <n>', 'at most n', positiveInt)
    .action((queue: string, o: { id?: string[]; limit?: number }) => dlqReplay(context(), io, queue, o));
  dlq.command('purge').description('delete every dead letter of a queue').argument('<queue>').option('--yes', 'really')
    .action((queue: string, o: { yes?: boolean }) => dlqPurge(context(), io, queue, o));

  program.command('replay')
    .description('re-publish messages from the journal to their queue (or a debug queue), or dry-run the matcher on them')
    .option('--question <ids>', 'messages about these questions (comma-separated, repeatable); type defaults to question.asked', ids)
    .option('--type <types>', 'messages of these types, e.g. question.asked,answer.posted', list)
    .option('--since <date>', 'published at or after', date)
    .option('--until <date>', 'published before', date)
    .option('--limit <n>', 'at most n messages', positiveInt)
    .option('--to <queue>', 'publish to this debug queue (declared if missing) instead of their own destinations')
    .option('--dry-run', 'run the matcher on the selected questions and print scores and reasons; write nothing')
    .addOption(new Option('--match-limit <n>', 'matches per question in a dry run').argParser(positiveInt).default(10))
    .action(async (o: { question?: number[]; type?: string[]; since?: Date; until?: Date; limit?: number; to?: string; dryRun?: boolean; matchLimit: number }) => {
      await replayCommand(context(), io, o);
    });

  const journal = program.command('journal').description('the journal of published messages (kept for replays)');
  journal.command('prune').description('delete sent messages older than a number of days')
    .requiredOption('--older-than <days>', 'days', positiveInt)
    .action((o: { olderThan: number }) => journalPrune(context(), io, { olderThanDays: o.olderThan }));

  const importGroup = program.command('import').description('load another site\'s data into the database');
  importGroup.command('stackexchange')
    .description('load a Stack Exchange Posts.xml dump (users, questions, answers, tags, scores, accepted answers) and the expertise its answers teach; importing it again changes nothing')
    .argument('<posts-xml>', 'path to the dump\'s Posts.xml')
    .option('--source <name>', 'names the site, so two sites\' ids do not collide (default: the name of the folder the file is in)')
    .action(async (path: string, o: { source?: string }) => {
      await importStackExchange(context(), io, path, o);
    });

  program.command('tune')
    .description('fit the ranking model on this database\'s history, print how it validates against the active model and the baselines, store it, and activate it if it is better')
    .option('--force', 'activate the new model even if it does not validate better')
    .option('--list', 'list the stored versions instead')
    .option('--activate <version>', 'make a stored version the active one instead (a rollback)', positiveInt)
    .action(async (o: { force?: boolean; list?: boolean; activate?: number }) => {
      if ([o.list, o.activate !== undefined, o.force].filter(Boolean).length > 1) throw new UsageError('--list, --activate and --force go alone');
      if (o.list) await tuneList(context(), io);
      else if (o.activate !== undefined) await tuneActivate(context(), io, o.activate);
      else await tuneCommand(context(), io, { force: o.force });
    });

  const token = program.command('token').description('bearer tokens of the api: service (the web app), user (one user), admin (replay, dead letters, maintenance)');
  token.command('create').description('make a token and print it, once; only its hash is stored')
    .addOption(new Option('--scope <scope>', 'what it may do').choices(['service', 'user', 'admin']).makeOptionMandatory())
    .option('--user <id>', 'the user a user-scope token acts as', positiveInt)
    .option('--name <name>', 'what it is for, shown by token list')
    .action((o: { scope: TokenScope; user?: number; name?: string }) => tokenCreate(context(), io, o));
  token.command('list').description('every token: id, scope, user, live or revoked, name (never the secret)').option('--json', 'print JSON')
    .action((o: { json?: boolean }) => tokenList(context(), io, o));
  token.command('revoke').description('revoke a token at once (api instances stop accepting it within 10 s)').argument('<id>', 'from token list', positiveInt)
    .action((id: number) => tokenRevoke(context(), io, id));

  const access = program.command('access').description('least privilege: a broker user and a Postgres role per service');
  access.command('setup')
    .description('make (or update) users and roles for api, matcher and hydra with only what each needs, declare the topology, and print each one\'s environment; run as a broker administrator (STOMP_LOGIN) and a database owner that may create roles (DATABASE_URL)')
    .option('--vhost <vhost>', 'the broker vhost of the services (made if missing)', 'qr')
    .option('--prefix <prefix>', 'names: <prefix>-api on the broker, <prefix>_api in Postgres', 'qr')
    .action((o: { vhost: string; prefix: string }) => accessSetupCommand(context(), io, o));

  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError || error instanceof ConfigError) {
      io.err(`lemur: ${error.message}`);
      return 2;
    }
    io.err(`lemur: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await ctx?.close();
  }
}
