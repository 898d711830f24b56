import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Consumer, createMessage, deadLetterQueueName, Headers, PermanentError, replayDeadLetters, TaskQueue, type Delivery, type Topology, type Transport } from '../src/index.js';
import { memoryWorld, stompWorld, type TransportWorld } from './transports.js';

/** Collects deliveries and lets a test wait until a condition on them holds. */
function collector() {
  const deliveries: Delivery[] = [];
  const waiters: (() => void)[] = [];
  return {
    deliveries,
    push(d: Delivery) {
      deliveries.push(d);
      for (const w of waiters.splice(0)) w();
    },
    async waitFor(count: number, timeoutMs = 5_000): Promise<Delivery[]> {
      const deadline = Date.now() + timeoutMs;
      while (deliveries.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} deliveries, got ${deliveries.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, Math.min(left, 100));
        });
      }
      return deliveries;
    },
  };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const topology: Topology = {
  exchanges: [{ name: 'events', type: 'topic' }],
  queues: [
    { name: 'work' },
    { name: 'tasks' },
    { name: 'audit.answer.posted', bindings: [{ exchange: 'events', routingKey: 'answer.posted' }] },
    { name: 'audit.everything', bindings: [{ exchange: 'events', routingKey: '#' }] },
  ],
};

const worlds: [string, () => Promise<TransportWorld>][] = [
  ['memory', async () => memoryWorld()],
  ['stomp over Web-STOMP', () => stompWorld()],
  ['stomp over TCP', () => stompWorld('stomp://127.0.0.1:61613')],
];

