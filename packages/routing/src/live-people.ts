import { existsSync } from 'node:fs';
import { Channels, databaseIdentity, getCorpusStats, listPeopleChangedSince, loadAskers, loadAskTimes, loadLastAsked, PgListener } from '@qr/db';
import type { Log } from '@qr/lemur';
import {
  AskLedger, decide, DEFAULT_MODEL, PeopleIndex, readSnapshot, whyNotAsk, writeSnapshot, type AskBudgetPolicy, type AskPreferences, type BudgetCheck, type Decision, type ExtractedTerms,
  type RankingModel,
} from '@qr/matching';
import pg from 'pg';
import { loadActiveModel, loadIndex, loadPreferences, rereadPeople } from './people-loader.js';
import { mostActive, type PeopleSource } from './people-source.js';

const { peopleChanged: PEOPLE_CHANGED, questionMatched: QUESTION_MATCHED, rankingModelChanged: RANKING_MODEL_CHANGED } = Channels;

const DAY_MS = 86_400_000;
/** Asks older than this count against no budget (budget.ts counts a week, and a day). */
const LEDGER_DAYS = 7;
/** The most active people are chosen again this often, and at most this often when someone's answering changed. */
const ACTIVE_REFRESH_MS = 5_000;
const ACTIVE_CHANGED_REFRESH_MS = 1_000;
/**
 * A snapshot holds every change committed before it was taken, but one whose transaction was still
 * committing then may carry an earlier time: people changed this long before are read again too.
 */
const SNAPSHOT_MARGIN_MS = 5 * 60_000;
/** People read again from Postgres per query, after a snapshot. */
const REREAD_BATCH = 2_000;

export interface LivePeopleOptions {
  databaseUrl: string;
  log: Log;
  budget: AskBudgetPolicy;
  /**
   * How often corpus statistics (document frequencies) are re-read at least; they drift slowly.
   * A re-read reads every term: when it takes long (a large vocabulary), the next waits longer
   * (see corpusRefreshDelay).
   */
  corpusRefreshMs?: number;
  /** First delay before reconnecting the LISTEN connection after it failed (doubling up to 30 s). Default 500 ms. */
  reconnectDelayMs?: number;
  /**
   * A file to start from (MATCHER_SNAPSHOT): everyone as the engine holds them, written after a full
   * load and when closing, read at start instead of loading everyone from Postgres (a million people:
   * seconds, not minutes), then everyone changed since it was taken read again from Postgres.
   */
  snapshot?: string;
  /**
   * With a snapshot: how often it is written again while running (default 30 min; 0: only after a
   * full load and when stopping), so that a matcher that stops without closing (killed, a crash)
   * starts next from a recent one and re-reads few people. The write blocks the process while it
   * runs (a million people: a few seconds; other matchers on the queue take the questions meanwhile).
   */
  snapshotEveryMs?: number;
}

const DEFAULT_SNAPSHOT_EVERY_MS = 30 * 60_000;

/**
 * Starting -> Running (everyone loaded once: before, a snapshot would hold nobody) -> Closed; or
 * Starting -> Closed (the first load failed). Nothing is scheduled or written once Closed.
 */
enum Phase {
  Starting = 'starting',
  Running = 'running',
  Closed = 'closed',
}

/**
 * What the matcher knows about people, in memory, kept current from Postgres: loaded whole at start
 * (everyone's terms and answers into the engine, the week's asks, the ask preferences, the active
 * model), then each person again when Postgres notifies `people_changed`, each question's asks when
 * it notifies `question_matched`, and the model when it notifies `ranking_model_changed`.
 * Notifications are delivered at commit, to every matcher, so all of them follow every change within
 * milliseconds, whoever made it; a new model is ranked with from the next question on, no restart.
 * When the LISTEN connection drops, notifications may have been missed: it reconnects (PgListener: one
 * loop, backing off) and reloads everything.
 */
