import { describe, expect, it } from 'vitest';
import { LazyChildLog, type Log } from '../src/log.js';
import { createMessage, Headers } from '../src/message.js';

describe('createMessage', () => {
  it('sets the four headers every consumer relies on, and the version only when it is not 1', () => {
    const at = new Date('2026-11-29T14:40:00.123Z');
    const message = createMessage('question.asked', { questionId: 7 }, { publishedAt: at });
    expect(message.headers).toEqual({
      [Headers.messageId]: message.id,
      [Headers.type]: 'question.asked',
      [Headers.correlationId]: message.id,
      [Headers.publishedAt]: '2026-11-29T14:40:00.123Z',
    });
    expect(message.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(message.body).toBe('{"questionId":7}');
    expect(createMessage('t', null, { version: 1 }).headers[Headers.version]).toBeUndefined();
    expect(createMessage('t', null, { version: 2 }).headers[Headers.version]).toBe('2');
  });

  it("keeps a caller's own headers, but not in place of the ones it sets", () => {
    const message = createMessage('t', null, {
      id: 'm-1',
      correlationId: 'c-1',
      headers: { 'x-tenant': 'beer', [Headers.messageId]: 'forged', [Headers.type]: 'other' },
    });
    expect(message.headers).toMatchObject({ 'x-tenant': 'beer', [Headers.messageId]: 'm-1', [Headers.type]: 't', [Headers.correlationId]: 'c-1' });
  });
});

describe('LazyChildLog', () => {
  it('makes the child logger with the bindings only when something is logged, and only once', () => {
    const calls: { level: string; bindings?: Record<string, unknown>; obj?: object; msg?: string }[] = [];
    const child = (bindings: Record<string, unknown>): Log => {
      calls.push({ level: 'child', bindings });
      const at = (level: string) => (obj: object, msg?: string) => void calls.push({ level, obj, msg });
      return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child };
    };
    const parent: Log = { ...child({}), child };
    calls.length = 0;

    const log = new LazyChildLog(parent, { messageId: 'm-1' });
    expect(calls).toEqual([]);
    log.warn({ n: 1 }, 'first');
    log.error({ n: 2 });
    expect(calls).toEqual([
      { level: 'child', bindings: { messageId: 'm-1' } },
      { level: 'warn', obj: { n: 1 }, msg: 'first' },
      { level: 'error', obj: { n: 2 }, msg: undefined },
    ]);
  });
});
