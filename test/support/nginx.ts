import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, stopChild } from './processes.js';

const run = promisify(execFile);

/** Debian's nginx with deploy/nginx's configuration, rendered as docker-compose renders it, in front of two api instances. */
export class TestLoadBalancer {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'qr-nginx-'));
  readonly upstreamFile = path.join(this.dir, 'conf.d', 'api-upstream.conf');
  readonly nginxArgs = ['-p', this.dir, '-c', path.join(this.dir, 'nginx.conf')];
  private nginx: ChildProcess | undefined;
  url = '';

  constructor(readonly api1: string, readonly api2: string) {}

  async start(): Promise<void> {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    mkdirSync(path.join(this.dir, 'conf.d'), { recursive: true });
    mkdirSync(path.join(this.dir, 'logs'), { recursive: true });
    writeFileSync(this.upstreamFile, readFileSync(path.join(repoRoot, 'deploy/nginx/api-upstream.conf.template'), 'utf8').replace('${API1}', this.api1).replace('${API2}', this.api2));
    writeFileSync(
      path.join(this.dir, 'nginx.conf'),
      readFileSync(path.join(repoRoot, 'deploy/nginx/nginx.conf'), 'utf8')
        .replace('${LISTEN}', `127.0.0.1:${port}`)
        .replace('include conf.d/', `include ${this.dir}/conf.d/`)
        // docker logs to its streams; a test to files
        .replace('/dev/stdout', `${this.dir}/logs/access.log`)
        .replace('/dev/stderr', `${this.dir}/logs/error.log`),
    );
    this.nginx = spawn('nginx', [...this.nginxArgs, '-g', 'daemon off;'], { stdio: 'ignore' });
    this.url = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      if (await fetch(`${this.url}/healthz`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('nginx did not come up');
  }

  /** scripts/deploy/lb-drain.sh, as an operator runs it. */
  async drain(action: 'out' | 'in', server: string): Promise<string> {
    const { stdout } = await run(path.join(repoRoot, 'scripts/deploy/lb-drain.sh'), [action, server, this.upstreamFile, ...this.nginxArgs]);
    return stdout;
  }

  /** Stops nginx (gracefully, then for good after 5 s) and, once it has exited, removes its directory: stop anything else writing there first. */
  async stop(): Promise<void> {
    if (this.nginx) await stopChild(this.nginx, 'SIGQUIT', 5_000);
    rmSync(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
