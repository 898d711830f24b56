import { FrameImpl } from '@stomp/stompjs';
import { describe, expect, it } from 'vitest';
import { createMessage } from '../src/message.js';
import { ackFrame, bodyText, escapeHeaderValue, FrameReader, sendFrame } from '../src/stomp-frames.js';

/** What stompjs itself sends for a SEND over a STOMP 1.2 connection (stomp-handler publish + _transmit). */
function stompjsSend(destination: string, headers: Record<string, string>, body: string): string {
  return FrameImpl.marshall({ command: 'SEND', headers: { destination, ...headers }, body, escapeHeaderValues: true }) as string;
}

describe('STOMP 1.2 frames written by lemur', () => {
  it('are byte for byte what stompjs sends for the same SEND', () => {
    const message = createMessage('question.asked', { title: 'Ale: what is "hoppy"?\nsee \\ that', body: 'héllo 🍺' });
    const cases: [string, Record<string, string>, string][] = [
      ['/amq/queue/question.asked', { ...message.headers, 'content-type': 'application/json', persistent: 'true', receipt: 'r1' }, message.body],
      ['/exchange/events/answer.posted', { 'x-dead-reason': 'failed 5 attempts: Error: a:b\r\nc\\d', receipt: 'r2' }, '{"a":1}'],
      ['/amq/queue/q', { expiration: '1500', receipt: 'r3' }, ''],
      ['/amq/queue/q', {}, '{}'],
    ];
    for (const [destination, headers, body] of cases) expect(sendFrame(destination, headers, body)).toBe(stompjsSend(destination, headers, body));
  });

  it('escape header names as well: a copied message may carry names with a colon or a line break', () => {
    expect(sendFrame('/amq/queue/q', { 'urn:a': 'v1', 'two\nlines': 'v2', 'back\\slash': 'v3' }, '{}')).toBe(
      'SEND\ndestination:/amq/queue/q\nurn\\ca:v1\ntwo\\nlines:v2\nback\\\\slash:v3\ncontent-length:2\n\n{}\0',
    );
  });

  it('count the body in UTF-8 bytes, not characters', () => {
    const frame = sendFrame('/amq/queue/q', {}, '"é🍺"');
    expect(frame).toContain('\ncontent-length:8\n\n"é🍺"\0');
  });

  it('escape what STOMP 1.2 escapes in a header value, and nothing else', () => {
    expect(escapeHeaderValue('2026-11-29T14:40:00.000Z')).toBe('2026-11-29T14\\c40\\c00.000Z');
    expect(escapeHeaderValue('a\\b\rc\nd:e')).toBe('a\\\\b\\rc\\nd\\ce');
    expect(escapeHeaderValue('plain-value_1.2 with spaces')).toBe('plain-value_1.2 with spaces');
    // stompjs's own escaping (a static method its types mark private)
    const stompjsEscape = (FrameImpl as unknown as { hdrValueEscape(value: string): string }).hdrValueEscape;
    for (const value of ['T_sub-1@@session-x@@5', 'x:y', 'a\\c', '\n\n']) expect(escapeHeaderValue(value)).toBe(stompjsEscape(value));
  });

  it('ack with the id STOMP 1.2 asks for, escaped as stompjs escapes it', () => {
    expect(ackFrame('T_sub-1@@session-Ab:c@@17')).toBe(FrameImpl.marshall({ command: 'ACK', headers: { id: 'T_sub-1@@session-Ab:c@@17' }, escapeHeaderValues: true }));
  });
});

