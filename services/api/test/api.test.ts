import { decodeMessage, topology } from '@qr/contracts';
import { createPool, issueUnsubscribeToken, PgOutboxStore, pruneUnsubscribeTokens, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { Headers, MemoryBroker, MemoryTransport, OutboxRelay } from '@qr/lemur';
import { ServiceMetrics } from '@qr/runtime';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let db: TestDatabase;
let pool: Pool;
let app: FastifyInstance;
let broker: MemoryBroker;
let transport: MemoryTransport;
let kicks = 0;

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
  broker = new MemoryBroker();
  transport = new MemoryTransport(broker);
  await transport.connect();
  await transport.declare(topology);
  app = buildApp({ pool, transport, databaseUrl: db.url, metrics: new ServiceMetrics('api'), onOutboxWrite: () => kicks++, adminToken: 'admin-secret', bootstrapToken: 'service-secret' });
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await transport.close();
  broker.shutdown();
  await pool.end();
  await db.drop();
});

/** The web app's token (service scope): may act for any user. */
const service = { authorization: 'Bearer service-secret' };
const post = (url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: service, payload: payload as object });
const user = async (name: string): Promise<number> => {
  const response = await post('/users', { name, email: `${name.toLowerCase().replace(/\W/g, '')}.${Math.random()}@example.test` });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: number }>().id;
};

