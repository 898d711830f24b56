import { getCorpusStats, loadAnswerTimes, loadAskTimes, loadExpertiseTotals, loadPeopleExpertise } from '@qr/db';
import type { Log } from '@qr/lemur';
import pg from 'pg';
import { expertiseDecayAt, LiveIndex, type ExtractedTerms, type Match, type PriorFacts, type RankOptions } from '@qr/matching';
import { DecayingCount } from './decaying-count.js';
import { ACTIVE_CANDIDATES, windows, type PeopleSource } from './people.js';

/** Notified (payload: a user id) whenever a person's expertise, totals or answers may have changed. */
export const PEOPLE_CHANGED = 'people_changed';
/** Notified (payload: a question id) when a question's matches commit: its top 10 were asked. */
export const QUESTION_MATCHED = 'question_matched';

export interface LivePeopleOptions {
  databaseUrl: string;
  log: Log;
  /**
   * How often corpus statistics (document frequencies) are re-read at least; they drift slowly.
   * A re-read reads every term: when it takes long (a large vocabulary), the next waits longer
   * (see corpusRefreshDelay).
   */
  corpusRefreshMs?: number;
  /** Delay before reconnecting the LISTEN connection after it failed. */
  reconnectDelayMs?: number;
}

/**
 * What the matcher knows about people, in memory, kept current from Postgres: loaded whole at
 * start, then each person again when Postgres notifies `people_changed` (an answer, vote or
 * acceptance touched them, in the transaction that changed them) and each question's asks when it
 * notifies `question_matched`. Notifications are delivered at commit, to every matcher, so all of
 * them follow every change within milliseconds, whoever made it. When the LISTEN connection drops,
 * notifications may have been missed: it reconnects and reloads everything.
 *
 * Ranking then reads no table per question: the five queries of PgPeople cost ~140 ms of Postgres
 * time a question with 10,000 people (bench/end-to-end/profile-match.ts).
 */
