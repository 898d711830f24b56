// The ceiling (raw @stomp/stompjs over Web-STOMP) and lemur over STOMP and in memory.
import { createMessage, MemoryTransport, RabbitManagement, StompTransport, TaskQueue, type Transport } from '@qr/lemur';
import { Client, type IMessage, type IStompSocket } from '@stomp/stompjs';
import { TCPWrapper } from '@stomp/tcp-wrapper';
import WebSocket from 'ws';
import { Countdown, cpuMeter, payload, result, runId, slidingWindow, type BenchConfig, type PeerResult } from './common.js';

/** A fresh vhost for one peer, deleted afterwards whatever happened. */
export async function withVhost<T>(config: BenchConfig, prefix: string, body: (vhost: string, management: RabbitManagement) => Promise<T>): Promise<T> {
  const vhost = `bench-${prefix}-${runId()}`;
  const management = new RabbitManagement({ url: config.rabbit.managementUrl, login: config.rabbit.login, passcode: config.rabbit.passcode, vhost });
  await management.createVhost();
  try {
    return await body(vhost, management);
  } finally {
    await management.deleteVhost().catch(() => {});
  }
}

/** The two ways to reach RabbitMQ's STOMP plugin: Web-STOMP (ws://) or STOMP over TCP (stomp://). */
export type StompPath = 'ws' | 'tcp';

function stompClient(config: BenchConfig, path: StompPath, vhost: string, label: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client({
      // Compression off (BROKER-NOTES): the default permessage-deflate is 4-5x slower.
      webSocketFactory: () =>
        path === 'tcp'
          ? (new TCPWrapper(config.rabbit.host, config.rabbit.tcpPort) as unknown as IStompSocket)
          : (new WebSocket(config.rabbit.wsUrl, ['v12.stomp', 'v11.stomp', 'v10.stomp'], { perMessageDeflate: false }) as unknown as IStompSocket),
      connectHeaders: { login: config.rabbit.login, passcode: config.rabbit.passcode, host: vhost },
      // Heartbeats off: with them on, RabbitMQ 3.10.8's Web-STOMP heartbeat receiver crashes with
      // {unexpected_message,resume} when flow control blocks and resumes a busy publisher (seen at
      // ~5-6k messages with the sliding window), killing the connection. Not a delivery guarantee.
      heartbeatIncoming: 0,
      heartbeatOutgoing: 0,
      reconnectDelay: 0,
      connectionTimeout: 10_000,
      debug: () => {},
      onConnect: () => resolve(client),
      onStompError: (frame) => reject(new Error(`STOMP ERROR: ${frame.headers.message}`)),
      onWebSocketClose: (event: { code?: number; reason?: string }) => {
        if (process.env.BENCH_DEBUG) process.stderr.write(`[debug] ${label} Web-STOMP closed: ${event.code} ${event.reason}\n`);
        reject(new Error(`Web-STOMP closed: ${event.code} ${event.reason}`));
      },
      onWebSocketError: (event: unknown) => {
        if (process.env.BENCH_DEBUG) process.stderr.write(`[debug] ${label} error: ${String((event as { message?: string }).message ?? event)}\n`);
      },
    });
    client.activate();
  });
}

/**
 * Raw stompjs: persistent SENDs with receipts, a sliding window of `window` receipts in flight
 * (each receipt frees a slot at once: the best a client can do), consumed with client-individual
 * acks and prefetch-count, each message acked. Durable quorum queue declared through the HTTP API.
 */
