import { createLogger, createStompTransport, exitOnSignals } from '@qr/runtime';
import { loadHydraConfig } from './config.js';
import { startHydra } from './start-hydra.js';

const config = loadHydraConfig();
const log = createLogger('hydra', config.logLevel);
const hydra = await startHydra({ databaseUrl: config.databaseUrl, transport: createStompTransport(config, log), log, healthPort: config.healthPort });
exitOnSignals(() => hydra.close(), log);
