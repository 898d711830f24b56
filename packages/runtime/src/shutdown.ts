import type { Logger } from './logger.js';

/**
 * The first SIGTERM/SIGINT runs `close` (stop intake, drain, close the transport, end the pool)
 * and exits 0; a second one exits at once with 1.
 */
export function exitOnSignals(close: () => Promise<void>, log: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    log.info({ signal }, 'shutting down: draining');
    close().then(
      () => {
        log.info('shut down cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

/** Runs each cleanup step even if an earlier one failed. */
export async function closeAll(log: Logger, steps: [string, () => Promise<unknown> | unknown][]): Promise<void> {
  for (const [name, step] of steps) {
    try {
      await step();
    } catch (error) {
      log.error({ err: error, step: name }, 'cleanup step failed');
    }
  }
}
