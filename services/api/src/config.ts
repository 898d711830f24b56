import { parseCommonConfig, parsePort, parsePositiveInt, type CommonConfig, type Env } from '@qr/runtime';

export interface ApiConfig extends CommonConfig {
  port: number;
  host: string;
  publicUrl: string;
  /** Sent messages are kept in the journal (the outbox table) this long, for replays. */
  journalRetentionDays: number;
  /** Bearer token for /admin routes (maintenance, announcements); unset: they are disabled. */
  adminToken: string | undefined;
}

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const port = parsePort('PORT', env.PORT, 3000);
  return {
    ...parseCommonConfig(env),
    port,
    host: env.HOST ?? '0.0.0.0',
    publicUrl: env.PUBLIC_URL ?? `http://127.0.0.1:${port}`,
    journalRetentionDays: parsePositiveInt('JOURNAL_RETENTION_DAYS', env.JOURNAL_RETENTION_DAYS, 7),
    adminToken: env.ADMIN_TOKEN || undefined,
  };
}
