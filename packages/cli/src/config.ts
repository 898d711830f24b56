import { parseCommonConfig, type CommonConfig, type Env } from '@qr/runtime';

/** The command reaches the same Postgres and RabbitMQ as the services, through the same variables. */
export function loadCliConfig(env: Env = process.env): CommonConfig {
  return parseCommonConfig(env);
}