export class LivePeople implements PeopleSource {
  private index = new PeopleIndex();
  private ledger = new AskLedger();
  private preferences = new Map<number, AskPreferences>();
  private active: { version: number | undefined; model: RankingModel } = { version: undefined, model: DEFAULT_MODEL };
  private documents = 0;
  private documentFrequency = new Map<string, number>();
  private mostActive: { at: number; userIds: number[]; stale: boolean } = { at: Number.NEGATIVE_INFINITY, userIds: [], stale: true };
  private readonly listener: PgListener;
  private corpusTimer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private lastCorpusLoadMs = 0;
  private pendingPeople = new Set<number>();
  private pendingQuestions = new Set<number>();
  private modelChanged = false;
  private flushing: Promise<void> | undefined;
  /**
   * Full reloads and per-person refreshes run one at a time, in order: a refresh notified while a
   * full reload runs is applied after it (the reload may have read that person before the change).
   */
  private queue: Promise<void> = Promise.resolve();
  private phase = Phase.Starting;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly options: LivePeopleOptions,
  ) {
    this.listener = new PgListener({
      databaseUrl: options.databaseUrl,
      channels: [PEOPLE_CHANGED, QUESTION_MATCHED, RANKING_MODEL_CHANGED],
      onNotification: (channel, payload) => this.notified(channel, payload),
      // notifications may have been missed while it was down: everything is read again
      onReconnect: async () => {
        await this.reloadAll();
        options.log.info(this.size, 'people reloaded after the LISTEN connection came back');
      },
      log: options.log,
      backoff: { initialMs: options.reconnectDelayMs ?? 500, maxMs: 30_000 },
    });
  }

  /** Listens first, then loads, so that nothing changed between the load and the LISTEN is missed. */
  static async start(pool: pg.Pool, options: LivePeopleOptions): Promise<LivePeople> {
    const people = new LivePeople(pool, options);
    try {
      await people.listener.start();
      await people.reloadAll(true);
    } catch (error) {
      await people.close();
      throw error;
    }
    people.scheduleCorpusRefresh();
    people.scheduleSnapshot();
    return people;
  }

  /** How long it has been without its LISTEN connection, so without news of changes (0 while listening). */
  get outOfTouchForMs(): number {
    return this.listener.failingForMs();
  }

  get size(): { people: number; terms: number; postings: number } {
    return this.index.size;
  }

  /** The version of the model ranked with (undefined: the default model). */
  get modelVersion(): number | undefined {
    return this.active.version;
  }

  async close(): Promise<void> {
    const wasRunning = this.phase === Phase.Running;
    this.phase = Phase.Closed;
    clearTimeout(this.corpusTimer);
    clearTimeout(this.snapshotTimer);
    await this.queue;
    // what it holds now is current unless a change is waiting to be applied or the LISTEN connection is down
    const current = !this.pendingPeople.size && !this.pendingQuestions.size && this.listener.failingForMs() === 0 && wasRunning;
    await this.listener.close();
    if (this.options.snapshot && current) await this.saveSnapshot(Date.now());
  }

  /** Re-reads the document frequencies now rather than at the next paced re-read (corpusRefreshDelay). */
  reloadCorpus(): Promise<void> {
    return this.inOrder(() => this.loadCorpus());
  }

  /** Resolves once every notification received so far has been applied (for tests and start-up). */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => {});
    await this.queue;
  }

  // ---- PeopleSource ----------------------------------------------------------------------------------

  /** Synchronous under the promise: nothing changes the index while it ranks. */
  decide(question: ExtractedTerms, askerId: number, limit: number): Promise<Decision> {
    const now = Date.now();
    const check: BudgetCheck = {
      policy: this.options.budget,
      ledger: this.ledger,
      answersPerDay: (userId) => this.index.activity(userId)?.answersPerDay(now) ?? 0,
      preferences: (userId) => this.preferences.get(userId),
    };
    const stats = { documents: this.documents, documentFrequency: this.documentFrequency };
    const input = { question, stats, now, model: this.active.model, extra: this.mostActiveAt(now), exclude: [askerId] };
    return Promise.resolve(decide(this.index, input, limit, (userId) => whyNotAsk(check, userId, now)));
  }

  /** Counts a question's asks at once, when its matches committed (the notification that follows adds nothing twice). */
  recordAsks(questionId: number, userIds: readonly number[], at = Date.now()): void {
    for (const userId of userIds) this.ledger.record(userId, at, questionId);
  }

  /** The people answering most lately (mostActive), chosen again every few seconds, and within a second when someone's answering changed. */
  private mostActiveAt(now: number): number[] {
    const age = now - this.mostActive.at;
    if (age >= ACTIVE_REFRESH_MS || (this.mostActive.stale && age >= ACTIVE_CHANGED_REFRESH_MS)) {
      this.mostActive = { at: now, userIds: mostActive(this.index, now), stale: false };
    }
    return this.mostActive.userIds;
  }

  // ---- keeping current -------------------------------------------------------------------------------

  /** One timer at a time: the next re-read is scheduled when this one has ended. */
  private scheduleCorpusRefresh(): void {
    if (this.phase === Phase.Closed) return;
    const delay = corpusRefreshDelay(this.options.corpusRefreshMs ?? 5_000, this.lastCorpusLoadMs);
    this.corpusTimer = setTimeout(() => {
      void (async () => {
        try {
          await this.loadCorpus();
        } catch (error) {
          this.options.log.warn({ err: error }, 'corpus statistics refresh failed');
        }
        this.ledger.forgetBefore(Date.now() - LEDGER_DAYS * DAY_MS);
        this.scheduleCorpusRefresh(); // whatever failed above
      })();
    }, delay).unref();
  }

  private notified(channel: string, payload: string): void {
    if (channel === RANKING_MODEL_CHANGED) {
      this.modelChanged = true;
      this.scheduleFlush();
      return;
    }
    const id = Number(payload);
    if (!Number.isSafeInteger(id)) return;
    if (channel === PEOPLE_CHANGED) this.pendingPeople.add(id);
    else if (channel === QUESTION_MATCHED) this.pendingQuestions.add(id);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushing) return;
    this.flushing = this.inOrder(async () => {
      // batch: everything notified while one refresh runs goes in the next
      while (this.pendingPeople.size || this.pendingQuestions.size || this.modelChanged) {
        const people = [...this.pendingPeople];
        const questions = [...this.pendingQuestions];
        const model = this.modelChanged;
        this.pendingPeople.clear();
        this.pendingQuestions.clear();
        this.modelChanged = false;
        const started = performance.now();
        try {
          if (people.length) await this.loadPeople(people);
          if (questions.length) await this.loadAsks(questions);
          if (model) {
            await this.loadModel();
            this.index.priorTable(this.active.model, Date.now()); // its bounds for the new weights, before the next question
          }
          this.options.log.debug({ people: people.length, questions: questions.length, model, ms: Math.round(performance.now() - started) }, 'changes applied');
        } catch (error) {
          this.options.log.warn({ err: error, people: people.length, questions: questions.length }, 'refreshing people failed; retrying');
          for (const id of people) this.pendingPeople.add(id);
          for (const id of questions) this.pendingQuestions.add(id);
          this.modelChanged ||= model;
          await new Promise((r) => setTimeout(r, 500));
          if (this.phase === Phase.Closed) break;
        }
      }
    }).finally(() => (this.flushing = undefined));
  }

  /**
   * The next periodic snapshot, one timer at a time. Written in order with refreshes, while listening:
   * changes notified and not applied yet were committed within moments of it, and a start from it
   * reads again everyone changed since it was taken less SNAPSHOT_MARGIN_MS.
   */
  private scheduleSnapshot(): void {
    const every = this.options.snapshotEveryMs ?? DEFAULT_SNAPSHOT_EVERY_MS;
    if (this.phase === Phase.Closed || !this.options.snapshot || every <= 0) return;
    this.snapshotTimer = setTimeout(() => {
      void this.inOrder(async () => {
        if (this.phase === Phase.Closed) return;
        if (this.phase === Phase.Running && this.listener.failingForMs() === 0) await this.saveSnapshot(Date.now());
        this.scheduleSnapshot();
      });
    }, every).unref();
  }

  private inOrder(task: () => Promise<void>): Promise<void> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Everything read again: everyone from Postgres, or (at start, given a snapshot) from the snapshot and who changed since. */
  private reloadAll(mayUseSnapshot = false): Promise<void> {
    return this.inOrder(async () => {
      const started = Date.now();
      const fromSnapshot = mayUseSnapshot ? await this.readSnapshot() : undefined;
      const [index, asks, preferences] = await Promise.all([
        fromSnapshot ?? loadIndex(this.pool),
        loadAskTimes(this.pool, LEDGER_DAYS, undefined),
        loadPreferences(this.pool, undefined),
        this.loadCorpus(),
        this.loadModel(),
      ]);
      const ledger = new AskLedger();
      for (const ask of asks) ledger.record(ask.userId, ask.at, ask.questionId);
      // the ranking's prior bounds are made now, not at the first question (a million people: seconds)
      index.priorTable(this.active.model, Date.now());
      this.index = index;
      this.ledger = ledger;
      this.preferences = preferences;
      this.mostActive = { at: Number.NEGATIVE_INFINITY, userIds: [], stale: true };
      if (this.phase === Phase.Starting) this.phase = Phase.Running;
      // everyone was read as of `started` (changes after it are notified, and applied next)
      if (this.options.snapshot && mayUseSnapshot && !fromSnapshot) await this.saveSnapshot(started);
    });
  }

  /**
   * The snapshot, if there is one of this database: people changed since it was taken (less
   * SNAPSHOT_MARGIN_MS) read again as a refresh reads them, and everyone's last question. Undefined
   * (everyone is then loaded from Postgres) when there is none, it is another database's, or unreadable.
   */
  private async readSnapshot(): Promise<PeopleIndex | undefined> {
    const path = this.options.snapshot;
    if (!path || !existsSync(path)) return undefined;
    const { log } = this.options;
    const started = performance.now();
    try {
      const { index, meta } = readSnapshot(path);
      const database = await databaseIdentity(this.pool);
      if (meta.database !== database || typeof meta.takenAt !== 'number') {
        log.warn({ path, database, snapshotOf: meta.database }, 'the snapshot is of another database (or has no time): loading everyone from Postgres');
        return undefined;
      }
      const changed = await listPeopleChangedSince(this.pool, new Date(meta.takenAt - SNAPSHOT_MARGIN_MS));
      for (let i = 0; i < changed.length; i += REREAD_BATCH) await rereadPeople(this.pool, index, changed.slice(i, i + REREAD_BATCH));
      for (const { userId, at } of await loadLastAsked(this.pool, undefined)) index.asked(userId, at);
      log.info({ path, takenAt: new Date(meta.takenAt).toISOString(), changedSince: changed.length, ms: Math.round(performance.now() - started) }, 'people read from the snapshot');
      return index;
    } catch (error) {
      log.warn({ err: error, path }, 'the snapshot cannot be read: loading everyone from Postgres');
      return undefined;
    }
  }

  /** Writes what the engine holds, as of `takenAt` (every change committed before it is in it). A failure is logged, not thrown. */
  private async saveSnapshot(takenAt: number): Promise<void> {
    const path = this.options.snapshot as string;
    const started = performance.now();
    try {
      writeSnapshot(this.index, path, { takenAt, database: await databaseIdentity(this.pool) });
      this.options.log.info({ path, ...this.index.size, ms: Math.round(performance.now() - started) }, 'people snapshot written');
    } catch (error) {
      this.options.log.warn({ err: error, path }, 'the people snapshot could not be written');
    }
  }

  /** (Re)loads these people: terms, activity, preferences. */
  private async loadPeople(userIds: number[]): Promise<void> {
    const [, preferences] = await Promise.all([rereadPeople(this.pool, this.index, userIds), loadPreferences(this.pool, userIds)]);
    for (const userId of userIds) {
      const prefs = preferences.get(userId);
      if (prefs) this.preferences.set(userId, prefs);
      else this.preferences.delete(userId);
    }
    this.mostActive.stale = true; // someone's answering changed: choose again soon (each question would be too often at scale)
  }

  /** Adds these questions' asks to the ledger, and their askers' questions to their activity. */
  private async loadAsks(questionIds: number[]): Promise<void> {
    const [asks, askers] = await Promise.all([loadAskTimes(this.pool, LEDGER_DAYS, questionIds), loadAskers(this.pool, questionIds)]);
    for (const ask of asks) this.ledger.record(ask.userId, ask.at, ask.questionId);
    for (const { userId, at } of askers) this.index.asked(userId, at);
  }

  private async loadModel(): Promise<void> {
    const next = await loadActiveModel(this.pool, this.options.log);
    if (next.version !== this.active.version) this.options.log.info({ version: next.version ?? 'default' }, 'ranking with a new model');
    this.active = next;
  }

  private async loadCorpus(): Promise<void> {
    const started = performance.now();
    const { documents, documentFrequency } = await getCorpusStats(this.pool, undefined);
    this.documents = documents;
    this.documentFrequency = documentFrequency;
    this.lastCorpusLoadMs = performance.now() - started;
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
