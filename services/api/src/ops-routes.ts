import { listPeople, type Pool } from '@qr/db';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './errors.js';
import { isOurQueue, type QueueOps } from './queue-ops.js';

const queueParams = { type: 'object', required: ['queue'], additionalProperties: false, properties: { queue: { type: 'string', pattern: '^[a-z][a-z0-9._-]{0,100}$' } } } as const;
const replayBody = { type: 'object', additionalProperties: false, properties: { ids: { type: 'array', maxItems: 1000, items: { type: 'string', minLength: 1, maxLength: 200 } } } } as const;
const questionReplayBody = { type: 'object', required: ['questionId'], additionalProperties: false, properties: { questionId: { type: 'integer', minimum: 1 } } } as const;
const peopleQuery = { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } } } as const;

/**
 * What the operations page calls (admin tokens): queues with depth, consumers and rates; a queue's
 * dead letters with their reasons; replaying dead letters or a question. And the people the ask page
 * may ask as (service or admin tokens; names and ids only, never emails).
 */
export function registerOpsRoutes(app: FastifyInstance, pool: Pool, ops: QueueOps | undefined): void {
  const need = (): QueueOps => {
    if (!ops) throw new HttpError(503, 'unavailable', 'queue operations are not available in this api');
    return ops;
  };
  const admin = { auth: ['admin'] } as const;
  /** A queue the system does not declare is a 404, not a replay that fails inside. */
  const existing = async (queue: string): Promise<QueueOps> => {
    if (!isOurQueue(queue)) throw new HttpError(404, 'not_found', `queue ${queue} does not exist`);
    return need();
  };

  app.get('/admin/queues', { config: admin }, async () => ({ at: new Date().toISOString(), queues: await need().queues() }));

  app.get<{ Params: { queue: string }; Querystring: { limit?: number } }>(
    '/admin/queues/:queue/dead-letters',
    { config: admin, schema: { params: queueParams, querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 } } } } },
    async (request) => ({ queue: request.params.queue, deadLetters: await (await existing(request.params.queue)).deadLetters(request.params.queue, request.query.limit ?? 100) }),
  );

  app.post<{ Params: { queue: string }; Body: { ids?: string[] } }>(
    '/admin/queues/:queue/dead-letters/replay',
    { config: admin, schema: { params: queueParams, body: replayBody } },
    async (request) => {
      const result = await (await existing(request.params.queue)).replayDeadLetters(request.params.queue, request.body?.ids);
      request.log.warn({ queue: request.params.queue, ...result, by: request.caller?.token }, 'dead letters replayed');
      return result;
    },
  );

  app.post<{ Body: { questionId: number } }>('/admin/replay', { config: admin, schema: { body: questionReplayBody } }, async (request) => {
    const published = await need().replayQuestion(request.body.questionId);
    request.log.warn({ questionId: request.body.questionId, published, by: request.caller?.token }, 'question replayed');
    return { questionId: request.body.questionId, published };
  });

  app.get<{ Querystring: { limit?: number } }>('/people', { config: { auth: ['service', 'admin'] }, schema: { querystring: peopleQuery } }, async (request) => ({
    people: await listPeople(pool, request.query.limit ?? 50),
  }));
}
