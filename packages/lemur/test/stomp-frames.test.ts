import { FrameImpl } from '@stomp/stompjs';
import { describe, expect, it } from 'vitest';
import { createMessage } from '../src/message.js';
import { ackFrame, escapeHeaderValue, sendFrame } from '../src/stomp-frames.js';

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