describe('users', () => {
  it('creates a user and refuses a second one with the same email', async () => {
    const first = await post('/users', { name: 'Alice', email: 'alice@example.test' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toEqual({ id: expect.any(Number) });
    const again = await post('/users', { name: 'Alice Two', email: 'ALICE@example.test' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { code: 'email_taken', message: expect.any(String) } });
  });

  it('answers 400 with the error shape for missing fields, bad emails and unknown fields', async () => {
    for (const payload of [{ name: 'x' }, { name: 'x', email: 'not-an-email' }, { name: 'x', email: 'a@b.c', admin: true }, { name: '', email: 'a@b.c' }]) {
      const response = await post('/users', payload);
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('invalid_request');
      expect(response.json().error.message).toEqual(expect.any(String));
    }
  });
});

describe('questions', () => {
  it('stores the question and its question.asked outbox row at once, in the shape the contract decodes', async () => {
    const asker = await user('Asker');
    const kicksBefore = kicks;
    const response = await post('/questions', { askerId: asker, title: 'How long to boil hops?', body: 'For bitterness.', tags: ['Hops', 'ipa', 'hops'] });
    expect(response.statusCode).toBe(201);
    const { id } = response.json<{ id: number }>();
    const { rows: questions } = await pool.query('select asker_id, title, tags, matched_at from questions where id = $1', [id]);
    expect(questions).toEqual([{ asker_id: asker, title: 'How long to boil hops?', tags: ['hops', 'ipa'], matched_at: null }]);
    const { rows: outbox } = await pool.query("select queue, exchange, headers, body, sent_at from outbox where type = 'question.asked' and body::jsonb->>'questionId' = $1", [String(id)]);
    expect(outbox).toHaveLength(1);
    expect(outbox[0].queue).toBe('question.asked');
    expect(outbox[0].sent_at).toBeNull();
    expect(JSON.parse(outbox[0].body)).toMatchObject({ questionId: id, askerId: asker, title: 'How long to boil hops?', tags: ['hops', 'ipa'], askedAt: expect.any(String) });
    // Postgres writes this body (one statement): the matcher's decoder of the contract must take it
    expect(decodeMessage(['question.asked'], 'question.asked', 1, JSON.parse(outbox[0].body))).toMatchObject({ questionId: id, askerId: asker });
    expect(outbox[0].headers[Headers.type]).toBe('question.asked');
    expect(kicks).toBe(kicksBefore + 1);
  });

  it('writes nothing when the asker does not exist', async () => {
    const { rows: before } = await pool.query('select count(*)::int as n from outbox');
    const response = await post('/questions', { askerId: 987654321, title: 'Orphan', body: 'Nobody asked this.' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('unknown_user');
    const { rows: after } = await pool.query('select count(*)::int as n from outbox');
    expect(after[0].n).toBe(before[0].n);
  });

  it('rejects malformed JSON, oversized titles, bad tags and unknown fields with 4xx and a message', async () => {
    const asker = await user('Picky');
    const malformed = await app.inject({ method: 'POST', url: '/questions', headers: { ...service, 'content-type': 'application/json' }, payload: '{"askerId":' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.code).toBe('invalid_json');
    for (const payload of [
      { askerId: asker, title: 'x'.repeat(301), body: 'b' },
      { askerId: asker, title: 't', body: 'b', tags: ['has space'] },
      { askerId: asker, title: 't', body: 'b', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
      { askerId: asker, title: 't', body: 'b', extra: 1 },
      { askerId: 'one', title: 't', body: 'b' },
    ]) {
      const response = await post('/questions', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().error.code).toBe('invalid_request');
    }
  });

  it('returns 404 for an unknown question and 400 for an id that is not a number', async () => {
    expect((await app.inject({ method: 'GET', url: '/questions/999999999/matches' })).statusCode).toBe(404);
    const bad = await app.inject({ method: 'GET', url: '/questions/abc/matches' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('invalid_request');
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).json().error.code).toBe('not_found');
  });

  it('reports a question without matches as pending', async () => {
    const asker = await user('Waiting');
    const { id } = (await post('/questions', { askerId: asker, title: 'Pending?', body: 'Not matched yet.' })).json<{ id: number }>();
    const response = await app.inject({ method: 'GET', url: `/questions/${id}/matches` });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ questionId: id, status: 'pending', matches: [] });
  });
});

describe('answers, votes and acceptance', () => {
  it('posts an answer, votes on it, accepts it, each with its event in the outbox', async () => {
    const asker = await user('Curious');
    const expert = await user('Expert');
    const voter = await user('Voter');
    const { id: questionId } = (await post('/questions', { askerId: asker, title: 'Why is my stout sour?', body: 'Infection?' })).json<{ id: number }>();
    const answer = await post(`/questions/${questionId}/answers`, { userId: expert, body: 'Probably lactobacillus.' });
    expect(answer.statusCode).toBe(201);
    const answerId = answer.json<{ id: number }>().id;

    const up = await post(`/answers/${answerId}/votes`, { userId: voter, value: 1 });
    expect(up.statusCode).toBe(201);
    expect(up.json()).toEqual({ answerId, score: 1 });
    const changed = await post(`/answers/${answerId}/votes`, { userId: voter, value: -1 });
    expect(changed.json()).toEqual({ answerId, score: -1 }); // a second vote replaces the first
    const again = await post(`/answers/${answerId}/votes`, { userId: voter, value: -1 });
    expect(again.json()).toEqual({ answerId, score: -1 }); // the same vote again changes nothing, and publishes nothing
    expect((await post(`/answers/${answerId}/votes`, { userId: expert, value: 1 })).json().error.code).toBe('own_answer');
    expect((await post(`/answers/${answerId}/votes`, { userId: voter, value: 2 })).statusCode).toBe(400);
    expect((await post('/answers/999999999/votes', { userId: voter, value: 1 })).statusCode).toBe(404);

    const accepted = await post(`/questions/${questionId}/accept`, { answerId });
    expect(accepted.statusCode).toBe(200);
    for (let i = 0; i < 2; i++) expect((await post(`/questions/${questionId}/accept`, { answerId })).statusCode).toBe(200); // changes nothing, publishes nothing
    const { rows } = await pool.query('select accepted_answer_id from questions where id = $1', [questionId]);
    expect(rows[0].accepted_answer_id).toBe(answerId);

    const { rows: events } = await pool.query(
      `select type, exchange, routing_key as "routingKey", body::jsonb as body from outbox
        where type like 'answer.%' and (body::jsonb->>'answerId')::bigint = $1 order by id`,
      [answerId],
    );
    expect(events.map((e) => [e.type, e.exchange, e.routingKey])).toEqual([
      ['answer.posted', 'events', 'answer.posted'],
      ['answer.voted', 'events', 'answer.voted'],
      ['answer.voted', 'events', 'answer.voted'],
      ['answer.accepted', 'events', 'answer.accepted'],
    ]);
    expect(events[0].body).toMatchObject({ answerId, questionId, userId: expert, postedAt: expect.any(String) });
  });

  it('refuses to accept an answer of another question, and answers to unknown questions', async () => {
    const asker = await user('Asker2');
    const expert = await user('Expert2');
    const q1 = (await post('/questions', { askerId: asker, title: 'One', body: 'b' })).json<{ id: number }>().id;
    const q2 = (await post('/questions', { askerId: asker, title: 'Two', body: 'b' })).json<{ id: number }>().id;
    const a1 = (await post(`/questions/${q1}/answers`, { userId: expert, body: 'a' })).json<{ id: number }>().id;
    const wrong = await post(`/questions/${q2}/accept`, { answerId: a1 });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.code).toBe('not_an_answer');
    expect((await post('/questions/999999999/answers', { userId: expert, body: 'a' })).statusCode).toBe(404);
  });
});

describe('outbox relay', () => {
  it('publishes unsent rows to their destinations, marks them sent, and publishes nothing twice', async () => {
    const asker = await user('Relayed');
    const { id } = (await post('/questions', { askerId: asker, title: 'Relay me', body: 'please' })).json<{ id: number }>();
    const relay = new OutboxRelay({ store: new PgOutboxStore(pool), transport, batchSize: 3 });
    while ((await relay.relayOnce()).claimed > 0);
    const { rows } = await pool.query('select count(*)::int as n from outbox where sent_at is null');
    expect(rows[0].n).toBe(0);
    const asked = broker.peek('question.asked').map((m) => JSON.parse(m.body) as { questionId: number });
    expect(asked.filter((b) => b.questionId === id)).toHaveLength(1);
    const total = broker.depth('question.asked');
    await relay.relayOnce();
    expect(broker.depth('question.asked')).toBe(total);
    expect(broker.depth('hydra.answer.posted')).toBeGreaterThan(0);
  });
});

describe('preferences and unsubscribe', () => {
  it('reads and changes a person\'s preferences, rejecting unknown kinds and fields', async () => {
    const id = await user('Prefs');
    const defaults = await app.inject({ method: 'GET', headers: service, url: `/users/${id}/preferences` });
    expect(defaults.json()).toEqual({ userId: id, optedOut: [], maxAsksPerDay: null, pausedUntil: null, digest: 'off' }); // never the unsubscribe token
    const changed = await app.inject({ method: 'PUT', headers: service, url: `/users/${id}/preferences`, payload: { optedOut: ['answer_voted_up'], maxAsksPerDay: 2, pausedUntil: '2031-01-02T03:04:05.000Z', digest: 'daily' } });
    expect(changed.json()).toEqual({ userId: id, optedOut: ['answer_voted_up'], maxAsksPerDay: 2, pausedUntil: '2031-01-02T03:04:05.000Z', digest: 'daily' });
    const cleared = await app.inject({ method: 'PUT', headers: service, url: `/users/${id}/preferences`, payload: { maxAsksPerDay: null, pausedUntil: null } });
    expect(cleared.json()).toEqual({ userId: id, optedOut: ['answer_voted_up'], maxAsksPerDay: null, pausedUntil: null, digest: 'daily' });
    for (const payload of [{ optedOut: ['spam'] }, { maxAsksPerDay: -1 }, { maxAsksPerDay: 1.5 }, { pausedUntil: 'next tuesday' }, { dailyCap: 2 }, { digest: 'weekly' }, { token: 'x' }, {}]) {
      expect((await app.inject({ method: 'PUT', headers: service, url: `/users/${id}/preferences`, payload })).statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect((await app.inject({ method: 'GET', headers: service, url: '/users/999999999/preferences' })).statusCode).toBe(404);
  });

  it('unsubscribes by the link\'s token: the GET only asks, the POST (or a one-click POST) acts', async () => {
    const id = await user('Leaving');
    await app.inject({ method: 'GET', headers: service, url: `/users/${id}/preferences` });
    const token = await issueUnsubscribeToken(pool, id, null); // as the notifier makes one for an email
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    const { rows: stored } = await pool.query<{ hash: Buffer }>('select hash from unsubscribe_tokens where user_id = $1', [id]);
    expect(stored.map((r) => r.hash.toString('base64url'))).not.toContain(token); // only its hash is kept
    const page = await app.inject({ method: 'GET', url: `/unsubscribe?token=${token}&kind=question_for_you` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Stop emails about questions you can answer?');
    expect(page.body).toContain('<form method="post"');
    expect((await app.inject({ method: 'GET', headers: service, url: `/users/${id}/preferences` })).json().optedOut).toEqual([]); // nothing changed yet

    const oneClick = await app.inject({
      method: 'POST', url: `/unsubscribe?token=${token}&kind=question_for_you`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', headers: service, url: `/users/${id}/preferences` })).json().optedOut).toEqual(['question_for_you']);
    await app.inject({ method: 'POST', url: `/unsubscribe?token=${token}` });
    expect((await app.inject({ method: 'GET', headers: service, url: `/users/${id}/preferences` })).json().optedOut.sort()).toEqual(['answer_accepted', 'answer_voted_up', 'new_answer', 'question_for_you']);

    expect((await app.inject({ method: 'POST', url: '/unsubscribe?token=guessed' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/unsubscribe' })).statusCode).toBe(400);
  });

  it('scopes a link\'s token to its kind of email, and forgets it when it expires', async () => {
    const id = await user('Scoped');
    await app.inject({ method: 'GET', headers: service, url: `/users/${id}/preferences` });
    const votes = await issueUnsubscribeToken(pool, id, 'answer_voted_up');
    const optedOut = async () => (await app.inject({ method: 'GET', headers: service, url: `/users/${id}/preferences` })).json().optedOut;
    expect((await app.inject({ method: 'POST', url: `/unsubscribe?token=${votes}&kind=question_for_you` })).statusCode).toBe(404); // not its kind
    expect(await optedOut()).toEqual([]);
    expect((await app.inject({ method: 'POST', url: `/unsubscribe?token=${votes}` })).statusCode).toBe(200); // its own kind, and only that
    expect(await optedOut()).toEqual(['answer_voted_up']);
    const old = await issueUnsubscribeToken(pool, id, null);
    await pool.query("update unsubscribe_tokens set expires_at = now() - interval '1 second' where user_id = $1", [id]);
    expect((await app.inject({ method: 'POST', url: `/unsubscribe?token=${old}` })).statusCode).toBe(404);
    expect(await pruneUnsubscribeTokens(pool)).toBeGreaterThanOrEqual(2);
  });
});

describe('announcements and maintenance mode', () => {
  const admin = { authorization: 'Bearer admin-secret' };

  it('announces planned maintenance, then answers 503 with the message and Retry-After, health and admin still up', async () => {
    expect((await app.inject({ method: 'GET', url: '/announcement' })).json()).toEqual({ announcement: null, maintenance: false, message: null });
    expect((await app.inject({ method: 'PUT', url: '/admin/announcement', payload: { message: 'Down for 10 minutes at 18:00 UTC' } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'PUT', url: '/admin/announcement', headers: { authorization: 'Bearer wrong' }, payload: { message: 'x' } })).statusCode).toBe(401);
    await app.inject({ method: 'PUT', url: '/admin/announcement', headers: admin, payload: { message: 'Down for 10 minutes at 18:00 UTC' } });
    expect((await app.inject({ method: 'GET', url: '/announcement' })).json().announcement).toBe('Down for 10 minutes at 18:00 UTC');

    const on = await app.inject({ method: 'PUT', url: '/admin/maintenance', headers: admin, payload: { enabled: true, message: 'Upgrading; back at 18:10 UTC', retryAfterSeconds: 600 } });
    expect(on.json()).toEqual({ maintenance: true, message: 'Upgrading; back at 18:10 UTC', retryAfterSeconds: 600 });
    const asked = await post('/questions', { askerId: 1, title: 'During maintenance?', body: 'b' });
    expect(asked.statusCode).toBe(503);
    expect(asked.headers['retry-after']).toBe('600');
    expect(asked.json()).toEqual({ error: { code: 'maintenance', message: 'Upgrading; back at 18:10 UTC' } });
    expect((await app.inject({ method: 'GET', url: '/questions/1/matches' })).statusCode).toBe(503);
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/announcement' })).json()).toMatchObject({ maintenance: true, message: 'Upgrading; back at 18:10 UTC' });
    // an operator spot-tests the release during maintenance with the admin token
    expect((await app.inject({ method: 'POST', url: '/users', headers: admin, payload: { name: 'Spot', email: 'spot.test@example.test' } })).statusCode).toBe(201);
    expect((await app.inject({ method: 'POST', url: '/users', headers: { authorization: 'Bearer wrong' }, payload: { name: 'No', email: 'no@example.test' } })).statusCode).toBe(503);

    await app.inject({ method: 'PUT', url: '/admin/maintenance', headers: admin, payload: { enabled: false } });
    expect((await post('/users', { name: 'After', email: 'after.maintenance@example.test' })).statusCode).toBe(201);
  });

  it('keeps admin routes shut to tokens it does not know (no ADMIN_TOKEN, none made)', async () => {
    const closed = buildApp({ pool, transport, databaseUrl: db.url, metrics: new ServiceMetrics('api'), onOutboxWrite: () => {} });
    const response = await closed.inject({ method: 'PUT', url: '/admin/maintenance', headers: admin, payload: { enabled: true } });
    expect(response.statusCode).toBe(401);
    expect(response.json().error.code).toBe('unauthorized');
    await closed.close();
  });
});

describe('health', () => {
  it('is alive, ready with the database migrated and the transport connected, and serves metrics', async () => {
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ready: true, checks: { database: 'ok', broker: 'ok', migrations: 'ok' } });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('outbox_unsent_messages');
  });
});
