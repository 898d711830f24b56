import pg from 'pg';

/**
 * The channels this database notifies on, at commit: the statements that notify are in this package
 * (expertise.ts, notifications.ts, matches.ts, ranking-models.ts).
 */
export const Channels = {
  /** payload: a user id; what a matcher knows of that person may have changed (answers, acceptances, preferences) */
  peopleChanged: 'people_changed',
  /** payload: a question id; its matches committed (those people were asked) */
  questionMatched: 'question_matched',
  /** payload: a version; a ranking model was activated */
  rankingModelChanged: 'ranking_model_changed',
} as const;

/** Where a listener is: its phases, each entered only as `PgListener` says. */
export enum ListenerState {
  /** not started, or between start() and the first connect */
  Connecting = 'connecting',
  /** connected, LISTENing on every channel */
  Listening = 'listening',
  /** the connection failed or was lost: waiting (backing off) before the next try */
  Retrying = 'retrying',
  /** close() was called: nothing more happens */
  Closed = 'closed',
}

export interface PgListenerOptions {
  databaseUrl: string;
  /** the channels to LISTEN on (names of our own: plain identifiers) */
  channels: readonly string[];
  onNotification(channel: string, payload: string): void;
  /**
   * After a reconnect (not the first connect): notifications may have been missed while it was down,
   * so what they would have said must be read again. If it throws, the connection is dropped and tried
   * again, so a reload is never skipped.
   */
  onReconnect?(): Promise<void>;
  log: { warn(obj: object, msg?: string): void; info(obj: object, msg?: string): void };
  /** Backoff between tries: doubling from initialMs to maxMs, with jitter. Default 500 ms to 30 s. */
  backoff?: { initialMs: number; maxMs: number };
}

const CHANNEL = /^[a-z_][a-z0-9_]*$/;

/**
 * One LISTEN connection with named channels that keeps itself connected: one loop, never two, that
 * connects, LISTENs, waits for the connection to end, always ends the client it made, and backs off
 * before the next try (so an outage costs one connection attempt per backoff step per process, not a
 * storm). `failingForMs` says how long it has been without a connection (0 while listening), for a
 * health check to act on.
 */
export class PgListener {
  private current = ListenerState.Connecting;
  private failingSince: number | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private connectedOnce = false;

  constructor(private readonly options: PgListenerOptions) {
    for (const channel of options.channels) if (!CHANNEL.test(channel)) throw new Error(`not a channel name: ${channel}`);
  }

  get state(): ListenerState {
    return this.current;
  }

  /** How long it has been without a working connection (0 while listening). */
  failingForMs(now = Date.now()): number {
    return this.failingSince === undefined ? 0 : now - this.failingSince;
  }

  /**
   * Starts the loop; resolves once it listens for the first time, or rejects with the first failure
   * (the loop goes on trying either way, until close()).
   */
  start(): Promise<void> {
    let first!: { resolve(): void; reject(error: Error): void };
    const firstOutcome = new Promise<void>((resolve, reject) => (first = { resolve, reject }));
    this.loop ??= this.run(first);
    return firstOutcome;
  }

  async close(): Promise<void> {
    this.current = ListenerState.Closed;
    this.wake?.();
    await this.loop;
  }

  private async run(first: { resolve(): void; reject(error: Error): void }): Promise<void> {
    const { initialMs, maxMs } = this.options.backoff ?? { initialMs: 500, maxMs: 30_000 };
    let delay = initialMs;
    let told = false;
    while (!this.closed()) {
      this.to(ListenerState.Connecting);
      const client = new pg.Client({ connectionString: this.options.databaseUrl });
      // whatever the client emits, it ends the wait below; 'error' always has a listener
      const lost = new Promise<Error>((resolve) => {
        client.on('error', resolve);
        client.on('end', () => resolve(new Error('the LISTEN connection ended')));
      });
      try {
        await client.connect();
        client.on('notification', (n) => this.options.onNotification(n.channel, n.payload ?? ''));
        await client.query(this.options.channels.map((c) => `listen ${c}`).join('; '));
        if (this.connectedOnce) await this.options.onReconnect?.();
        this.connectedOnce = true;
        this.to(ListenerState.Listening);
        this.failingSince = undefined;
        delay = initialMs;
        if (told) this.options.log.info({ channels: this.options.channels }, 'listening again');
        else first.resolve();
        told = true;
        const error = await Promise.race([lost, this.closedSignal()]);
        if (error) this.options.log.warn({ err: error }, 'lost the LISTEN connection; reconnecting');
      } catch (error) {
        if (!told) first.reject(error as Error);
        told = true;
        this.options.log.warn({ err: error, retryInMs: delay }, 'the LISTEN connection failed; trying again');
      } finally {
        await client.end().catch(() => {}); // always: a client that failed half-way must not linger
      }
      if (this.closed()) break;
      this.to(ListenerState.Retrying);
      this.failingSince ??= Date.now();
      await this.sleep(Math.round(delay * (0.75 + Math.random() * 0.5)));
      delay = Math.min(maxMs, delay * 2);
    }
  }

  /** The one way the state moves: anywhere but out of Closed. */
  private to(next: ListenerState): void {
    if (!this.closed()) this.current = next;
  }

  private closed(): boolean {
    return this.current === ListenerState.Closed;
  }

  /** Resolves (with nothing) when close() is called. */
  private closedSignal(): Promise<undefined> {
    return new Promise((resolve) => {
      if (this.closed()) resolve(undefined);
      else this.wake = () => resolve(undefined);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
