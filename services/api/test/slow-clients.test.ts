import { ServiceMetrics } from '@qr/runtime';
import { createPool, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { MemoryBroker, MemoryTransport } from '@qr/lemur';
import type { FastifyInstance } from 'fastify';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/index.js';

// Clients that hold connections: slow senders, and event streams opened by the thousand (issue 17).
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase;
let pool: Pool;
let api: FastifyInstance;
let port: number;
let questionId: number;
const broker = new MemoryBroker();

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
  const transport = new MemoryTransport(broker);
  api = buildApp({
    pool, transport, databaseUrl: db.url, metrics: new ServiceMetrics('api'), onOutboxWrite: () => {}, bootstrapToken: 'svc',
    requestTimeoutMs: 1_500, streamLimits: { perAddress: 2, total: 3 },
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  port = (api.server.address() as { port: number }).port;
  const asker = (await pool.query<{ id: number }>("insert into users (name, email) values ('A', 'a.slow@example.test') returning id")).rows[0]!.id;
  questionId = (await pool.query<{ id: number }>("insert into questions (asker_id, title, body) values ($1, 'Still waiting?', 'b') returning id", [asker])).rows[0]!.id;
});
afterAll(async () => {
  await api.close();
  broker.shutdown();
  await pool.end();
  await db.drop();
});

/** Opens an event stream from `localAddress`; resolves with its status once the headers arrive. */
function stream(localAddress: string): Promise<{ status: number; retryAfter?: string; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/questions/${questionId}/events`, localAddress }, (res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined, close: () => req.destroy() });
      res.resume();
    });
    req.on('error', (error) => (String(error).includes('socket hang up') ? undefined : reject(error)));
    req.end();
  });
}

describe('slow and greedy clients', () => {
  it('closes the connection of a request whose body trickles in past the request timeout', async () => {
    const socket = connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write(`POST /questions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer svc\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{`);
    const trickle = setInterval(() => socket.writable && socket.write(' '), 300);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', () => {});
    const closed = await new Promise<boolean>((resolve) => {
      socket.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 10_000); // a bound for the test, not the measurement: the server's limit is 1.5 s
    });
    clearInterval(trickle);
    expect(closed).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });

  it('caps open event streams per address (429) and in all (503), and frees a place when a stream closes', async () => {
    const first = await stream('127.0.0.1');
    const second = await stream('127.0.0.1');
    expect([first.status, second.status]).toEqual([200, 200]);
    const third = await stream('127.0.0.1');
    expect(third.status).toBe(429);
    expect(Number(third.retryAfter)).toBeGreaterThan(0);
    const elsewhere = await stream('127.0.0.2');
    expect(elsewhere.status).toBe(200);
    const full = await stream('127.0.0.3');
    expect(full.status).toBe(503);
    expect(Number(full.retryAfter)).toBeGreaterThan(0);
    first.close();
    await new Promise((r) => setTimeout(r, 200));
    const again = await stream('127.0.0.1');
    expect(again.status).toBe(200);
    for (const s of [second, elsewhere, again, third, full]) s.close();
  });
});
