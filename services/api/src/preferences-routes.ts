import { ensurePreferences, notificationKinds, unsubscribeByToken, updatePreferences, userExists, type DigestMode, type NotificationKind, type Pool, type Preferences } from '@qr/db';
import escapeHtml from 'escape-html';
import type { FastifyInstance } from 'fastify';
import type { Auth } from './auth.js';
import { notFound } from './errors.js';
import { idParams, type IdParams } from './schemas.js';

const preferencesBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    optedOut: { type: 'array', uniqueItems: true, maxItems: notificationKinds.length, items: { type: 'string', enum: [...notificationKinds] } },
    /** at most this many asks (questions routed to them) a day; null: only what their answering earns */
    maxAsksPerDay: { type: ['integer', 'null'], minimum: 0, maximum: 1000 },
    /** asked nothing until then (an ISO date-time); null: not paused */
    pausedUntil: { type: ['string', 'null'], format: 'date-time', maxLength: 40 },
    digest: { type: 'string', enum: ['off', 'hourly', 'daily'] },
  },
} as const;

const unsubscribeQuery = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  properties: { token: { type: 'string', minLength: 1, maxLength: 200 }, kind: { type: 'string', enum: [...notificationKinds] } },
} as const;

/** What a person may see of their preferences: never the unsubscribe token. */
const visible = (p: Preferences) => ({
  userId: p.userId,
  optedOut: p.optedOut,
  maxAsksPerDay: p.maxAsksPerDay,
  pausedUntil: p.pausedUntil?.toISOString() ?? null,
  digest: p.digest,
});

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;

const what = (kind: NotificationKind | undefined): string =>
  kind ? `emails about ${{ question_for_you: 'questions you can answer', new_answer: 'answers to your questions', answer_accepted: 'your answers being accepted', answer_voted_up: 'your answers being voted up' }[kind]}` : 'all emails';

/** A person's preferences: theirs to see and change (a user token of theirs), or the web app's (a service token). */
export function registerPreferenceRoutes(app: FastifyInstance, pool: Pool, auth: Auth): void {
  app.get<{ Params: IdParams }>('/users/:id/preferences', { schema: { params: idParams }, config: { auth: ['service', 'user'] } }, async (request) => {
    await auth.actAs(request, request.params.id);
    if (!(await userExists(pool, request.params.id))) throw notFound('user', request.params.id);
    return visible(await ensurePreferences(pool, request.params.id));
  });

  app.put<{ Params: IdParams; Body: { optedOut?: NotificationKind[]; maxAsksPerDay?: number | null; pausedUntil?: string | null; digest?: DigestMode } }>(
    '/users/:id/preferences',
    { schema: { params: idParams, body: preferencesBody }, config: { auth: ['service', 'user'] } },
    async (request) => {
      await auth.actAs(request, request.params.id);
      if (!(await userExists(pool, request.params.id))) throw notFound('user', request.params.id);
      const { pausedUntil, ...rest } = request.body;
      return visible(await updatePreferences(pool, request.params.id, { ...rest, ...(pausedUntil === undefined ? {} : { pausedUntil: pausedUntil === null ? null : new Date(pausedUntil) }) }));
    },
  );

  // A mail system's link scanner follows GETs: the link shows a page, the button (or a one-click POST) acts.
  app.get<{ Querystring: { token: string; kind?: NotificationKind } }>('/unsubscribe', { schema: { querystring: unsubscribeQuery } }, async (request, reply) => {
    const { token, kind } = request.query;
    const action = `/unsubscribe?token=${encodeURIComponent(token)}${kind ? `&kind=${kind}` : ''}`;
    return reply.type('text/html; charset=utf-8').send(page('Unsubscribe', `<p>Stop ${escapeHtml(what(kind))}?</p><form method="post" action="${escapeHtml(action)}"><button type="submit">Unsubscribe</button></form>`));
  });

  // The unsubscribe form posts form-encoded (its fields are in the query string): only this route takes that type.
  void app.register(async (unsubscribe) => {
    unsubscribe.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    unsubscribe.post<{ Querystring: { token: string; kind?: NotificationKind } }>('/unsubscribe', { schema: { querystring: unsubscribeQuery } }, async (request, reply) => {
      const { token, kind } = request.query;
      const done = await unsubscribeByToken(pool, token, kind);
      if (!done) return reply.code(404).type('text/html; charset=utf-8').send(page('Link not recognised', '<p>This unsubscribe link is not valid (any more). Your preferences can be changed in your account.</p>'));
      return reply.type('text/html; charset=utf-8').send(page('Unsubscribed', `<p>You will no longer receive ${escapeHtml(what(done.stopped ?? undefined))}.</p>`));
    });
  });
}
