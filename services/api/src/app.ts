import { destinationOf, isMailbox, newMessage, questionAskedTemplate, type Messages, type MessageType } from '@qr/contracts';
import {
  askQuestion, getAnswer, getMatches, getQuestion, insertAnswer, insertOutboxMessage, insertUser, isUniqueViolation,
  setAcceptedAnswer, upsertVote, userExists, withTransaction, type Pool, type PoolClient,
} from '@qr/db';
import { createMessage, type Transport } from '@qr/lemur';
import { checkReadiness, metricsAllowed, renderMetrics, type ServiceMetrics } from '@qr/runtime';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { Auth } from './auth.js';
import { HttpError, installErrorHandlers, notFound } from './errors.js';
import { registerOpsRoutes } from './ops-routes.js';
import type { QueueOps } from './queue-ops.js';
import { installRateLimits, type RateLimits } from './rate-limits.js';
import { MatchWatch, registerWatchRoutes, type StreamLimits } from './watch.js';
import { defaultWebRoot, registerWebPages } from './web-pages.js';
import { registerPreferenceRoutes } from './preferences-routes.js';
import { registerSiteRoutes } from './site-routes.js';
import { installIdempotency } from './idempotency.js';
import { installSecurityHeaders } from './security-headers.js';
import { buildValidator, installStrictMediaTypes } from './strict-input.js';
import {
  acceptBody, createAnswerBody, createQuestionBody, createUserBody, createVoteBody, idParams,
  type Accept, type CreateAnswer, type CreateQuestion, type CreateUser, type CreateVote, type IdParams,
} from './schemas.js';

export interface AppDeps {
  pool: Pool;
  transport: Transport;
  databaseUrl: string;
  metrics: ServiceMetrics;
  /** Called after a commit that wrote to the outbox, so the relay publishes at once. */
  onOutboxWrite(): void;
  log?: FastifyBaseLogger;
  bodyLimit?: number;
  /** An admin-scope bearer token from the environment (ADMIN_TOKEN); admin tokens can also be made with `lemur token create`. */
  adminToken?: string;
  /** A service-scope bearer token from the environment (BOOTSTRAP_TOKEN). */
  bootstrapToken?: string;
  /** Requests per minute: per token by scope, and per client address without a token. */
  rateLimits?: Partial<RateLimits>;
  /** The operations page's queue view and replays; unset: /admin/queues answers 503. */
  queueOps?: QueueOps;
  /** The built web pages (services/web/dist) served at /; default: that folder beside this package. */
  webRoot?: string;
  /** How long a database token is trusted before it is looked up again (default 10 s: a revocation takes that long). */
  tokenCacheMs?: number;
  /** Fastify's trustProxy: behind a load balancer, the client address comes from X-Forwarded-For. */
  trustProxy?: boolean | string;
  /** A request (headers and body) must arrive within this long, or its connection is closed (default 10 s). */
  requestTimeoutMs?: number;
  /** A connection with nothing sent either way for this long is closed (default 60 s; event streams write every 15 s). */
  idleTimeoutMs?: number;
  /** Open event streams, per client address and in all (default DEFAULT_STREAM_LIMITS). */
  streamLimits?: StreamLimits;
  /** When set, /metrics answers only `Authorization: Bearer <it>` (METRICS_TOKEN). */
  metricsToken?: string;
}

