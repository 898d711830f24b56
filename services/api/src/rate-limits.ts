import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Auth } from './auth.js';

/** Requests per minute. */
export interface RateLimits {
  /** per service token (the web app speaks for everyone: high) */
  service: number;
  /** per user token */
  user: number;
  /** per admin token */
  admin: number;
  /** per client address, without a token (reads, and attempts that will be refused) */
  anonymous: number;
}

export const defaultRateLimits: RateLimits = { service: 60_000, user: 600, admin: 600, anonymous: 300 };

/** Never limited: what load balancers and monitoring poll. */
const unlimited = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Per-token (by scope) and per-address request limits, with @fastify/rate-limit: 429 with
 * Retry-After and the x-ratelimit-* headers. The key is a hash of the bearer token, or the client
 * address; a made-up token counts against the address, so guessing tokens is limited too. Counters
 * are per api instance (in memory): behind a load balancer of N instances a client gets up to N times
 * the limit. Behind a proxy, set TRUST_PROXY so the address is the client's, not the proxy's.
 */
export function installRateLimits(app: FastifyInstance, auth: Auth, limits: Partial<RateLimits> = {}): void {
  const perMinute = { ...defaultRateLimits, ...limits };
  const scopeOf = async (request: FastifyRequest): Promise<keyof RateLimits> => {
    try {
      return (await auth.identify(request))?.scope ?? 'anonymous';
    } catch {
      return 'anonymous';
    }
  };
  void app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    allowList: (request) => unlimited.has(request.url.split('?')[0] ?? ''),
    keyGenerator: async (request) => {
      const scope = await scopeOf(request);
      if (scope === 'anonymous') return `address:${request.ip}`;
      return `token:${createHash('sha256').update(request.headers.authorization ?? '').digest('base64url').slice(0, 22)}`;
    },
    max: async (request) => perMinute[await scopeOf(request)],
    errorResponseBuilder: (_request, context) => {
      const error = new Error(`rate limit exceeded: at most ${context.max} requests a minute; try again in ${context.after}`) as Error & { statusCode: number };
      error.statusCode = 429;
      return error;
    },
  });
}
