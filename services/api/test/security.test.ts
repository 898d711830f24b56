import { Writable } from 'node:stream';
import { topology } from '@qr/contracts';
import { createPool, insertToken, newToken, revokeToken, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { MemoryBroker, MemoryTransport } from '@qr/lemur';
import { createLogger, ServiceMetrics } from '@qr/runtime';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, MemoryQueueOps, type AppDeps } from '../src/index.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase;
let pool: Pool;
let broker: MemoryBroker;
let transport: MemoryTransport;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
  broker = new MemoryBroker();
  transport = new MemoryTransport(broker);
  await transport.connect();
  await transport.declare(topology);
});
afterAll(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await transport.close();
  broker.shutdown();
  await pool.end();
  await db.drop();
});

async function app(extra: Partial<AppDeps> = {}): Promise<FastifyInstance> {
  const built = buildApp({ pool, transport, databaseUrl: db.url, metrics: new ServiceMetrics('api'), onOutboxWrite: () => {}, bootstrapToken: 'bootstrap-secret', tokenCacheMs: 0, ...extra });
  await built.ready();
  apps.push(built);
  return built;
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const service = bearer('bootstrap-secret');

async function newUser(api: FastifyInstance, name: string): Promise<number> {
  const response = await api.inject({ method: 'POST', url: '/users', headers: service, payload: { name, email: `user.${Math.random()}@example.test` } });
  expect(response.statusCode).toBe(201);
  return response.json<{ id: number }>().id;
}

describe('authentication and scopes', () => {
  it('refuses every write without a token (401, WWW-Authenticate) and with an unknown or malformed one', async () => {
    const api = await app();
    const asker = await newUser(api, 'asker');
    const writes = [
      { method: 'POST', url: '/users', payload: { name: 'x', email: 'x@example.test' } },
      { method: 'POST', url: '/questions', payload: { askerId: asker, title: 't', body: 'b' } },
      { method: 'POST', url: '/questions/1/answers', payload: { userId: asker, body: 'b' } },
      { method: 'POST', url: '/answers/1/votes', payload: { userId: asker, value: 1 } },
      { method: 'POST', url: '/questions/1/accept', payload: { answerId: 1 } },
      { method: 'PUT', url: `/users/${asker}/preferences`, payload: { maxAsksPerDay: 1 } },
      { method: 'GET', url: `/users/${asker}/preferences` },
      { method: 'PUT', url: '/admin/maintenance', payload: { enabled: true } },
      { method: 'PUT', url: '/admin/announcement', payload: { message: 'x' } },
    ] as const;
    for (const write of writes) {
      for (const headers of [{}, bearer('made-up'), { authorization: 'Basic Zm9vOmJhcg==' }, bearer('bootstrap-secret ')]) {
        const response = await api.inject({ ...write, headers });
        expect(response.statusCode, `${write.method} ${write.url} ${JSON.stringify(headers)}`).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer');
        expect(response.json().error.code).toBe('unauthorized');
      }
    }
    const { rows } = await pool.query<{ n: number }>("select count(*)::int as n from users where email = 'x@example.test'");
    expect(rows[0]!.n).toBe(0);
  });

  it('lets a user token act only as its user, a service token for anyone, an admin token run the site; revoked tokens stop working', async () => {
    const api = await app();
    const alice = await newUser(api, 'alice');
    const bob = await newUser(api, 'bob');
    const aliceToken = newToken();
    const aliceTokenId = await insertToken(pool, { name: 'alice', scope: 'user', userId: alice, secret: aliceToken });
    const adminToken = newToken();
    await insertToken(pool, { name: 'ops', scope: 'admin', secret: adminToken });
    const asAlice = bearer(aliceToken);

    const own = await api.inject({ method: 'POST', url: '/questions', headers: asAlice, payload: { askerId: alice, title: 'Mine', body: 'b' } });
    expect(own.statusCode).toBe(201);
    const forBob = await api.inject({ method: 'POST', url: '/questions', headers: asAlice, payload: { askerId: bob, title: 'As Bob', body: 'b' } });
    expect(forBob.statusCode).toBe(403);
    expect(forBob.json().error.code).toBe('forbidden');
    expect((await api.inject({ method: 'POST', url: '/users', headers: asAlice, payload: { name: 'y', email: 'y@example.test' } })).statusCode).toBe(403);
    expect((await api.inject({ method: 'GET', url: `/users/${bob}/preferences`, headers: asAlice })).statusCode).toBe(403);
    expect((await api.inject({ method: 'GET', url: `/users/${alice}/preferences`, headers: asAlice })).statusCode).toBe(200);
    expect((await api.inject({ method: 'PUT', url: '/admin/announcement', headers: asAlice, payload: { message: 'x' } })).statusCode).toBe(403);
    expect((await api.inject({ method: 'PUT', url: '/admin/announcement', headers: service, payload: { message: 'x' } })).statusCode).toBe(403);
    expect((await api.inject({ method: 'PUT', url: '/admin/announcement', headers: bearer(adminToken), payload: { message: null } })).statusCode).toBe(200);

    // Bob answers Alice's question; only Alice (or the web app) may accept it
    const questionId = own.json<{ id: number }>().id;
    const answer = await api.inject({ method: 'POST', url: `/questions/${questionId}/answers`, headers: service, payload: { userId: bob, body: 'an answer' } });
    expect(answer.statusCode).toBe(201);
    const bobToken = newToken();
    await insertToken(pool, { name: 'bob', scope: 'user', userId: bob, secret: bobToken });
    const answerId = answer.json<{ id: number }>().id;
    expect((await api.inject({ method: 'POST', url: `/questions/${questionId}/accept`, headers: bearer(bobToken), payload: { answerId } })).statusCode).toBe(403);
    expect((await api.inject({ method: 'POST', url: `/questions/${questionId}/accept`, headers: asAlice, payload: { answerId } })).statusCode).toBe(200);

    expect(await revokeToken(pool, aliceTokenId)).toBe(true);
    expect((await api.inject({ method: 'POST', url: '/questions', headers: asAlice, payload: { askerId: alice, title: 'Again', body: 'b' } })).statusCode).toBe(401);
  });

  it('stores hostile strings verbatim: SQL and script text come back exactly as sent, and the tables are intact', async () => {
    const api = await app();
    const asker = await newUser(api, "o'brien; drop table users;--");
    const title = `Robert'); DROP TABLE questions;-- <script>alert("x")</script>`;
    const body = `<img src=x onerror=alert(1)> ' OR 1=1 -- \u0000-free but "quoted" & ${'\u202e'}reversed`.replace('\u0000', '');
    const asked = await api.inject({ method: 'POST', url: '/questions', headers: service, payload: { askerId: asker, title, body, tags: ['sql'] } });
    expect(asked.statusCode).toBe(201);
    const back = await api.inject({ method: 'GET', url: `/questions/${asked.json<{ id: number }>().id}` });
    expect(back.json()).toMatchObject({ title, body });
    expect(back.headers['content-type']).toMatch(/^application\/json/);
    const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from questions');
    expect(rows[0]!.n).toBeGreaterThan(0);
  });
});

describe('hostile and oversized requests', () => {
  it('answers 4xx with a message for oversized, malformed and misshapen requests, and 500s say nothing internal', async () => {
    const api = await app({ bodyLimit: 16 * 1024 });
    const asker = await newUser(api, 'limits');
    const cases: { payload: string | object; contentType?: string; status: number; code: string }[] = [
      { payload: JSON.stringify({ askerId: asker, title: 't', body: 'x'.repeat(20_000) }), status: 413, code: 'body_too_large' },
      { payload: '{"askerId": 1, "title": ', status: 400, code: 'invalid_json' },
      { payload: '<askerId>1</askerId>', contentType: 'application/xml', status: 415, code: 'unsupported_media_type' },
      { payload: 'askerId=1', contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
      { payload: 'askerId=1&title=t&body=b', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
      { payload: { askerId: String(asker), title: 't', body: 'b' }, status: 400, code: 'invalid_request' },
      { payload: { askerId: asker, title: 't', body: 'b', tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }, status: 400, code: 'invalid_request' },
      { payload: { askerId: asker, title: 't', body: 'b', tags: ['<script>'] }, status: 400, code: 'invalid_request' },
      { payload: { askerId: asker, title: 't', body: 'b', tags: [{ $ne: 1 }] }, status: 400, code: 'invalid_request' },
      { payload: { askerId: asker, title: 't', body: 'b', isAdmin: true }, status: 400, code: 'invalid_request' },
      { payload: { askerId: '1 or 1=1', title: 't', body: 'b' }, status: 400, code: 'invalid_request' },
      { payload: { askerId: asker, title: 'x'.repeat(301), body: 'b' }, status: 400, code: 'invalid_request' },
      { payload: { askerId: asker, title: 'nul \u0000 inside', body: 'b' }, status: 400, code: 'invalid_request' },
      { payload: { askerId: asker, title: 't', body: 'x'.repeat(30_001) }, status: 413, code: 'body_too_large' },
    ];
    for (const c of cases) {
      const response = await api.inject({
        method: 'POST',
        url: '/questions',
        headers: { ...service, 'content-type': c.contentType ?? 'application/json' },
        payload: typeof c.payload === 'string' ? c.payload : JSON.stringify(c.payload),
      });
      expect(response.statusCode, JSON.stringify(c).slice(0, 120)).toBe(c.status);
      expect(response.json().error.code).toBe(c.code);
      expect(response.json().error.message).toEqual(expect.any(String));
      expect(response.body).not.toMatch(/FST_|node_modules|at .*\(|SELECT|INSERT|postgres/i);
    }

    // ids in paths are decimal whole numbers, nothing a number parser could also read
    for (const id of ['0x10', '1e3', '+1', '1.0', ' 1', '0b1']) {
      const response = await api.inject({ method: 'GET', url: `/questions/${encodeURIComponent(id)}` });
      expect(response.statusCode, id).toBe(400);
      expect(response.json().error.message).toMatch(/decimal/);
    }
    expect((await api.inject({ method: 'GET', url: '/questions/999999999' })).statusCode).toBe(404);

    // a failure inside (a trigger raising with internal detail): 500, and nothing of it in the answer
    await pool.query(`create function explode() returns trigger language plpgsql as $$ begin if new.name = 'explode' then raise exception 'secret detail from SELECT internals'; end if; return new; end $$`);
    await pool.query('create trigger explode before insert on users for each row execute function explode()');
    const response = await api.inject({ method: 'POST', url: '/users', headers: service, payload: { name: 'explode', email: 'explode@example.test' } });
    await pool.query('drop trigger explode on users; drop function explode()');
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: { code: 'internal', message: 'internal error' } });

    // the database is gone: 503 with Retry-After (the client should come back), not a 500
    const brokenPool = createPool(db.url, { onError: () => {} });
    await brokenPool.end();
    const broken = await app({ pool: brokenPool });
    const away = await broken.inject({ method: 'POST', url: '/questions', headers: service, payload: { askerId: asker, title: 't', body: 'b' } });
    expect(away.statusCode).toBe(503);
    expect(Number(away.headers['retry-after'])).toBeGreaterThan(0);
    expect(away.json().error.code).toBe('unavailable');
    expect(away.body).not.toMatch(/pool|postgres|ECONN/i);
  });

  it('refuses a NUL character in any text field with 400, never a 500', async () => {
    const api = await app({ adminToken: 'admin-secret' });
    const admin = bearer('admin-secret');
    const nul = 'a\u0000b';
    const requests = [
      { method: 'POST' as const, url: '/users', headers: service, payload: { name: 'n', email: `x${nul}@example.test` } },
      { method: 'POST' as const, url: '/users', headers: service, payload: { name: nul, email: 'nul.name@example.test' } },
      { method: 'PUT' as const, url: '/admin/announcement', headers: admin, payload: { message: nul } },
      { method: 'PUT' as const, url: '/admin/maintenance', headers: admin, payload: { enabled: false, message: nul } },
      { method: 'POST' as const, url: '/unsubscribe?token=a%00b', headers: {}, payload: undefined },
      { method: 'GET' as const, url: '/unsubscribe?token=a%00b', headers: {}, payload: undefined },
    ];
    for (const r of requests) {
      const response = await api.inject(r);
      expect(response.statusCode, r.url).toBe(400);
      expect(response.json().error.message).toMatch(/NUL/);
    }
  });

  it('takes an email only as one plain mailbox, as the mailer reads it, and unique whatever its case', async () => {
    const api = await app();
    const create = (email: string) => api.inject({ method: 'POST', url: '/users', headers: service, payload: { name: 'Mail', email } });
    for (const email of ['victim@corp.example,attacker', 'x<attacker@evil.example>', 'a@b@c.example', 'group: a@b.example;', 'a@b.example (comment)', '"a b"@c.example', 'a;b@c.example']) {
      const response = await create(email);
      expect(response.statusCode, email).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/email/) });
    }
    expect((await create('Case.Mixed@Example.test')).statusCode).toBe(201);
    expect((await create('case.mixed@example.TEST')).statusCode).toBe(409);
  });

  it('takes a caller\'s x-request-id as the correlation id only when it is short and plain', async () => {
    const api = await app();
    const asker = await newUser(api, 'correlated');
    const correlationOf = async (requestId: string): Promise<string> => {
      const asked = await api.inject({ method: 'POST', url: '/questions', headers: { ...service, 'x-request-id': requestId }, payload: { askerId: asker, title: 't', body: 'b' } });
      expect(asked.statusCode).toBe(201);
      const { rows } = await pool.query<{ c: string }>("select headers->>'x-correlation-id' as c from outbox where type = 'question.asked' order by id desc limit 1");
      return rows[0]!.c;
    };
    expect(await correlationOf('checkout-42.retry:1')).toBe('checkout-42.retry:1');
    for (const hostile of ['x'.repeat(15_000), 'a b', 'id\u001b[31m', '{"json":1}', 'a'.repeat(65)]) {
      expect(await correlationOf(hostile)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  it('says which dependency is down, never how, and serves metrics only to the metrics token when one is set', async () => {
    const brokenPool = createPool('postgres://postgres@127.0.0.1:1/nowhere', { onError: () => {} });
    const broken = await app({ pool: brokenPool });
    const ready = await broken.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.database).toBe('unreachable');
    expect(ready.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|:1\b|nowhere/);
    await brokenPool.end();

    const guarded = await app({ metricsToken: 'scrape-secret' });
    expect((await guarded.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await guarded.inject({ method: 'GET', url: '/metrics', headers: bearer('wrong') })).statusCode).toBe(401);
    const scraped = await guarded.inject({ method: 'GET', url: '/metrics', headers: bearer('scrape-secret') });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.body).toContain('outbox_unsent_messages');
  });

  it('sends security headers on JSON routes and the unsubscribe page, not only on static files', async () => {
    const api = await app();
    for (const url of ['/healthz', '/questions/999999999', '/unsubscribe?token=x', '/no/such/route']) {
      const response = await api.inject({ method: 'GET', url });
      expect(response.headers['content-security-policy'], url).toContain("frame-ancestors 'none'");
      expect(response.headers['content-security-policy'], url).toContain("default-src 'self'");
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['referrer-policy'], url).toBe('no-referrer');
    }
  });

  it('answers 404 for the dead letters of a queue that does not exist, and replays those of one that does', async () => {
    const connect = async () => {
      const another = new MemoryTransport(broker);
      await another.connect();
      return another;
    };
    const api = await app({ adminToken: 'admin-secret', queueOps: new MemoryQueueOps(pool, transport, connect, broker) });
    const admin = bearer('admin-secret');
    for (const [method, url] of [['POST', '/admin/queues/no.such.queue/dead-letters/replay'], ['GET', '/admin/queues/no.such.queue/dead-letters']] as const) {
      const response = await api.inject({ method, url, headers: admin, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(response.statusCode, url).toBe(404);
      expect(response.json().error.code).toBe('not_found');
    }
    const real = await api.inject({ method: 'POST', url: '/admin/queues/question.asked/dead-letters/replay', headers: admin, payload: {} });
    expect(real.statusCode).toBe(200);
    expect(real.json()).toEqual({ replayed: 0, skipped: 0 });
  });

  it('returns the first result again for a retried POST with the same Idempotency-Key, and refuses the key on another request', async () => {
    const api = await app();
    const asker = await newUser(api, 'idempotent');
    const ask = (key: string, title: string) =>
      api.inject({ method: 'POST', url: '/questions', headers: { ...service, 'idempotency-key': key }, payload: { askerId: asker, title, body: 'b' } });
    const first = await ask('retry-me-1', 'Asked once, sent twice');
    expect(first.statusCode).toBe(201);
    const again = await ask('retry-me-1', 'Asked once, sent twice');
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(again.headers['idempotent-replayed']).toBe('true');
    const { rows } = await pool.query<{ n: number }>("select count(*)::int as n from questions where title = 'Asked once, sent twice'");
    expect(rows[0]!.n).toBe(1);
    const reused = await ask('retry-me-1', 'A different question');
    expect(reused.statusCode).toBe(422);
    expect(reused.json().error.code).toBe('idempotency_key_reused');
    expect((await ask('retry-me-2', 'Asked once, sent twice')).json().id).not.toBe(first.json().id); // another key: another question
    expect((await ask('x'.repeat(201), 'Long key')).statusCode).toBe(400);
    // another caller's key space: the same key is theirs to use
    const other = await api.inject({ method: 'POST', url: '/unsubscribe?token=nope', headers: { 'idempotency-key': 'retry-me-1' } });
    expect(other.statusCode).toBe(404);
  });

  it('limits requests per token and per address with 429 and Retry-After; health is never limited', async () => {
    const api = await app({ rateLimits: { service: 5, anonymous: 3 } });
    const read = () => api.inject({ method: 'GET', url: '/announcement', remoteAddress: '198.51.100.7' });
    for (let i = 0; i < 3; i++) expect((await read()).statusCode).toBe(200);
    const limited = await read();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.json().error.code).toBe('rate_limited');
    // another address still gets in; made-up tokens count against the address
    expect((await api.inject({ method: 'GET', url: '/announcement', remoteAddress: '198.51.100.8' })).statusCode).toBe(200);
    expect((await api.inject({ method: 'GET', url: '/announcement', remoteAddress: '198.51.100.7', headers: bearer('guess') })).statusCode).toBe(429);
    // a token has its own budget
    for (let i = 0; i < 5; i++) expect((await api.inject({ method: 'GET', url: '/announcement', remoteAddress: '198.51.100.7', headers: service })).statusCode).toBe(200);
    expect((await api.inject({ method: 'GET', url: '/announcement', remoteAddress: '198.51.100.7', headers: service })).statusCode).toBe(429);
    for (let i = 0; i < 10; i++) expect((await api.inject({ method: 'GET', url: '/healthz', remoteAddress: '198.51.100.7' })).statusCode).toBe(200);
  });
});

describe('secrets in logs', () => {
  it('never logs a bearer token, an unsubscribe token or a password', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger('api', 'trace', sink);
    const api = await app({ log: log as unknown as FastifyBaseLogger });
    const userToken = newToken();
    const asker = await newUser(api, 'logged');
    await insertToken(pool, { name: 'logged', scope: 'user', userId: asker, secret: userToken });
    await api.inject({ method: 'POST', url: '/questions', headers: bearer(userToken), payload: { askerId: asker, title: 't', body: 'b' } });
    await api.inject({ method: 'GET', url: '/unsubscribe?token=unsubscribe-secret-123&kind=new_answer' });
    await api.inject({ method: 'POST', url: '/users', headers: bearer('wrong-secret-456'), payload: {} });
    log.info({ config: { databaseUrl: 'postgres://svc:db-password-789@db/qr', stompPasscode: 'broker-pass-000' }, password: 'pw-111' }, 'starting');
    log.flush();
    const all = lines.join('');
    expect(all).toContain('incoming request'); // requests are logged, just not their secrets
    for (const secret of [userToken, 'bootstrap-secret', 'unsubscribe-secret-123', 'wrong-secret-456', 'db-password-789', 'broker-pass-000', 'pw-111']) {
      expect(all, secret).not.toContain(secret);
    }
    expect(all).toContain('[redacted]');
  });
});
