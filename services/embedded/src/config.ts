import { parsePort, type Env } from '@qr/runtime';

export interface EmbeddedConfig {
  port: number;
  dataDir: string;
  /** where emails are written, as .eml files */
  mailDir: string;
  logLevel: string;
  seed: boolean;
}

export function loadEmbeddedConfig(env: Env = process.env): EmbeddedConfig {
  return {
    port: parsePort('PORT', env.PORT, 3000),
    dataDir: env.EMBEDDED_DATA_DIR ?? '.data/embedded-postgres',
    mailDir: env.MAIL_DIR ?? '.data/mail',
    logLevel: env.LOG_LEVEL ?? 'info',
    seed: env.SEED_DEMO !== 'false',
  };
}
