import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './pool.js';

export type TokenScope = 'service' | 'user' | 'admin';
export const tokenScopes: readonly TokenScope[] = ['service', 'user', 'admin'];

export interface TokenRow {
  id: number;
  name: string;
  scope: TokenScope;
  userId: number | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A new bearer token: `qr_` and 32 random bytes, base64url. Shown once; only its hash is stored. */
export function newToken(): string {
  return `qr_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export async function insertToken(db: Queryable, token: { name: string; scope: TokenScope; userId?: number; secret: string }): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    'insert into api_tokens (name, scope, user_id, token_hash) values ($1, $2, $3, $4) returning id',
    [token.name, token.scope, token.userId ?? null, hashToken(token.secret)],
  );
  return rows[0]!.id;
}

/** The live (not revoked) token with this secret, if any. */
export async function findToken(db: Queryable, secret: string): Promise<TokenRow | undefined> {
  const { rows } = await db.query<TokenRow>(
    `select id, name, scope, user_id as "userId", created_at as "createdAt", revoked_at as "revokedAt"
       from api_tokens where token_hash = $1 and revoked_at is null`,
    [hashToken(secret)],
  );
  return rows[0];
}

export async function listTokens(db: Queryable): Promise<TokenRow[]> {
  const { rows } = await db.query<TokenRow>(
    `select id, name, scope, user_id as "userId", created_at as "createdAt", revoked_at as "revokedAt" from api_tokens order by id`,
  );
  return rows;
}

/** Revokes a token; false when there is no such token or it was already revoked. */
export async function revokeToken(db: Queryable, id: number): Promise<boolean> {
  const { rowCount } = await db.query('update api_tokens set revoked_at = now() where id = $1 and revoked_at is null', [id]);
  return rowCount === 1;
}
