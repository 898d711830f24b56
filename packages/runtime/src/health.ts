import { countUnsentOutbox, pendingMigrations, type Pool } from '@qr/db';
import type { Transport } from '@qr/lemur';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from './logger.js';
import type { ServiceMetrics } from './metrics.js';

export interface ReadinessDeps {
  pool: Pool;
  transport: Transport;
  databaseUrl: string;
  metrics: ServiceMetrics;
  /** where the reasons a check failed go */
  log?: Pick<Logger, 'warn'>;
}

/** Whether a request may read /metrics: anyone, unless a METRICS_TOKEN is set; then only its bearer (compared in constant time). */
export function metricsAllowed(authorization: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(authorization ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export interface Readiness {
  ready: boolean;
  checks: { database: string; broker: string; migrations: string };
}

/** Databases whose migrations were seen current: a running process cannot fall behind without a deploy, which restarts it. */
const migrationsCurrent = new Set<string>();

/** Ready = Postgres answers, the broker connection is up, and no migration is pending. */
export async function checkReadiness(deps: ReadinessDeps): Promise<Readiness> {
  // which dependency is down, never how: the driver's message (addresses, ports, users) is for the log
  const checks = { database: 'ok', broker: deps.transport.isConnected() ? 'ok' : 'disconnected', migrations: 'ok' };
  try {
    await deps.pool.query('select 1');
  } catch (error) {
    checks.database = 'unreachable';
    deps.log?.warn({ err: error }, 'readiness: the database is unreachable');
  }
  if (checks.database === 'ok' && !migrationsCurrent.has(deps.databaseUrl)) {
    try {
      const pending = await pendingMigrations(deps.databaseUrl);
      if (pending.length) checks.migrations = `pending: ${pending.join(', ')}`;
      else migrationsCurrent.add(deps.databaseUrl);
    } catch (error) {
      checks.migrations = 'unknown';
      deps.log?.warn({ err: error }, 'readiness: could not read the migrations');
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
