import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { runCli } from '@qr/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rabbit } from './support/env.js';
import { TestLoadBalancer } from './support/nginx.js';
import { repoRoot, type ServiceProcess } from './support/processes.js';
import { waitFor } from './support/queues.js';
import { seedExperts, TestSystem } from './support/system.js';

const run = promisify(execFile);

/** The deploy runbook of the README, step by step, while questions keep coming through the load balancer. */
describe('the deploy runbook under load', () => {
  const system = new TestSystem();
  let lb: TestLoadBalancer;
  let api1: ServiceProcess;
  let api1Url = '';
  let people: { hops: number; wine: number; asker: number };
  const admin = { 'content-type': 'application/json', authorization: `Bearer ${TestSystem.adminToken}` };
  const put = (url: string, body: unknown) => fetch(url, { method: 'PUT', headers: admin, body: JSON.stringify(body) });

  beforeAll(async () => {
    await system.setUp();
    api1 = await system.startApi();
    api1Url = system.apiUrl;
    await system.startApi();
    lb = new TestLoadBalancer(new URL(api1Url).host, new URL(system.apiUrl).host);
    await lb.start();
    system.apiUrl = lb.url;
    await system.startMatcher();
    await system.startMatcher();
    await system.startHydra({ MAIL_DIR: path.join(lb.dir, 'mail') });
    people = await seedExperts(system);
  }, 90_000);
  afterAll(async () => {
    await system.tearDown(); // hydra writes its mail in the balancer's directory
    await lb?.stop();
  }, 60_000);

  it('announce, drain, maintenance, migrate, rolling restart, check logs, spot test, end, restore, empty dead letters: every question asked matched once', async () => {
    const asked: number[] = [];
    let going = true;
    const load = (async () => {
      for (let i = 0; going; i++) {
        const r = await system.post('/questions', { askerId: people.asker, title: `Deploy-day question ${i}: hops?`, body: 'hops', tags: ['hops'] }).catch(() => undefined);
        if (r?.status === 201) asked.push(r.json.id); // a 503 during maintenance is not an asked question
        await new Promise((res) => setTimeout(res, 20));
      }
    })();
    try {
      // 1. announce
      expect((await put(`${lb.url}/admin/announcement`, { message: 'Maintenance in 5 minutes' })).status).toBe(200);
      // 2. take api1 out of the load balancer (drained, not cut)
      await lb.drain('out', lb.api1);
      // 3. maintenance mode
      expect((await put(`${lb.url}/admin/maintenance`, { enabled: true, message: 'Deploying' })).status).toBe(200);
      // 4. migrate
      const { stdout } = await run('npm', ['run', '-s', 'migrate'], { cwd: repoRoot, env: { ...process.env, DATABASE_URL: system.db.url } });
      expect(stdout).toContain('migrations current');
      // 5. rolling restart of every process, each draining (SIGTERM) before its replacement starts
      const restartedAt = Date.now();
      const restarted: ServiceProcess[] = [];
      for (const old of [...system.processes]) {
        if (old.name === 'api' && old !== api1) continue; // api2 serves users through the maintenance page until api1 is back
        expect(await old.stop()).toBe(0);
        if (old.name === 'api') {
          api1 = await system.startApi();
          api1Url = system.apiUrl;
          system.apiUrl = lb.url;
          // the new api1 listens on a new port here (in compose it keeps its name): point the upstream at it
          writeFileSync(lb.upstreamFile, readFileSync(lb.upstreamFile, 'utf8').replace(lb.api1, new URL(api1Url).host));
          restarted.push(api1);
        } else if (old.name === 'matcher') restarted.push(await system.startMatcher());
        else if (old.name === 'hydra') restarted.push(await system.startHydra({ MAIL_DIR: path.join(lb.dir, 'mail') }));
      }
      // 6. the logs since the restart: no errors
      expect(restarted.flatMap((p) => p.logs.filter((l) => l.level >= 50 && (l.time as number) >= restartedAt))).toEqual([]);
      // 7. spot test the held-back instance directly, through the maintenance page, with the admin token
      expect((await fetch(`${api1Url}/readyz`)).status).toBe(200);
      const spot = await fetch(`${api1Url}/questions`, { method: 'POST', headers: admin, body: JSON.stringify({ askerId: people.asker, title: 'Spot test: boiling hops?', body: 'hops', tags: ['hops'] }) });
      expect(spot.status).toBe(201);
      const spotId = ((await spot.json()) as { id: number }).id;
      const spotMatches = await waitFor('the spot-test question matched', async () => {
        const m = (await (await fetch(`${api1Url}/questions/${spotId}/matches`, { headers: admin })).json()) as { status: string; matches: { userId: number }[] };
        return m.status === 'matched' ? m : undefined;
      });
      expect(spotMatches.matches[0]!.userId).toBe(people.hops);
      expect((await fetch(`${lb.url}/questions/${spotId}/matches`)).status).toBe(503); // everyone else still sees maintenance
      // 8. end maintenance, 9. put api1 back
      expect((await put(`${lb.url}/admin/maintenance`, { enabled: false })).status).toBe(200);
      await lb.drain('in', new URL(api1Url).host);
      await put(`${lb.url}/admin/announcement`, { message: null });
      await new Promise((r) => setTimeout(r, 1_000));
    } finally {
      going = false;
      await load;
    }
    // 10. the dead-letter queues are empty
    for (const queue of ['question.asked', 'hydra.question.matched', 'matcher.answer.posted']) {
      const out: string[] = [];
      const env = { ...system.env(), STOMP_URL: `stomp://${rabbit.host}:${rabbit.stompPort}` };
      expect(await runCli(['dlq', 'list', queue], { out: (t) => out.push(t), err: () => {} }, env)).toBe(0);
      expect(out.join('\n')).toContain('is empty');
    }
    expect(asked.length).toBeGreaterThan(10);
    await waitFor('every question asked matched', async () => {
      const { rows } = await system.pool.query<{ n: number }>('select count(*)::int as n from questions where id = any($1) and matched_at is not null', [asked]);
      return rows[0]!.n === asked.length ? true : undefined;
    }, 60_000);
    const { rows } = await system.pool.query<{ n: number }>(
      "select count(*)::int as n from outbox where type = 'question.matched' and (body::jsonb->>'questionId')::bigint = any($1)", [asked]);
    expect(rows[0]!.n).toBe(asked.length); // exactly once each
  }, 180_000);
});
