import { Client, ReconnectionTimeMode, type IMessage, type IStompSocket } from '@stomp/stompjs';
import type { ConnectionOptions } from 'node:tls';
import { PublishError } from './errors.js';
import { silentLog, type Log } from './log.js';
import type { MessageHeaders, OutgoingMessage } from './message.js';
import { RabbitManagement } from './rabbit-management.js';
import { ackFrame, bodyText, FrameReader, sendFrame, type ReceivedFrame } from './stomp-frames.js';
import { createStompSocket } from './stomp-socket.js';
import { retryQueueName, type Destination, type Topology } from './topology.js';
import type { Delivery, PublishOptions, SubscribeOptions, Subscription, Transport } from './transport.js';

export interface StompTransportOptions {
  /** ws://host:15674/ws (Web-STOMP) or stomp://host:61613 (STOMP over TCP). */
  url: string;
  login: string;
  passcode: string;
  vhost: string;
  /** http://host:15672: topology is declared through the management API. */
  managementUrl: string;
  /** For stomps:// and wss://: a CA to trust (self-signed broker certificates), client certificates, etc. */
  tls?: ConnectionOptions;
  receiptTimeoutMs?: number;
  heartbeatMs?: number;
  /** Heart-beats sent to the broker; default heartbeatMs over TCP and none over Web-STOMP (see the constructor). */
  heartbeatOutgoingMs?: number;
  reconnectInitialDelayMs?: number;
  reconnectMaxDelayMs?: number;
  log?: Log;
}

interface PendingReceipt {
  resolve(): void;
  reject(error: Error): void;
  /** performance.now() after which the publish fails. */
  deadline: number;
}

interface Registration {
  id: string;
  queue: string;
  prefetch: number;
  onDelivery: (delivery: Delivery) => void;
  unsubscribeCurrent?: () => void;
}

/**
 * RabbitMQ through its STOMP plugin, with @stomp/stompjs. Publishes wait for the broker's receipt;
 * subscriptions use client-individual ack and a prefetch window and are re-made after every
 * reconnect (stompjs forgets them); reconnects back off exponentially with jitter.
 */
export class StompTransport implements Transport {
  readonly kind = 'stomp';
  private readonly client: Client;
  private readonly management: RabbitManagement;
  private readonly pending = new Map<string, PendingReceipt>();
  private readonly registrations = new Map<string, Registration>();
  private readonly log: Log;
  private readonly receiptTimeoutMs: number;
  private receiptCounter = 0;
  private subscriptionCounter = 0;
  /** Bumped on every (re)connect: an ack for a delivery of an older connection is meaningless. */
  private generation = 0;
  private connectedWaiters: { resolve(): void; reject(error: Error): void }[] = [];
  private closing: Promise<void> | undefined;
  /** One timer for every receipt deadline (not one per publish): entries are in deadline order. */
  private sweeper: NodeJS.Timeout | undefined;
  /** The socket of the current connection (made by webSocketFactory): SEND and ACK frames are written to it directly. */
  private socket: IStompSocket | undefined;
  /** While a read is being handled (see read()): where frames for stompjs go, and whether any went. */
  private toStompjs: ((data: Buffer) => void) | undefined;
  private forwarded = false;

