import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ServiceProcess } from './support/processes.js';

// `npm start`: the whole system in one process, with embedded Postgres and the in-memory transport.
let system: ServiceProcess;
let url = '';
const dataDir = mkdtempSync(path.join(tmpdir(), 'qr-embedded-'));
chmodSync(dataDir, 0o755); // as root, Postgres runs as the 'postgres' user, which must reach the data folder

beforeAll(async () => {
  system = new ServiceProcess('embedded', 'services/embedded/src/main.ts', { PORT: '0', EMBEDDED_DATA_DIR: path.join(dataDir, 'pg'), MAIL_DIR: path.join(dataDir, 'mail'), LOG_LEVEL: 'warn' });
  const deadline = Date.now() + 60_000;
  while (!url) {
    const line = system.output.find((l) => l.includes('is running at'));
    if (line) url = /running at (\S+)/.exec(line)![1]!;
    else if (Date.now() > deadline) throw new Error(`embedded did not start:\n${system.output.join('\n')}`);
    else await new Promise((r) => setTimeout(r, 100));
  }
}, 90_000);

afterAll(async () => {
  expect(await system.stop()).toBe(0);
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

it('prints how to ask, and routes a hops question to the demo community\'s hops expert', async () => {
  const printed = system.output.join('\n');
  expect(printed).toContain(`curl -s -X POST ${url}/questions`);
  const example = JSON.parse(/-d '(\{.*\})'/.exec(printed)![1]!) as object;
  const token = /TOKEN=(qr_[A-Za-z0-9_-]+)/.exec(printed)?.[1];
  expect(token, 'the service token it printed').toBeDefined();
  const unauthenticated = await fetch(`${url}/questions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(example) });
  expect(unauthenticated.status).toBe(401);
  const asked = await fetch(`${url}/questions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(example) });
  expect(asked.status).toBe(201);
  const { id } = (await asked.json()) as { id: number };
  let body: { status: string; matches: { userId: number; reasons: { tags: string[] } }[] } = { status: 'pending', matches: [] };
  for (let i = 0; i < 100 && body.status !== 'matched'; i++) {
    await new Promise((r) => setTimeout(r, 100));
    body = (await (await fetch(`${url}/questions/${id}/matches`)).json()) as typeof body;
  }
  expect(body.status).toBe('matched');
  // Hannah Hopsworth is the first demo person (id 1): she answered the hops questions.
  expect(body.matches[0]!.userId).toBe(1);
  expect(body.matches[0]!.reasons.tags).toContain('hops');

  // hydra told her, in the folder the start-up message names
  expect(printed).toContain(`${path.join(dataDir, 'mail')}/*.eml`);
  let mails: string[] = [];
  for (let i = 0; i < 100 && mails.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    mails = readdirSync(path.join(dataDir, 'mail'), { withFileTypes: true }).filter((f) => f.name.endsWith('.eml')).map((f) => readFileSync(path.join(dataDir, 'mail', f.name), 'utf8'));
  }
  const toHannah = mails.find((m) => m.includes('To: hannah@demo.example'));
  expect(toHannah).toContain('Subject: A question you can answer: How many hops for a bitter IPA?');
  expect(toHannah).toContain(`${url}/questions/${id}`);
}, 30_000);

it('serves the pages, with links that carry no token, and the operations view of the in-memory queues', async () => {
  const printed = system.output.join('\n');
  const admin = /admin token \(maintenance, replays, dead letters\): (qr_[A-Za-z0-9_-]+)/.exec(printed)?.[1];
  expect(admin, 'the admin token, printed for the terminal').toBeDefined();
  expect(printed).toContain(`${url}/ops.html`);
  expect(printed).not.toMatch(/[#?&]token=/); // links end up in browser history: none carries a token
  const page = await fetch(`${url}/`);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(await page.text()).toContain('Ask a question');
  expect((await fetch(`${url}/ops.html`)).status).toBe(200);
  expect((await fetch(`${url}/admin/queues`)).status).toBe(401);
  const queues = (await (await fetch(`${url}/admin/queues`, { headers: { authorization: `Bearer ${admin}` } })).json()) as { queues: { name: string; consumers: number; published?: number }[] };
  const asked = queues.queues.find((q) => q.name === 'question.asked');
  expect(asked?.consumers).toBe(1);
  expect(asked?.published).toBeGreaterThanOrEqual(1);
});
