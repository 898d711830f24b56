import { createHash } from 'node:crypto';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey, type Pool } from '@qr/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** the (caller, key) this request holds, when it came with an Idempotency-Key and runs first */
    idempotency?: { caller: string; key: string };
  }
}

/** What a client may use as a key: printable ASCII, at most 200 characters (a UUID is typical). */
const KEY = /^[\x21-\x7e]{1,200}$/;

/** Whose key it is: the token's, or, for anonymous routes, the client address's. */
const callerOf = (request: FastifyRequest): string => (request.caller ? `token:${request.caller.token}` : `address:${request.ip}`);

/** The request a key was first used for: method, path and query, and body. */
const requestHash = (request: FastifyRequest): Buffer =>
  createHash('sha256').update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`).digest();

/**
 * `Idempotency-Key` on every POST: the first request with a key runs; a retry with the same key and
 * the same request gets the first response again (with `Idempotent-Replayed: true`) and changes
 * nothing; the same key on a different request is a 422; while the first still runs, a 409 with
 * Retry-After. A first request that failed on our side (5xx) keeps nothing: its retry runs. Keys are
 * per caller (token, or address without one) and kept a day (pruned with the journal).
 */
export function installIdempotency(app: FastifyInstance, pool: Pool): void {
  app.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'POST') return;
    const key = request.headers['idempotency-key'];
    if (key === undefined) return;
    if (typeof key !== 'string' || !KEY.test(key)) throw new HttpError(400, 'invalid_request', 'Idempotency-Key must be 1-200 printable ASCII characters');
    const caller = callerOf(request);
    const hash = requestHash(request);
    const claim = await claimIdempotencyKey(pool, caller, key, hash);
    if (claim.state === 'new') {
      request.idempotency = { caller, key };
      return;
    }
    if (!claim.requestHash.equals(hash)) throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
    if (claim.state === 'running') throw new HttpError(409, 'idempotency_in_progress', 'the first request with this Idempotency-Key is still running', { 'retry-after': '1' });
    return reply.code(claim.status).header('content-type', claim.contentType).header('idempotent-replayed', 'true').send(claim.body);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const held = request.idempotency;
    if (!held) return payload;
    request.idempotency = undefined;
    try {
      if (reply.statusCode >= 500 || typeof payload !== 'string') await releaseIdempotencyKey(pool, held.caller, held.key);
      else await completeIdempotencyKey(pool, held.caller, held.key, { status: reply.statusCode, contentType: String(reply.getHeader('content-type') ?? 'application/json; charset=utf-8'), body: payload });
    } catch (error) {
      // the response still goes out; the key stays "running" until it is taken over (a retry within a minute gets a 409)
      request.log.warn({ err: error }, 'could not keep the response of an Idempotency-Key');
    }
    return payload;
  });
}
