import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rabbit } from './support/env.js';
import { ServiceProcess } from './support/processes.js';
import { expertsCounted, seedExperts, TestSystem } from './support/system.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * A matcher on "another machine": its own network namespace with its own address, joined to this
 * host by a veth pair the test makes. It is configured by environment alone, with a broker user of
 * its own (RabbitMQ refuses guest from anywhere but localhost), and reaches the broker, its management
 * API and Postgres only over that link. RabbitMQ listens on every interface; Postgres listens on
 * loopback only, so the test forwards the link's port 5432 to it (as a router or a pgbouncer would;
 * no change to the shared server's configuration). Needs root and iproute2.
 */
const id = randomBytes(2).readUInt16BE() % 200;
const ns = `qr-m${id}`;
const hostIf = `vqh${id}`;
const nsIf = `vqn${id}`;
const hostIp = `10.200.${id}.1`;
const nsIp = `10.200.${id}.2`;
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

describe('a matcher on another machine', () => {
  const system = new TestSystem();
  const postgresForward = new TcpProxy('127.0.0.1', 5432, hostIp);
  const brokerUser = `matcher-${randomBytes(4).toString('hex')}`;
  const brokerPassword = randomBytes(12).toString('hex');
  let matcher: ServiceProcess;
  let people: { hops: number; wine: number; asker: number };

  beforeAll(async () => {
    await system.setUp();
    ip('netns', 'add', ns);
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', ns);
    ip('addr', 'add', `${hostIp}/30`, 'dev', hostIf);
    ip('link', 'set', hostIf, 'up');
    ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${nsIp}/30`, 'dev', nsIf);
    ip('netns', 'exec', ns, 'ip', 'link', 'set', nsIf, 'up');
    ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    await postgresForward.start(5432);
    // its own broker user, with rights on this vhost only
    await system.management.request('PUT', `users/${brokerUser}`, { password: brokerPassword, tags: 'policymaker' }); // declares its topology (incl. policies) at start-up
    await system.management.request('PUT', `permissions/${encodeURIComponent(system.vhost)}/${brokerUser}`, { configure: '.*', write: '.*', read: '.*' });
    await system.startApi();
    people = await seedExperts(system);
  }, 60_000);

  afterAll(async () => {
    await matcher?.stop();
    await system.tearDown();
    await postgresForward.stop();
    await system.management.request('DELETE', `users/${brokerUser}`).catch(() => {});
    try {
      ip('netns', 'del', ns);
      ip('link', 'del', hostIf);
    } catch {
      // the veth goes with the namespace
    }
  }, 60_000);

  it('matches questions, keeps retrying while its link is down, and catches up without loss when it returns', async () => {
    const dbName = new URL(system.db.url).pathname;
    const env = {
      DATABASE_URL: `postgres://postgres@${hostIp}:5432${dbName}`,
      STOMP_URL: `ws://${hostIp}:${rabbit.webStompPort}/ws`,
      STOMP_LOGIN: brokerUser,
      STOMP_PASSCODE: brokerPassword,
      STOMP_VHOST: system.vhost,
      RABBITMQ_MANAGEMENT_URL: `http://${hostIp}:15672`,
      HEALTH_PORT: '0',
      MATCHER_MIN_ASKS_PER_WEEK: '100000',
    };
    matcher = new ServiceProcess('matcher@netns', 'ip', env, ['netns', 'exec', ns, process.execPath, '--import', 'tsx', 'services/matcher/src/main.ts']);
    await matcher.waitForLog((l) => l.msg === 'matcher started', 40_000);
    await expertsCounted(system);
    const first = await system.post('/questions', { askerId: people.asker, title: 'From the other machine: hops?', body: 'hops', tags: ['hops'] });
    expect((await system.waitForMatches(first.json.id)).matches[0]!.userId).toBe(people.hops);

    ip('link', 'set', hostIf, 'down'); // the network between the machines is cut
    const during: number[] = [];
    for (let i = 0; i < 10; i++) during.push((await system.post('/questions', { askerId: people.asker, title: `While the link is down ${i}: hops?`, body: 'hops', tags: ['hops'] })).json.id);
    await matcher.waitForLog((l) => l.msg === 'broker connection closed; reconnecting', 60_000); // heartbeats notice
    await new Promise((r) => setTimeout(r, 2_000));
    const { rows } = await system.pool.query<{ n: number }>('select count(*)::int as n from questions where id = any($1) and matched_at is not null', [during]);
    expect(rows[0]!.n).toBe(0);

    ip('link', 'set', hostIf, 'up');
    for (const questionId of during) expect((await system.waitForMatches(questionId, 90_000)).matches[0]!.userId).toBe(people.hops);
    const { rows: once } = await system.pool.query<{ n: number }>(
      "select count(*)::int as n from outbox where type = 'question.matched' and (body::jsonb->>'questionId')::bigint = any($1)", [during]);
    expect(once[0]!.n).toBe(10);
    expect(matcher.logs.filter((l) => l.msg === 'connected to the broker').length).toBeGreaterThanOrEqual(2);
  }, 240_000);
});
