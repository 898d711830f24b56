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
 * FrameImpl), except that ACK carries only `id`, all 1.2 asks for.
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
 * content-length (the broker then need not scan for the NUL byte by byte). Header names are written as they
 * are: lemur's and STOMP's names hold none of the escaped characters.
 */
export function sendFrame(destination: string, headers: Record<string, string>, body: string): string {
  let frame = `SEND\ndestination:${escapeHeaderValue(destination)}\n`;
  for (const name in headers) frame += `${name}:${escapeHeaderValue(String(headers[name]))}\n`;
  // as stompjs: no content-length for an empty body (JSON.stringify(undefined) is undefined)
  if (!body) return `${frame}\n\0`;
  return `${frame}content-length:${Buffer.byteLength(body, 'utf8')}\n\n${body}\0`;
}

/** An ACK frame for STOMP 1.2: `ackId` is the MESSAGE's `ack` header (as parsed, unescaped). */
export function ackFrame(ackId: string): string {
  return `ACK\nid:${escapeHeaderValue(ackId)}\n\n\0`;
}
