import { isDatabaseUnavailable } from '@qr/db';
import type { FastifyError, FastifyInstance } from 'fastify';

/** An error the client can act on: its status, a stable code and a message. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Fastify's own 4xx errors, by its code: told to the client in our words, not Fastify's internal names. */
const clientErrors: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid_json',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
};

export const notFound = (what: string, id: number): HttpError => new HttpError(404, 'not_found', `${what} ${id} does not exist`);

/** Every error leaves as `{ error: { code, message } }`; nothing internal (stack, SQL) is shown. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).headers(error.headers).send({ error: { code: error.code, message: error.message } });
    }
    if (error.validation) {
      return reply.code(400).send({ error: { code: 'invalid_request', message: error.message } });
    }
    if (isDatabaseUnavailable(error)) {
      // not the request's fault, and not for good: the client should come back (with its Idempotency-Key)
      request.log.warn({ err: error }, 'the database is unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: { code: 'unavailable', message: 'the service is briefly unavailable; try again shortly' } });
    }
    const status = error.statusCode ?? 500;
    if (status === 429) return reply.code(429).send({ error: { code: 'rate_limited', message: error.message } });
    if (status >= 400 && status < 500) {
      const code = clientErrors[error.code] ?? (error instanceof SyntaxError ? 'invalid_json' : 'bad_request');
      // Fastify's messages name no internals (e.g. "Request body is too large"); the JSON parser's do not either
      return reply.code(status).send({ error: { code, message: error.message } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: 'not_found', message: `no route for ${request.method} ${request.url.split('?')[0]}` } }),
  );
}
