import { describe, expect, it } from 'vitest';
import { ConfigError, parseCommonConfig, parsePort, parsePositiveInt } from '../src/index.js';

describe('configuration from the environment', () => {
  it('has a default for everything that works on the local machine', () => {
    expect(parseCommonConfig({})).toEqual({
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
      stompUrl: 'stomp://127.0.0.1:61613',
      stompLogin: 'guest',
      stompPasscode: 'guest',
      stompVhost: '/',
      rabbitmqManagementUrl: 'http://127.0.0.1:15672',
      logLevel: 'info',
      declareTopology: true,
      host: '0.0.0.0',
    });
    expect(parseCommonConfig({ HOST: '127.0.0.1', METRICS_TOKEN: 's' })).toMatchObject({ host: '127.0.0.1', metricsToken: 's' });
  });

  it('refuses bad values with a message naming the variable', () => {
    expect(() => parseCommonConfig({ DATABASE_URL: 'mysql://x' })).toThrow(new ConfigError('DATABASE_URL must use postgres: or postgresql:; got "mysql:"'));
    expect(() => parseCommonConfig({ STOMP_URL: 'not a url' })).toThrow(/STOMP_URL is not a URL/);
    expect(() => parseCommonConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => parsePort('PORT', '70000', 1)).toThrow(/PORT must be a port number/);
    expect(() => parsePositiveInt('MATCH_LIMIT', '0', 1)).toThrow(/MATCH_LIMIT must be a positive integer/);
    expect(parseCommonConfig({ STOMP_URL: 'stomp://broker:61613' }).stompUrl).toBe('stomp://broker:61613');
    expect(parsePort('PORT', undefined, 3000)).toBe(3000);
  });
});
