import { toError } from './errors.js';
import { silentLog, type Log } from './log.js';
import type { OutgoingMessage } from './message.js';
import type { Destination } from './topology.js';
import type { Transport } from './transport.js';

export interface OutboxEntry {
  id: string;
  destination: Destination;
  message: OutgoingMessage;
}

/** Where outbox rows live (Postgres in this system). */
export interface OutboxStore {
  /**
   * Locks up to `limit` unsent entries (others relaying skip them), oldest first, runs `publish` on
   * them and marks as sent, in the same transaction, the ids it returns. Resolves to how many it claimed.
   */
  claim(limit: number, publish: (entries: OutboxEntry[]) => Promise<string[]>): Promise<number>;
}

export interface OutboxRelayOptions {
  store: OutboxStore;
  transport: Transport;
  /** Receipts awaited at once: a bounded window, not one message at a time. */
  batchSize?: number;
  /** How often to look for rows when nobody kicked the relay. */
  pollMs?: number;
  maxBackoffMs?: number;
  log?: Log;
  onPublished?(count: number): void;
}

/**
 * Publishes what services wrote to their outbox in the same transaction as their data, so nothing
 * is lost while the broker is away: rows stay until the broker confirmed them with a receipt.
 */
export class OutboxRelay {
  private readonly log: Log;
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly maxBackoffMs: number;
  private wake: (() => void) | undefined;
  private kicked = false;
  private running: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private stopped = false;
  private failures = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.log = (options.log ?? silentLog).child({ component: 'outbox-relay' });
    this.batchSize = options.batchSize ?? 500;
    this.pollMs = options.pollMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Something was just committed to the outbox: look now instead of at the next poll. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      this.wake?.();
      await this.running;
    })();
    return this.closing;
  }

  /** Publishes one batch; resolves to how many were confirmed. */
  async relayOnce(): Promise<{ claimed: number; sent: number }> {
    let sent = 0;
    let firstError: Error | undefined;
    const claimed = await this.options.store.claim(this.batchSize, async (entries) => {
      const results = await Promise.allSettled(entries.map((e) => this.options.transport.publish(e.destination, e.message)));
      const ids: string[] = [];
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') ids.push((entries[i] as OutboxEntry).id);
        else firstError ??= toError(result.reason);
      });
      sent = ids.length;
      return ids;
    });
    if (sent > 0) this.options.onPublished?.(sent);
    if (firstError) throw firstError;
    return { claimed, sent };
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      let delay = this.pollMs;
      if (this.options.transport.isConnected()) {
        try {
          const { claimed } = await this.relayOnce();
          if (this.failures > 0) this.log.info({ failures: this.failures }, 'outbox relay recovered');
          this.failures = 0;
          if (claimed === this.batchSize) continue;
        } catch (error) {
          this.failures += 1;
          delay = Math.min(this.maxBackoffMs, 100 * 2 ** this.failures);
          if (this.failures === 1 || this.failures % 20 === 0) {
            this.log.warn({ err: error, failures: this.failures }, 'outbox relay could not publish; will retry');
          }
        }
      }
      if (this.kicked && this.failures === 0) {
        this.kicked = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
