import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { RabbitManagement } from '@qr/lemur';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rabbit } from './support/env.js';
import { repoRoot } from './support/processes.js';

const run = promisify(execFile);
const vhost = `test-${randomUUID()}`;
const management = new RabbitManagement({ url: rabbit.managementUrl, login: rabbit.login, passcode: rabbit.passcode, vhost });

beforeAll(() => management.createVhost());
afterAll(() => management.deleteVhost());

const example = (file: string, env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', `examples/${file}`], { cwd: repoRoot, env: { ...process.env, ...env }, timeout: 30_000 });

describe.each([
  ['RabbitMQ', { STOMP_VHOST: vhost }],
  ['memory', { LEMUR_TRANSPORT: 'memory' }],
])('the sample clients in examples/, over %s', (_name, env) => {
  it('minimal-consumer takes its messages off the queue and exits', async () => {
    const { stdout } = await example('minimal-consumer.ts', env);
    expect(stdout.trim().split('\n')).toEqual(['hello, Ada', 'hello, Grace']);
  });

  it('deferred-task runs the deferred call on its worker and exits', async () => {
    const { stdout } = await example('deferred-task.ts', env);
    expect(stdout.trim()).toBe('2 + 40 = 42');
  });
});
