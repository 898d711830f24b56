import type { Queryable } from './pool.js';

/** What a request with an Idempotency-Key finds (migrations/011). */
export type IdempotencyClaim =
  /** the first with this key (or the first after an abandoned one): run it */
  | { state: 'new' }
  /** the first one is still running */
  | { state: 'running'; requestHash: Buffer }
  /** the first one finished: its response */
  | { state: 'done'; requestHash: Buffer; status: number; contentType: string; body: string };

/** How long a first request may run before the next with its key takes over (it is taken to have died). */
export const IDEMPOTENCY_RUNNING_SECONDS = 60;

/**
 * Claims (caller, key) for a request, in one statement: a new key, or one whose first request was
 * abandoned (still running after IDEMPOTENCY_RUNNING_SECONDS), becomes this request's; otherwise the
 * row as it is says what happened to the first.
 */
export async function claimIdempotencyKey(db: Queryable, caller: string, key: string, requestHash: Buffer): Promise<IdempotencyClaim> {
  const { rows } = await db.query<{ claimed: boolean; requestHash: Buffer; status: number | null; contentType: string | null; body: string | null }>(
    `with claimed as (
       insert into idempotency_keys (caller, key, request_hash) values ($1, $2, $3)
       on conflict (caller, key) do update set request_hash = excluded.request_hash, created_at = now()
         where idempotency_keys.response_status is null and idempotency_keys.created_at < now() - make_interval(secs => $4)
       returning 1)
     select exists (select 1 from claimed) as claimed, request_hash as "requestHash", response_status as status, response_type as "contentType", response_body as body
       from idempotency_keys where caller = $1 and key = $2
     -- a row this statement's snapshot cannot see: ours (claimed), or one a concurrent request inserted first (running)
     union all select exists (select 1 from claimed), $3, null, null, null where not exists (select 1 from idempotency_keys where caller = $1 and key = $2)
     limit 1`,
    [caller, key, requestHash, IDEMPOTENCY_RUNNING_SECONDS],
  );
  const row = rows[0];
  if (!row || row.claimed) return { state: 'new' };
  if (row.status === null || row.body === null) return { state: 'running', requestHash: row.requestHash };
  return { state: 'done', requestHash: row.requestHash, status: row.status, contentType: row.contentType ?? 'application/json; charset=utf-8', body: row.body };
}

/** Keeps the first request's response for its key. */
export async function completeIdempotencyKey(db: Queryable, caller: string, key: string, response: { status: number; contentType: string; body: string }): Promise<void> {
  await db.query('update idempotency_keys set response_status = $3, response_type = $4, response_body = $5 where caller = $1 and key = $2', [
    caller, key, response.status, response.contentType, response.body,
  ]);
}

/** Forgets a key whose request failed on our side (5xx): a retry runs again. */
export async function releaseIdempotencyKey(db: Queryable, caller: string, key: string): Promise<void> {
  await db.query('delete from idempotency_keys where caller = $1 and key = $2 and response_status is null', [caller, key]);
}

/** Forgets keys older than `before`; returns how many. */
export async function pruneIdempotencyKeys(db: Queryable, before: Date): Promise<number> {
  const { rowCount } = await db.query('delete from idempotency_keys where created_at < $1', [before]);
  return rowCount ?? 0;
}
