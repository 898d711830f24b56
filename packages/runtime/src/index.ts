export { ConfigError, parseCommonConfig, parsePort, parsePositiveInt, parseWholeNumber, requireUrl, type CommonConfig, type Env } from './common-config.js';
export { checkReadiness, metricsAllowed, renderMetrics, type Readiness, type ReadinessDeps } from './health.js';
export { createLogger, redactUrl, type Logger } from './logger.js';
export { readSecret } from './secrets.js';
export { ServiceMetrics } from './metrics.js';
export { closeAll, exitOnSignals } from './shutdown.js';
export { createStompTransport, retryUntilDone } from './transport.js';
export { startWorkerServer } from './worker-server.js';
export { freePort } from './free-port.js';
