import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from './logger.js';
import { checkReadiness, metricsAllowed, renderMetrics, type ReadinessDeps } from './health.js';

/**
 * The small HTTP server a worker serves /healthz, /readyz and /metrics on, at `host` (HOST; default all
 * addresses). Port 0 = ephemeral (logged). With a metrics token, /metrics answers only its bearer.
 */
export async function startWorkerServer(
  port: number,
  deps: ReadinessDeps,
  log: Logger,
  options: {
    host?: string;
    metricsToken?: string;
    /** why the worker is not alive (it cannot do its work and is not recovering), or undefined while it is */
    failing?: () => string | undefined;
  } = {},
): Promise<{ server: FastifyInstance; port: number }> {
  const server = Fastify({
    loggerInstance: log.child({ component: 'health' }) as FastifyBaseLogger,
    // probes every few seconds: not worth a log line each (the top-level disableRequestLogging is deprecated, FSTDEP023)
    logController: new LogController({ disableRequestLogging: true }),
  });
  server.get('/healthz', async (_request, reply) => {
    const failing = options.failing?.();
    return failing ? reply.code(503).send({ status: 'failing', reason: failing }) : { status: 'ok' };
  });
  server.get('/readyz', async (_request, reply) => {
    const readiness = await checkReadiness({ log, ...deps });
    return reply.code(readiness.ready ? 200 : 503).send(readiness);
  });
  server.get('/metrics', async (request, reply) => {
    if (!metricsAllowed(request.headers.authorization, options.metricsToken)) return reply.code(401).send({ error: { code: 'unauthorized', message: 'metrics need the metrics token' } });
    return reply.type('text/plain; version=0.0.4').send(await renderMetrics(deps));
  });
  await server.listen({ port, host: options.host ?? '0.0.0.0' });
  const address = server.server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  log.info({ port: actual }, 'health server listening');
  return { server, port: actual };
}
