/** The environment a service reads its settings from. */
export type Env = Record<string, string | undefined>;

/** A setting is missing or wrong: the message names the variable, never a secret's value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
