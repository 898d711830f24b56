import pino from 'pino';

export type Logger = pino.Logger;

/** The one logger of a process; secrets that may pass through are redacted. */
export function createLogger(service: string, level: string): pino.Logger {
  return pino({
    level,
    base: { service },
    redact: { paths: ['*.password', '*.passcode', '*.token', 'req.headers.authorization', 'config.databaseUrl', 'config.stompPasscode'], censor: '[redacted]' },
  });
}
