import { StompTransport, type Log } from '@qr/lemur';
import type { CommonConfig } from './common-config.js';

export function createStompTransport(config: CommonConfig, log: Log): StompTransport {
  return new StompTransport({
    url: config.stompUrl,
    login: config.stompLogin,
    passcode: config.stompPasscode,
    vhost: config.stompVhost,
    managementUrl: config.rabbitmqManagementUrl,
    tls: config.stompTlsCa ? { ca: config.stompTlsCa } : undefined,
    log,
  });
}

/** Retries `fn` with capped exponential backoff until it succeeds or `signal` aborts: for start-up steps that need the broker or the database. */
export async function retryUntilDone<T>(what: string, fn: () => Promise<T>, log: Log, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (signal?.aborted) throw error;
      const delay = Math.min(10_000, 250 * 2 ** attempt);
      log.warn({ err: error, attempt, delayMs: delay }, `${what} failed; retrying`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        }, { once: true });
      });
      if (signal?.aborted) throw new Error(`${what} abandoned: shutting down`, { cause: error });
    }
  }
}
