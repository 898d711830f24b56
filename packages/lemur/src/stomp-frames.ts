/**
 * The two frames lemur sends per message, SEND and ACK, serialized here rather than by stompjs.
 *
 * Why: stompjs builds a FrameImpl per frame (a copy of the headers), escapes every header value
 * with four regular-expression passes, encodes the body to count its bytes, and serializes the
 * frame a second time for its debug line even when debug is off. At ~15k messages/s that was
 * about a quarter of lemur's CPU, on a machine whose two cores the broker needs (bench/README.md).
 * stompjs still owns the connection: CONNECT, heart-beats, SUBSCRIBE, reconnects and the parsing
 * of what the broker sends. Both frames are stateless for stompjs (it tracks neither), and the
 * bytes are the same as stompjs's own for STOMP 1.2 (test/stomp-frames.test.ts holds them to
 * FrameImpl), except that ACK carries only `id`, all 1.2 asks for, and that header names are
 * escaped too (sendFrame).
 */

const special = /[\\\r\n:]/;
const specialAll = /[\\\r\n:]/g;
const escapes: Record<string, string> = { '\\': '\\\\', '\r': '\\r', '\n': '\\n', ':': '\\c' };

/** STOMP 1.2 header value encoding: backslash, carriage return, line feed and colon are escaped. */
export function escapeHeaderValue(value: string): string {
  return special.test(value) ? value.replace(specialAll, (ch) => escapes[ch]!) : value;
}

/**
 * A SEND frame for STOMP 1.2: destination first, then `headers` in their order, then
 * content-length (the broker then need not scan for the NUL byte by byte). Names are escaped like
 * values, as STOMP 1.2 asks (stompjs escapes only values): a retry or dead-letter copy carries the
 * names of the message it copies, which another client may have given a colon or a line break,
 * and FrameReader unescapes names on the way in.
 */
export function sendFrame(destination: string, headers: Record<string, string>, body: string): string {
  let frame = `SEND\ndestination:${escapeHeaderValue(destination)}\n`;
  for (const name in headers) frame += `${escapeHeaderValue(name)}:${escapeHeaderValue(String(headers[name]))}\n`;
  // as stompjs: no content-length for an empty body (JSON.stringify(undefined) is undefined)
  if (!body) return `${frame}\n\0`;
  return `${frame}content-length:${Buffer.byteLength(body, 'utf8')}\n\n${body}\0`;
}

/** An ACK frame for STOMP 1.2: `ackId` is the MESSAGE's `ack` header (as parsed, unescaped). */
export function ackFrame(ackId: string): string {
  return `ACK\nid:${escapeHeaderValue(ackId)}\n\n\0`;
}

/** A frame the broker sent, as FrameReader cut it out: its command and headers, and where its body lies in `data`. */
export interface ReceivedFrame {
  command: string;
  /** Header names and values unescaped (STOMP 1.2); of a repeated header the first one counts, as the spec says. */
  headers: Record<string, string>;
  /** The whole frame, from its command to its NUL: what is handed on to stompjs untouched. */
  data: Buffer;
  bodyStart: number;
  bodyEnd: number;
}

const unescapes: Record<string, string> = { '\\\\': '\\', '\\r': '\r', '\\n': '\n', '\\c': ':' };

/** STOMP 1.2 header value decoding, in one pass (so "\\\\c" is a backslash and a c). */
export function unescapeHeaderValue(value: string): string {
  return value.includes('\\') ? value.replace(/\\[\\rnc]/g, (pair) => unescapes[pair]!) : value;
}

/**
 * Cuts the byte stream of a STOMP connection into frames: the command line, the headers up to the
 * blank line, the body (content-length bytes when the header is there, else up to the NUL), the
 * NUL. End-of-lines between frames are heart-beats. A frame split across reads waits for the rest.
 * Headers are decoded as STOMP 1.2 asks (lemur reads only connections that agreed on 1.2).
 */
