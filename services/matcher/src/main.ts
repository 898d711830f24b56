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
  giveUpMs: config.giveUpMs,
  snapshot: config.snapshot,
  snapshotEveryMs: config.snapshotEveryMs,
  // exit non-zero so that a restart policy (Docker's, systemd's, Kubernetes') starts a fresh one
  onUnrecoverable: () => void matcher.close().finally(() => process.exit(1)),
});
exitOnSignals(() => matcher.close(), log);
