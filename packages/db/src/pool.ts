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

/** Postgres error codes our callers decide on. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';
}
export function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23503';
}
