import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

export interface PoolOptions {
  max?: number;
  /** Called when an idle client errors (e.g. the server restarted); without a listener the process would die. */
  onError(error: Error): void;
}

const INT8 = 20;
/** bigint ids come back as numbers: our ids stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function createPool(databaseUrl: string, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: options.max ?? 10, types, connectionTimeoutMillis: 10_000 });
  pool.on('error', options.onError);
  return pool;
}

/**
 * Runs `fn` in a transaction: commit if it resolves, roll back if it throws. The client listens for
 * errors while it is checked out (pg-pool listens only while a client is idle): a connection dropped
 * mid-transaction (a server restart, an administrator's terminate) fails `fn`'s query with an error
 * the caller can retry, instead of an unhandled 'error' event that ends the process. A client that
 * broke is destroyed, not returned to the pool.
 */
export async function withTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error): void => {
    broken = error;
  };
  client.on('error', onError);
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (error) {
    if (!broken) await client.query('rollback').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Node's network errors that mean the server could not be reached, or the connection broke. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** node-postgres's own words for a connection that broke or never came. */
const DRIVER_MESSAGES = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|Cannot use a pool after calling end/;

/**
 * Whether an error says the database is away (down, restarting, refusing connections, a table missing
 * while a migration or a restore runs), not that the work was wrong: worth waiting for, never a reason
 * to spend a message's attempts or dead-letter it. SQLSTATE class 08 (connection exception), 57P01-03
 * (shutting down, cannot connect now), 53300 (too many connections), 42P01 (undefined table).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, cause } = error as { code?: unknown; message?: unknown; cause?: unknown };
  if (typeof code === 'string' && (NETWORK_ERRORS.has(code) || code.startsWith('08') || ['57P01', '57P02', '57P03', '53300', '42P01'].includes(code))) return true;
  if (typeof message === 'string' && DRIVER_MESSAGES.test(message)) return true;
  if (error instanceof AggregateError) return error.errors.some(isDatabaseUnavailable);
  return cause !== undefined && cause !== error && isDatabaseUnavailable(cause);
}

/** The dependency gate of a consumer whose handler needs this database (lemur's Consumer `dependency`). */
export function databaseGate(pool: pg.Pool): { isUnavailable(error: Error): boolean; probe(): Promise<void> } {
  return {
    isUnavailable: isDatabaseUnavailable,
    probe: async () => {
      await pool.query('select 1');
    },
  };
}

/** Postgres error codes our callers decide on. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}
export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23503';
}