  constructor(private readonly options: StompTransportOptions) {
    this.log = (options.log ?? silentLog).child({ transport: 'stomp' });
    this.receiptTimeoutMs = options.receiptTimeoutMs ?? 10_000;
    this.management = new RabbitManagement({ url: options.managementUrl, login: options.login, passcode: options.passcode, vhost: options.vhost });
    const heartbeat = options.heartbeatMs ?? 10_000;
    // RabbitMQ 3.10.8's Web-STOMP heartbeat *receiver* crashes with {unexpected_message,resume}
    // when flow control pauses and resumes a busy publisher, and takes the connection with it
    // (bench/README.md). Over ws:// we therefore only ask for the broker's heart-beats (a dead
    // broker is still noticed) and send none; over TCP both directions are safe.
    const webStomp = /^wss?:/.test(options.url);
    const heartbeatOutgoing = options.heartbeatOutgoingMs ?? (webStomp ? 0 : heartbeat);
    const initialDelay = options.reconnectInitialDelayMs ?? 500;
    this.client = new Client({
      webSocketFactory: () => {
        // a new connection: a new stream, read from its start
        const reader = new FrameReader(
          (frame) => this.onFrameRead(frame),
          () => {}, // stompjs needs no heart-beat of its own: any read counts as one (see read())
          (error) => this.onUnreadable(error),
        );
        return (this.socket = createStompSocket(options.url, options.tls, (data, toStompjs) => this.read(reader, data, toStompjs)));
      },
      connectHeaders: { login: options.login, passcode: options.passcode, host: options.vhost },
      heartbeatIncoming: heartbeat,
      heartbeatOutgoing,
      reconnectDelay: initialDelay,
      reconnectTimeMode: ReconnectionTimeMode.EXPONENTIAL,
      maxReconnectDelay: options.reconnectMaxDelayMs ?? 30_000,
      connectionTimeout: 10_000,
      // Jitter, so that a fleet of workers does not reconnect in lockstep after a broker restart.
      beforeConnect: () => new Promise((resolve) => setTimeout(resolve, Math.random() * initialDelay)),
      debug: () => {},
      // With this off, stompjs serializes every frame it receives once more, escaping each header
      // with four regex passes, only to hand the text to debug() above (which drops it): ~3 us a
      // message in the throughput profile. With it on, it hands debug() each received chunk as it
      // came (one string per socket read, not per frame).
      logRawCommunication: true,
      onConnect: () => this.onConnect(),
      // Every publish asks for a receipt; one handler settles them all (no watcher per message).
      onUnhandledReceipt: (frame) => this.settleReceipt(frame.headers['receipt-id']),
      onStompError: (frame) => this.log.error({ error: frame.headers.message, body: frame.body }, 'broker sent an ERROR frame'),
      onWebSocketClose: (event: { code?: number; reason?: string }) => this.onConnectionLost(event),
      onWebSocketError: () => {},
    });
  }

  get managementApi(): RabbitManagement {
    return this.management;
  }

  /** Another connection with the same settings (not connected yet): for work that wants its own, like replaying dead letters. */
  clone(): StompTransport {
    return new StompTransport(this.options);
  }