export class LivePeople implements PeopleSource {
  /** expertise (stored, forward-decayed weights) and totals, term-major in typed arrays */
  private index = new LiveIndex();
  /** person -> answer id -> when (ms), within the recency window */
  private answersOf = new Map<number, DecayingCount>();
  /** person -> question id -> when they were asked (ms, top 10), within the load window */
  private asksOf = new Map<number, DecayingCount>();
  private documents = 0;
  private documentFrequency = new Map<string, number>();
  private listener: pg.Client | undefined;
  private corpusTimer: NodeJS.Timeout | undefined;
  private lastCorpusLoadMs = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pendingPeople = new Set<number>();
  private pendingQuestions = new Set<number>();
  private flushing: Promise<void> | undefined;
  /**
   * Full reloads and per-person refreshes run one at a time, in order: a refresh notified while a
   * full reload runs is applied after it (the reload may have read that person before the change).
   */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private generation = 0;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: LivePeopleOptions,
  ) {}

  /** Listens first, then loads, so that nothing changed between the load and the LISTEN is missed. */
  static async start(pool: pg.Pool, options: LivePeopleOptions): Promise<LivePeople> {
    const people = new LivePeople(pool, options);
    await people.listen();
    await people.reloadAll();
    people.scheduleCorpusRefresh();
    return people;
  }

  /** One timer at a time: the next re-read is scheduled when this one has ended. */
  private scheduleCorpusRefresh(): void {
    if (this.closed) return;
    const delay = corpusRefreshDelay(this.options.corpusRefreshMs ?? 5_000, this.lastCorpusLoadMs);
    this.corpusTimer = setTimeout(() => {
      void (async () => {
        try {
          await this.loadCorpus();
        } catch (error) {
          this.options.log.warn({ err: error }, 'corpus statistics refresh failed');
        }
        try {
          this.forgetOldAsks(Date.now());
        } catch (error) {
          this.options.log.error({ err: error }, 'forgetting old asks failed');
        }
        this.scheduleCorpusRefresh(); // whatever failed above
      })();
    }, delay).unref();
  }

  get size(): { people: number; terms: number } {
    const { people, terms } = this.index.size;
    return { people, terms };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.corpusTimer);
    clearTimeout(this.reconnectTimer);
    await this.queue;
    await this.listener?.end().catch(() => {});
  }

  /** Resolves once every notification received so far has been applied (for tests and start-up). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => {});
    await this.queue;
  }

  // ---- PeopleSource ----------------------------------------------------------------------------------

  /** Synchronous under the promise: nothing changes the index while it ranks. */
  rank(question: ExtractedTerms, options: RankOptions): Promise<Match[]> {
    const now = Date.now();
    const active = this.mostActive(ACTIVE_CANDIDATES, now);
    const decay = expertiseDecayAt(now);
    const facts: PriorFacts = {
      volume: (userId) => this.index.total(userId) * decay,
      recentAnswers: (userId) => active.get(userId) ?? this.answersOf.get(userId)?.decayed(now) ?? 0,
      recentAsks: (userId) => this.asksOf.get(userId)?.decayed(now) ?? 0,
      asksInWindow: (userId) => this.asksOf.get(userId)?.recentCount(now) ?? 0,
    };
    const stats = { documents: this.documents, documentFrequency: this.documentFrequency };
    return Promise.resolve(this.index.rank(question, active.keys(), facts, stats, options));
  }

  private mostActive(limit: number, now: number): Map<number, number> {
    const all: [number, number][] = [];
    for (const [userId, answers] of this.answersOf) {
      const recent = answers.decayed(now);
      if (recent > 0) all.push([userId, recent]);
      else if (answers.size === 0) this.answersOf.delete(userId); // nothing left in the window
    }
    all.sort((a, b) => b[1] - a[1]);
    return new Map(all.slice(0, limit));
  }

  /** Drops the ask counts of people with no ask left in the window (so the map does not keep everyone ever asked). */
  private forgetOldAsks(now: number): void {
    for (const [userId, asks] of this.asksOf) if (asks.decayed(now) === 0 && asks.size === 0) this.asksOf.delete(userId);
  }

  // ---- keeping current -------------------------------------------------------------------------------

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    const generation = ++this.generation;
    client.on('notification', (n) => {
      const id = Number(n.payload);
      if (!Number.isSafeInteger(id)) return;
      if (n.channel === PEOPLE_CHANGED) this.pendingPeople.add(id);
      else if (n.channel === QUESTION_MATCHED) this.pendingQuestions.add(id);
      this.scheduleFlush();
    });
    client.on('error', (error) => this.onListenerLost(generation, error));
    client.on('end', () => this.onListenerLost(generation, new Error('LISTEN connection ended')));
    await client.connect();
    await client.query(`listen ${PEOPLE_CHANGED}; listen ${QUESTION_MATCHED}`);
    this.listener = client;
  }

  private onListenerLost(generation: number, error: Error): void {
    if (this.closed || generation !== this.generation) return;
    this.generation += 1; // later events of the dead client are ignored
    this.options.log.warn({ err: error }, 'lost the LISTEN connection; reconnecting, then reloading people');
    const retry = (): void => {
      this.reconnectTimer = setTimeout(() => {
        if (this.closed) return;
        this.listen()
          .then(() => this.reloadAll())
          .then(() => this.options.log.info(this.size, 'people reloaded after the LISTEN connection came back'))
          .catch((failure: unknown) => {
            this.options.log.warn({ err: failure }, 'reconnecting the LISTEN connection failed; retrying');
            retry();
          });
      }, this.options.reconnectDelayMs ?? 1_000);
    };
    retry();
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = this.inOrder(async () => {
      // batch: everything notified while one refresh runs goes in the next
      while (this.pendingPeople.size || this.pendingQuestions.size) {
        const people = [...this.pendingPeople];
        const questions = [...this.pendingQuestions];
        this.pendingPeople.clear();
        this.pendingQuestions.clear();
        try {
          if (people.length) await this.loadPeople(people);
          if (questions.length) await this.loadAsks(questions);
        } catch (error) {
          this.options.log.warn({ err: error, people: people.length, questions: questions.length }, 'refreshing people failed; retrying');
          for (const id of people) this.pendingPeople.add(id);
          for (const id of questions) this.pendingQuestions.add(id);
          await new Promise((r) => setTimeout(r, 500));
          if (this.closed) break;
        }
      }
    }).finally(() => (this.flushing = undefined));
  }

  private inOrder(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }

  private reloadAll(): Promise<void> {
    return this.inOrder(async () => {
      await Promise.all([this.loadPeople(undefined), this.loadAsks(undefined), this.loadCorpus()]);
    });
  }

  /** (Re)loads these people's expertise, totals and recent answers; `undefined`: everyone. */
  private async loadPeople(userIds: number[] | undefined): Promise<void> {
    const [expertise, totals, answers] = await Promise.all([
      loadPeopleExpertise(this.pool, userIds),
      loadExpertiseTotals(this.pool, userIds),
      loadAnswerTimes(this.pool, windows.recencyWindowDays, userIds),
    ]);
    // rows come grouped by nothing: gather each person's, then replace them in one step
    const profiles = new Map<number, [string, number][]>();
    for (const { userId, term, weight } of expertise) {
      let entries = profiles.get(userId);
      if (!entries) profiles.set(userId, (entries = []));
      entries.push([term, weight]);
    }
    const index = userIds ? this.index : new LiveIndex();
    if (userIds) {
      for (const userId of userIds) {
        index.forget(userId);
        this.answersOf.delete(userId);
      }
    } else {
      this.answersOf = new Map();
    }
    for (const [userId, entries] of profiles) index.setExpertise(userId, entries);
    for (const [userId, total] of totals) index.setTotal(userId, total);
    this.index = index;
    countEvents(this.answersOf, answers, (answer) => answer.id, () => new DecayingCount(windows.recencyHalfLifeDays, windows.recencyWindowDays));
  }

  /** Adds the asks of these questions' matches (top 10); `undefined`: everyone's, from scratch. */
  private async loadAsks(questionIds: number[] | undefined): Promise<void> {
    const rows = await loadAskTimes(this.pool, windows.loadWindowDays, questionIds);
    if (!questionIds) this.asksOf = new Map();
    countEvents(this.asksOf, rows, (ask) => ask.questionId, () => new DecayingCount(windows.loadHalfLifeDays, windows.loadWindowDays, windows.capWindowDays));
  }

  private async loadCorpus(): Promise<void> {
    const started = performance.now();
    const { documents, documentFrequency } = await getCorpusStats(this.pool, undefined);
    this.documents = documents;
    this.documentFrequency = documentFrequency;
    this.lastCorpusLoadMs = performance.now() - started;
  }
}

/** Adds each event to its person's count (made by `make` for a newcomer), oldest first: each is then appended, not inserted. */
function countEvents<E extends { userId: number; at: number }>(
  into: Map<number, DecayingCount>,
  events: E[],
  idOf: (event: E) => number,
  make: () => DecayingCount,
): void {
  const now = Date.now();
  events.sort((a, b) => a.at - b.at);
  for (const event of events) {
    let count = into.get(event.userId);
    if (!count) into.set(event.userId, (count = make()));
    count.add(idOf(event), event.at, now);
  }
}

/**
 * When to re-read the corpus statistics next: every `baseMs`, but never spending more than ~1% of
 * the time on it. A re-read reads every term (4k here, hundreds of thousands on a large site), and
 * document frequencies of a large corpus move little in a minute. At most every 5 minutes, whatever
 * one slow re-read took (a stall, a wait for a pooled connection).
 */
export function corpusRefreshDelay(baseMs: number, lastLoadMs: number): number {
  return Math.max(baseMs, Math.min(Math.ceil(lastLoadMs * 100), 5 * 60_000));
}
