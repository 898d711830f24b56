import { StompSocketState, type IStompSocket } from '@stomp/stompjs';
import { TCPWrapper } from '@stomp/tcp-wrapper';
import { createConnection, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import WebSocket from 'ws';

// The sockets StompTransport hands stompjs: STOMP over TCP (corked per tick), over TLS, or over
// Web-STOMP, with an optional tap on what is read (StompTransport's own frame reader).
/**
 * STOMP over TCP with the frames of one tick written together. TCPWrapper writes every frame
 * with its own socket.write (a syscall, and a TCP segment the broker reads on its own, per SEND
 * and per ACK; the throughput profile showed it). Corking until the next tick hands the kernel
 * every frame the event loop produced at once. Nagle is off: the cork already batches, and
 * Nagle with delayed ACKs would hold a lone frame back up to 40 ms.
 */
class CorkedTcpSocket extends TCPWrapper {
  // `declare`: set in getSocket(), which runs inside super(); an initializer would reset it.
  declare private tcp: Socket;

  protected override getSocket(port: number, host: string): Socket {
    this.useSocket(createConnection({ port, host, noDelay: true }));
    return this.tcp;
  }

  protected useSocket(socket: Socket): void {
    this.tcp = socket;
  }

  override send(data: string | ArrayBuffer): void {
    corkForTick(this.tcp);
    super.send(data);
  }
}

const corkedThisTick = new WeakSet<Socket>();

/** Corks a socket until the next tick, once per tick: the frames written meanwhile reach the kernel together. */
function corkForTick(socket: Socket): void {
  if (corkedThisTick.has(socket) || socket.destroyed) return;
  corkedThisTick.add(socket);
  socket.cork();
  process.nextTick(() => {
    corkedThisTick.delete(socket);
    socket.uncork();
  });
}

/** STOMP over TLS: the same corked socket, made with tls.connect (server name checked against the certificate). */
function tlsSocketClass(options: ConnectionOptions): typeof CorkedTcpSocket {
  return class CorkedTlsSocket extends CorkedTcpSocket {
    protected override getSocket(port: number, host: string): Socket {
      const socket = tlsConnect({ servername: isIP(host) ? undefined : host, ...options, port, host });
      socket.setNoDelay(true);
      this.useSocket(socket);
      return socket;
    }
  };
}

/** Sees every read of a connection before stompjs does, and hands stompjs (`toStompjs`) what it is to parse. */
export type ReadTap = (data: Buffer, toStompjs: (data: Buffer) => void) => void;

/**
 * A socket for stompjs's webSocketFactory: STOMP over TCP for stomp:// (or tcp://), Web-STOMP for
 * ws:// and wss://. With `tap`, every read passes through it before stompjs sees it.
 */
export function createStompSocket(url: string, tlsOptions?: ConnectionOptions, tap?: ReadTap): IStompSocket {
  const parsed = new URL(url);
  if (parsed.protocol === 'stomp:' || parsed.protocol === 'tcp:' || parsed.protocol === 'stomps:' || parsed.protocol === 'stomp+ssl:') {
    const socket = parsed.protocol === 'stomp:' || parsed.protocol === 'tcp:'
      ? new CorkedTcpSocket(parsed.hostname, Number(parsed.port || 61613))
      // RabbitMQ's STOMP TLS listener (stomp.listeners.ssl, usually 61614); the certificate is verified
      : new (tlsSocketClass(tlsOptions ?? {}))(parsed.hostname, Number(parsed.port || 61614));
    // TCPWrapper calls this.onmessage({ data }) for every read: the accessor's getter is what it calls
    if (tap) tapReads(socket, tap, () => socket.readyState === StompSocketState.OPEN);
    return socket as unknown as IStompSocket;
  }
  // Compression off: the default permessage-deflate is 4-5x slower against RabbitMQ.
  const ws = new WebSocket(url, ['v12.stomp', 'v11.stomp', 'v10.stomp'], { perMessageDeflate: false, ...(parsed.protocol === 'wss:' ? tlsOptions : {}) });
  corkEachTick(ws);
  // ws calls its listeners: lemur's own 'message' listener reads each WebSocket message (a Buffer, ws's default binaryType)
  if (tap) {
    const read = tapReads(ws, tap, () => ws.readyState === WebSocket.OPEN);
    ws.on('message', (data: Buffer) => read({ data }));
  }
  return ws as unknown as IStompSocket;
}

/**
 * Puts `tap` between a socket's reads and stompjs: an accessor for `onmessage` keeps the handler
 * stompjs sets, and its getter (and the returned function) is the read that goes through the tap
 * first. Once stompjs has given the socket up (a lost heart-beat: it closes it and sets a no-op
 * onmessage), `isOpen` is false and what is still buffered goes to stompjs, not to lemur: those
 * deliveries' acks could not go out.
 */
function tapReads(socket: object, tap: ReadTap, isOpen: () => boolean): (event: { data: Buffer }) => void {
  let stompjs: (event: { data: Buffer }) => void = () => {};
  const toStompjs = (data: Buffer): void => stompjs({ data });
  const read = (event: { data: Buffer }): void => {
    if (isOpen()) tap(event.data, toStompjs);
    else stompjs(event);
  };
  Object.defineProperty(socket, 'onmessage', {
    configurable: true,
    get: () => read,
    set: (handler: unknown) => {
      stompjs = typeof handler === 'function' ? (handler as (event: { data: Buffer }) => void) : () => {};
    },
  });
  return read;
}

/**
 * ws writes every frame with its own writev (its cork/uncork spans one frame): one syscall per SEND
 * and per ACK, 17% of lemur's CPU over Web-STOMP at 10k msg/s. Corking the underlying socket
 * until the next tick, as CorkedTcpSocket does, hands the kernel the tick's frames at once (corks
 * nest: ws's own uncork then flushes nothing). `_socket` is ws's own field (set once the
 * connection is open); without it a frame is sent as before.
 */
function corkEachTick(ws: WebSocket): void {
  const send = ws.send.bind(ws);
  ws.send = ((data: Parameters<WebSocket['send']>[0], ...rest: unknown[]) => {
    const socket = (ws as unknown as { _socket?: Socket | null })._socket;
    if (socket) corkForTick(socket);
    (send as (...args: unknown[]) => void)(data, ...rest);
  }) as WebSocket['send'];
}
