import { PermanentError } from '@qr/lemur';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import { messageSchemas, type Messages, type MessageType } from './messages.js';

const checks = new Map<string, TypeCheck<TSchema>>(Object.entries(messageSchemas).map(([type, schema]) => [type, TypeCompiler.Compile(schema)]));

export const supportedVersions = [1];

/**
 * Checks a received body against its type's schema. Unknown types, unknown versions and bodies
 * that do not fit are PermanentErrors: retrying cannot fix them, so they are dead-lettered with the reason.
 */
export function decodeMessage<K extends MessageType>(expected: readonly K[], type: string, version: number, body: unknown): Messages[K] {
  if (!(expected as readonly string[]).includes(type)) throw new PermanentError(`unexpected message type "${type}"`);
  if (!supportedVersions.includes(version)) throw new PermanentError(`unsupported version ${version} of ${type}`);
  const check = checks.get(type) as TypeCheck<TSchema>;
  if (!check.Check(body)) {
    const first = check.Errors(body).First();
    throw new PermanentError(`invalid ${type}: ${first ? `${first.path || '/'} ${first.message}` : 'does not match its schema'}`);
  }
  return body as Messages[K];
}
