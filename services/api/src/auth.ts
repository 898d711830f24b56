import { timingSafeEqual } from 'node:crypto';
import { findToken, hashToken, type Pool, type TokenScope } from '@qr/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

/** Who is calling, from their bearer token. `token` names it for logs: a token id, or the variable it came from. */
export interface Caller {
  scope: TokenScope;
  userId?: number;
  token: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** undefined: not looked at yet; null: no Authorization header. */
    caller?: Caller | null;
  }
  interface FastifyContextConfig {
    /** The scopes a route accepts; unset: the route is open to anyone (read-only routes, health). */
    auth?: readonly TokenScope[];
  }
}

export interface AuthOptions {
  pool: Pool;
  /** A service-scope token from the environment (DESIGN.md), so an operator can start without a command. */
  bootstrapToken?: string;
  /** An admin-scope token from the environment. */
  adminToken?: string;
  /** How long a token looked up in the database is trusted; a revocation takes effect within it. */
  cacheMs?: number;
}

const unauthorized = (message: string): HttpError => new HttpError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer' });

/**
 * Bearer tokens: random, stored hashed (packages/db/src/tokens.ts), scoped. A route says which scopes
 * it accepts (`config.auth`); a write in a user's name is further checked with `actAs`: a service
 * token may act for anyone, a user token only as its own user.
 */
export class Auth {
  private readonly envTokens: { hash: Buffer; caller: Caller }[] = [];
  private readonly cache = new Map<string, { caller: Caller | undefined; at: number }>();
  private readonly cacheMs: number;

  constructor(private readonly options: AuthOptions) {
    if (options.bootstrapToken) this.envTokens.push({ hash: hashToken(options.bootstrapToken), caller: { scope: 'service', token: 'BOOTSTRAP_TOKEN' } });
    if (options.adminToken) this.envTokens.push({ hash: hashToken(options.adminToken), caller: { scope: 'admin', token: 'ADMIN_TOKEN' } });
    this.cacheMs = options.cacheMs ?? 10_000;
  }

  /**
   * Checks every route that declares `config.auth` before its body is parsed (preParsing): after the
   * onRequest hooks, so the rate limit counts refused attempts too, and maintenance answers first.
   */
  install(app: FastifyInstance): void {
    app.addHook('preParsing', async (request) => {
      const scopes = request.routeOptions.config.auth;
      if (scopes) await this.require(request, scopes);
    });
  }

  /** The caller, or undefined without an Authorization header; a malformed, unknown or revoked token is a 401. */
  async identify(request: FastifyRequest): Promise<Caller | undefined> {
    if (request.caller !== undefined) return request.caller ?? undefined;
    const header = request.headers.authorization;
    if (header === undefined) {
      request.caller = null;
      return undefined;
    }
    const secret = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header)?.[1];
    if (!secret) throw unauthorized('the Authorization header must be "Bearer <token>"');
    const hash = hashToken(secret);
    const fromEnv = this.envTokens.find((t) => timingSafeEqual(t.hash, hash));
    const caller = fromEnv?.caller ?? (await this.lookUp(secret, hash));
    if (!caller) throw unauthorized('unknown or revoked token');
    request.caller = caller;
    return caller;
  }

  /** The caller, when its scope is one of `scopes`; an admin token may also do what a service token may (operators spot-test). */
  async require(request: FastifyRequest, scopes: readonly TokenScope[]): Promise<Caller> {
    const caller = await this.identify(request);
    if (!caller) throw unauthorized(`a bearer token is required (${scopes.join(' or ')})`);
    const allowed = scopes.includes(caller.scope) || (caller.scope === 'admin' && scopes.includes('service'));
    if (!allowed) throw new HttpError(403, 'forbidden', `a ${caller.scope} token may not do this (${scopes.join(' or ')} only)`);
    return caller;
  }

  /** For a write in `userId`'s name: a service (or admin) token may act for anyone, a user token only as its own user. */
  async actAs(request: FastifyRequest, userId: number): Promise<Caller> {
    const caller = await this.require(request, ['service', 'user']);
    if (caller.scope === 'user' && caller.userId !== userId) {
      throw new HttpError(403, 'forbidden', `this token acts as user ${caller.userId}, not as user ${userId}`);
    }
    return caller;
  }

  /** True when the request carries a valid admin token (never throws: used to let operators through maintenance). */
  async isAdmin(request: FastifyRequest): Promise<boolean> {
    try {
      return (await this.identify(request))?.scope === 'admin';
    } catch {
      return false;
    }
  }

  private async lookUp(secret: string, hash: Buffer): Promise<Caller | undefined> {
    const key = hash.toString('base64');
    const cached = this.cache.get(key);
    if (cached && performance.now() - cached.at < this.cacheMs) return cached.caller;
    const row = await findToken(this.options.pool, secret);
    const caller: Caller | undefined = row ? { scope: row.scope, userId: row.userId ?? undefined, token: `token ${row.id}` } : undefined;
    if (this.cache.size >= 10_000) this.cache.clear(); // bounded: a flood of made-up tokens cannot grow it
    this.cache.set(key, { caller, at: performance.now() });
    return caller;
  }
}