/** A correlation id a caller may choose: short, and nothing a log line or a header could be confused by. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The web API (DESIGN.md): built from its dependencies so tests can inject requests or listen on port 0. */
export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: deps.bodyLimit ?? 64 * 1024,
    trustProxy: deps.trustProxy ?? false,
    // The request id becomes the correlation id of the log lines and messages a request causes. A caller's
    // x-request-id is taken only when it is short and plain; otherwise (and without one) a fresh UUID.
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && SAFE_REQUEST_ID.test(given) ? given : randomUUID();
    },
    // slow clients cannot hold connections: the whole request within requestTimeout, no silence past the idle timeout
    requestTimeout: deps.requestTimeoutMs ?? 10_000,
    connectionTimeout: deps.idleTimeoutMs ?? 60_000,
    // Node checks those limits every 30 s unless told otherwise: a slow sender would get up to 30 s more
    http: { connectionsCheckingInterval: 1_000, headersTimeout: deps.requestTimeoutMs ?? 10_000 },
    // Unknown fields are an error the client should hear about, not something to drop silently.
    ajv: { customOptions: { removeAdditional: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator } },
  });
  installErrorHandlers(app);
  installStrictMediaTypes(app);
  void installSecurityHeaders(app);
  const { pool } = deps;
  const auth = new Auth({ pool, bootstrapToken: deps.bootstrapToken, adminToken: deps.adminToken, cacheMs: deps.tokenCacheMs });
  auth.install(app);
  installRateLimits(app, auth, deps.rateLimits);
  installIdempotency(app, pool);

  const watch = new MatchWatch(deps.databaseUrl, app.log);
  app.addHook('onClose', () => watch.close());
  // Routes go in a plugin registered after the rate limiter, so that its onRoute hook sees them all.
  void app.register(async (scope) => {
    registerRoutes(scope, deps, auth);
    registerWatchRoutes(scope, pool, watch, deps.streamLimits);
    registerOpsRoutes(scope, pool, deps.queueOps);
    await registerWebPages(scope, deps.webRoot ?? defaultWebRoot);
  });
  return app;
}