  connect(): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    if (this.closing) return Promise.reject(new Error('transport closed'));
    const connected = new Promise<void>((resolve, reject) => this.connectedWaiters.push({ resolve, reject }));
    if (!this.client.active) this.client.activate();
    return connected;
  }

  declare(topology: Topology): Promise<void> {
    return this.management.declare(topology);
  }

  isConnected(): boolean {
    return this.client.connected;
  }

  publish(destination: Destination, message: OutgoingMessage, options: PublishOptions = {}): Promise<void> {
    if (!this.client.connected) return Promise.reject(new PublishError('not connected to the broker'));
    const receipt = `r${++this.receiptCounter}`;
    const headers: Record<string, string> = {
      ...message.headers,
      'content-type': 'application/json',
      persistent: 'true',
      receipt,
    };
    let stompDestination: string;
    if ('queue' in destination) {
      if (options.delayMs && options.delayMs > 0) {
        stompDestination = `/amq/queue/${retryQueueName(destination.queue)}`;
        headers.expiration = String(Math.round(options.delayMs));
      } else {
        stompDestination = `/amq/queue/${destination.queue}`;
      }
    } else {
      stompDestination = `/exchange/${destination.exchange}/${destination.routingKey}`;
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.set(receipt, { resolve, reject, deadline: performance.now() + this.receiptTimeoutMs });
      this.sweeper ??= setInterval(() => this.sweepReceipts(), Math.min(1_000, this.receiptTimeoutMs)).unref();
      try {
        // lemur's own SEND (stomp-frames.ts) on a STOMP 1.2 connection, whose escaping it uses
        if (this.socket && this.client.connectedVersion === '1.2') this.socket.send(sendFrame(stompDestination, headers, message.body));
        else this.client.publish({ destination: stompDestination, body: message.body, headers });
      } catch (error) {
        this.pending.delete(receipt);
        reject(new PublishError('publish failed', { cause: error }));
      }
    });
  }

  private settleReceipt(receipt: string | undefined): void {
    const entry = receipt === undefined ? undefined : this.pending.get(receipt);
    if (!entry) return;
    this.pending.delete(receipt!);
    entry.resolve();
  }

  private sweepReceipts(): void {
    const now = performance.now();
    for (const [receipt, entry] of this.pending) {
      if (entry.deadline > now) break;
      this.pending.delete(receipt);
      entry.reject(new PublishError(`no receipt from the broker within ${this.receiptTimeoutMs} ms`));
    }
  }

  async subscribe(queue: string, onDelivery: (delivery: Delivery) => void, options: SubscribeOptions): Promise<Subscription> {
    const registration: Registration = { id: `sub-${++this.subscriptionCounter}`, queue, prefetch: options.prefetch, onDelivery };
    this.registrations.set(registration.id, registration);
    if (this.client.connected) this.subscribeNow(registration);
    return {
      unsubscribe: async () => {
        if (!this.registrations.delete(registration.id)) return;
        if (this.client.connected) {
          try {
            registration.unsubscribeCurrent?.();
          } catch (error) {
            this.log.warn({ err: error, queue }, 'unsubscribe failed');
          }
        }
      },
    };
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.registrations.clear();
      try {
        await this.client.deactivate();
      } catch (error) {
        this.log.warn({ err: error }, 'deactivate failed');
      }
      this.rejectPending('transport closed');
      clearInterval(this.sweeper);
      for (const waiter of this.connectedWaiters.splice(0)) waiter.reject(new Error('transport closed before it connected'));
    })();
    return this.closing;
  }

  private onConnect(): void {
    this.generation += 1;
    this.log.info({ url: this.options.url, vhost: this.options.vhost }, 'connected to the broker');
    for (const registration of this.registrations.values()) this.subscribeNow(registration);
    const waiters = this.connectedWaiters;
    this.connectedWaiters = [];
    for (const waiter of waiters) waiter.resolve();
  }

  /** @internal Acks a delivery that FrameReader read (always STOMP 1.2, which acks by the `ack` header). */
  ackById(ackId: string): void {
    this.socket?.send(ackFrame(ackId));
  }

  /** @internal NACK is rare (a failed retry or dead-letter publish): stompjs writes it. */
  nackById(ackId: string, subscription: string, requeue: boolean): void {
    this.client.nack(ackId, subscription, { requeue: String(requeue) });
  }

  /**
   * Reads what the broker sent (over TCP, or a Web-STOMP message) before stompjs does. stompjs parses
   * byte by byte (a function call per byte), decodes every header on its own, and makes a frame
   * object with two closures per message: ~13 us of CPU a message, plus their garbage, in the
   * throughput profile, on two cores the broker needs. So MESSAGEs for lemur's subscriptions and
   * RECEIPTs for its publishes are read here (FrameReader) and handled at once; every other frame
   * (CONNECTED, ERROR, the receipt of stompjs's DISCONNECT, MESSAGEs of unknown subscriptions)
   * goes on to stompjs as it came. Heart-beats (and the end-of-line RabbitMQ writes after every
   * frame) are not handed on one by one: stompjs only needs to know that the broker is alive, which
   * it learns from any read, so a read all handled here reaches it as an empty one. Before
   * CONNECTED (STOMP 1.2 not yet agreed) everything goes to stompjs.
   */
  private read(reader: FrameReader, data: Buffer, toStompjs: (data: Buffer) => void): void {
    if (this.client.connectedVersion !== '1.2') return toStompjs(data);
    this.forwarded = false;
    this.toStompjs = toStompjs;
    reader.push(data);
    if (!this.forwarded) toStompjs(nothing);
  }

  private onFrameRead(frame: ReceivedFrame): void {
    if (frame.command === 'MESSAGE') {
      const subscription = frame.headers.subscription;
      const ackId = frame.headers.ack;
      if (subscription !== undefined && ackId !== undefined) {
        const registration = this.registrations.get(subscription);
        if (registration) {
          const body = bodyText(frame);
          try {
            registration.onDelivery(new ReadDelivery(frame.headers, body, ackId, subscription, this, this.generation));
          } catch (error) {
            // the rest of this read still has to be read: a subscriber's throw must not cut the stream
            this.log.error({ err: error, queue: registration.queue }, 'subscriber threw on a delivery; it stays unacked');
          }
          return;
        }
      }
    } else if (frame.command === 'RECEIPT') {
      const receipt = frame.headers['receipt-id'];
      if (receipt !== undefined && this.pending.has(receipt)) return this.settleReceipt(receipt);
    }
    this.forward(frame.data);
  }

  private forward(data: Buffer): void {
    this.forwarded = true;
    this.toStompjs?.(data);
  }

  /** The broker's stream could not be parsed: drop the connection (stompjs reconnects), as stompjs does on an ERROR. */
  private onUnreadable(error: Error): void {
    this.log.error({ err: error }, 'closing the broker connection');
    this.client.forceDisconnect(); // the socket is dropped, not half-closed; stompjs then reconnects
  }

  /** @internal Whether deliveries of connection `generation` can still be settled: after a reconnect the broker has requeued them. */
  isCurrentConnection(generation: number): boolean {
    return generation === this.generation && this.client.connected;
  }

  private onConnectionLost(event: { code?: number; reason?: string }): void {
    this.rejectPending('connection to the broker lost');
    if (!this.closing) this.log.warn({ code: event.code, reason: event.reason }, 'broker connection closed; reconnecting');
  }

  private rejectPending(reason: string): void {
    for (const [receipt, entry] of this.pending) {
      entry.reject(new PublishError(reason));
      this.pending.delete(receipt);
    }
  }

  private subscribeNow(registration: Registration): void {
    const generation = this.generation;
    const subscription = this.client.subscribe(
      `/amq/queue/${registration.queue}`,
      (frame: IMessage) => registration.onDelivery(new StompjsDelivery(frame, this, generation)),
      { id: registration.id, ack: 'client-individual', 'prefetch-count': String(registration.prefetch) },
    );
    registration.unsubscribeCurrent = () => subscription.unsubscribe();
  }
}

