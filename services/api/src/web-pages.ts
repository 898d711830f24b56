import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** services/web/dist, built by `npm run build -w @qr/web` (npm start and npm test build it first). */
export const defaultWebRoot = fileURLToPath(new URL('../../web/dist', import.meta.url));

/**
 * The web pages (ask and watch at /, operations at /ops.html), as static files: everything they load
 * comes from here, nothing from outside the system. Without a build, / says how to make one.
 */
export async function registerWebPages(app: FastifyInstance, root: string): Promise<void> {
  if (!existsSync(`${root}/index.html`)) {
    app.get('/', async (_request, reply) => reply.code(404).type('text/plain').send('The web pages are not built: npm run build -w @qr/web'));
    return;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: ['index.html'],
    wildcard: false, // only the files of the build: no path reaches anything else
    decorateReply: false, // security headers: on every route (security-headers.ts)
  });
}
