export { buildApp, type AppDeps } from './app.js';
export { loadApiConfig, type ApiConfig } from './config.js';
export { startApi, type RunningApi } from './start-api.js';
export { MemoryQueueOps, RabbitQueueOps, type QueueOps } from './queue-ops.js';