export async function runCeiling(config: BenchConfig, path: StompPath, frames: 'bare' | 'lemur' = 'bare'): Promise<PeerResult> {
  return withVhost(config, 'ceiling', async (vhost, management) => {
    const queue = 'bench.ceiling';
    await management.request('PUT', `queues/${encodeURIComponent(vhost)}/${queue}`, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const publisher = await stompClient(config, path, vhost, 'publisher');
    const consumer = await stompClient(config, path, vhost, 'consumer');
    try {
      const countdown = new Countdown(config.n, config.timeoutMs, 'ceiling');
      consumer.subscribe(
        `/amq/queue/${queue}`,
        (frame: IMessage) => {
          frame.ack();
          countdown.tick();
        },
        { ack: 'client-individual', 'prefetch-count': String(config.prefetch) },
      );
      const bodies = Array.from({ length: config.n }, (_, i) => JSON.stringify(payload(i)));
      // 'lemur': the very headers lemur sends (createMessage's), made per message as lemur makes them,
      // so the frames the broker parses, stores and delivers are the same size as lemur's.
      const extraHeaders = (): Record<string, string> => (frames === 'lemur' ? createMessage('noop', null).headers : {});
      const cpu = cpuMeter('beam.smp'); // before the clock starts: its /proc scan is not timed
      const start = performance.now();
      let receipt = 0;
      await slidingWindow(config.n, config.window, config.timeoutMs, (i, confirmed) => {
        const id = `r${++receipt}`;
        publisher.watchForReceipt(id, confirmed);
        publisher.publish({
          destination: `/amq/queue/${queue}`,
          body: bodies[i] ?? '',
          headers: { ...extraHeaders(), persistent: 'true', 'content-type': 'application/json', receipt: id },
        });
      });
      const published = performance.now();
      const finished = await countdown.done;
      return result(
        frames === 'lemur' ? ceilingSameHeadersName[path] : ceilingName[path],
        config.n,
        published - start,
        finished - start,
        `prefetch-count ${config.prefetch}, acked inline; ${config.window} receipts in flight (sliding window)`,
        'persistent, quorum queue, broker-confirmed publish (receipt), ack after handler',
        cpu.stop(config.n),
      );
    } finally {
      await publisher.deactivate().catch(() => {});
      await consumer.deactivate().catch(() => {});
    }
  });
}

type Tasks = { noop: { i: number; pad: string } };

/**
 * lemur: TaskQueue.defer (resolves on the broker's receipt), Promise.all over chunks of `window`
 * (as the outbox relay does), and a TaskWorker with `prefetch`. Completion is counted in
 * onSettled, which the consumer calls right after it acked.
 */
async function runLemur(config: BenchConfig, label: string, publishTransport: Transport, workerTransport: Transport, guarantees: string, server: string | undefined): Promise<PeerResult> {
  const queue = 'bench.lemur';
  await publishTransport.connect();
  await workerTransport.connect();
  await workerTransport.declare({ exchanges: [], queues: [{ name: queue }] });
  const tasks = new TaskQueue<Tasks>({ queue });
  const countdown = new Countdown(config.n, config.timeoutMs, label);
  const worker = tasks
    .worker({ transport: workerTransport, prefetch: config.prefetch, concurrency: config.concurrency, onSettled: () => countdown.tick() })
    .defineTask('noop', async () => {});
  await worker.start();
  try {
    const client = tasks.client(publishTransport);
    const cpu = cpuMeter(server); // before the clock starts: its /proc scan is not timed
    const start = performance.now();
    // The same sliding window as the ceiling: at most `window` defers awaiting their receipt.
    await slidingWindow(config.n, config.window, config.timeoutMs, (i, confirmed, failed) => {
      client.defer('noop', payload(i)).then(confirmed, failed);
    });
    const published = performance.now();
    const finished = await countdown.done;
    return result(label, config.n, published - start, finished - start, `worker prefetch ${config.prefetch}, concurrency ${config.concurrency}; ${config.window} defers in flight (sliding window)`, guarantees, cpu.stop(config.n));
  } finally {
    countdown.cancel();
    await worker.close(5_000).catch(() => {});
  }
}

export const ceilingName: Record<StompPath, string> = { ws: 'ceiling: raw stompjs, Web-STOMP', tcp: 'ceiling: raw stompjs, STOMP over TCP' };
export const ceilingSameHeadersName: Record<StompPath, string> = {
  ws: 'ceiling with lemur\'s headers: raw stompjs, Web-STOMP',
  tcp: 'ceiling with lemur\'s headers: raw stompjs, STOMP over TCP',
};
export const lemurStompName: Record<StompPath, string> = { ws: 'lemur over STOMP (Web-STOMP)', tcp: 'lemur over STOMP (TCP)' };

export async function runLemurStomp(config: BenchConfig, path: StompPath): Promise<PeerResult> {
  return withVhost(config, 'lemur', async (vhost) => {
    const options = {
      url: path === 'tcp' ? `stomp://${config.rabbit.host}:${config.rabbit.tcpPort}` : config.rabbit.wsUrl,
      login: config.rabbit.login,
      passcode: config.rabbit.passcode,
      vhost,
      managementUrl: config.rabbit.managementUrl,
    };
    // Two connections, like a relay/API process and a worker process.
    const publisher = new StompTransport(options);
    const worker = new StompTransport(options);
    try {
      return await runLemur(
        config,
        lemurStompName[path],
        publisher,
        worker,
        'same as ceiling (persistent, quorum queue, receipt per publish, ack after handler)',
        'beam.smp',
      );
    } finally {
      await publisher.close();
      await worker.close();
    }
  });
}

export async function runLemurMemory(config: BenchConfig): Promise<PeerResult> {
  const publisher = new MemoryTransport();
  const worker = new MemoryTransport(publisher.broker);
  try {
    return await runLemur(config, 'lemur in memory (MemoryTransport)', publisher, worker, 'in-process, nothing durable: an upper bound for lemur itself', undefined);
  } finally {
    await publisher.close();
    await worker.close();
  }
}