/**
 * A MESSAGE frame as a Delivery. Classes, not closures: the consumer's profile showed the four
 * functions made per frame. After a reconnect the broker has already requeued the message, so
 * settling it then does nothing and it is stale.
 */
abstract class StompDelivery implements Delivery {
  readonly redelivered: boolean;

  constructor(
    readonly headers: MessageHeaders,
    readonly body: string,
    protected readonly transport: StompTransport,
    private readonly generation: number,
  ) {
    this.redelivered = headers.redelivered === 'true';
  }

  abstract ack(): void;
  abstract nack(options: { requeue: boolean }): void;

  stale(): boolean {
    return !this.transport.isCurrentConnection(this.generation);
  }
}

/** One that stompjs parsed (a connection that is not STOMP 1.2, which lemur's reader leaves to stompjs): stompjs settles it. */
class StompjsDelivery extends StompDelivery {
  constructor(
    private readonly frame: IMessage,
    transport: StompTransport,
    generation: number,
  ) {
    super(frame.headers, frame.body, transport, generation); // headers: a fresh object per frame
  }

  ack(): void {
    if (!this.stale()) this.frame.ack();
  }

  nack({ requeue }: { requeue: boolean }): void {
    if (!this.stale()) this.frame.nack({ requeue: String(requeue) });
  }
}

/** One that lemur's FrameReader parsed (STOMP 1.2, over TCP or Web-STOMP): settled by its `ack` header. */
class ReadDelivery extends StompDelivery {
  constructor(
    headers: MessageHeaders,
    body: string,
    private readonly ackId: string,
    private readonly subscription: string,
    transport: StompTransport,
    generation: number,
  ) {
    super(headers, body, transport, generation);
  }

  ack(): void {
    if (!this.stale()) this.transport.ackById(this.ackId);
  }

  nack({ requeue }: { requeue: boolean }): void {
    if (!this.stale()) this.transport.nackById(this.ackId, this.subscription, requeue);
  }
}

/** An empty read handed to stompjs: it counts as a sign of life of the broker and parses to nothing. */
const nothing = Buffer.alloc(0);
