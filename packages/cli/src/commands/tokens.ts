import { insertToken, listTokens, newToken, revokeToken, userExists, type TokenScope } from '@qr/db';
import type { CliContext } from '../context.js';
import { UsageError, type Output } from '../output.js';

/** `lemur token create`: prints the token once, on stdout alone (so `TOKEN=$(npx lemur token create ...)` works). */
export async function tokenCreate(ctx: CliContext, io: Output, options: { scope: TokenScope; user?: number; name?: string }): Promise<void> {
  if (options.scope === 'user' && options.user === undefined) throw new UsageError('a user-scope token needs --user <id>');
  if (options.scope !== 'user' && options.user !== undefined) throw new UsageError(`--user is only for user-scope tokens, not ${options.scope}`);
  if (options.user !== undefined && !(await userExists(ctx.pool, options.user))) throw new UsageError(`user ${options.user} does not exist`);
  const secret = newToken();
  const name = options.name ?? (options.scope === 'user' ? `user ${options.user}` : options.scope);
  const id = await insertToken(ctx.pool, { name, scope: options.scope, userId: options.user, secret });
  io.err(`token ${id} (${options.scope}${options.user !== undefined ? ` for user ${options.user}` : ''}, "${name}") created; it is shown only now:`);
  io.out(secret);
}

export async function tokenList(ctx: CliContext, io: Output, options: { json?: boolean }): Promise<void> {
  const tokens = await listTokens(ctx.pool);
  if (options.json) {
    io.out(JSON.stringify(tokens));
    return;
  }
  if (tokens.length === 0) {
    io.out('no tokens');
    return;
  }
  for (const t of tokens) {
    const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : 'live';
    io.out(`${String(t.id).padStart(5)}  ${t.scope.padEnd(7)}  ${t.userId === null ? '-'.padEnd(8) : String(t.userId).padEnd(8)}  ${state.padEnd(32)}  ${t.name}`);
  }
}

export async function tokenRevoke(ctx: CliContext, io: Output, id: number): Promise<void> {
  if (!(await revokeToken(ctx.pool, id))) throw new UsageError(`no live token ${id} (see lemur token list)`);
  io.out(`token ${id} revoked`);
}
