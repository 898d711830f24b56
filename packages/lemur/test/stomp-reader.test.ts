import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createMessage, RabbitManagement, StompTransport, type Delivery, type Log } from '../src/index.js';
import { rabbit } from './transports.js';

// lemur reads MESSAGEs and RECEIPTs itself and hands every other frame to stompjs
// (stomp-transport.ts, read()), over TCP and over Web-STOMP. This checks, against a real broker, a frame lemur does not read (an
// ERROR: stompjs reports it and the connection drops) and that the new connection after the drop
// is read from its start. (stompjs's own DISCONNECT receipt is handed on too, but nothing lemur
// does depends on it: the broker closes the connection after DISCONNECT either way.)
// Over Web-STOMP, RabbitMQ 3.10.8 closes the connection ("STOMP died") without an ERROR frame
// (seen with lemur's reader and without it), so only the reconnect is checked there.
describe.each([
  ['STOMP over TCP', 'stomp://127.0.0.1:61613', true],
  ['Web-STOMP', rabbit.stompUrl.startsWith('ws') ? rabbit.stompUrl : 'ws://127.0.0.1:15674/ws', false],
])('%s: the frames lemur hands on to stompjs', (_name, url, sendsError) => {
  const vhost = `test-${randomUUID()}`;
  const management = new RabbitManagement({ url: rabbit.managementUrl, login: rabbit.login, passcode: rabbit.passcode, vhost });
  afterEach(async () => {
    await management.deleteVhost().catch(() => {});
  });

  it('reports an ERROR frame (TCP), reconnects, and reads the new connection', async () => {
    await management.createVhost();
    const logged: { level: string; obj: object; msg?: string }[] = [];
    const log: Log = {
      debug: () => {},
      info: () => {},
      warn: (obj, msg) => void logged.push({ level: 'warn', obj, msg }),
      error: (obj, msg) => void logged.push({ level: 'error', obj, msg }),
      child: () => log,
    };
    const transport = new StompTransport({
      url, login: rabbit.login, passcode: rabbit.passcode, vhost,
      managementUrl: rabbit.managementUrl, reconnectInitialDelayMs: 100, reconnectMaxDelayMs: 200, receiptTimeoutMs: 5_000, log,
    });
    await transport.connect();
    await transport.declare({ exchanges: [], queues: [{ name: 'work' }] });
    const got: Delivery[] = [];
    await transport.subscribe('work', (d) => got.push(d), { prefetch: 10 });

    // RabbitMQ answers a SEND to an exchange that does not exist with an ERROR frame and closes the connection
    await expect(transport.publish({ exchange: 'no-such-exchange', routingKey: 'x' }, createMessage('t', {}))).rejects.toThrow();
    if (sendsError) expect(logged.find((l) => l.msg === 'broker sent an ERROR frame')?.obj).toMatchObject({ error: expect.stringContaining('not_found') });

    // back again: publishes are confirmed and deliveries arrive on the new connection's subscription
    const deadline = Date.now() + 5_000;
    while (!transport.isConnected() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 3; i++) await transport.publish({ queue: 'work' }, createMessage('t', { i }));
    while (got.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(got.map((d) => JSON.parse(d.body) as { i: number })).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
    for (const d of got) d.ack();

    await transport.close();
  }, 20_000);

  it('keeps the connection while lemur reads all that arrives: stompjs still sees the broker alive', async () => {
    await management.createVhost();
    const warnings: string[] = [];
    const log: Log = { debug: () => {}, info: () => {}, warn: (_o, msg) => void warnings.push(msg ?? ''), error: (_o, msg) => void warnings.push(msg ?? ''), child: () => log };
    // stompjs drops a connection when nothing arrived for twice the heart-beat (here 2 x 1 s: RabbitMQ
    // counts heart-beats in whole seconds); while deliveries stream, RabbitMQ sends no heart-beats,
    // and every read is lemur's
    const transport = new StompTransport({
      url, login: rabbit.login, passcode: rabbit.passcode, vhost,
      managementUrl: rabbit.managementUrl, heartbeatMs: 1_000, log,
    });
    try {
      await transport.connect();
      await transport.declare({ exchanges: [], queues: [{ name: 'stream' }] });
      let received = 0;
      await transport.subscribe('stream', (d) => {
        received++;
        d.ack();
      }, { prefetch: 50 });
      const until = Date.now() + 3_000;
      let sent = 0;
      while (Date.now() < until) {
        await Promise.all(Array.from({ length: 20 }, () => transport.publish({ queue: 'stream' }, createMessage('t', { n: sent++ }))));
      }
      await new Promise((r) => setTimeout(r, 2_500)); // then idle: the broker's heart-beats, handed on, keep it
      expect(warnings).toEqual([]);
      expect(transport.isConnected()).toBe(true);
      expect(received).toBe(sent);
    } finally {
      await transport.close();
    }
  }, 20_000);
});
