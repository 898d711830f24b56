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
  it('docker-compose.yml is valid and has the whole system', async () => {
    await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: repoRoot });
    const { stdout } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '--services'], { cwd: repoRoot });
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['api1', 'api2', 'hydra', 'loadbalancer', 'mailpit', 'matcher', 'migrate', 'postgres', 'rabbitmq']);
    const { stdout: config } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: repoRoot });
    expect(config).toContain('enabled_plugins');
    expect(config).toContain('service_completed_successfully'); // everything waits for the migration
    expect(config).not.toMatch(/matcher:\n(?:.*\n)*?\s+container_name:/); // scalable: no fixed name
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
