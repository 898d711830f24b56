import { randomUUID } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { createMessage, RabbitManagement, StompTransport, type Log } from '../src/index.js';
import { rabbit } from './transports.js';

// RabbitMQ 3.10.8's Web-STOMP heart-beat receiver crashes with {unexpected_message,resume} when
// flow control pauses and resumes a publisher that sends heart-beats, and the connection dies with
// it. Reproduced with 20,000 publishes, 500 receipts in flight, while a consumer drains the queue.
// StompTransport sends no heart-beats over ws:// for that reason; this test fails when it does.

const vhost = `test-flow-${randomUUID()}`;
const management = new RabbitManagement({ url: rabbit.managementUrl, login: rabbit.login, passcode: rabbit.passcode, vhost });
const open: StompTransport[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
  await management.deleteVhost().catch(() => {});
});

it('keeps a Web-STOMP connection through a publish burst that brings on flow control', { timeout: 120_000 }, async () => {
  await management.createVhost();
  const losses: unknown[] = [];
  const log: Log = {
    debug() {},
    info() {},
    error() {},
    warn(obj, msg) {
      if (msg?.includes('connection closed')) losses.push(obj);
    },
    child: () => log,
  };
  const url = rabbit.stompUrl.startsWith('ws') ? rabbit.stompUrl : 'ws://127.0.0.1:15674/ws';
  const make = (): StompTransport => {
    const t = new StompTransport({ url, login: rabbit.login, passcode: rabbit.passcode, vhost, managementUrl: rabbit.managementUrl, heartbeatMs: 2_000, log });
    open.push(t);
    return t;
  };
  const publisher = make();
  const worker = make();
  await publisher.connect();
  await worker.connect();
  await worker.declare({ exchanges: [], queues: [{ name: 'burst' }] });

  const n = 20_000;
  let received = 0;
  const drained = new Promise<void>((resolve) => {
    void worker.subscribe(
      'burst',
      (d) => {
        d.ack();
        if (++received === n) resolve();
      },
      { prefetch: 50 },
    );
  });
  await new Promise<void>((resolve, reject) => {
    let sent = 0;
    let confirmed = 0;
    const pump = (): void => {
      while (sent < n && sent - confirmed < 500) {
        publisher.publish({ queue: 'burst' }, createMessage('burst', { i: sent, pad: 'x'.repeat(80) })).then(() => {
          if (++confirmed === n) resolve();
          else pump();
        }, reject);
        sent += 1;
      }
    };
    pump();
  });
  await drained;
  expect(losses).toEqual([]);
  expect(received).toBe(n);
});
