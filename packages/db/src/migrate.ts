import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';

export const migrationsDir = fileURLToPath(new URL('../../../migrations', import.meta.url));
const migrationsTable = 'pgmigrations';

export interface MigrateLog {
  info(obj: object, msg?: string): void;
}

/** Applies the migrations that are missing, in order; a second run applies nothing. Returns their names. */
export async function migrate(databaseUrl: string, log?: MigrateLog): Promise<string[]> {
  const applied = await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: 'up',
    migrationsTable,
    checkOrder: true,
    log: () => {},
  });
  const names = applied.map((m) => m.name);
  log?.info({ applied: names }, names.length ? 'migrations applied' : 'migrations current');
  return names;
}

/** Migrations present in the folder but not yet applied (for /readyz). */
export async function pendingMigrations(databaseUrl: string): Promise<string[]> {
  const pending = await runner({ databaseUrl, dir: migrationsDir, direction: 'up', migrationsTable, dryRun: true, log: () => {} });
  return pending.map((m) => m.name);
}
