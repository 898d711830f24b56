import { countUnsentOutbox, pendingMigrations, type Pool } from '@qr/db';
import type { Transport } from '@qr/lemur';
import type { ServiceMetrics } from './metrics.js';

export interface ReadinessDeps {
  pool: Pool;
  transport: Transport;
  databaseUrl: string;
  metrics: ServiceMetrics;
}

export interface Readiness {
  ready: boolean;
  checks: { database: string; broker: string; migrations: string };
}

/** Databases whose migrations were seen current: a running process cannot fall behind without a deploy, which restarts it. */
const migrationsCurrent = new Set<string>();

/** Ready = Postgres answers, the broker connection is up, and no migration is pending. */
export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  const checks = { database: 'ok', broker: deps.transport.isConnected() ? 'ok' : 'disconnected', migrations: 'ok' };
  try {
    await deps.pool.query('select 1');
  } catch (error) {
    checks.database = error instanceof Error ? error.message : 'unreachable';
  }
  if (checks.database === 'ok' && !migrationsCurrent.has(deps.databaseUrl)) {
    try {
      const pending = await pendingMigrations(deps.databaseUrl);
      if (pending.length) checks.migrations = `pending: ${pending.join(', ')}`;
      else migrationsCurrent.add(deps.databaseUrl);
    } catch (error) {
      checks.migrations = error instanceof Error ? error.message : 'unknown';
    }
  }
  return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
}

export async function renderMetrics(deps: { pool: Pool; metrics: ServiceMetrics }): Promise<string> {
  try {
    const { count, oldestAgeSeconds } = await countUnsentOutbox(deps.pool);
    deps.metrics.outboxUnsent.set(count);
    deps.metrics.outboxLagSeconds.set(oldestAgeSeconds);
  } catch {
    // the database being down shows in /readyz; metrics still render
  }
  return deps.metrics.registry.metrics();
}
