import pino from 'pino';

export type Logger = pino.Logger;

/** Paths pino replaces with "[redacted]": credentials that may pass through a log call. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'passcode',
  'token',
  'secret',
  '*.password',
  '*.passcode',
  '*.token',
  '*.secret',
  '*.authorization',
  '*.databaseUrl',
  '*.smtpUrl',
  '*.stompPasscode',
  '*.adminToken',
  '*.bootstrapToken',
];

/** Query parameters whose values never reach a log line (an unsubscribe link's token). */
const secretParameters = /([?&](?:token|access_token|password|passcode)=)[^&#]*/gi;

/** A URL as it may be logged: secret query parameters and a password in it replaced. */
export function redactUrl(url: string): string {
  return url.replace(secretParameters, '$1[redacted]').replace(/(\/\/[^/:@\s]*:)[^@/\s]*@/, '$1[redacted]@');
}

/**
 * The one logger of a process. Secrets that may pass through are redacted: headers and fields by
 * name (pino's redact), URLs by their query parameters and passwords (the request serializer).
 */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { service },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: {
        req: (req: { method?: string; url?: string; id?: string; ip?: string; headers?: Record<string, unknown> }) => ({
          id: req.id,
          method: req.method,
          url: req.url === undefined ? undefined : redactUrl(req.url),
          remoteAddress: req.ip,
          headers: req.headers ? { 'user-agent': req.headers['user-agent'], authorization: req.headers.authorization, 'x-request-id': req.headers['x-request-id'] } : undefined,
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  );
}