export class FrameReader {
  /** The start of a frame that has not all arrived, then the reads after it: joined once it is all here. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  /** Bytes (from `held`'s start) that frame needs in all, when its content-length is known; else 0. */
  private wanted = 0;
  /** Set once the stream could not be read: nothing more is read from it (the connection must go). */
  private broken = false;

  constructor(
    private readonly onFrame: (frame: ReceivedFrame) => void,
    private readonly onHeartbeat: () => void,
    private readonly onError: (error: Error) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    if (this.wanted > 0 && this.heldBytes + chunk.length < this.wanted) {
      // a large body still arriving: keep the read, do not join and parse again (quadratic)
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      return;
    }
    const data = this.held.length > 0 ? Buffer.concat([...this.held, chunk]) : chunk;
    this.held = [];
    this.heldBytes = 0;
    this.wanted = 0;
    let at = 0;
    while (at < data.length) {
      const first = data[at];
      if (first === 10) {
        at += 1;
        this.onHeartbeat();
        continue;
      }
      if (first === 13) {
        // a CR between frames: part of a CRLF heart-beat, or stray (stompjs ignores it too)
        at += 1;
        continue;
      }
      const end = this.frame(data, at);
      if (end < 0) break; // incomplete (or failed)
      at = end;
    }
    if (at < data.length && !this.broken) {
      this.held = [data.subarray(at)];
      this.heldBytes = data.length - at;
    }
  }

  /** Reads the frame at `start`; returns the index after its NUL, or -1 when it has not all arrived. */
  private frame(data: Buffer, start: number): number {
    let lineEnd = data.indexOf(10, start);
    if (lineEnd < 0) return -1;
    const command = data.toString('latin1', start, data[lineEnd - 1] === 13 ? lineEnd - 1 : lineEnd);
    const headers: Record<string, string> = {};
    let line = lineEnd + 1;
    for (;;) {
      lineEnd = data.indexOf(10, line);
      if (lineEnd < 0) return -1;
      const contentEnd = data[lineEnd - 1] === 13 && lineEnd > line ? lineEnd - 1 : lineEnd;
      if (contentEnd === line) break; // the blank line: the body follows
      const colon = data.indexOf(58, line);
      if (colon < 0 || colon > contentEnd) {
        this.fail(`a header line without a colon in a ${command} frame`);
        return -1;
      }
      const name = unescapeHeaderValue(data.toString('utf8', line, colon));
      if (!Object.hasOwn(headers, name)) headers[name] = unescapeHeaderValue(data.toString('utf8', colon + 1, contentEnd));
      line = lineEnd + 1;
    }
    const bodyStart = lineEnd + 1;
    const declared = headers['content-length'];
    let bodyEnd: number;
    if (declared !== undefined && /^[0-9]{1,9}$/.test(declared)) {
      bodyEnd = bodyStart + Number(declared);
      if (bodyEnd >= data.length) {
        this.wanted = bodyEnd + 1 - start;
        return -1;
      }
      if (data[bodyEnd] !== 0) {
        this.fail(`a ${command} frame whose body does not end with NUL after its content-length`);
        return -1;
      }
    } else {
      bodyEnd = data.indexOf(0, bodyStart);
      if (bodyEnd < 0) return -1;
    }
    this.onFrame({ command, headers, data: data.subarray(start, bodyEnd + 1), bodyStart: bodyStart - start, bodyEnd: bodyEnd - start });
    return bodyEnd + 1;
  }

  private fail(reason: string): void {
    this.broken = true;
    this.held = [];
    this.onError(new Error(`STOMP stream from the broker unreadable: ${reason}`));
  }
}

/**
 * The body of a frame as text, decoded as stompjs decodes it (TextDecoder): UTF-8, invalid bytes
 * replaced, and a leading byte order mark dropped.
 */
export function bodyText(frame: ReceivedFrame): string {
  let from = frame.bodyStart;
  const data = frame.data;
  if (data[from] === 0xef && data[from + 1] === 0xbb && data[from + 2] === 0xbf && from + 3 <= frame.bodyEnd) from += 3;
  return data.toString('utf8', from, frame.bodyEnd);
}
