import { liveScoring } from '@qr/matching';
import { parseCommonConfig, parsePort, parsePositiveInt, type CommonConfig, type Env } from '@qr/runtime';

export interface MatcherConfig extends CommonConfig {
  healthPort: number;
  /** How many people to match per question (K). */
  matchLimit: number;
  prefetch: number;
  maxAttempts: number;
  /** Asks (top-10 appearances) per person per 7 days before they go after everyone else. */
  maxAsksPerWeek: number;
}

export function loadMatcherConfig(env: Env = process.env): MatcherConfig {
  return {
    ...parseCommonConfig(env),
    healthPort: parsePort('HEALTH_PORT', env.HEALTH_PORT, 0),
    matchLimit: parsePositiveInt('MATCH_LIMIT', env.MATCH_LIMIT, 10),
    prefetch: parsePositiveInt('MATCHER_PREFETCH', env.MATCHER_PREFETCH, 10),
    maxAttempts: parsePositiveInt('MATCHER_MAX_ATTEMPTS', env.MATCHER_MAX_ATTEMPTS, 5),
    maxAsksPerWeek: parsePositiveInt('MATCHER_MAX_ASKS_PER_WEEK', env.MATCHER_MAX_ASKS_PER_WEEK, liveScoring.maxAsksPerWeek),
  };
}
