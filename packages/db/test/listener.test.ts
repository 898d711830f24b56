import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, ListenerState, PgListener, type Pool } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

function recordingLog() {
  const warnings: string[] = [];
  return { warnings, log: { warn: (_o: object, msg?: string) => warnings.push(msg ?? ''), info: () => {} } };
}

describe('PgListener: one reconnecting LISTEN connection', () => {
  it('delivers notifications on its channels, and after a lost connection listens again and has the missed ones re-read', async () => {
    const got: [string, string][] = [];
    let reloads = 0;
    const listener = new PgListener({
      databaseUrl: db.url, channels: ['alpha', 'beta'], onNotification: (c, p) => got.push([c, p]),
      onReconnect: async () => void (reloads += 1), log: recordingLog().log, backoff: { initialMs: 50, maxMs: 200 },
    });
    await listener.start();
    expect(listener.state).toBe(ListenerState.Listening);
    await pool.query("select pg_notify('alpha', '1'), pg_notify('beta', '2'), pg_notify('gamma', '3')");
    await until(() => got.length === 2);
    expect(got).toEqual([['alpha', '1'], ['beta', '2']]);
    await pool.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query like 'listen alpha%'");
    await until(() => reloads === 1 && listener.state === ListenerState.Listening);
    expect(listener.failingForMs()).toBe(0);
    await pool.query("select pg_notify('alpha', '4')");
    await until(() => got.length === 3);
    await listener.close();
    expect(listener.state).toBe(ListenerState.Closed);
  });

  it('backs off while the server refuses it, one try at a time, and says for how long it has failed', async () => {
    const { warnings, log } = recordingLog();
    const listener = new PgListener({ databaseUrl: 'postgres://postgres@127.0.0.1:1/nowhere', channels: ['alpha'], onNotification: () => {}, log, backoff: { initialMs: 100, maxMs: 400 } });
    await expect(listener.start()).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 1_500));
    // tries at about 0, 0.1, 0.3, 0.7, 1.1, 1.5 s (doubling to 0.4 s, +-25%): a handful, never a storm
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    expect(warnings.length).toBeLessThanOrEqual(8);
    expect(listener.state).not.toBe(ListenerState.Listening);
    expect(listener.failingForMs()).toBeGreaterThan(1_000);
    await listener.close();
  });

  it('ends every client it made, even when the reload after a reconnect keeps failing', async () => {
    const url = new URL(db.url);
    url.searchParams.set('application_name', 'listener_storm_test');
    const listener = new PgListener({
      databaseUrl: url.toString(), channels: ['alpha'], onNotification: () => {},
      onReconnect: async () => {
        throw new Error('the reload failed');
      },
      log: recordingLog().log, backoff: { initialMs: 50, maxMs: 100 },
    });
    await listener.start();
    const ours = async (): Promise<number> =>
      (await pool.query<{ n: number }>("select count(*)::int as n from pg_stat_activity where application_name = 'listener_storm_test'")).rows[0]!.n;
    await pool.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'listener_storm_test'");
    const seen: number[] = [];
    for (let i = 0; i < 20; i++) {
      seen.push(await ours());
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(1); // one at a time: every failed one was ended
    expect(listener.failingForMs()).toBeGreaterThan(0);
    await listener.close();
    await until(async () => (await ours()) === 0);
  });
});
