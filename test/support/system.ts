import { randomUUID } from 'node:crypto';
import { createPool, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { RabbitManagement } from '@qr/lemur';
import { adminDatabaseUrl, rabbit } from './env.js';
import { ServiceProcess } from './processes.js';
import { waitFor } from './queues.js';
import { TcpProxy } from './tcp-proxy.js';

/**
 * A private copy of the system for one test file: its own database, its own RabbitMQ vhost, and
 * services started as separate processes. Services reach the broker's STOMP port through a TCP proxy
 * the test can cut (a broker outage that disturbs no other test); the management API is reached directly.
 */
export class TestSystem {
  static readonly adminToken = `admin-${randomUUID()}`;
  /** The api's BOOTSTRAP_TOKEN: a service-scope token, as the web app would hold. */
  static readonly serviceToken = `service-${randomUUID()}`;
  static readonly serviceHeaders = { 'content-type': 'application/json', authorization: `Bearer ${TestSystem.serviceToken}` };
  readonly vhost = `test-${randomUUID()}`;
  readonly management = new RabbitManagement({ url: rabbit.managementUrl, login: rabbit.login, passcode: rabbit.passcode, vhost: this.vhost });
  readonly brokerLink = new TcpProxy(rabbit.host, rabbit.stompPort);
  readonly processes: ServiceProcess[] = [];
  db!: TestDatabase;
  pool!: Pool;
  apiUrl = '';

  async setUp(): Promise<void> {
    this.db = await createTestDatabase(adminDatabaseUrl);
    this.pool = createPool(this.db.url, { onError: () => {} });
    await this.management.createVhost();
    await this.brokerLink.start();
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DATABASE_URL: this.db.url,
      STOMP_URL: `stomp://127.0.0.1:${this.brokerLink.port}`,
      STOMP_LOGIN: rabbit.login,
      STOMP_PASSCODE: rabbit.passcode,
      STOMP_VHOST: this.vhost,
      RABBITMQ_MANAGEMENT_URL: rabbit.managementUrl,
      ...extra,
    };
  }

  async startApi(extra: Record<string, string> = {}): Promise<ServiceProcess> {
    const api = new ServiceProcess('api', 'services/api/src/main.ts', this.env({ PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: TestSystem.adminToken, BOOTSTRAP_TOKEN: TestSystem.serviceToken, ...extra }));
    this.processes.push(api);
    const listening = await api.waitForLog((l) => l.msg === 'api listening');
    this.apiUrl = String(listening.url).replace('0.0.0.0', '127.0.0.1');
    await api.waitForLog((l) => l.msg === 'connected to the broker');
    return api;
  }

  /**
   * These tests ask a community of three dozens of questions a minute: the weekly cap on asks per
   * person (10 by default) would rightly send everyone to the back, so it is lifted unless a test sets it.
   */
  async startMatcher(extra: Record<string, string> = {}): Promise<ServiceProcess> {
    const matcher = new ServiceProcess('matcher', 'services/matcher/src/main.ts', this.env({ HEALTH_PORT: '0', MATCHER_MIN_ASKS_PER_WEEK: '100000', ...extra }));
    this.processes.push(matcher);
    await matcher.waitForLog((l) => l.msg === 'matcher started');
    return matcher;
  }

  async startHydra(extra: Record<string, string> = {}): Promise<ServiceProcess> {
    const hydra = new ServiceProcess('hydra', 'services/hydra/src/main.ts', this.env({ HEALTH_PORT: '0', ...extra }));
    this.processes.push(hydra);
    await hydra.waitForLog((l) => l.msg === 'hydra started');
    return hydra;
  }

  async post<T = { id: number }>(path: string, body: unknown): Promise<{ status: number; json: T }> {
    const response = await fetch(`${this.apiUrl}${path}`, { method: 'POST', headers: TestSystem.serviceHeaders, body: JSON.stringify(body) });
    return { status: response.status, json: (await response.json()) as T };
  }

  async get<T>(path: string): Promise<{ status: number; json: T }> {
    const response = await fetch(`${this.apiUrl}${path}`);
    return { status: response.status, json: (await response.json()) as T };
  }

  async waitForMatches(questionId: number, timeoutMs = 20_000): Promise<MatchesResponse> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { json } = await this.get<MatchesResponse>(`/questions/${questionId}/matches`);
      if (json.status === 'matched') return json;
      if (Date.now() > deadline) throw new Error(`question ${questionId} not matched in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async tearDown(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    await this.brokerLink.stop();
    await this.pool?.end();
    await this.management.deleteVhost().catch(() => {});
    await this.db?.drop();
  }
}

export interface MatchesResponse {
  questionId: number;
  status: 'pending' | 'matched';
  matches: { userId: number; score: number; reasons: { terms: string[]; tags: string[] } }[];
}

/** People who answered questions on different topics, through the public API. */
export async function seedExperts(system: TestSystem): Promise<{ hops: number; wine: number; asker: number }> {
  const user = async (name: string) => (await system.post('/users', { name, email: `${name}.${randomUUID()}@example.test` })).json.id;
  const hops = await user('hops');
  const wine = await user('wine');
  const asker = await user('asker');
  const history = [
    { by: hops, title: 'When do I add hops for bitterness?', body: 'My IPA lacks bitterness from the hops.', tags: ['hops', 'ipa'], answer: 'Add bittering hops at the start of the boil.' },
    { by: hops, title: 'Does dry hopping add bitterness?', body: 'Dry hopped pale ale with Citra hops.', tags: ['hops'], answer: 'Dry hopping adds aroma, not bitterness.' },
    { by: wine, title: 'Why is young red wine so dry?', body: 'What do grape tannins do in wine?', tags: ['wine', 'tannins'], answer: 'Tannins bind saliva proteins.' },
    { by: wine, title: 'Should I decant a red wine?', body: 'Decanting a young Cabernet wine.', tags: ['wine'], answer: 'Decanting softens the tannins.' },
  ];
  for (const h of history) {
    const q = await system.post('/questions', { askerId: asker, title: h.title, body: h.body, tags: h.tags });
    await system.post(`/questions/${q.json.id}/answers`, { userId: h.by, body: h.answer });
  }
  return { hops, wine, asker };
}

/**
 * Waits until a running matcher has counted seedExperts' four answers (consumed their answer.posted
 * events): only then are they experts, and a question asked before may be matched with no one to ask.
 */
export async function expertsCounted(system: TestSystem): Promise<void> {
  const counted = async (): Promise<number> => (await system.pool.query<{ n: number }>('select count(*)::int as n from answer_contributions where quality > 0')).rows[0]!.n;
  await waitFor('expertise from the 4 answers', async () => ((await counted()) === 4 ? true : undefined));
}
