import { Channels, getMatches, getQuestion, PgListener, type PgListenerOptions, type Pool } from '@qr/db';
import type { FastifyInstance } from 'fastify';
import { HttpError, notFound } from './errors.js';
import { idParams, type IdParams } from './schemas.js';

/**
 * One LISTEN question_matched connection per api instance (PgListener: it keeps itself connected,
 * backing off), fanned out to the browsers watching a question. Postgres notifies at commit, whichever
 * matcher matched it. While the connection is down, watchers still learn within their polling interval.
 */
export class MatchWatch {
  private readonly waiting = new Map<number, Set<() => void>>();
  private readonly listener: PgListener;
  private started = false;

  constructor(databaseUrl: string, log: PgListenerOptions['log']) {
    this.listener = new PgListener({
      databaseUrl,
      channels: [Channels.questionMatched],
      onNotification: (_channel, payload) => {
        for (const callback of [...(this.waiting.get(Number(payload)) ?? [])]) callback();
      },
      log,
    });
  }

  /** Calls `onMatched` once the question's matches commit (or at the next poll); returns an unsubscribe. */
  watch(questionId: number, onMatched: () => void): () => void {
    if (!this.started) {
      this.started = true;
      this.listener.start().catch(() => {}); // it goes on trying; polling covers the gap
    }
    let set = this.waiting.get(questionId);
    if (!set) this.waiting.set(questionId, (set = new Set()));
    set.add(onMatched);
    return () => {
      set.delete(onMatched);
      if (set.size === 0) this.waiting.delete(questionId);
    };
  }

  close(): Promise<void> {
    return this.listener.close();
  }
}

/** How many event streams may be open at once: per client address, and on this api instance in all. */
export interface StreamLimits {
  perAddress: number;
  total: number;
}
export const DEFAULT_STREAM_LIMITS: StreamLimits = { perAddress: 20, total: 2_000 };

/** Open event streams, counted per client address and in all; a stream is admitted only under both limits. */
class OpenStreams {
  private readonly byAddress = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: StreamLimits) {}

  /** Admits a stream from `address` (returns its release), or throws the 429/503 that says why not. */
  open(address: string): () => void {
    const mine = this.byAddress.get(address) ?? 0;
    if (mine >= this.limits.perAddress) {
      throw new HttpError(429, 'too_many_streams', `at most ${this.limits.perAddress} open event streams per client`, { 'retry-after': '30' });
    }
    if (this.total >= this.limits.total) throw new HttpError(503, 'busy', 'too many open event streams on this server; try again shortly', { 'retry-after': '10' });
    this.byAddress.set(address, mine + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
    };
  }
}

/**
 * `GET /questions/:id/events`: server-sent events. One `matched` event with the matches (score and
 * reasons) as soon as they commit, then the stream ends; a comment every 15 s keeps proxies from
 * closing it; after 10 minutes, a `timeout` event. Public, like GET /questions/:id/matches, so the
open streams are capped per client address (429) and in all (503), both with Retry-After.
 */
export function registerWatchRoutes(app: FastifyInstance, pool: Pool, watch: MatchWatch, limits: StreamLimits = DEFAULT_STREAM_LIMITS): void {
  const open = new OpenStreams(limits);
  app.get<{ Params: IdParams }>('/questions/:id/events', { schema: { params: idParams } }, async (request, reply) => {
    const questionId = request.params.id;
    const question = await getQuestion(pool, questionId);
    if (!question) throw notFound('question', questionId);
    const release = open.open(request.ip);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    raw.write(`event: question\ndata: ${JSON.stringify({ questionId, title: question.title, body: question.body, tags: question.tags })}\n\n`);
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    let unwatch = (): void => {};
    const finish = (event?: string, data?: unknown): void => {
      if (done) return;
      done = true;
      release();
      unwatch();
      for (const t of timers) clearInterval(t);
      if (event) raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      raw.end();
    };
    const sendIfMatched = async (known?: { matchedAt: Date | null }): Promise<void> => {
      if (done) return;
      const now = known ?? (await getQuestion(pool, questionId).catch(() => undefined));
      if (!now?.matchedAt || done) return;
      const matches = await getMatches(pool, questionId);
      finish('matched', { questionId, status: 'matched', matches });
    };
    raw.on('close', () => finish());
    unwatch = watch.watch(questionId, () => void sendIfMatched());
    timers.push(setInterval(() => void sendIfMatched(), 2_000));
    timers.push(setInterval(() => raw.write(': still waiting\n\n'), 15_000));
    timers.push(setTimeout(() => finish('timeout', { questionId }), 600_000));
    await sendIfMatched(question); // already matched: answered from the row just read
  });
}
