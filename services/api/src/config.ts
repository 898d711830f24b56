import { parseCommonConfig, parsePort, parsePositiveInt, readSecret, type CommonConfig, type Env } from '@qr/runtime';

export interface ApiConfig extends CommonConfig {
  port: number;
  publicUrl: string;
  /** Sent messages are kept in the journal (the outbox table) this long, for replays. */
  journalRetentionDays: number;
  /** An admin-scope bearer token (ADMIN_TOKEN or ADMIN_TOKEN_FILE); admin tokens can also be made with `lemur token create`. */
  adminToken: string | undefined;
  /** A service-scope bearer token (BOOTSTRAP_TOKEN or BOOTSTRAP_TOKEN_FILE), DESIGN.md. */
  bootstrapToken: string | undefined;
  rateLimits: { service: number; user: number; admin: number; anonymous: number };
  /** TRUST_PROXY: true, a hop count or addresses (Fastify's trustProxy); behind a load balancer, for the client's address. */
  trustProxy: boolean | string;
  /** REQUEST_TIMEOUT_SECONDS: a request's headers and body must arrive within this (default 10). */
  requestTimeoutMs: number;
  /** EVENT_STREAMS_PER_ADDRESS (default 20) and EVENT_STREAMS_TOTAL (default 2000): open GET /questions/:id/events streams. */
  streamLimits: { perAddress: number; total: number };
}

export function loadApiConfig(env: Env = process.env): ApiConfig {
  const port = parsePort('PORT', env.PORT, 3000);
  return {
    ...parseCommonConfig(env),
    port,
    publicUrl: env.PUBLIC_URL ?? `http://127.0.0.1:${port}`,
    journalRetentionDays: parsePositiveInt('JOURNAL_RETENTION_DAYS', env.JOURNAL_RETENTION_DAYS, 7),
    adminToken: readSecret(env, 'ADMIN_TOKEN'),
    bootstrapToken: readSecret(env, 'BOOTSTRAP_TOKEN'),
    rateLimits: {
      service: parsePositiveInt('RATE_LIMIT_SERVICE_PER_MINUTE', env.RATE_LIMIT_SERVICE_PER_MINUTE, 60_000),
      user: parsePositiveInt('RATE_LIMIT_USER_PER_MINUTE', env.RATE_LIMIT_USER_PER_MINUTE, 600),
      admin: parsePositiveInt('RATE_LIMIT_ADMIN_PER_MINUTE', env.RATE_LIMIT_ADMIN_PER_MINUTE, 600),
      anonymous: parsePositiveInt('RATE_LIMIT_ANONYMOUS_PER_MINUTE', env.RATE_LIMIT_ANONYMOUS_PER_MINUTE, 300),
    },
    requestTimeoutMs: parsePositiveInt('REQUEST_TIMEOUT_SECONDS', env.REQUEST_TIMEOUT_SECONDS, 10) * 1000,
    streamLimits: {
      perAddress: parsePositiveInt('EVENT_STREAMS_PER_ADDRESS', env.EVENT_STREAMS_PER_ADDRESS, 20),
      total: parsePositiveInt('EVENT_STREAMS_TOTAL', env.EVENT_STREAMS_TOTAL, 2_000),
    },
    trustProxy: env.TRUST_PROXY === undefined || env.TRUST_PROXY === '' ? false : env.TRUST_PROXY === 'true' ? true : env.TRUST_PROXY,
  };
}
