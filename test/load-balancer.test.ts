import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, type ServiceProcess } from './support/processes.js';
import { seedExperts, TestSystem } from './support/system.js';

const run = promisify(execFile);

/** deploy/nginx's configuration, rendered as docker-compose renders it, with Debian's nginx in front of two api processes. */
describe('the load balancer in front of two api instances', () => {
  const system = new TestSystem();
  const dir = mkdtempSync(path.join(tmpdir(), 'qr-nginx-'));
  const upstreamFile = path.join(dir, 'conf.d', 'api-upstream.conf');
  let nginx: ChildProcess;
  let apis: ServiceProcess[] = [];
  let lbUrl = '';
  const nginxArgs = ['-p', dir, '-c', path.join(dir, 'nginx.conf')];

  beforeAll(async () => {
    await system.setUp();
    const first = await system.startApi();
    const firstUrl = system.apiUrl;
    const second = await system.startApi();
    apis = [first, second];
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const hostOf = (url: string) => new URL(url).host;
    mkdirSync(path.join(dir, 'conf.d'), { recursive: true });
    mkdirSync(path.join(dir, 'logs'), { recursive: true });
    writeFileSync(upstreamFile, readFileSync(path.join(repoRoot, 'deploy/nginx/api-upstream.conf.template'), 'utf8').replace('${API1}', hostOf(firstUrl)).replace('${API2}', hostOf(system.apiUrl)));
    writeFileSync(path.join(dir, 'nginx.conf'), readFileSync(path.join(repoRoot, 'deploy/nginx/nginx.conf'), 'utf8').replace('${LISTEN}', `127.0.0.1:${port}`).replace('include conf.d/', `include ${dir}/conf.d/`)
      .replace('/dev/stdout', `${dir}/logs/access.log`).replace('/dev/stderr', `${dir}/logs/error.log`)); // docker logs to its streams; a test to files
    nginx = spawn('nginx', [...nginxArgs, '-g', 'daemon off;'], { stdio: 'ignore' });
    lbUrl = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      if (await fetch(`${lbUrl}/healthz`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    system.apiUrl = lbUrl; // from here on, everything goes through the load balancer
    await seedExperts(system);
  }, 60_000);

  afterAll(async () => {
    nginx?.kill('SIGQUIT');
    await system.tearDown();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  const served = (api: ServiceProcess) => api.logs.filter((l) => l.msg === 'request completed').length;

  it('spreads requests over both instances, and takes one out (drained, not cut) and back without a failed request', async () => {
    const before = apis.map(served);
    for (let i = 0; i < 20; i++) expect((await fetch(`${lbUrl}/healthz`)).status).toBe(200);
    const spread = apis.map((api, i) => served(api) - (before[i] as number));
    expect(spread.every((n) => n >= 5)).toBe(true);

    // load while the first instance is taken out
    const statuses: number[] = [];
    let going = true;
    let servedWhileOut = 0;
    const load = (async () => {
      while (going) statuses.push((await system.post('/users', { name: 'Load', email: `load.${Math.random()}@example.test` })).status);
    })();
    try {
    await new Promise((r) => setTimeout(r, 300));
    const firstHost = new URL(readFileSync(upstreamFile, 'utf8').match(/server (\S+) /)![0].replace('server ', 'http://').trim()).host;
    const { stdout } = await run(path.join(repoRoot, 'scripts/deploy/lb-drain.sh'), ['out', firstHost, upstreamFile, ...nginxArgs]);
    expect(stdout).toContain(`${firstHost} out of the load balancer`);
    await new Promise((r) => setTimeout(r, 500));
    servedWhileOut = served(apis[0]!);
    await new Promise((r) => setTimeout(r, 700));
    expect(served(apis[0]!)).toBe(servedWhileOut); // nothing new reaches it
    await run(path.join(repoRoot, 'scripts/deploy/lb-drain.sh'), ['in', firstHost, upstreamFile, ...nginxArgs]);
    await new Promise((r) => setTimeout(r, 700));
    } finally {
      going = false;
      await load;
    }
    expect(statuses.length).toBeGreaterThan(20);
    expect(statuses.every((s) => s === 201)).toBe(true);
    expect(served(apis[0]!)).toBeGreaterThan(servedWhileOut); // back in
  }, 60_000);
});
