import { readFileSync } from 'node:fs';
import { ConfigError, type Env } from './config-error.js';

/**
 * A secret from the environment: `NAME_FILE` (a path, e.g. a Docker or Kubernetes secret mounted as
 * a file; surrounding whitespace trimmed) or `NAME` itself. Never both: that is a mistake worth
 * hearing about. Error messages name the variable, never its value.
 */
export function readSecret(env: Env, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  const value = env[name];
  if (file && value) throw new ConfigError(`set ${name} or ${name}_FILE, not both`);
  if (!file) return value || undefined;
  return readFile(`${name}_FILE`, file).trim() || undefined;
}

/** A file a setting points at (a CA certificate): its text, or a ConfigError naming the variable. */
export function readFile(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
