import { parsePort, type Env } from '@qr/runtime';

export interface EmbeddedConfig {
  port: number;
  dataDir: string;
  logLevel: string;
  seed: boolean;
}

export function loadEmbeddedConfig(env: Env = process.env): EmbeddedConfig {
  return {
    port: parsePort('PORT', env.PORT, 3000),
    dataDir: env.EMBEDDED_DATA_DIR ?? '.data/embedded-postgres',
    logLevel: env.LOG_LEVEL ?? 'info',
    seed: env.SEED_DEMO !== 'false',
  };
}
