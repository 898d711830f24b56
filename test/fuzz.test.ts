import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { topology } from '@qr/contracts';
import { Client, type IStompSocket } from '@stomp/stompjs';
import { TCPWrapper } from '@stomp/tcp-wrapper';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rabbit } from './support/env.js';
import { seedExperts, TestSystem } from './support/system.js';

// Every message is hostile until checked. Thousands of random and mutated bodies and headers go to
// every queue the matcher and hydra consume; no process may crash, and every message must end
// processed or dead-lettered (the consumers' own counts, and the dead-letter queues' depths, add up
// to what was sent), with nothing left waiting. The generator is seeded: FUZZ_SEED reproduces a run.

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const COUNT = Number(process.env.FUZZ_COUNT ?? 3_000);
const system = new TestSystem();
const mailDir = mkdtempSync(path.join(tmpdir(), 'qr-fuzz-mail-'));
const healthPorts: number[] = [];

beforeAll(async () => {
  await system.setUp();
  await system.startApi();
  for (const worker of [await system.startMatcher({ MATCHER_MAX_ATTEMPTS: '2' }), await system.startHydra({ MAIL_DIR: mailDir })]) {
    healthPorts.push(Number((await worker.waitForLog((l) => l.msg === 'health server listening')).port));
  }
}, 90_000);
afterAll(async () => {
  await system.tearDown();
  rmSync(mailDir, { recursive: true, force: true });
}, 60_000);

