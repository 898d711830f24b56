import { createLogger, createStompTransport, exitOnSignals } from '@qr/runtime';
import { loadMatcherConfig } from './config.js';
import { startMatcher } from './start-matcher.js';

const config = loadMatcherConfig();
const log = createLogger('matcher', config.logLevel);
const matcher = await startMatcher({
  declareTopology: config.declareTopology,
  databaseUrl: config.databaseUrl,
  transport: createStompTransport(config, log),
  log,
  matchLimit: config.matchLimit,
  prefetch: config.prefetch,
  maxAttempts: config.maxAttempts,
  askBudget: config.askBudget,
  healthPort: config.healthPort,
  healthHost: config.host,
  metricsToken: config.metricsToken,
});
exitOnSignals(() => matcher.close(), log);
