import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { MemoryBroker, MemoryTransport } from '@qr/lemur';
import { createLogger } from '@qr/runtime';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startMatcher } from '../src/index.js';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
let db: TestDatabase | undefined;
afterAll(async () => {
  await admin(`alter database ${dbName()} allow_connections true`).catch(() => {});
  await db?.drop();
});
const dbName = (): string => new URL(db!.url).pathname.slice(1);
async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('a matcher that cannot recover', () => {
  it('says so on /healthz, then gives up so that it is restarted, instead of running blind', { timeout: 30_000 }, async () => {
    db = await createTestDatabase(adminUrl);
    const broker = new MemoryBroker();
    let gaveUp: string | undefined;
    const matcher = await startMatcher({
      databaseUrl: db.url, transport: new MemoryTransport(broker), log: createLogger('matcher', 'silent'), healthPort: 0, healthHost: '127.0.0.1',
      giveUpMs: 4_000, onUnrecoverable: (reason) => (gaveUp = reason),
    });
    const health = async () => {
      const response = await fetch(`http://127.0.0.1:${matcher.healthPort}/healthz`);
      return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
    };
    expect(await health()).toEqual({ status: 200, body: { status: 'ok' } });
    // the database refuses everyone, and drops whom it had
    await admin(`alter database ${dbName()} allow_connections false`);
    await admin(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${dbName()}'`);
    const deadline = Date.now() + 15_000;
    let sawFailing = false;
    while (!gaveUp && Date.now() < deadline) {
      const h = await health();
      if (h.status === 503) {
        sawFailing = true;
        expect(h.body.reason).toMatch(/no LISTEN connection to Postgres/);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(sawFailing).toBe(true);
    expect(gaveUp).toMatch(/no LISTEN connection/);
    await admin(`alter database ${dbName()} allow_connections true`);
    await matcher.close();
    broker.shutdown();
  });
});
