import { randomUUID } from 'node:crypto';
import { Availability, DependencyWatch, type DependencyGate } from './dependency-watch.js';
import { PermanentError, toError } from './errors.js';
import { LazyChildLog, silentLog, type Log } from './log.js';
import { Headers, type MessageHeaders, type OutgoingMessage, type ReceivedMessage } from './message.js';
import { deadLetterQueueName } from './topology.js';
import type { Delivery, Subscription, Transport } from './transport.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 5, initialDelayMs: 1_000, maxDelayMs: 60_000 };

export type ConsumerOutcome = 'processed' | 'retried' | 'dead-lettered';

export interface HandlerContext {
  signal: AbortSignal;
  log: Log;
}

export interface ConsumerOptions<TBody> {
  transport: Transport;
  queue: string;
  /** The type of a message that carries no x-message-type header (a bare body from another STOMP client). */
  defaultType: string;
  /** Checks the parsed JSON; throws (PermanentError or anything) when the message is not acceptable. */
  decode(type: string, version: number, body: unknown): TBody;
  handle(message: ReceivedMessage<TBody>, context: HandlerContext): Promise<void>;
  /** Deliveries the broker may hand this consumer before it acks any (the broker's window). Default 10. */
  prefetch?: number;
  /**
   * Handlers running at once. Default: no limit of its own (every delivery starts at once; the
   * broker's `prefetch` bounds them). Set it below `prefetch` to keep a larger broker window than
   * handler count: the next deliveries are already here when a handler ends, with no round trip to
   * the broker in between (bench/README.md: prefetch 500 with 50 handlers). A handler still running
   * for a delivery of a lost connection counts until it ends.
   */
  concurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Bodies longer than this (UTF-8 bytes) are dead-lettered unread. Default 256 KiB. */
  maxBodyBytes?: number;
  log?: Log;
  /**
   * What the handler depends on (a database): a handler error it calls "unavailable" is not the
   * message's fault, so no attempt is spent and nothing is dead-lettered: the message waits, unacked,
   * no new message is started, and the dependency is probed until it answers; then work resumes.
   */
  dependency?: DependencyGate;
  /** Called once per delivery when it is settled; for metrics. */
  onSettled?(outcome: ConsumerOutcome, info: { type: string; durationMs: number; reason?: string }): void;
}

/** Headers a broker adds to a delivery: not part of the message, not copied to a retry or a dead letter. */
const deliveryHeaders = new Set([
  'message-id', 'destination', 'subscription', 'ack', 'redelivered', 'content-length', 'content-type',
  'receipt', 'persistent', 'expiration', 'x-delivery-count', 'x-death', 'x-first-death-exchange',
  'x-first-death-queue', 'x-first-death-reason',
]);

/**
 * Consumes one queue: at-least-once, acking only after the handler resolved (its effects committed).
 * A failing handler is retried with exponential backoff through the queue's retry queue (the delay
 * really happens, in the broker); a PermanentError, an undecodable body or exhausted attempts send
 * the message to `<queue>.dead` with the reason, the error, the attempts and the original headers.
 */
export class Consumer<TBody> {
  private readonly log: Log;
  private readonly retry: RetryPolicy;
  private readonly inFlight = new Set<Promise<void>>();
  /** Deliveries that arrived after close() began: never processed, given back when the connection closes. */
  private readonly held: Delivery[] = [];
  /** Deliveries waiting for a free handler (more are prefetched than run at once), oldest first from waitingHead. */
  private waiting: (Delivery | undefined)[] = [];
  private waitingHead = 0;
  private readonly prefetch: number;
  private readonly concurrency: number;
  private readonly abort = new AbortController();
  private subscription: Subscription | undefined;
  private accepting = false;
  private closing: Promise<void> | undefined;
  private readonly dependency: DependencyWatch | undefined;
  /** Deliveries whose handler failed because the dependency was away: run again when it answers. */
  private parked: Delivery[] = [];

  constructor(private readonly options: ConsumerOptions<TBody>) {
    this.log = (options.log ?? silentLog).child({ queue: options.queue });
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.prefetch = positiveWhole('prefetch', options.prefetch ?? 10);
    this.concurrency = options.concurrency === undefined ? Infinity : Math.min(this.prefetch, positiveWhole('concurrency', options.concurrency));
    this.dependency = options.dependency && new DependencyWatch(options.dependency, this.log, () => this.resume());
  }

  /** Whether the consumer is waiting for its dependency (nothing new is started meanwhile). */
  get waitingForDependency(): boolean {
    return this.dependency?.state === Availability.Waiting;
  }

