import { newMessage, destinationOf, topology, type Messages } from '@qr/contracts';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { deadLetterQueueName, Headers, MemoryBroker, MemoryTransport } from '@qr/lemur';
import { createLogger } from '@qr/runtime';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHydra } from '../src/index.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase;
const broker = new MemoryBroker();
const received: [string, unknown][] = [];
let hydra: Awaited<ReturnType<typeof startHydra>>;

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  hydra = await startHydra({ databaseUrl: db.url, transport: new MemoryTransport(broker), log: createLogger('hydra', 'silent'), onEvent: (type, body) => received.push([type, body]) });
});
afterAll(async () => {
  await hydra.close();
  broker.shutdown();
  await db.drop();
});

it('receives every event it will email about, and dead-letters one that does not fit its schema', async () => {
  const publisher = new MemoryTransport(broker);
  await publisher.connect();
  await publisher.declare(topology);
  const events: { [K in keyof Messages]?: Messages[K] } = {
    'question.matched': { questionId: 1, matches: [{ userId: 2, score: 1.5 }] },
    'answer.posted': { answerId: 3, questionId: 1, userId: 2, postedAt: '2026-11-29T00:00:00Z' },
    'answer.voted': { answerId: 3, userId: 4, value: 1 },
    'answer.accepted': { answerId: 3, questionId: 1 },
  };
  for (const [type, body] of Object.entries(events)) {
    const t = type as keyof Messages;
    await publisher.publish(destinationOf(t), newMessage(t, body as never));
  }
  await publisher.publish(destinationOf('answer.posted'), { id: 'bad', type: 'answer.posted', headers: { [Headers.type]: 'answer.posted' }, body: '{"answerId":"three","questionId":1,"userId":2,"postedAt":"2026-11-29T00:00:00Z"}' });
  const deadline = Date.now() + 5_000;
  while ((received.length < 4 || broker.depth(deadLetterQueueName('hydra.answer.posted')) < 1) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(received.map(([type]) => type).sort()).toEqual(['answer.accepted', 'answer.posted', 'answer.voted', 'question.matched']);
  expect(received.find(([type]) => type === 'answer.posted')?.[1]).toEqual(events['answer.posted']);
  const [dead] = broker.peek(deadLetterQueueName('hydra.answer.posted'));
  expect(dead?.headers[Headers.deadReason]).toMatch(/^rejected: invalid answer.posted: \/answerId/);
  await publisher.close();
});
