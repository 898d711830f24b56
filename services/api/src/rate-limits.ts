import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Auth, Caller } from './auth.js';

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
 * Retry-After and the x-ratelimit-* headers. The key names the token (its id, or the variable it came from), or the
 * client address; a made-up token counts against the address, so guessing tokens is limited too. Counters
 * are per api instance (in memory): behind a load balancer of N instances a client gets up to N times
 * the limit. Behind a proxy, set TRUST_PROXY so the address is the client's, not the proxy's.
 */
export function installRateLimits(app: FastifyInstance, auth: Auth, limits: Partial<RateLimits> = {}): void {
  const perMinute = { ...defaultRateLimits, ...limits };
  // identify() hashes and looks the token up once per request (it keeps the caller on the request)
  const callerOf = async (request: FastifyRequest): Promise<Caller | undefined> => {
    try {
      return await auth.identify(request);
    } catch {
      return undefined; // a made-up token: counted against the address
    }
  };
  void app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    allowList: (request) => unlimited.has(request.url.split('?')[0] ?? ''),
    keyGenerator: async (request) => {
      const caller = await callerOf(request);
      return caller ? `token:${caller.token}` : `address:${request.ip}`;
    },
    max: async (request) => perMinute[(await callerOf(request))?.scope ?? 'anonymous'],
    errorResponseBuilder: (_request, context) => {
      const error = new Error(`rate limit exceeded: at most ${context.max} requests a minute; try again in ${context.after}`) as Error & { statusCode: number };
      error.statusCode = 429;
      return error;
    },
  });
}