  async start(): Promise<void> {
    this.accepting = true;
    this.subscription = await this.options.transport.subscribe(this.options.queue, (d) => this.track(d), {
      prefetch: this.prefetch,
    });
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Stops intake, waits up to `timeoutMs` for in-flight messages, then aborts the rest. In-flight
   * handlers settle while the subscription still exists (RabbitMQ refuses a STOMP ack after
   * UNSUBSCRIBE: "Subscription not found", and the message stays unacked); then it unsubscribes.
   * Messages that arrived meanwhile were never started: they stay unacked and the broker gives them
   * to another worker when this connection closes.
   */
  close(timeoutMs = 10_000): Promise<void> {
    this.closing ??= (async () => {
      this.accepting = false;
      this.dependency?.stop();
      this.held.push(...this.parked); // never finished: for the broker to give again
      this.parked = [];
      // Prefetched but never started: held with the rest, for the broker to give to another worker.
      for (const delivery of this.waiting.slice(this.waitingHead)) if (delivery) this.held.push(delivery);
      this.waiting = [];
      this.waitingHead = 0;
      const drained = Promise.allSettled([...this.inFlight]).then(() => true);
      const timedOut = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), timeoutMs).unref());
      if (!(await Promise.race([drained, timedOut]))) {
        this.log.warn({ inFlight: this.inFlight.size }, 'drain timed out; aborting in-flight handlers');
        this.abort.abort(new Error('consumer closing'));
        await Promise.allSettled([...this.inFlight]);
      }
      try {
        await this.subscription?.unsubscribe();
      } catch (error) {
        this.log.warn({ err: error }, 'unsubscribe failed');
      }
      if (this.held.length) this.log.info({ held: this.held.length }, 'left unstarted messages for redelivery');
    })();
    return this.closing;
  }

  private track(delivery: Delivery): void {
    if (!this.accepting) {
      // A nack would put it back at the head of the queue and, while we are still subscribed,
      // straight back to us: hold it instead.
      this.held.push(delivery);
      return;
    }
    if (this.inFlight.size >= this.concurrency || this.waitingForDependency) {
      // after a reconnect the waiting ones of the lost connection are stale: drop them now, not one per free slot
      while (this.waiting[this.waitingHead]?.stale?.()) this.waiting[this.waitingHead++] = undefined;
      this.waiting.push(delivery);
      return;
    }
    this.run(delivery);
  }

  private run(delivery: Delivery): void {
    const work = this.process(delivery).finally(() => {
      this.inFlight.delete(work);
      const next = this.accepting && !this.waitingForDependency ? this.nextWaiting() : undefined;
      if (next) this.run(next);
    });
    this.inFlight.add(work);
  }

  private nextWaiting(): Delivery | undefined {
    let next: Delivery | undefined;
    // one the broker took back while it waited (a reconnect) will come again: starting it would only duplicate it
    do {
      next = this.waiting[this.waitingHead];
      this.waiting[this.waitingHead++] = undefined; // not kept alive (with its body) until the next compaction
    } while (next?.stale?.());
    if (!next) {
      this.waiting = [];
      this.waitingHead = 0;
      return undefined;
    }
    // drop the taken part now and then (Array.shift would move the whole rest on every take)
    if (this.waitingHead >= 1024 && this.waitingHead * 2 >= this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead);
      this.waitingHead = 0;
    }
    return next;
  }

  private async process(delivery: Delivery): Promise<void> {
    const started = performance.now();
    const headers = delivery.headers;
    const type = headers[Headers.type] ?? this.options.defaultType;
    // an id is what retries, dead letters and replays follow a message by: one that is absent or empty
    // (a bare STOMP client may send `x-message-id:`) gets one here, on receipt, and keeps it from then on
    const id = headers[Headers.messageId] || randomUUID();
    // headers are the sender's word: a count that is not a small whole number counts as the first
    const attempt = Math.max(1, count(headers[Headers.attempt], 1)) + count(headers['x-delivery-count'], 0);
    const log = new LazyChildLog(this.log, { messageId: id, type, correlationId: headers[Headers.correlationId] ?? id, attempt });

    let message: ReceivedMessage<TBody>;
    try {
      const maxBytes = this.options.maxBodyBytes ?? 256 * 1024;
      // a UTF-8 character is at most 3 bytes per UTF-16 unit: shorter strings need no counting
      const bytes = delivery.body.length > maxBytes / 3 ? Buffer.byteLength(delivery.body, 'utf8') : 0;
      if (bytes > maxBytes) throw new PermanentError(`body of ${bytes} bytes is over the ${maxBytes}-byte limit`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(delivery.body) as unknown;
      } catch (error) {
        throw new PermanentError('body is not valid JSON', { cause: error });
      }
      const versionHeader = headers[Headers.version] ?? '1';
      const version = /^[1-9][0-9]{0,5}$/.test(versionHeader) ? Number(versionHeader) : Number.NaN;
      if (Number.isNaN(version)) throw new PermanentError(`x-message-version is not a version number: "${versionHeader.slice(0, 40)}"`);
      message = {
        id,
        type,
        version,
        correlationId: headers[Headers.correlationId] ?? id,
        publishedAt: headers[Headers.publishedAt],
        attempt,
        redelivered: delivery.redelivered,
        headers,
        body: this.options.decode(type, version, parsed),
      };
    } catch (thrown) {
      const error = toError(thrown);
      if (this.takenBack(delivery, error, log)) return;
      await this.deadLetter(delivery, { id, type, attempt }, `rejected: ${error.message}`, error, log);
      this.settled('dead-lettered', type, started, 'rejected');
      return;
    }

    try {
      await this.options.handle(message, { signal: this.abort.signal, log });
      delivery.ack();
      this.settled('processed', type, started);
    } catch (thrown) {
      const error = toError(thrown);
      if (this.abort.signal.aborted) {
        // Shutting down: leave the message unacked; the broker hands it to another worker.
        log.warn({ err: error }, 'handler aborted by shutdown; message left for redelivery');
        return;
      }
      if (this.takenBack(delivery, error, log)) return;
      if (this.dependency?.explains(error)) {
        this.parked.push(delivery); // unacked, attempt unspent: run again when the dependency answers
        this.dependency.unavailable(error);
        return;
      }
      if (error instanceof PermanentError) {
        await this.deadLetter(delivery, { id, type, attempt }, `permanent failure: ${error.message}`, error, log);
        this.settled('dead-lettered', type, started, 'permanent');
      } else if (attempt >= this.retry.maxAttempts) {
        await this.deadLetter(delivery, { id, type, attempt }, `failed ${attempt} attempts: ${error.message}`, error, log);
        this.settled('dead-lettered', type, started, 'exhausted');
      } else {
        await this.scheduleRetry(delivery, { id, type, attempt }, error, log);
        this.settled('retried', type, started);
      }
    }
  }

  /** The dependency answers again: the parked deliveries first, then the waiting ones, up to the concurrency. */
  private resume(): void {
    if (!this.accepting) return;
    const parked = this.parked.filter((d) => !d.stale?.()); // a stale one comes again from the broker
    this.parked = [];
    for (const delivery of parked) this.track(delivery);
    while (this.accepting && !this.waitingForDependency && this.inFlight.size < this.concurrency) {
      const next = this.nextWaiting();
      if (!next) break;
      this.run(next);
    }
  }

  private settled(outcome: ConsumerOutcome, type: string, started: number, reason?: string): void {
    this.options.onSettled?.(outcome, { type, durationMs: performance.now() - started, reason });
  }

  /**
   * A delivery whose connection was lost is already back in the queue and comes again (counted as a
   * redelivery): a retry or dead-letter copy now would be a second one.
   */
  private takenBack(delivery: Delivery, error: Error, log: Log): boolean {
    if (!delivery.stale?.()) return false;
    log.warn({ err: error }, 'handler failed after its connection was lost; the broker delivers the message again');
    return true;
  }

  private async scheduleRetry(delivery: Delivery, meta: { id: string; type: string; attempt: number }, error: Error, log: Log): Promise<void> {
    const base = Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** (meta.attempt - 1));
    const delayMs = Math.round(base * (0.8 + Math.random() * 0.4));
    const copy = this.copyOf(delivery, meta, { [Headers.attempt]: String(meta.attempt + 1) });
    try {
      await this.options.transport.publish({ queue: this.options.queue }, copy, { delayMs });
      delivery.ack();
      log.warn({ err: error, delayMs, nextAttempt: meta.attempt + 1 }, 'handler failed; retry scheduled');
    } catch (publishError) {
      // Could not park it: hand it back; it will come again (and count as a redelivery).
      log.error({ err: error, publishError }, 'handler failed and the retry could not be scheduled; requeued');
      delivery.nack({ requeue: true });
    }
  }

  private async deadLetter(delivery: Delivery, meta: { id: string; type: string; attempt: number }, reason: string, error: Error, log: Log): Promise<void> {
    const copy = this.copyOf(delivery, meta, {
      [Headers.deadReason]: reason,
      [Headers.deadError]: `${error.name}: ${error.message}`.slice(0, 1000),
      [Headers.deadAt]: new Date().toISOString(),
      [Headers.deadQueue]: this.options.queue,
      [Headers.attempt]: String(meta.attempt),
    });
    try {
      await this.options.transport.publish({ queue: deadLetterQueueName(this.options.queue) }, copy);
      delivery.ack();
      log.error({ reason, err: error }, 'message dead-lettered');
    } catch (publishError) {
      // The queue's dead-letter policy still routes a rejected message to <queue>.dead.
      log.error({ reason, err: error, publishError }, 'dead-letter publish failed; rejecting to the broker dead-letter target');
      delivery.nack({ requeue: false });
    }
  }

  private copyOf(delivery: Delivery, meta: { id: string; type: string }, extra: MessageHeaders): OutgoingMessage {
    const headers: MessageHeaders = {};
    for (const [name, value] of Object.entries(delivery.headers)) if (!deliveryHeaders.has(name)) headers[name] = value;
    headers[Headers.messageId] = meta.id;
    headers[Headers.type] ??= meta.type;
    return { id: meta.id, type: meta.type, body: delivery.body, headers: { ...headers, ...extra } };
  }
}

function positiveWhole(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1, not ${value}`);
  return value;
}

/** A non-negative whole number from a header, or `fallback` when it is missing or anything else. */
function count(value: string | undefined, fallback: number): number {
  if (value === undefined || !/^[0-9]{1,6}$/.test(value)) return fallback;
  return Number(value);
}
