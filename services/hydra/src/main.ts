import { createLogger, createStompTransport, exitOnSignals } from '@qr/runtime';
import { loadHydraConfig } from './config.js';
import { startHydra } from './start-hydra.js';

const config = loadHydraConfig();
const log = createLogger('hydra', config.logLevel);
const hydra = await startHydra({
  declareTopology: config.declareTopology,
  databaseUrl: config.databaseUrl,
  transport: createStompTransport(config, log),
  log,
  healthPort: config.healthPort,
  healthHost: config.host,
  metricsToken: config.metricsToken,
  smtpUrl: config.smtpUrl,
  mailDir: config.mailDir,
  mailFrom: config.mailFrom,
  publicUrl: config.publicUrl,
  digestIntervalMs: config.digestIntervalSeconds * 1000,
});
exitOnSignals(() => hydra.close(), log);