/** mulberry32: small, seeded, good enough to pick cases. */
function random(seedValue: number): () => number {
  let a = seedValue >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

it(`sends ${COUNT} hostile messages to the matcher's and hydra's queues: nothing crashes, each is processed or dead-lettered`, { timeout: 240_000 }, async () => {
  process.stdout.write(`fuzz seed ${seed} (FUZZ_SEED=${seed} reproduces it)\n`);
  const rand = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const people = await seedExperts(system);
  const realQuestion = (await system.post('/questions', { askerId: people.asker, title: 'A real hops question', body: 'hops', tags: ['hops'] })).json.id;
  const realAnswer = (await system.post(`/questions/${realQuestion}/answers`, { userId: people.hops, body: 'real' })).json.id;
  await system.waitForMatches(realQuestion);

  const queues = topology.queues.map((q) => q.name).filter((name) => name.startsWith('question.') || name.startsWith('matcher.') || name.startsWith('hydra.'));
  expect(queues.length).toBeGreaterThan(5);
  const valid: Record<string, () => unknown> = {
    'question.asked': () => ({ questionId: realQuestion, askerId: people.asker, title: 't', body: 'b', tags: ['hops'], askedAt: new Date().toISOString() }),
    'question.matched': () => ({ questionId: realQuestion, matches: [{ userId: people.hops, score: 1 }] }),
    'answer.posted': () => ({ answerId: realAnswer, questionId: realQuestion, userId: people.hops, postedAt: new Date().toISOString() }),
    'answer.voted': () => ({ answerId: realAnswer, userId: people.wine, value: 1 }),
    'answer.accepted': () => ({ answerId: realAnswer, questionId: realQuestion }),
    'refresh-answer': () => ({ answerId: realAnswer }),
  };
  const weird = [
    '', ' ', 'null', '[]', '{}', '"text"', '0', '-1', '1e309', 'NaN', '{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"x":1}}}',
    '\u0000', '\uFFFF\uD800', '{"a":'.repeat(200), '['.repeat(5_000), '<xml/>', 'DROP TABLE questions;', "'; select pg_sleep(10); --",
  ];
  const anyValue = (depth = 0): unknown => {
    switch (Math.floor(rand() * (depth > 3 ? 5 : 7))) {
      case 0: return Math.floor(rand() * 2 ** 53) * (rand() < 0.5 ? -1 : 1);
      case 1: return rand() * 1e6;
      case 2: return pick(['', 'x', "o'neil", '<script>alert(1)</script>', '\u202e', 'ünïcödé', '9'.repeat(400)]);
      case 3: return pick([true, false, null]);
      case 4: return pick([0, -1, 1.5, Number.MAX_SAFE_INTEGER, 2 ** 63]);
      case 5: return Array.from({ length: Math.floor(rand() * 4) }, () => anyValue(depth + 1));
      default: return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick(['questionId', 'answerId', 'userId', 'matches', 'x', '__proto__']), anyValue(depth + 1)]));
    }
  };
  const mutate = (body: Record<string, unknown>): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...body };
    const keys = Object.keys(copy);
    switch (Math.floor(rand() * 4)) {
      case 0: delete copy[pick(keys)]; break;
      case 1: copy[pick(keys)] = anyValue(); break;
      case 2: copy[pick(['extra', 'isAdmin', '$where'])] = anyValue(); break;
      default: break; // unchanged: a valid message
    }
    return copy;
  };
  const headerValue = (): string => pick(['1', '2', '0', '-1', 'abc', '', '1e9', '999999999999', ' 1', 'question.asked', 'answer.posted', 'nope', '\\c\\n', 'x'.repeat(2_000), 'ü']);

  const frames: { queue: string; body: string; headers: Record<string, string> }[] = [];
  for (let i = 0; i < COUNT; i++) {
    const queue = pick(queues);
    const types = Object.keys(valid);
    const type = rand() < 0.7 ? pick(types) : headerValue();
    const roll = rand();
    const body =
      roll < 0.15 ? pick(weird)
      : roll < 0.3 ? JSON.stringify(anyValue())
      : roll < 0.32 ? JSON.stringify({ pad: 'x'.repeat(300 * 1024) }) // over the 256 KiB limit
      : JSON.stringify(mutate((valid[type] ?? valid['question.asked']!)() as Record<string, unknown>));
    const headers: Record<string, string> = {};
    if (rand() < 0.8) headers['x-message-type'] = type;
    if (rand() < 0.3) headers['x-message-version'] = headerValue();
    if (rand() < 0.3) headers['x-attempt'] = headerValue();
    if (rand() < 0.3) headers['x-message-id'] = headerValue();
    if (rand() < 0.2) headers[`x-${pick(['a', 'b', 'dead-reason', 'correlation-id'])}`] = headerValue();
    if (rand() < 0.1) headers['content-type'] = pick(['text/plain', 'application/octet-stream', 'application/json; charset=latin1']);
    frames.push({ queue, body, headers });
  }

  const client = await new Promise<Client>((resolve, reject) => {
    const c = new Client({
      webSocketFactory: () => new TCPWrapper(rabbit.host, rabbit.stompPort) as unknown as IStompSocket,
      connectHeaders: { login: rabbit.login, passcode: rabbit.passcode, host: system.vhost },
      reconnectDelay: 0,
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
      debug: () => {},
      onConnect: () => resolve(c),
      onStompError: (frame) => reject(new Error(frame.headers.message)),
    });
    c.activate();
  });
  try {
    let receipt = 0;
    for (let i = 0; i < frames.length; i += 200) {
      await Promise.all(
        frames.slice(i, i + 200).map(
          (f) =>
            new Promise<void>((resolve) => {
              const id = `fuzz-${++receipt}`;
              client.watchForReceipt(id, () => resolve());
              client.publish({ destination: `/amq/queue/${f.queue}`, body: f.body, headers: { ...f.headers, persistent: 'true', receipt: id } });
            }),
        ),
      );
    }
  } finally {
    await client.deactivate();
  }

  // Settled: the work queues and their retry queues empty, and as many dead letters in the .dead
  // queues as the consumers dead-lettered. The management API's counts lag by up to 5 s, so the
  // state must hold on two looks at least 6 s apart, with nothing counted in between.
  const deadline = Date.now() + 180_000;
  let settled = false;
  let last = '';
  let firstSeen: { at: number; state: string } | undefined;
  while (Date.now() < deadline) {
    const stats = await system.management.listQueues();
    const waiting = stats.filter((q) => !q.name.endsWith('.dead') && q.messages > 0);
    const counted = await consumedCounts();
    const dead = stats.filter((q) => q.name.endsWith('.dead')).reduce((sum, q) => sum + q.messages, 0);
    last = JSON.stringify({ waiting: waiting.map((q) => `${q.name}:${q.messages}`), counted, dead });
    const done = waiting.length === 0 && counted.processed + counted.deadLettered >= COUNT && dead === counted.deadLettered;
    if (!done) firstSeen = undefined;
    else if (!firstSeen) firstSeen = { at: Date.now(), state: last };
    else if (Date.now() - firstSeen.at >= 6_000 && firstSeen.state === last) {
      settled = true;
      break;
    } else if (firstSeen.state !== last) firstSeen = { at: Date.now(), state: last };
    await new Promise((r) => setTimeout(r, 1_000));
  }
  expect(settled, last).toBe(true);
  for (const service of system.processes) expect(service.exitCode, service.name).toBeNull();

  // still working: a new question is matched
  const after = (await system.post('/questions', { askerId: people.asker, title: 'After the storm: hops?', body: 'hops', tags: ['hops'] })).json.id;
  expect((await system.waitForMatches(after)).matches[0]!.userId).toBe(people.hops);
});