describe('FrameReader', () => {
  const message = (body: string, extra = ''): Buffer =>
    Buffer.from(`MESSAGE\nsubscription:sub-1\nack:T_sub-1@@s@@1\nx-published-at:2026-11-29T14\\c40\\c00.000Z\n${extra}content-length:${Buffer.byteLength(body)}\n\n${body}\0`);

  function readAll(chunks: Buffer[]): { frames: { command: string; headers: Record<string, string>; body: string; raw: string }[]; heartbeats: number; errors: string[] } {
    const out = { frames: [] as { command: string; headers: Record<string, string>; body: string; raw: string }[], heartbeats: 0, errors: [] as string[] };
    const reader = new FrameReader(
      (f) => out.frames.push({ command: f.command, headers: f.headers, body: f.data.toString('utf8', f.bodyStart, f.bodyEnd), raw: f.data.toString('utf8') }),
      () => out.heartbeats++,
      (e) => out.errors.push(e.message),
    );
    for (const chunk of chunks) reader.push(chunk);
    return out;
  }

  const stream = Buffer.concat([
    Buffer.from('\n'),
    message('{"a":"é🍺"}'),
    Buffer.from('\r\n\n'),
    Buffer.from('RECEIPT\r\nreceipt-id:r7\r\n\r\n\0'),
    message('a\0b', 'x-note:a\\\\c\\nd\nx-note:second\n'), // a NUL inside a counted body; a repeated header
    Buffer.from('ERROR\nmessage:no body length\n\nthe body\0\n'),
  ]);

  it('cuts frames and heart-beats out of a stream however it is split into reads', () => {
    const whole = readAll([stream]);
    expect(whole.errors).toEqual([]);
    expect(whole.heartbeats).toBe(4);
    expect(whole.frames.map((f) => f.command)).toEqual(['MESSAGE', 'RECEIPT', 'MESSAGE', 'ERROR']);
    expect(whole.frames[0]!.body).toBe('{"a":"é🍺"}');
    expect(whole.frames[0]!.headers).toMatchObject({ subscription: 'sub-1', ack: 'T_sub-1@@s@@1', 'x-published-at': '2026-11-29T14:40:00.000Z' });
    expect(whole.frames[1]!.headers).toEqual({ 'receipt-id': 'r7' });
    expect(whole.frames[2]!.body).toBe('a\0b');
    expect(whole.frames[2]!.headers['x-note']).toBe('a\\c\nd'); // one pass: an escaped backslash, then c
    expect(whole.frames[3]!.body).toBe('the body');
    expect(whole.frames[3]!.raw).toBe('ERROR\nmessage:no body length\n\nthe body\0'); // handed on as it came

    for (let cut = 1; cut < stream.length; cut++) {
      expect(readAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    }
    expect(readAll([...stream].map((byte) => Buffer.from([byte])))).toEqual(whole);
  });

  it('reports a stream it cannot read, and reads nothing more from it', () => {
    const out = readAll([Buffer.from('MESSAGE\nno colon here\n\nbody\0'), message('{}')]);
    expect(out.errors).toEqual(['STOMP stream from the broker unreadable: a header line without a colon in a MESSAGE frame']);
    expect(out.frames).toEqual([]);
    const badLength = readAll([Buffer.from('MESSAGE\ncontent-length:2\n\nabc\0'), message('{}')]);
    expect(badLength.errors).toHaveLength(1);
    expect(badLength.frames).toEqual([]);
  });

  it('unescapes header names, keeps names every object has, and drops a leading byte order mark as TextDecoder does', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
    const frame = Buffer.concat([
      Buffer.from(`MESSAGE\nurn\\ca:v1\ntwo\\nlines:v2\ntoString:t\nconstructor:c\ncontent-length:${body.length}\n\n`),
      body,
      Buffer.from('\0'),
    ]);
    const seen: { headers: Record<string, string>; text: string }[] = [];
    new FrameReader((f) => seen.push({ headers: f.headers, text: bodyText(f) }), () => {}, (e) => { throw e; }).push(frame);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers).toEqual({ 'urn:a': 'v1', 'two\nlines': 'v2', toString: 't', constructor: 'c', 'content-length': String(body.length) });
    expect(seen[0]!.text).toBe('{"a":1}');
    expect(seen[0]!.text).toBe(new TextDecoder().decode(body));
  });

  it('skips a stray CR between frames, as stompjs does', () => {
    expect(readAll([Buffer.from('\r\rRECEIPT\nreceipt-id:r1\n\n\0\r')]).frames.map((f) => f.command)).toEqual(['RECEIPT']);
  });

  it('waits for a large body without joining and parsing the reads again each time', () => {
    const body = 'x'.repeat(8 * 1024 * 1024);
    const stream = Buffer.from(`MESSAGE\nsubscription:s\ncontent-length:${body.length}\n\n${body}\0RECEIPT\nreceipt-id:r9\n\n\0`);
    const frames: string[] = [];
    const reader = new FrameReader((f) => frames.push(`${f.command} ${f.bodyEnd - f.bodyStart}`), () => {}, (e) => { throw e; });
    const concat = Buffer.concat;
    let joins = 0;
    Buffer.concat = ((list: readonly Uint8Array[], length?: number) => {
      joins++;
      return concat(list, length);
    }) as typeof Buffer.concat;
    try {
      for (let at = 0; at < stream.length; at += 64 * 1024) reader.push(stream.subarray(at, at + 64 * 1024));
    } finally {
      Buffer.concat = concat;
    }
    expect(frames).toEqual([`MESSAGE ${body.length}`, 'RECEIPT 0']);
    expect(joins).toBeLessThanOrEqual(2); // once when the body is all there (128 reads of 64 KiB)
  });
});
