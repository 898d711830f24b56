import { deadLetterQueueName, retryQueueName, type Topology } from './topology.js';

export interface RabbitManagementOptions {
  /** e.g. http://127.0.0.1:15672 */
  url: string;
  login: string;
  passcode: string;
  vhost: string;
}

/**
 * Declares topology through RabbitMQ's HTTP management API. Every call is idempotent, so every
 * process may run it at start-up. Queue types are fixed at first declaration; what may change
 * later (dead-letter targets, delivery limits) lives in policies, which apply to live queues.
 */
export class RabbitManagement {
  constructor(private readonly options: RabbitManagementOptions) {}

  private get vhostPath(): string {
    return encodeURIComponent(this.options.vhost);
  }

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const auth = Buffer.from(`${this.options.login}:${this.options.passcode}`).toString('base64');
    const response = await fetch(new URL(`/api/${path}`, this.options.url), {
      method,
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(`RabbitMQ management ${method} /api/${path} answered ${response.status}: ${text.slice(0, 300)}`);
    }
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  async declare(topology: Topology): Promise<void> {
    const v = this.vhostPath;
    const q = (name: string): string => encodeURIComponent(name);
    for (const exchange of topology.exchanges) {
      await this.request('PUT', `exchanges/${v}/${q(exchange.name)}`, { type: exchange.type, durable: true, auto_delete: false });
    }
    for (const spec of topology.queues) {
      // Work and event queues are quorum queues: they count redeliveries (x-delivery-count), so a
      // message that crashes its consumer every time is dead-lettered by the delivery limit.
      await this.request('PUT', `queues/${v}/${q(spec.name)}`, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
      await this.request('PUT', `queues/${v}/${q(deadLetterQueueName(spec.name))}`, { durable: true, arguments: {} });
      await this.request('PUT', `queues/${v}/${q(retryQueueName(spec.name))}`, { durable: true, arguments: {} });
      await this.request('PUT', `policies/${v}/${q(`lemur.${spec.name}`)}`, {
        pattern: `^${escapeRegExp(spec.name)}$`,
        'apply-to': 'queues',
        priority: 10,
        definition: {
          'dead-letter-exchange': '',
          'dead-letter-routing-key': deadLetterQueueName(spec.name),
          'delivery-limit': spec.deliveryLimit ?? 20,
        },
      });
      // A retry is parked here with a per-message TTL (the backoff); when it expires the broker
      // dead-letters it back to the work queue.
      await this.request('PUT', `policies/${v}/${q(`lemur.${retryQueueName(spec.name)}`)}`, {
        pattern: `^${escapeRegExp(retryQueueName(spec.name))}$`,
        'apply-to': 'queues',
        priority: 10,
        definition: { 'dead-letter-exchange': '', 'dead-letter-routing-key': spec.name },
      });
      for (const binding of spec.bindings ?? []) {
        await this.request('POST', `bindings/${v}/e/${q(binding.exchange)}/q/${q(spec.name)}`, { routing_key: binding.routingKey });
      }
    }
  }

  /** Every queue of the vhost with its depth, consumers and rates (messages per second). */
  async listQueues(): Promise<QueueStats[]> {
    const queues = (await this.request('GET', `queues/${this.vhostPath}?columns=name,messages,messages_ready,messages_unacknowledged,consumers,type,message_stats`)) as RawQueue[];
    return queues
      .map((q) => ({
        name: q.name,
        type: q.type ?? 'classic',
        messages: q.messages ?? 0,
        ready: q.messages_ready ?? 0,
        unacked: q.messages_unacknowledged ?? 0,
        consumers: q.consumers ?? 0,
        publishRate: q.message_stats?.publish_details?.rate ?? 0,
        deliverRate: q.message_stats?.deliver_get_details?.rate ?? 0,
        ackRate: q.message_stats?.ack_details?.rate ?? 0,
      }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Reads up to `count` messages from the head of a queue and puts them back (RabbitMQ requeues them
   * in place, flagged redelivered): for inspecting queues nobody consumes, such as dead letters.
   */
  async peek(queue: string, count: number): Promise<PeekedMessage[]> {
    const raw = (await this.request('POST', `queues/${this.vhostPath}/${encodeURIComponent(queue)}/get`, {
      count,
      ackmode: 'ack_requeue_true',
      encoding: 'auto',
      truncate: 100_000,
    })) as { payload: string; properties?: { headers?: Record<string, unknown>; message_id?: string } }[];
    return raw.map((m) => ({
      body: m.payload,
      headers: Object.fromEntries(Object.entries(m.properties?.headers ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])),
    }));
  }

  async setTracing(enabled: boolean): Promise<boolean> {
    const before = (await this.request('GET', `vhosts/${this.vhostPath}`)) as { tracing?: boolean };
    await this.request('PUT', `vhosts/${this.vhostPath}`, { tracing: enabled });
    return before.tracing ?? false;
  }

  async queueDepth(queue: string): Promise<number> {
    const info = (await this.request('GET', `queues/${this.vhostPath}/${encodeURIComponent(queue)}`)) as { messages?: number };
    return info.messages ?? 0;
  }

  /** Empties a queue; returns how many messages went (counted by the broker as it purged, not from the lagging stats). */
  async purge(queue: string): Promise<number> {
    const before = await this.peek(queue, 100_000);
    await this.request('DELETE', `queues/${this.vhostPath}/${encodeURIComponent(queue)}/contents`);
    return before.length;
  }

  async createVhost(): Promise<void> {
    await this.request('PUT', `vhosts/${this.vhostPath}`, {});
    await this.request('PUT', `permissions/${this.vhostPath}/${encodeURIComponent(this.options.login)}`, {
      configure: '.*',
      write: '.*',
      read: '.*',
    });
  }

  async deleteVhost(): Promise<void> {
    await this.request('DELETE', `vhosts/${this.vhostPath}`);
  }
}

export interface QueueStats {
  name: string;
  type: string;
  messages: number;
  ready: number;
  unacked: number;
  consumers: number;
  publishRate: number;
  deliverRate: number;
  ackRate: number;
}

export interface PeekedMessage {
  headers: Record<string, string>;
  body: string;
}

interface RawQueue {
  name: string;
  type?: string;
  messages?: number;
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  message_stats?: { publish_details?: { rate: number }; deliver_get_details?: { rate: number }; ack_details?: { rate: number } };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
