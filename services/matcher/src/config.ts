import { DEFAULT_ASK_BUDGET, type AskBudgetPolicy } from '@qr/matching';
import { parseCommonConfig, parsePort, parsePositiveInt, parseWholeNumber, type CommonConfig, type Env } from '@qr/runtime';

export interface MatcherConfig extends CommonConfig {
  healthPort: number;
  /** How many people to ask per question (K). */
  matchLimit: number;
  prefetch: number;
  maxAttempts: number;
  /** How often a person may be asked: per answer they gave lately, and at least per week. */
  askBudget: AskBudgetPolicy;
  /** MATCHER_GIVE_UP_SECONDS: without its LISTEN connection this long, the matcher exits (default 120). */
  giveUpMs: number;
  /** MATCHER_SNAPSHOT: a file to start from and to write people to (at start after a full load, and when stopping); unset: none. */
  snapshot: string | undefined;
  /** MATCHER_SNAPSHOT_MINUTES: with a snapshot, how often it is written again while running (default 30; 0: only after a full load and when stopping). */
  snapshotEveryMs: number;
}

export function loadMatcherConfig(env: Env = process.env): MatcherConfig {
  return {
    ...parseCommonConfig(env),
    healthPort: parsePort('HEALTH_PORT', env.HEALTH_PORT, 0),
    matchLimit: parsePositiveInt('MATCH_LIMIT', env.MATCH_LIMIT, 10),
    prefetch: parsePositiveInt('MATCHER_PREFETCH', env.MATCHER_PREFETCH, 10),
    maxAttempts: parsePositiveInt('MATCHER_MAX_ATTEMPTS', env.MATCHER_MAX_ATTEMPTS, 5),
    askBudget: {
      asksPerAnswer: parsePositiveInt('MATCHER_ASKS_PER_ANSWER', env.MATCHER_ASKS_PER_ANSWER, DEFAULT_ASK_BUDGET.asksPerAnswer),
      minAsksPerWeek: parsePositiveInt('MATCHER_MIN_ASKS_PER_WEEK', env.MATCHER_MIN_ASKS_PER_WEEK, DEFAULT_ASK_BUDGET.minAsksPerWeek),
    },
    giveUpMs: parsePositiveInt('MATCHER_GIVE_UP_SECONDS', env.MATCHER_GIVE_UP_SECONDS, 120) * 1000,
    snapshot: env.MATCHER_SNAPSHOT || undefined,
    snapshotEveryMs: parseWholeNumber('MATCHER_SNAPSHOT_MINUTES', env.MATCHER_SNAPSHOT_MINUTES, 30, { min: 0, what: 'minutes' }) * 60_000,
  };
}

