import { randomBytes } from 'node:crypto';
import { notificationKinds, type NotificationKind } from './notifications.js';
import type { Queryable } from './pool.js';
import { hashToken } from './tokens.js';

/** How long an unsubscribe link works. */
export const UNSUBSCRIBE_TOKEN_DAYS = 365;

/**
 * Makes a token for an unsubscribe link and stores only its hash (migrations/010): scoped to one kind
 * of email (it can stop only that kind), or to every kind when `kind` is null. Each email gets its own,
 * so tokens rotate with the mail; each works for UNSUBSCRIBE_TOKEN_DAYS.
 */
export async function issueUnsubscribeToken(db: Queryable, userId: number, kind: NotificationKind | null): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `insert into unsubscribe_tokens (hash, user_id, kind, expires_at) values ($1, $2, $3, now() + make_interval(days => $4))`,
    [hashToken(token), userId, kind, UNSUBSCRIBE_TOKEN_DAYS],
  );
  return token;
}

/**
 * Opts out by an unsubscribe link's token: of `kind` (or, without one, of the token's own kind, or of
 * every kind for a token for every kind). A token scoped to one kind cannot stop another: undefined,
 * as for an unknown or expired token. Returns the person and what was stopped (null: every kind). (Whoever was emailed has preferences:
 * the notifier makes them before it sends.)
 */
export async function unsubscribeByToken(db: Queryable, token: string, kind: NotificationKind | undefined): Promise<{ userId: number; stopped: NotificationKind | null } | undefined> {
  const { rows } = await db.query<{ userId: number; stopped: NotificationKind | null }>(
    `with t as (select user_id, kind from unsubscribe_tokens where hash = $1 and expires_at > now()),
          stop as (select t.user_id, coalesce($2::text, t.kind) as kind from t where t.kind is null or $2::text is null or t.kind = $2::text)
     update user_preferences p
        set opted_out = case when stop.kind is null then $3::text[] else array(select distinct unnest(p.opted_out || array[stop.kind])) end,
            updated_at = now()
       from stop where p.user_id = stop.user_id
     returning p.user_id as "userId", stop.kind as stopped`,
    [hashToken(token), kind ?? null, notificationKinds],
  );
  return rows[0];
}

/** Forgets tokens that expired; returns how many. */
export async function pruneUnsubscribeTokens(db: Queryable): Promise<number> {
  const { rowCount } = await db.query('delete from unsubscribe_tokens where expires_at < now()');
  return rowCount ?? 0;
}
