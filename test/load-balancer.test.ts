import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestLoadBalancer } from './support/nginx.js';
import type { ServiceProcess } from './support/processes.js';
import { seedExperts, TestSystem } from './support/system.js';

describe('the load balancer in front of two api instances', () => {
  const system = new TestSystem();
  let lb: TestLoadBalancer;
  let apis: ServiceProcess[] = [];

  beforeAll(async () => {
    await system.setUp();
    const first = await system.startApi();
    const firstHost = new URL(system.apiUrl).host;
    const second = await system.startApi();
    apis = [first, second];
    lb = new TestLoadBalancer(firstHost, new URL(system.apiUrl).host);
    await lb.start();
    system.apiUrl = lb.url; // from here on, everything goes through the load balancer
    await seedExperts(system);
  }, 60_000);

  afterAll(async () => {
    await lb?.stop();
    await system.tearDown();
  }, 60_000);

  const served = (api: ServiceProcess) => api.logs.filter((l) => l.msg === 'request completed').length;

  it('spreads requests over both instances, and takes one out (drained, not cut) and back without a failed request', async () => {
    const before = apis.map(served);
    for (let i = 0; i < 20; i++) expect((await fetch(`${lb.url}/healthz`)).status).toBe(200);
    const spread = apis.map((api, i) => served(api) - (before[i] as number));
    expect(spread.every((n) => n >= 5)).toBe(true);

    const statuses: number[] = [];
    let going = true;
    let servedWhileOut = 0;
    // Like a browser, the client sends a request again when the kept-alive connection it reused was
    // closed before any response (nginx's old workers close idle connections on reload; the client's
    // pool may hold several such connections, so up to three tries). Had a try been processed, the
    // next would answer 409 (emails are unique) and fail the test.
    const createUser = async (email: string): Promise<number> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await system.post('/users', { name: 'Load', email })).status;
        } catch (error) {
          if (attempt >= 3 || (error as { cause?: { code?: string } }).cause?.code !== 'UND_ERR_SOCKET') throw error;
        }
      }
    };
    const load = (async () => {
      while (going) statuses.push(await createUser(`load.${Math.random()}@example.test`));
    })();
    try {
      await new Promise((r) => setTimeout(r, 300));
      expect(await lb.drain('out', lb.api1)).toContain(`${lb.api1} out of the load balancer`);
      await new Promise((r) => setTimeout(r, 500));
      servedWhileOut = served(apis[0]!);
      await new Promise((r) => setTimeout(r, 700));
      expect(served(apis[0]!)).toBe(servedWhileOut); // nothing new reaches it
      await lb.drain('in', lb.api1);
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
