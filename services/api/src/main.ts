import { createLogger, createStompTransport, exitOnSignals } from '@qr/runtime';
import { loadApiConfig } from './config.js';
import { startApi } from './start-api.js';

const config = loadApiConfig();
const log = createLogger('api', config.logLevel);
const transport = createStompTransport(config, log);
const api = await startApi({
  declareTopology: config.declareTopology,
  databaseUrl: config.databaseUrl, port: config.port, host: config.host, transport, log, journalRetentionDays: config.journalRetentionDays,
  adminToken: config.adminToken, bootstrapToken: config.bootstrapToken, rateLimits: config.rateLimits, trustProxy: config.trustProxy,
  requestTimeoutMs: config.requestTimeoutMs, streamLimits: config.streamLimits, metricsToken: config.metricsToken,
});
exitOnSignals(() => api.close(), log);
