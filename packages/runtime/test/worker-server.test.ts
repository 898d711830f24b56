import { createPool } from '@qr/db';
import { MemoryBroker, MemoryTransport } from '@qr/lemur';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, ServiceMetrics, startWorkerServer } from '../src/index.js';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pool = createPool(databaseUrl, { onError: () => {} });
const broker = new MemoryBroker();
afterAll(async () => {
  await pool.end();
  broker.shutdown();
});

describe("a worker's health server", () => {
  it('listens only where HOST says, and serves /metrics only to the metrics token when one is set', async () => {
    const transport = new MemoryTransport(broker);
    const { server, port } = await startWorkerServer(0, { pool, transport, databaseUrl, metrics: new ServiceMetrics('worker') }, createLogger('worker', 'silent'), {
      host: '127.0.0.2',
      metricsToken: 'scrape-secret',
    });
    try {
      expect((server.server.address() as { address: string }).address).toBe('127.0.0.2');
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow(); // nothing listens on the other addresses
      expect((await fetch(`http://127.0.0.2:${port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.2:${port}/metrics`)).status).toBe(401);
      const scraped = await fetch(`http://127.0.0.2:${port}/metrics`, { headers: { authorization: 'Bearer scrape-secret' } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('outbox_unsent_messages');
    } finally {
      await server.close();
    }
  });
});