function registerRoutes(app: FastifyInstance, deps: AppDeps, auth: Auth): void {
  const { pool } = deps;
  registerSiteRoutes(app, pool, auth);

  /** Writes `type` to the outbox inside the caller's transaction. */
  const enqueue = <K extends MessageType>(client: PoolClient, type: K, body: Messages[K], correlationId?: string): Promise<void> =>
    insertOutboxMessage(client, destinationOf(type), newMessage(type, body, { correlationId }));

  const unknownUser = (userId: number): HttpError => new HttpError(400, 'unknown_user', `user ${userId} does not exist`);
  const requireUser = async (client: PoolClient | Pool, userId: number): Promise<void> => {
    if (!(await userExists(client, userId))) throw unknownUser(userId);
  };

  const asUser = { auth: ['service', 'user'] } as const;

  app.post<{ Body: CreateUser }>('/users', { schema: { body: createUserBody }, config: { auth: ['service'] } }, async (request, reply) => {
    const email = request.body.email.trim();
    // one plain mailbox, as the mailer will read it: never a list, a display name or another address inside
    if (!isMailbox(email)) throw new HttpError(400, 'invalid_request', 'email must be one plain address, like name@example.org');
    try {
      const id = await insertUser(pool, { name: request.body.name.trim(), email });
      return reply.code(201).send({ id });
    } catch (error) {
      if (isUniqueViolation(error)) throw new HttpError(409, 'email_taken', 'a user with this email already exists');
      throw error;
    }
  });

  app.post<{ Body: CreateQuestion }>('/questions', { schema: { body: createQuestionBody }, config: asUser }, async (request, reply) => {
    const { askerId, title, body } = request.body;
    await auth.actAs(request, askerId);
    const tags = [...new Set((request.body.tags ?? []).map((t) => t.toLowerCase()))];
    // the question and its question.asked message in one statement (one round trip, atomic); the body
    // is the contract's, the statement puts in the stored row's id and time
    const { id, type, headers } = createMessage('question.asked' satisfies MessageType, null, { correlationId: request.id });
    const bodyTemplate = questionAskedTemplate({ askerId, title, body, tags });
    const question = await askQuestion(pool, { askerId, title, body, tags }, { destination: destinationOf('question.asked'), message: { id, type, headers }, bodyTemplate });
    if (!question) throw unknownUser(askerId);
    deps.onOutboxWrite();
    return reply.code(201).send({ id: question.id });
  });

  app.get<{ Params: IdParams }>('/questions/:id', { schema: { params: idParams } }, async (request) => {
    const question = await getQuestion(pool, request.params.id);
    if (!question) throw notFound('question', request.params.id);
    return question;
  });

  app.post<{ Params: IdParams; Body: CreateAnswer }>('/questions/:id/answers', { schema: { params: idParams, body: createAnswerBody }, config: asUser }, async (request, reply) => {
    const questionId = request.params.id;
    const { userId, body } = request.body;
    await auth.actAs(request, userId);
    const answer = await withTransaction(pool, async (client) => {
      if (!(await getQuestion(client, questionId))) throw notFound('question', questionId);
      await requireUser(client, userId);
      const row = await insertAnswer(client, { questionId, userId, body });
      await enqueue(client, 'answer.posted', { answerId: row.id, questionId, userId, postedAt: row.createdAt.toISOString() }, request.id);
      return row;
    });
    deps.onOutboxWrite();
    return reply.code(201).send({ id: answer.id });
  });

  app.post<{ Params: IdParams; Body: CreateVote }>('/answers/:id/votes', { schema: { params: idParams, body: createVoteBody }, config: asUser }, async (request, reply) => {
    const answerId = request.params.id;
    const { userId, value } = request.body;
    await auth.actAs(request, userId);
    const vote = await withTransaction(pool, async (client) => {
      const answer = await getAnswer(client, answerId);
      if (!answer) throw notFound('answer', answerId);
      await requireUser(client, userId);
      if (answer.userId === userId) throw new HttpError(400, 'own_answer', 'people cannot vote on their own answers');
      const recorded = await upsertVote(client, { answerId, userId, value });
      if (!recorded) throw notFound('answer', answerId);
      // the same vote again changes nothing, so it tells nobody anything
      if (recorded.changed) await enqueue(client, 'answer.voted', { answerId, userId, value }, request.id);
      return recorded;
    });
    if (vote.changed) deps.onOutboxWrite();
    return reply.code(201).send({ answerId, score: vote.score });
  });

  app.post<{ Params: IdParams; Body: Accept }>('/questions/:id/accept', { schema: { params: idParams, body: acceptBody }, config: asUser }, async (request, reply) => {
    const questionId = request.params.id;
    const { answerId } = request.body;
    const caller = await auth.require(request, ['service', 'user']);
    const outcome = await withTransaction(pool, async (client) => {
      const question = await getQuestion(client, questionId);
      if (!question) throw notFound('question', questionId);
      if (caller.scope === 'user' && caller.userId !== question.askerId) {
        throw new HttpError(403, 'forbidden', 'only the asker (or the web app) may accept an answer');
      }
      const accepted = await setAcceptedAnswer(client, questionId, answerId);
      if (accepted === 'not_an_answer') throw new HttpError(400, 'not_an_answer', `answer ${answerId} does not answer question ${questionId}`);
      // accepting the accepted answer again changes nothing, so it tells nobody anything
      if (accepted === 'accepted') await enqueue(client, 'answer.accepted', { answerId, questionId }, request.id);
      return accepted;
    });
    if (outcome === 'accepted') deps.onOutboxWrite();
    return reply.code(200).send({ questionId, answerId });
  });

  app.get<{ Params: IdParams }>('/questions/:id/matches', { schema: { params: idParams } }, async (request) => {
    const questionId = request.params.id;
    const question = await getQuestion(pool, questionId);
    if (!question) throw notFound('question', questionId);
    const matches = question.matchedAt ? await getMatches(pool, questionId) : [];
    return { questionId, status: question.matchedAt ? 'matched' : 'pending', matches };
  });

  registerPreferenceRoutes(app, pool, auth);

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const readiness = await checkReadiness({ ...deps, log: app.log });
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  app.get('/metrics', async (request, reply) => {
    if (!metricsAllowed(request.headers.authorization, deps.metricsToken)) throw new HttpError(401, 'unauthorized', 'metrics need the metrics token (METRICS_TOKEN)');
    return reply.type('text/plain; version=0.0.4').send(await renderMetrics(deps));
  });

}