describe.each(worlds)('transport contract: %s', (_name, makeWorld) => {
  let world: TransportWorld;
  let transport: Transport;

  beforeEach(async () => {
    world = await makeWorld();
    transport = await world.connect();
    await transport.declare(topology);
    await transport.declare(topology); // declaring twice changes nothing
  });
  afterEach(async () => {
    await world.dispose();
  });

  it('delivers a published message with its body and headers, once acked it is gone', async () => {
    // A header value with every character STOMP 1.2 escapes (the timestamp has colons too), and a
    // backslash before c: stompjs 7.5 would read that "\\c" (an escaped backslash, then c) as "\:"
    // (its hdrValueUnEscape replaces \c before \\); lemur reads what the broker sends itself.
    const message = createMessage('thing.done', { n: 1, text: 'héllo' }, { correlationId: 'c-1', headers: { 'x-note': 'a:b\\c\nd\re', 'urn:x-name': 'v1', 'two\nlines': 'v2' } });
    await transport.publish({ queue: 'work' }, message);
    const got = collector();
    const sub = await transport.subscribe('work', (d) => got.push(d), { prefetch: 5 });
    const [d] = await got.waitFor(1);
    expect(JSON.parse(d!.body)).toEqual({ n: 1, text: 'héllo' });
    expect(d!.headers[Headers.messageId]).toBe(message.id);
    expect(d!.headers[Headers.type]).toBe('thing.done');
    expect(d!.headers[Headers.correlationId]).toBe('c-1');
    expect(d!.headers[Headers.publishedAt]).toBe(message.headers[Headers.publishedAt]);
    expect(d!.headers['x-note']).toBe('a:b\\c\nd\re');
    // names too (a retry or dead-letter copy sends the names of what it copies)
    expect(d!.headers['urn:x-name']).toBe('v1');
    expect(d!.headers['two\nlines']).toBe('v2');
    expect(d!.headers[Headers.attempt]).toBeUndefined(); // the first attempt is the default: not sent
    expect(d!.redelivered).toBe(false);
    d!.ack();
    await sub.unsubscribe();
    await new Promise((r) => setTimeout(r, 300));
    const again = collector();
    await transport.subscribe('work', (x) => again.push(x), { prefetch: 5 });
    await new Promise((r) => setTimeout(r, 500));
    expect(again.deliveries).toHaveLength(0);
  });

  it('routes events from the topic exchange to every queue bound to the key, and only those', async () => {
    await transport.publish({ exchange: 'events', routingKey: 'answer.posted' }, createMessage('answer.posted', { a: 1 }));
    await transport.publish({ exchange: 'events', routingKey: 'answer.voted' }, createMessage('answer.voted', { a: 2 }));
    const posted = collector();
    const all = collector();
    await transport.subscribe('audit.answer.posted', (d) => posted.push(d), { prefetch: 10 });
    await transport.subscribe('audit.everything', (d) => all.push(d), { prefetch: 10 });
    await all.waitFor(2);
    await posted.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(posted.deliveries.map((d) => JSON.parse(d.body))).toEqual([{ a: 1 }]);
    expect(all.deliveries.map((d) => JSON.parse(d.body))).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('holds at most prefetch unacked messages per subscriber', async () => {
    for (let i = 0; i < 6; i++) await transport.publish({ queue: 'work' }, createMessage('t', { i }));
    const got = collector();
    await transport.subscribe('work', (d) => got.push(d), { prefetch: 2 });
    await got.waitFor(2);
    await new Promise((r) => setTimeout(r, 400));
    expect(got.deliveries).toHaveLength(2);
    got.deliveries[0]!.ack();
    await got.waitFor(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(got.deliveries).toHaveLength(3);
  });

  it('redelivers, flagged redelivered, what a closed connection held unacked', async () => {
    await transport.publish({ queue: 'work' }, createMessage('t', { keep: true }));
    const first = await world.connect();
    const got = collector();
    await first.subscribe('work', (d) => got.push(d), { prefetch: 1 });
    await got.waitFor(1);
    await first.close(); // never acked: a crashed worker
    const second = await world.connect();
    const again = collector();
    await second.subscribe('work', (d) => again.push(d), { prefetch: 1 });
    const [d] = await again.waitFor(1);
    expect(JSON.parse(d!.body)).toEqual({ keep: true });
    expect(d!.redelivered).toBe(true);
  });

  it('sends a message nacked without requeue to the dead-letter queue', async () => {
    await transport.publish({ queue: 'work' }, createMessage('t', { bad: true }));
    const got = collector();
    await transport.subscribe('work', (d) => got.push(d), { prefetch: 1 });
    (await got.waitFor(1))[0]!.nack({ requeue: false });
    const dead = collector();
    await transport.subscribe(deadLetterQueueName('work'), (d) => dead.push(d), { prefetch: 1 });
    const [d] = await dead.waitFor(1);
    expect(JSON.parse(d!.body)).toEqual({ bad: true });
  });

  it('delays a message published with delayMs', async () => {
    const got = collector();
    await transport.subscribe('work', (d) => got.push(d), { prefetch: 1 });
    const sent = Date.now();
    await transport.publish({ queue: 'work' }, createMessage('t', { late: true }), { delayMs: 700 });
    await got.waitFor(1);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(650);
  });

  describe('Consumer', () => {
    const decode = (_type: string, _version: number, body: unknown): { n: number } => {
      if (typeof body !== 'object' || body === null || typeof (body as { n?: unknown }).n !== 'number') {
        throw new PermanentError('n must be a number');
      }
      return body as { n: number };
    };

    it('acks after the handler resolves, retries a failing handler after a real delay, and dead-letters the undecodable', async () => {
      const seen: { n: number; attempt: number; at: number }[] = [];
      const consumer = new Consumer({
        transport,
        queue: 'work',
        defaultType: 'work',
        decode,
        retry: { maxAttempts: 3, initialDelayMs: 400, maxDelayMs: 400 },
        handle: async (message) => {
          seen.push({ n: message.body.n, attempt: message.attempt, at: Date.now() });
          if (message.body.n === 2 && message.attempt < 2) throw new Error('database hiccup');
          if (message.body.n === 3) throw new PermanentError('question 3 does not exist');
        },
      });
      await consumer.start();
      await transport.publish({ queue: 'work' }, createMessage('work', { n: 1 }));
      await transport.publish({ queue: 'work' }, createMessage('work', { n: 2 }));
      await transport.publish({ queue: 'work' }, createMessage('work', { n: 3 }));
      await transport.publish({ queue: 'work' }, { id: 'raw-1', type: 'work', headers: {}, body: '{"n":' });
      await transport.publish({ queue: 'work' }, { id: 'raw-2', type: 'work', headers: {}, body: '{"n":"four"}' });

      const dead = collector();
      await transport.subscribe(deadLetterQueueName('work'), (d) => dead.push(d), { prefetch: 10 });
      await dead.waitFor(3);
      const deadline = Date.now() + 5_000;
      while (seen.filter((s) => s.n === 2).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

      const twos = seen.filter((s) => s.n === 2);
      expect(twos.map((s) => s.attempt)).toEqual([1, 2]);
      expect(twos[1]!.at - twos[0]!.at).toBeGreaterThanOrEqual(300); // the backoff really waited
      const reasons = dead.deliveries.map((d) => d.headers[Headers.deadReason]).sort();
      expect(reasons).toEqual([
        'permanent failure: question 3 does not exist',
        'rejected: body is not valid JSON',
        'rejected: n must be a number',
      ]);
      expect(dead.deliveries.every((d) => d.headers[Headers.deadQueue] === 'work')).toBe(true);
      await consumer.close();
    });

    it('dead-letters a message whose handler keeps failing, after maxAttempts, with the error', async () => {
      let calls = 0;
      const consumer = new Consumer({
        transport,
        queue: 'work',
        defaultType: 'work',
        decode,
        retry: { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 100 },
        handle: async () => {
          calls += 1;
          throw new Error('always broken');
        },
      });
      await consumer.start();
      await transport.publish({ queue: 'work' }, createMessage('work', { n: 9 }));
      const dead = collector();
      await transport.subscribe(deadLetterQueueName('work'), (d) => dead.push(d), { prefetch: 1 });
      const [d] = await dead.waitFor(1);
      expect(calls).toBe(3);
      expect(d!.headers[Headers.deadReason]).toBe('failed 3 attempts: always broken');
      expect(d!.headers[Headers.deadError]).toBe('Error: always broken');
      expect(d!.headers[Headers.attempt]).toBe('3');
      expect(JSON.parse(d!.body)).toEqual({ n: 9 });
      await consumer.close();
    });

    it('waits out an unavailable dependency: no attempt spent, nothing dead-lettered, nothing new started, then resumes', async () => {
      let down = true;
      const seen: { n: number; attempt: number; down: boolean }[] = [];
      let probes = 0;
      const consumer = new Consumer({
        transport,
        queue: 'work',
        defaultType: 'work',
        decode,
        prefetch: 5,
        retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 50 },
        dependency: {
          isUnavailable: (error) => error.message === 'database down',
          probe: async () => {
            probes += 1;
            if (down) throw new Error('still down');
          },
          probeIntervalMs: 100,
        },
        handle: async (message) => {
          seen.push({ n: (message.body as { n: number }).n, attempt: message.attempt, down });
          if (down) throw new Error('database down');
        },
      });
      await consumer.start();
      await transport.publish({ queue: 'work' }, createMessage('work', { n: 1 }));
      await until(() => consumer.waitingForDependency);
      for (let n = 2; n <= 4; n++) await transport.publish({ queue: 'work' }, createMessage('work', { n }));
      await new Promise((r) => setTimeout(r, 800)); // far past maxAttempts x the retry delay
      expect(seen).toEqual([{ n: 1, attempt: 1, down: true }]); // parked, and nothing else started
      expect(probes).toBeGreaterThanOrEqual(3);
      down = false;
      await until(() => seen.length === 5);
      expect(seen.slice(1).map((s) => [s.n, s.attempt, s.down])).toEqual([[1, 1, false], [2, 1, false], [3, 1, false], [4, 1, false]]);
      const dead = collector();
      await transport.subscribe(deadLetterQueueName('work'), (d) => dead.push(d), { prefetch: 1 });
      await new Promise((r) => setTimeout(r, 300));
      expect(dead.deliveries).toHaveLength(0);
      await consumer.close();
    });

    it('takes no header on trust: an oversized body, a bad version, and a made-up attempt count end dead-lettered, not looping', async () => {
      let calls = 0;
      const consumer = new Consumer({
        transport,
        queue: 'work',
        defaultType: 'work',
        decode,
        maxBodyBytes: 1_000,
        retry: { maxAttempts: 2, initialDelayMs: 50, maxDelayMs: 50 },
        handle: async (message) => {
          calls += 1;
          if ((message.body as { fail?: boolean }).fail) throw new Error('transient?');
        },
      });
      await consumer.start();
      const send = (body: unknown, headers: Record<string, string> = {}) => {
        const message = createMessage('work', body);
        return transport.publish({ queue: 'work' }, { ...message, headers: { ...message.headers, ...headers } });
      };
      const big = { n: 0, pad: 'x'.repeat(2_000) };
      await send(big);
      await send({ n: 1 }, { [Headers.version]: 'abc' });
      await send({ n: 2, fail: true }, { [Headers.attempt]: 'not-a-number' });
      await send({ n: 3, fail: true }, { [Headers.attempt]: '-7' });
      const dead = collector();
      await transport.subscribe(deadLetterQueueName('work'), (d) => dead.push(d), { prefetch: 10 });
      const reasons = (await dead.waitFor(4)).map((d) => d.headers[Headers.deadReason]).sort();
      expect(reasons).toEqual([
        'failed 2 attempts: transient?',
        'failed 2 attempts: transient?',
        `rejected: body of ${JSON.stringify(big).length} bytes is over the 1000-byte limit`,
        'rejected: x-message-version is not a version number: "abc"',
      ]);
      expect(calls).toBe(4); // the two failing ones, twice each; the rejected ones never reached the handler
      await consumer.close();
    });
  });

  describe('deferred tasks', () => {
    type Tasks = { 'add-numbers': { a: number; b: number }; 'always-fails': { why: string } };

    it('runs a deferred call on a worker with its arguments, retries a failing one, and dead-letters an unknown task', async () => {
      const tasks = new TaskQueue<Tasks>({
        queue: 'tasks',
        validate: (name, args) => {
          if (name === 'add-numbers' && typeof (args as { a?: unknown }).a !== 'number') throw new PermanentError('a must be a number');
          return args as never;
        },
      });
      const sums: number[] = [];
      let failures = 0;
      const worker = tasks
        .worker({ transport, retry: { maxAttempts: 2, initialDelayMs: 100, maxDelayMs: 100 } })
        .defineTask('add-numbers', async ({ a, b }) => {
          sums.push(a + b);
        })
        .defineTask('always-fails', async ({ why }) => {
          failures += 1;
          throw new Error(why);
        });
      await worker.start();
      const client = tasks.client(transport);
      await client.defer('add-numbers', { a: 2, b: 3 });
      await client.defer('always-fails', { why: 'no disk' });
      await transport.publish({ queue: 'tasks' }, createMessage('format-disk', {}));
      await transport.publish({ queue: 'tasks' }, createMessage('add-numbers', { a: 'two', b: 3 }));
      // @ts-expect-error: arguments are type-checked against the task map
      void (() => client.defer('add-numbers', { a: 'two', b: 3 }));

      const dead = collector();
      await transport.subscribe(deadLetterQueueName('tasks'), (d) => dead.push(d), { prefetch: 10 });
      await dead.waitFor(3);
      expect(sums).toEqual([5]);
      expect(failures).toBe(2);
      expect(dead.deliveries.map((d) => d.headers[Headers.deadReason]).sort()).toEqual([
        'failed 2 attempts: no disk',
        'rejected: a must be a number',
        'rejected: no task named "format-disk" on this worker',
      ]);
      await worker.close();
    });
  });

  it('a closing consumer finishes its in-flight message, and its ack counts: nothing comes back after the connection closes', async () => {
    const first = await world.connect();
    let finished = 0;
    let startedResolve!: () => void;
    const started = new Promise<void>((resolve) => (startedResolve = resolve));
    const consumer = new Consumer({
      transport: first, queue: 'work', defaultType: 'work', prefetch: 1,
      decode: (_t, _v, body) => body,
      handle: async () => {
        startedResolve();
        await new Promise((r) => setTimeout(r, 400)); // still working when close() is called
        finished += 1;
      },
    });
    await consumer.start();
    await transport.publish({ queue: 'work' }, createMessage('work', { slow: true }));
    await started;
    await consumer.close(5_000);
    expect(finished).toBe(1);
    await first.close(); // anything not acked would now go back to the queue
    const second = await world.connect();
    const again = collector();
    await second.subscribe('work', (d) => again.push(d), { prefetch: 5 });
    await new Promise((r) => setTimeout(r, 800));
    expect(again.deliveries).toHaveLength(0);
  });

  it('a consumer with prefetch above its concurrency holds prefetch deliveries but runs only concurrency handlers, in delivery order', async () => {
    for (let i = 0; i < 12; i++) await transport.publish({ queue: 'work' }, createMessage('work', { i }));
    let running = 0;
    let most = 0;
    const started: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const consumer = new Consumer({
      transport, queue: 'work', defaultType: 'work', prefetch: 8, concurrency: 3,
      decode: (_t, _v, body) => body as { i: number },
      handle: async (message) => {
        started.push(message.body.i);
        most = Math.max(most, ++running);
        await gate;
        await new Promise((r) => setTimeout(r, 5));
        running -= 1;
      },
    });
    await consumer.start();
    await new Promise((r) => setTimeout(r, 500)); // the broker has filled the consumer's window by now
    expect(started).toEqual([0, 1, 2]);
    // the consumer holds 8 (3 running, 5 waiting): another subscriber gets only the other 4
    const other = await world.connect();
    const rest = collector();
    await other.subscribe('work', (d) => rest.push(d), { prefetch: 20 });
    await rest.waitFor(4);
    await new Promise((r) => setTimeout(r, 300));
    expect(rest.deliveries.map((d) => (JSON.parse(d.body) as { i: number }).i)).toEqual([8, 9, 10, 11]);
    release();
    const deadline = Date.now() + 5_000;
    while (started.length < 8 || running > 0) {
      if (Date.now() > deadline) throw new Error(`only ${started.length} of 8 started`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(3);
    await consumer.close();
  });

  it('a closing consumer leaves what it prefetched but never started for the next worker', async () => {
    for (let i = 0; i < 5; i++) await transport.publish({ queue: 'work' }, createMessage('work', { i }));
    const first = await world.connect();
    const started: number[] = [];
    const done: number[] = [];
    const consumer = new Consumer({
      transport: first, queue: 'work', defaultType: 'work', prefetch: 5, concurrency: 1,
      decode: (_t, _v, body) => body as { i: number },
      handle: async (message) => {
        started.push(message.body.i);
        await new Promise((r) => setTimeout(r, 300));
        done.push(message.body.i);
      },
    });
    await consumer.start();
    while (started.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100)); // the other four are prefetched and waiting
    await consumer.close(5_000);
    await new Promise((r) => setTimeout(r, 500)); // time for a wrongly started one to show
    expect(started).toEqual([0]);
    expect(done).toEqual([0]);
    expect(consumer.inFlightCount).toBe(0);
    await first.close();
    const again = collector();
    await (await world.connect()).subscribe('work', (d) => again.push(d), { prefetch: 10 });
    await again.waitFor(4);
    await new Promise((r) => setTimeout(r, 300));
    expect(again.deliveries.map((d) => (JSON.parse(d.body) as { i: number }).i).sort()).toEqual([1, 2, 3, 4]);
  });

  it('a consumer whose connection closes does not start what waited for a handler: the broker gives it to the next', async () => {
    for (let i = 0; i < 5; i++) await transport.publish({ queue: 'work' }, createMessage('work', { i }));
    const first = await world.connect();
    const started: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const consumer = new Consumer({
      transport: first, queue: 'work', defaultType: 'work', prefetch: 5, concurrency: 1,
      decode: (_t, _v, body) => body as { i: number },
      handle: async (message) => {
        started.push(message.body.i);
        await gate;
      },
    });
    await consumer.start();
    while (started.length === 0) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100)); // the other four are prefetched and waiting
    await first.close(); // a crash of the connection: the five go back to the queue
    release();
    const next = collector();
    await (await world.connect()).subscribe('work', (d) => next.push(d), { prefetch: 10 });
    await next.waitFor(5);
    await new Promise((r) => setTimeout(r, 500));
    expect(started).toEqual([0]);
    expect(next.deliveries.map((d) => (JSON.parse(d.body) as { i: number }).i).sort()).toEqual([0, 1, 2, 3, 4]);
    await consumer.close();
  });

  it('replays selected dead letters to their queue with attempts reset, leaving the others', async () => {
    const consumer = new Consumer({
      transport, queue: 'work', defaultType: 'work',
      decode: (_t, _v, body) => body as { n: number },
      handle: async () => {
        throw new PermanentError('not yet');
      },
    });
    await consumer.start();
    const ids = [];
    for (let n = 1; n <= 3; n++) {
      const message = createMessage('work', { n });
      ids.push(message.id);
      await transport.publish({ queue: 'work' }, message);
    }
    const deadline = Date.now() + 5_000;
    // wait until all three are dead-lettered (read through a throwaway connection's subscription)
    const watcher = await world.connect();
    const dead = collector();
    const sub = await watcher.subscribe(deadLetterQueueName('work'), (d) => dead.push(d), { prefetch: 10 });
    await dead.waitFor(3);
    await sub.unsubscribe();
    await watcher.close(); // hands the three back to the dead-letter queue
    await consumer.close();
    expect(Date.now()).toBeLessThan(deadline);

    const result = await replayDeadLetters(() => world.connect(), 'work', { ids: [ids[1]!], idleMs: 500 });
    expect(result).toEqual({ replayed: 1, skipped: 2 });
    const back = collector();
    await transport.subscribe('work', (d) => back.push(d), { prefetch: 10 });
    const [d] = await back.waitFor(1);
    expect(JSON.parse(d!.body)).toEqual({ n: 2 });
    expect(d!.headers[Headers.messageId]).toBe(ids[1]);
    expect(d!.headers[Headers.attempt]).toBe('1');
    expect(d!.headers[Headers.deadReason]).toBeUndefined();
    const left = collector();
    await transport.subscribe(deadLetterQueueName('work'), (x) => left.push(x), { prefetch: 10 });
    await left.waitFor(2);
    expect(left.deliveries.map((x) => JSON.parse(x.body).n).sort()).toEqual([1, 3]);
  });

  it('replays a dead letter that fails again at once only once per run (no ping-pong)', async () => {
    const consumer = new Consumer({ transport, queue: 'work', defaultType: 'work', decode: (_t, _v, body) => body, handle: async () => { throw new PermanentError('still broken'); } });
    await consumer.start();
    const message = createMessage('work', { n: 5 });
    await transport.publish({ queue: 'work' }, message);
    await new Promise((r) => setTimeout(r, 1_000)); // the consumer dead-letters it
    const result = await replayDeadLetters(() => world.connect(), 'work', { idleMs: 800 });
    expect(result.replayed).toBe(1);
    await consumer.close();
  });

  it('gives a message with an empty id one on receipt: its dead letter is replayed once, not in a loop', async () => {
    const consumer = new Consumer({ transport, queue: 'work', defaultType: 'work', decode: (_t, _v, body) => body, handle: async () => { throw new PermanentError('still broken'); } });
    await consumer.start();
    await transport.publish({ queue: 'work' }, createMessage('work', { n: 6 }, { id: '' })); // as a bare STOMP client may send it
    await new Promise((r) => setTimeout(r, 1_000));
    const result = await replayDeadLetters(() => world.connect(), 'work', { idleMs: 800 });
    expect(result.replayed).toBe(1);
    await consumer.close();
    const reader = await world.connect();
    const dead: Delivery[] = [];
    await reader.subscribe(deadLetterQueueName('work'), (d) => dead.push(d), { prefetch: 10 });
    await new Promise((r) => setTimeout(r, 500));
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers[Headers.messageId]).toMatch(/^[0-9a-f-]{36}$/);
    await reader.close();
  });
});
