import { PermanentError } from '@qr/lemur';
import { describe, expect, it } from 'vitest';
import { decodeMessage, destinationOf, topology } from '../src/index.js';

const asked = { questionId: 1, askerId: 2, title: 'Hops?', body: 'Which hops?', tags: ['hops'], askedAt: '2026-11-29T00:00:00Z' };

describe('decodeMessage', () => {
  it('accepts the documented question.asked body, and a bare one without tags and askedAt', () => {
    expect(decodeMessage(['question.asked'], 'question.asked', 1, asked)).toEqual(asked);
    expect(decodeMessage(['question.asked'], 'question.asked', 1, { questionId: 1, askerId: 2, title: 't', body: 'b' })).toMatchObject({ questionId: 1 });
  });

  it('rejects, as permanent, unknown types, unknown versions and bodies that do not fit, saying where', () => {
    const reject = (type: string, version: number, body: unknown) => () => decodeMessage(['question.asked'], type, version, body);
    expect(reject('answer.posted', 1, asked)).toThrow(PermanentError);
    expect(reject('answer.posted', 1, asked)).toThrow('unexpected message type "answer.posted"');
    expect(reject('question.asked', 2, asked)).toThrow('unsupported version 2 of question.asked');
    expect(reject('question.asked', 1, { ...asked, questionId: 'one' })).toThrow(/invalid question.asked: \/questionId/);
    expect(reject('question.asked', 1, { ...asked, questionId: -1 })).toThrow(/\/questionId/);
    expect(reject('question.asked', 1, null)).toThrow(PermanentError);
    expect(reject('question.asked', 1, { ...asked, tags: 'hops' })).toThrow(/\/tags/);
  });
});

describe('topology', () => {
  it('sends work to its queue and events to the exchange, with a queue per consumer and type', () => {
    expect(destinationOf('question.asked')).toEqual({ queue: 'question.asked' });
    expect(destinationOf('answer.posted')).toEqual({ exchange: 'events', routingKey: 'answer.posted' });
    const names = topology.queues.map((q) => q.name);
    expect(names).toContain('hydra.answer.posted');
    expect(names).toContain('matcher.answer.voted');
    expect(topology.queues.find((q) => q.name === 'hydra.question.matched')?.bindings).toEqual([{ exchange: 'events', routingKey: 'question.matched' }]);
  });
});
