import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Consumer, createMessage, RabbitManagement, StompTransport } from '../src/index.js';
import { rabbit } from './transports.js';

// A consumer that prefetches more than it runs keeps deliveries waiting. When the connection
// drops, the broker takes them all back and delivers them again; the waiting copies are stale and
// must not be started (that would process each of them twice).
describe('a consumer whose connection drops while deliveries wait for a handler', () => {
  const vhost = `test-${randomUUID()}`;
  const management = new RabbitManagement({ url: rabbit.managementUrl, login: rabbit.login, passcode: rabbit.passcode, vhost });
  const open: StompTransport[] = [];
  afterEach(async () => {
    await Promise.all(open.map((t) => t.close()));
    await management.deleteVhost().catch(() => {});
  });

  it('skips the waiting ones the broker took back, publishes no retry for a failure on the lost connection, and processes each redelivery once', async () => {
    await management.createVhost();
    const connect = async (): Promise<StompTransport> => {
      const transport = new StompTransport({
        url: 'stomp://127.0.0.1:61613', login: rabbit.login, passcode: rabbit.passcode, vhost,
        managementUrl: rabbit.managementUrl, reconnectInitialDelayMs: 100, reconnectMaxDelayMs: 500,
      });
      open.push(transport);
      await transport.connect();
      return transport;
    };
    const transport = await connect();
    await transport.declare({ exchanges: [], queues: [{ name: 'work' }] });
    for (let i = 0; i < 5; i++) await transport.publish({ queue: 'work' }, createMessage('work', { i }));

    const calls: { i: number; redelivered: boolean }[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const consumer = new Consumer({
      transport, queue: 'work', defaultType: 'work', prefetch: 5, concurrency: 1,
      retry: { initialDelayMs: 20, maxDelayMs: 20 },
      decode: (_t, _v, body) => body as { i: number },
      handle: async (message) => {
        calls.push({ i: message.body.i, redelivered: message.redelivered });
        if (calls.length === 1) {
          await gate; // busy while the connection drops
          // and then it fails: the broker already has the message back, so no retry copy may be published
          throw new Error('failed after its connection was lost');
        }
      },
    });
    await consumer.start();
    await until(() => calls.length === 1, 'the first handler to start');
    await new Promise((r) => setTimeout(r, 300)); // the other four are prefetched and waiting

    // the broker closes the connection (as on a network cut); its unacked deliveries go back
    const connections = await until(async () => {
      const list = (await management.request('GET', `vhosts/${encodeURIComponent(vhost)}/connections`)) as { name: string }[];
      return list.length > 0 ? list : undefined;
    }, 'the management API to list the connection');
    for (const { name } of connections) await management.request('DELETE', `connections/${encodeURIComponent(name)}`);
    await until(() => !transport.isConnected(), 'the connection to drop');
    await until(() => transport.isConnected(), 'the transport to reconnect');
    await new Promise((r) => setTimeout(r, 500)); // the five redeliveries arrive and wait behind the stale four
    release();

    await until(() => calls.length >= 6, 'the redeliveries to be processed');
    await new Promise((r) => setTimeout(r, 800)); // a wrongly published retry (20 ms) would have come by now
    expect(calls).toEqual([
      { i: 0, redelivered: false },
      ...[0, 1, 2, 3, 4].map((i) => ({ i, redelivered: true })),
    ]);
    await consumer.close();
  });
});

async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
