import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { repoRoot } from './support/processes.js';

const run = promisify(execFile);

// No Docker engine runs here: Debian's docker-compose validates the file and lists its services.
it('docker-compose.yml is valid and runs Postgres, RabbitMQ with the STOMP plugins, and a mail catcher', async () => {
  await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '-q'], { cwd: repoRoot });
  const { stdout } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config', '--services'], { cwd: repoRoot });
  expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['mailpit', 'postgres', 'rabbitmq']);
  const { stdout: config } = await run('docker-compose', ['-f', 'docker-compose.yml', 'config'], { cwd: repoRoot });
  expect(config).toContain('enabled_plugins');
});