/** The matcher's and hydra's own counts of settled messages, from their /metrics (retries are not an end). */
async function consumedCounts(): Promise<{ processed: number; deadLettered: number }> {
  const totals = { processed: 0, deadLettered: 0 };
  for (const port of healthPorts) {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    for (const line of text.split('\n')) {
      const m = /^messages_consumed_total\{[^}]*outcome="(processed|dead-lettered)"[^}]*\} (\d+)/.exec(line);
      if (m) totals[m[1] === 'processed' ? 'processed' : 'deadLettered'] += Number(m[2]);
    }
  }
  return totals;
}

it('answers hundreds of hostile HTTP requests with 2xx or a 4xx that says why, never a 500, and stays up', { timeout: 120_000 }, async () => {
  const rand = random(seed + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const people = await seedExperts(system);
  const paths = ['/questions', '/users', `/questions/${pick(['1', '0x10', '1e3', '+1', '-1', '%00', '99999999999999999999', 'abc'])}/answers`, '/answers/1/votes', '/questions/1/accept', '/unsubscribe?token=a%00b', '/unsubscribe?token=x&kind=nope', '/admin/queues/no.such/dead-letters/replay', '/users/1/preferences'];
  const texts = ['', 'x', 'a\u0000b', `${'b'.repeat(29_999)}s`, '<a'.repeat(14_000), '<script'.repeat(4_000), 'victim@corp.example,attacker', 'x<attacker@evil.example>', '\uD800', '🍺'.repeat(1_000)];
  const bodies = (): unknown => pick([
    { askerId: people.asker, title: pick(texts).slice(0, 300) || 't', body: pick(texts) || 'b', tags: ['hops'] },
    { askerId: pick(['1', 1.5, -1, '0x10', null]), title: 't', body: 'b' },
    { name: pick(texts).slice(0, 200) || 'n', email: pick(texts) },
    { userId: people.hops, value: pick([1, -1, 2, '1']) },
    { answerId: pick([1, '1', null]) },
    { message: pick(texts) },
    pick(texts),
    [],
  ]);
  let answered = 0;
  for (let i = 0; i < 400; i++) {
    const body = bodies();
    const contentType = pick(['application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml']);
    const method = pick(['POST', 'POST', 'PUT', 'GET']);
    const response = await fetch(`${system.apiUrl}${pick(paths)}`, {
      method,
      headers: { ...TestSystem.serviceHeaders, 'content-type': contentType, 'x-request-id': pick(['ok-1', 'x'.repeat(5_000), 'a b', 'id;drop']), 'idempotency-key': `fuzz-${i}` },
      ...(method !== 'GET' ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    }).catch(() => undefined);
    if (!response) continue;
    answered += 1;
    const text = await response.text();
    expect(response.status, `${response.status}: ${text.slice(0, 200)}`).toBeLessThan(500);
    if (response.status >= 400) expect(text).toMatch(/"error"|<html|<!doctype/i);
  }
  expect(answered).toBeGreaterThan(300);
  expect((await fetch(`${system.apiUrl}/healthz`)).status).toBe(200);
  for (const service of system.processes) expect(service.exitCode, service.name).toBeNull();
});
