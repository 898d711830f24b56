import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliContext, loadCliConfig, setupAccess, type AccessResult } from '@qr/cli';
import { Client, type IStompSocket } from '@stomp/stompjs';
import { TCPWrapper } from '@stomp/tcp-wrapper';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { adminDatabaseUrl, rabbit } from './support/env.js';
import { expertsCounted, seedExperts, TestSystem } from './support/system.js';

// Each service with its own broker user and Postgres role, made by `lemur access setup`: the whole
// flow works with only those rights, and what a service has no business doing is refused.

const system = new TestSystem();
const prefix = `lp${Date.now().toString(36)}`;
const mailDir = mkdtempSync(path.join(tmpdir(), 'qr-lp-mail-'));
let access: AccessResult;

function credentials(service: 'api' | 'matcher' | 'hydra'): Record<string, string> {
  const a = access.services[service];
  const url = new URL(system.db.url);
  url.username = a.databaseRole;
  url.password = a.password;
  return { DATABASE_URL: url.toString(), STOMP_LOGIN: a.brokerUser, STOMP_PASSCODE: a.password, DECLARE_TOPOLOGY: 'false' };
}

beforeAll(async () => {
  await system.setUp();
  const ctx = new CliContext(loadCliConfig(system.env()));
  try {
    access = await setupAccess(ctx, { vhost: system.vhost, prefix });
    access = await setupAccess(ctx, { vhost: system.vhost, prefix }); // a second run only updates
  } finally {
    await ctx.close();
  }
  await system.startApi(credentials('api'));
  await system.startMatcher(credentials('matcher'));
  await system.startHydra({ ...credentials('hydra'), MAIL_DIR: mailDir });
}, 90_000);

afterAll(async () => {
  await system.tearDown();
  rmSync(mailDir, { recursive: true, force: true });
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  for (const service of ['api', 'matcher', 'hydra'] as const) await admin.query(`drop role if exists ${access.services[service].databaseRole}`);
  await admin.end();
  for (const service of ['api', 'matcher', 'hydra'] as const) {
    await system.management.request('DELETE', `users/${encodeURIComponent(access.services[service].brokerUser)}`).catch(() => {});
  }
}, 60_000);

it('runs the whole flow with per-service users: asked, matched, answered, emailed', { timeout: 60_000 }, async () => {
  const people = await seedExperts(system);
  await expertsCounted(system);
  const q = (await system.post('/questions', { askerId: people.asker, title: 'Least privilege: when to add hops?', body: 'hops for bitterness', tags: ['hops'] })).json.id;
  expect((await system.waitForMatches(q)).matches[0]!.userId).toBe(people.hops);
  const answer = await system.post(`/questions/${q}/answers`, { userId: people.hops, body: 'At the start of the boil.' });
  expect(answer.status).toBe(201);
  expect((await system.post(`/answers/${answer.json.id}/votes`, { userId: people.wine, value: 1 })).status).toBe(201);
  expect((await system.post(`/questions/${q}/accept`, { answerId: answer.json.id })).status).toBe(200);
  // hydra wrote the emails: the matched expert, and the asker about the answer
  const deadline = Date.now() + 15_000;
  while (readdirSync(mailDir).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  expect(readdirSync(mailDir).length).toBeGreaterThanOrEqual(2);
  const denied = system.processes.flatMap((p) => p.output).filter((line) => /permission denied|access_refused|ACCESS_REFUSED/i.test(line));
  expect(denied).toEqual([]);
});

it('refuses what a service has no business doing, in Postgres and on the broker', { timeout: 30_000 }, async () => {
  const as = (service: 'api' | 'matcher' | 'hydra') => new pg.Client({ connectionString: credentials(service).DATABASE_URL });
  const tries: [ 'api' | 'matcher' | 'hydra', string][] = [
    ['matcher', 'select email from users limit 1'],
    ['matcher', 'select * from api_tokens'],
    ['hydra', 'insert into question_matches (question_id, user_id, rank, score, reasons) values (1, 1, 1, 1, \'{}\')'],
    ['hydra', 'select * from outbox limit 1'],
    ['api', 'select * from user_expertise limit 1'],
    ['api', 'delete from users'],
    ['api', 'insert into api_tokens (name, scope, token_hash) values (\'x\', \'admin\', \'\\x00\')'],
    ['matcher', 'drop table questions'],
    ['matcher', 'update user_preferences set paused_until = null'],
    ['matcher', 'insert into active_ranking_model (version) values (1)'],
    ['api', 'select * from ranking_models'],
  ];
  for (const [service, sql] of tries) {
    const client = as(service);
    await client.connect();
    try {
      await expect(client.query(sql), `${service}: ${sql}`).rejects.toThrow(/permission denied|must be owner/);
    } finally {
      await client.end();
    }
  }

  // on the broker: the matcher may not read hydra's queue, the api may not read any
  for (const [service, queue] of [['matcher', 'hydra.answer.posted'], ['api', 'question.asked'], ['hydra', 'question.asked']] as const) {
    const refused = await new Promise<string>((resolve) => {
      const c = new Client({
        webSocketFactory: () => new TCPWrapper(rabbit.host, rabbit.stompPort) as unknown as IStompSocket,
        connectHeaders: { login: access.services[service].brokerUser, passcode: access.services[service].password, host: system.vhost },
        reconnectDelay: 0,
        debug: () => {},
        onConnect: () => c.subscribe(`/amq/queue/${queue}`, () => resolve('delivered?!'), { ack: 'client-individual' }),
        onStompError: (frame) => {
          resolve(frame.headers.message ?? 'error');
          void c.deactivate();
        },
      });
      c.activate();
      setTimeout(() => resolve('no answer'), 5_000);
    });
    expect(refused, `${service} reading ${queue}`).toMatch(/access_refused|ACCESS_REFUSED/i);
  }
});
