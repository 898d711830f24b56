// The broker's own limit for lemur's frames: a minimal STOMP 1.2 client written for this benchmark
// (not a product client: no reconnects, no heart-beats, bodies without NUL bytes only). It sends
// the very frames lemur sends (the same headers, made per message as createMessage makes them,
// escaped as STOMP 1.2 asks) with the same guarantees as the ceiling (persistent, quorum queue, a
// receipt per SEND, 500 in flight, client-individual acks, prefetch-count), and spends close to
// nothing per frame beyond the socket: frames of one tick in one write, parsed with indexOf.
// What is left is RabbitMQ's cost of these frames, so no client of them, stompjs or lemur, can
// go faster on this machine.
import { createMessage } from '@qr/lemur';
import { connect, type Socket } from 'node:net';
import { Countdown, cpuMeter, payload, result, type BenchConfig, type PeerResult } from './common.js';
import { withVhost } from './stomp-peers.js';

export const leanName = "broker's limit for lemur's frames: a minimal STOMP client (bench code), TCP";

/** STOMP 1.2 header value escaping (":" is "\c"; the values here hold no backslash or line breaks). */
function escapeValue(value: string): string {
  return value.includes(':') ? value.replaceAll(':', '\\c') : value;
}

/** Calls `onFrame(buffer, start, end)` for every NUL-terminated frame; keeps a partial one for the next chunk. */
function readFrames(socket: Socket, onFrame: (data: Buffer, start: number, end: number) => void): void {
  let rest: Buffer | null = null;
  socket.on('data', (chunk: Buffer) => {
    const data = rest ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (;;) {
      while (start < data.length && (data[start] === 10 || data[start] === 13)) start++; // heart-beat EOLs between frames
      const end = data.indexOf(0, start);
      if (end < 0) break;
      onFrame(data, start, end);
      start = end + 1;
    }
    rest = start < data.length ? data.subarray(start) : null;
  });
}

function command(data: Buffer, start: number): string {
  return data.toString('latin1', start, data.indexOf(10, start));
}

/** Opens a connection and resolves once CONNECTED has arrived (rejects on ERROR or close). */
function open(config: BenchConfig, vhost: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: config.rabbit.host, port: config.rabbit.tcpPort, noDelay: true });
    socket.once('error', reject);
    socket.write(`CONNECT\naccept-version:1.2\nhost:${vhost}\nlogin:${config.rabbit.login}\npasscode:${config.rabbit.passcode}\nheart-beat:0,0\n\n\0`);
    const first = (chunk: Buffer): void => {
      socket.off('data', first);
      const reply = command(chunk, 0);
      if (reply === 'CONNECTED') resolve(socket);
      else reject(new Error(`broker replied ${reply}: ${chunk.toString('utf8').slice(0, 200)}`));
    };
    socket.on('data', first);
  });
}

export async function runLean(config: BenchConfig): Promise<PeerResult> {
  return withVhost(config, 'lean', async (vhost, management) => {
    const queue = 'bench.lean';
    await management.request('PUT', `queues/${encodeURIComponent(vhost)}/${queue}`, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    const publisher = await open(config, vhost);
    const consumer = await open(config, vhost);
    try {
      const countdown = new Countdown(config.n, config.timeoutMs, 'lean');
      let failure: ((error: Error) => void) | undefined;
      const failed = new Promise<never>((_, reject) => (failure = reject));
      failed.catch(() => {});
      const onError = (data: Buffer, start: number, end: number): void => failure?.(new Error(`broker sent ${data.toString('utf8', start, Math.min(end, start + 300))}`));

      let acks = '';
      readFrames(consumer, (data, start, end) => {
        if (command(data, start) !== 'MESSAGE') return onError(data, start, end);
        const at = data.indexOf('\nack:', start);
        acks += `ACK\nid:${data.toString('latin1', at + 5, data.indexOf(10, at + 5))}\n\n\0`;
        countdown.tick();
      });
      // the ACKs of one chunk of MESSAGEs go out in one write, as the publisher's SENDs do
      consumer.on('data', () => {
        if (acks) consumer.write(acks);
        acks = '';
      });
      consumer.write(`SUBSCRIBE\nid:0\ndestination:/amq/queue/${queue}\nack:client-individual\nprefetch-count:${config.prefetch}\n\n\0`);

      const bodies = Array.from({ length: config.n }, (_, i) => JSON.stringify(payload(i)));
      let sent = 0;
      let confirmed = 0;
      let publishedAt = 0;
      const cpu = cpuMeter('beam.smp'); // before the clock starts: its /proc scan is not timed
      const start = performance.now();
      const published = new Promise<void>((resolve) => {
        const pump = (): void => {
          let frames = '';
          while (sent < config.n && sent - confirmed < config.window) {
            const body = bodies[sent]!;
            let headers = '';
            for (const [name, value] of Object.entries(createMessage('noop', null).headers)) headers += `${name}:${escapeValue(value)}\n`;
            frames += `SEND\ndestination:/amq/queue/${queue}\n${headers}persistent:true\ncontent-type:application/json\nreceipt:${sent}\ncontent-length:${Buffer.byteLength(body)}\n\n${body}\0`;
            sent++;
          }
          if (frames) publisher.write(frames);
        };
        readFrames(publisher, (data, start, end) => {
          if (command(data, start) !== 'RECEIPT') return onError(data, start, end);
          confirmed++;
          if (confirmed === config.n) {
            publishedAt = performance.now();
            resolve();
          }
        });
        // top up once per chunk of RECEIPTs, not once per RECEIPT
        publisher.on('data', pump);
        pump();
      });
      await Promise.race([published, failed]);
      const finished = await Promise.race([countdown.done, failed]);
      return result(
        leanName,
        config.n,
        publishedAt - start,
        finished - start,
        `prefetch-count ${config.prefetch}, acks of a chunk written together; ${config.window} receipts in flight`,
        'same frames and guarantees as lemur (persistent, quorum queue, receipt per SEND, ack after the MESSAGE arrived)',
        cpu.stop(config.n),
      );
    } finally {
      publisher.destroy();
      consumer.destroy();
    }
  });
}
