export { loadHydraConfig, type HydraConfig } from './config.js';
export { startHydra, type HydraOptions } from './start-hydra.js';
