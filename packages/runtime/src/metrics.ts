import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ConsumerOutcome } from '@qr/lemur';

/** Prometheus metrics a service exposes on /metrics. */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly messagesConsumed = new Counter({ name: 'messages_consumed_total', help: 'Messages settled by consumers, by type and outcome', labelNames: ['type', 'outcome'], registers: [this.registry] });
  readonly messagesPublished = new Counter({ name: 'messages_published_total', help: 'Outbox messages confirmed by the broker', registers: [this.registry] });
  readonly handlerSeconds = new Histogram({
    name: 'message_handler_seconds', help: 'Time from delivery to settlement', labelNames: ['type'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [this.registry],
  });
  readonly outboxUnsent = new Gauge({ name: 'outbox_unsent_messages', help: 'Outbox rows not yet confirmed by the broker', registers: [this.registry] });
  readonly outboxLagSeconds = new Gauge({ name: 'outbox_lag_seconds', help: 'Age of the oldest unsent outbox row', registers: [this.registry] });

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
  }

  private readonly typeLabels = new Set<string>();

  /** Pass as a Consumer's `onSettled`. */
  readonly onSettled = (outcome: ConsumerOutcome, info: { type: string; durationMs: number }): void => {
    const type = this.typeLabel(info.type);
    this.messagesConsumed.inc({ type, outcome });
    this.handlerSeconds.observe({ type }, info.durationMs / 1000);
  };

  /**
   * The type header comes from whoever published: a label per value would let a sender grow the
   * metrics without bound. Well-formed names get their own label, up to 50 of them; the rest are "other".
   */
  private typeLabel(type: string): string {
    if (this.typeLabels.has(type)) return type;
    if (this.typeLabels.size >= 50 || !/^[a-z][a-z0-9._-]{0,63}$/.test(type)) return 'other';
    this.typeLabels.add(type);
    return type;
  }
}
