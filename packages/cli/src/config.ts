import { parseCommonConfig, readSecret, type CommonConfig, type Env } from '@qr/runtime';

export interface CliConfig extends CommonConfig {
  /** `lemur access setup`: fixed passwords per service (QR_API_PASSWORD, QR_MATCHER_PASSWORD, QR_HYDRA_PASSWORD, or *_FILE); unset: generated. */
  accessPasswords: Partial<Record<'api' | 'matcher' | 'hydra', string>>;
}

/** The command reaches the same Postgres and RabbitMQ as the services, through the same variables. */
export function loadCliConfig(env: Env = process.env): CliConfig {
  const accessPasswords: CliConfig['accessPasswords'] = {};
  for (const service of ['api', 'matcher', 'hydra'] as const) {
    const password = readSecret(env, `QR_${service.toUpperCase()}_PASSWORD`);
    if (password) accessPasswords[service] = password;
  }
  return { ...parseCommonConfig(env), accessPasswords };
}
