import { redactUrl } from './logger.js';
import { ConfigError, type Env } from './config-error.js';
import { readFile, readSecret } from './secrets.js';

export { ConfigError, type Env } from './config-error.js';

/** Settings every service reads (DESIGN.md), each with a default that works on this machine. */
export interface CommonConfig {
  databaseUrl: string;
  stompUrl: string;
  stompLogin: string;
  stompPasscode: string;
  stompVhost: string;
  rabbitmqManagementUrl: string;
  logLevel: string;
  /** false: the topology was declared by `lemur access setup`; the service (a least-privilege user) only connects. */
  declareTopology: boolean;
  /** STOMP_TLS_CA_FILE: a CA (PEM) to trust for stomps:// and wss:// when the broker's certificate is not from a public CA. */
  stompTlsCa?: string;
  /** HOST: the address the service's HTTP server (the api, or a worker's health server) listens on. */
  host: string;
  /** METRICS_TOKEN (or METRICS_TOKEN_FILE): when set, /metrics answers only `Authorization: Bearer <it>`. */
  metricsToken?: string;
}

export function parseCommonConfig(env: Env): CommonConfig {
  const config: CommonConfig = {
    databaseUrl: readSecret(env, 'DATABASE_URL') ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    stompUrl: env.STOMP_URL ?? 'stomp://127.0.0.1:61613',
    stompLogin: env.STOMP_LOGIN ?? 'guest',
    stompPasscode: readSecret(env, 'STOMP_PASSCODE') ?? 'guest',
    stompVhost: env.STOMP_VHOST ?? '/',
    rabbitmqManagementUrl: env.RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672',
    logLevel: env.LOG_LEVEL ?? 'info',
    declareTopology: env.DECLARE_TOPOLOGY !== 'false',
    host: env.HOST ?? '0.0.0.0',
    ...(readSecret(env, 'METRICS_TOKEN') ? { metricsToken: readSecret(env, 'METRICS_TOKEN') } : {}),
    ...(env.STOMP_TLS_CA_FILE ? { stompTlsCa: readFile('STOMP_TLS_CA_FILE', env.STOMP_TLS_CA_FILE) } : {}),
  };
  requireUrl('DATABASE_URL', config.databaseUrl, ['postgres:', 'postgresql:']);
  requireUrl('STOMP_URL', config.stompUrl, ['ws:', 'wss:', 'stomp:', 'tcp:', 'stomps:', 'stomp+ssl:']);
  requireUrl('RABBITMQ_MANAGEMENT_URL', config.rabbitmqManagementUrl, ['http:', 'https:']);
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(config.logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${config.logLevel}"`);
  }
  return config;
}

export function requireUrl(name: string, value: string, protocols: string[]): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a URL: "${redactUrl(value)}"`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${name} must use ${protocols.join(' or ')}; got "${url.protocol}"`);
}

export function parsePort(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`${name} must be a port number (0-65535); got "${value}"`);
  return port;
}

/** A whole number, at least `min` (1 unless given); `what` names the unit in the error. */
export function parseWholeNumber(name: string, value: string | undefined, fallback: number, { min = 1, what = 'integer' }: { min?: number; what?: string } = {}): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new ConfigError(`${name} must be ${min === 1 ? `a positive ${what}` : `a whole number of ${what} (${min} or more)`}; got "${value}"`);
  return n;
}

export function parsePositiveInt(name: string, value: string | undefined, fallback: number): number {
  return parseWholeNumber(name, value, fallback);
}
