import type { RabbitManagement } from '@qr/lemur';

export interface PeekedMessage {
  payload: string;
  properties: { headers?: Record<string, unknown> };
}

/** Reads what waits in a queue through the management API without taking it away. */
export async function peekQueue(management: RabbitManagement, vhost: string, queue: string, count = 50): Promise<PeekedMessage[]> {
  return (await management.request('POST', `queues/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}/get`, {
    count,
    ackmode: 'ack_requeue_true',
    encoding: 'auto',
  })) as PeekedMessage[];
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
