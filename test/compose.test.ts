import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, ServiceProcess } from './support/processes.js';
import { TestSystem } from './support/system.js';

const run = promisify(execFile);

/**
 * No Docker engine runs here. What can be checked is: the compose file (Debian's docker-compose
 * validates it), each Dockerfile's shape, and each image's command, run outside Docker as the image
 * would run it, against the real services.
 */
describe('deployment files', () => {
  // the passwords an operator puts in .env
  const secrets = { QR_ADMIN_PASSWORD: 'admin-pw', QR_API_PASSWORD: 'api-pw', QR_MATCHER_PASSWORD: 'matcher-pw', QR_HYDRA_PASSWORD: 'hydra-pw', QR_BOOTSTRAP_TOKEN: 'boot' };
  const compose = (...args: string[]) => run('docker-compose', ['-f', 'docker-compose.yml', ...args], { cwd: repoRoot, env: { ...process.env, ...secrets } });

  it('docker-compose.yml is valid and has the whole system', async () => {
    await compose('config', '-q');
    const { stdout } = await compose('config', '--services');
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['access', 'api1', 'api2', 'hydra', 'loadbalancer', 'mailpit', 'matcher', 'migrate', 'postgres', 'rabbitmq']);
    const { stdout: config } = await compose('config');
    expect(config).toContain('enabled_plugins');
    expect(config).toContain('service_completed_successfully'); // everything waits for the migration
    expect(config).not.toMatch(/matcher:\n(?:.*\n)*?\s+container_name:/); // scalable: no fixed name
  });

  it('has no guest account and no shared credentials: each service its own broker user and database role, passwords required', async () => {
    const { stdout: config } = await compose('config');
    expect(config).not.toMatch(/guest/i);
    const service = (name: string): string => new RegExp(`\n  ${name}:\n((?:    .*\n|\n)*)`).exec(config)![1]!;
    const logins = ['api1', 'matcher', 'hydra'].map((name) => /STOMP_LOGIN: (\S+)/.exec(service(name))![1]);
    expect(logins).toEqual(['qr-api', 'qr-matcher', 'qr-hydra']);
    const roles = ['api1', 'matcher', 'hydra'].map((name) => /DATABASE_URL: postgres:\/\/([^:]+):/.exec(service(name))![1]);
    expect(roles).toEqual(['qr_api', 'qr_matcher', 'qr_hydra']);
    for (const name of ['api1', 'matcher', 'hydra']) expect(service(name)).toContain('DECLARE_TOPOLOGY: "false"');
    await expect(run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: repoRoot, env: { ...process.env, QR_ADMIN_PASSWORD: '' } })).rejects.toThrow(/QR_ADMIN_PASSWORD/);
  });

  const images: { dockerfile: string; ready: string; env: Record<string, string> }[] = [
    { dockerfile: 'services/api/Dockerfile', ready: 'api listening', env: { PORT: '0', HOST: '127.0.0.1' } },
    { dockerfile: 'services/matcher/Dockerfile', ready: 'matcher started', env: { HEALTH_PORT: '0' } },
    { dockerfile: 'services/hydra/Dockerfile', ready: 'hydra started', env: { HEALTH_PORT: '0', MAIL_DIR: '/tmp/qr-compose-mail' } },
  ];

  describe('each image', () => {
    const system = new TestSystem();
    beforeAll(() => system.setUp(), 60_000);
    afterAll(() => system.tearDown(), 60_000);

    it.each(images)('$dockerfile: multi-stage, non-root, and its command starts the service', async ({ dockerfile, ready, env }) => {
      const text = readFileSync(path.join(repoRoot, dockerfile), 'utf8');
      expect(text.match(/^FROM /gm)).toHaveLength(2);
      expect(text).toMatch(/^USER node$/m);
      const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(text)![1]!) as string[];
      expect(cmd.slice(0, 3)).toEqual(['node', '--import', 'tsx']);
      const service = new ServiceProcess(path.basename(path.dirname(dockerfile)), cmd[3]!, system.env(env));
      system.processes.push(service);
      await service.waitForLog((l) => l.msg === ready, 30_000);
      expect(await service.stop()).toBe(0);
    }, 60_000);

    it('packages/db/Dockerfile (the one-shot migration) applies nothing twice and exits 0', async () => {
      const text = readFileSync(path.join(repoRoot, 'packages/db/Dockerfile'), 'utf8');
      const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(text)![1]!) as string[];
      const { stdout } = await run(cmd[0]!, cmd.slice(1), { cwd: repoRoot, env: { ...process.env, DATABASE_URL: system.db.url } });
      expect(stdout).toContain('migrations current');
    });
  });
});
