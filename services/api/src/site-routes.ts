import { getSiteStatus, setAnnouncement, setMaintenance, type Pool, type SiteStatus } from '@qr/db';
import type { FastifyInstance } from 'fastify';
import type { Auth } from './auth.js';

/** Routes that answer during maintenance: health, metrics, the announcement, and the switches themselves. */
const alwaysOpen = [/^\/healthz$/, /^\/readyz$/, /^\/metrics$/, /^\/announcement$/, /^\/admin\//];

const announcementBody = {
  type: 'object', required: ['message'], additionalProperties: false,
  properties: { message: { type: ['string', 'null'], maxLength: 2_000 } },
} as const;
const maintenanceBody = {
  type: 'object', required: ['enabled'], additionalProperties: false,
  properties: { enabled: { type: 'boolean' }, message: { type: 'string', maxLength: 2_000 }, retryAfterSeconds: { type: 'integer', minimum: 1, maximum: 86_400 } },
} as const;

/**
 * Planned maintenance, announced ahead (a message of the day) and then switched on: every route but
 * health, metrics and admin answers 503 with the message and Retry-After. Queued work is untouched:
 * matchers keep matching what was asked before. The state lives in Postgres, shared by all api
 * instances; each re-reads it at most once a second.
 */
export function registerSiteRoutes(app: FastifyInstance, pool: Pool, auth: Auth): void {
  let cached: { status: SiteStatus; at: number } | undefined;
  const status = async (): Promise<SiteStatus> => {
    if (!cached || Date.now() - cached.at > 1_000) cached = { status: await getSiteStatus(pool), at: Date.now() };
    return cached.status;
  };
  const remember = (s: SiteStatus): SiteStatus => {
    cached = { status: s, at: Date.now() };
    return s;
  };

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    if (alwaysOpen.some((open) => open.test(path))) return;
    const s = await status().catch(() => undefined); // the database being down shows elsewhere; do not block on it here
    if (!s?.maintenance) return;
    if (await auth.isAdmin(request)) return; // operators spot-test the new release while everyone else sees the maintenance page
    return reply
      .code(503)
      .header('retry-after', String(s.retryAfterSeconds))
      .send({ error: { code: 'maintenance', message: s.maintenanceMessage ?? 'The site is down for maintenance. Please come back soon.' } });
  });

  app.get('/announcement', async () => {
    const s = await status();
    return { announcement: s.announcement, maintenance: s.maintenance, message: s.maintenance ? s.maintenanceMessage : null };
  });

  app.put<{ Body: { message: string | null } }>('/admin/announcement', { schema: { body: announcementBody }, config: { auth: ['admin'] } }, async (request) => {
    const s = remember(await setAnnouncement(pool, request.body.message));
    request.log.info({ announcement: s.announcement }, 'announcement changed');
    return { announcement: s.announcement };
  });

  app.put<{ Body: { enabled: boolean; message?: string; retryAfterSeconds?: number } }>('/admin/maintenance', { schema: { body: maintenanceBody }, config: { auth: ['admin'] } }, async (request) => {
    const s = remember(await setMaintenance(pool, request.body));
    request.log.warn({ maintenance: s.maintenance, message: s.maintenanceMessage }, s.maintenance ? 'maintenance mode on' : 'maintenance mode off');
    return { maintenance: s.maintenance, message: s.maintenanceMessage, retryAfterSeconds: s.retryAfterSeconds };
  });
}
