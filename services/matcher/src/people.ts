import {
  getCorpusStats, loadExpertise, loadExpertiseTotals, loadRecentAnswers, loadRecentAsks, type Pool,
} from '@qr/db';
import { liveScoring, type TermPostings } from '@qr/matching';

/** What ranking needs to know about people, asked per question. */
export interface PeopleSource {
  corpusStats(terms: string[]): Promise<{ documents: number; documentFrequency: Map<string, number> }>;
  /** Everyone with positive expertise in any of these terms, term-major: term -> person -> stored weight (read, never written). */
  postings(terms: string[]): Promise<TermPostings>;
  /** The most recently active people (cold-start candidates), with their decayed recent answers. */
  mostActive(limit: number): Promise<ReadonlyMap<number, number>>;
  /** These people's totals; the map may hold others too. */
  totals(userIds: number[]): Promise<ReadonlyMap<number, number>>;
  recentAnswers(userIds: number[]): Promise<ReadonlyMap<number, number>>;
  recentAsks(userIds: number[]): Promise<ReadonlyMap<number, { recentAsks: number; asksInWindow: number }>>;
}

/** Windows and half-lives of the live score (the queries and the in-memory state use the same). */
export const windows = {
  recencyHalfLifeDays: liveScoring.recencyHalfLifeDays,
  recencyWindowDays: 8 * liveScoring.recencyHalfLifeDays,
  loadHalfLifeDays: liveScoring.loadHalfLifeDays,
  loadWindowDays: Math.ceil(8 * liveScoring.loadHalfLifeDays),
  capWindowDays: 7,
};

/** Everything read from Postgres per question: what dry runs use, and the reference LivePeople is tested against. */
export class PgPeople implements PeopleSource {
  private active: { at: number; limit: number; value: Promise<Map<number, number>> } | undefined;

  /** @param activeCacheMs how long the most-active list is reused (it changes slowly; 0: every time). */
  constructor(
    private readonly pool: Pool,
    private readonly activeCacheMs = 5_000,
  ) {}

  corpusStats(terms: string[]): ReturnType<PeopleSource['corpusStats']> {
    return getCorpusStats(this.pool, terms);
  }

  postings(terms: string[]): Promise<TermPostings> {
    return terms.length ? loadExpertise(this.pool, terms) : Promise.resolve(new Map());
  }

  mostActive(limit: number): Promise<Map<number, number>> {
    const cached = this.active;
    if (cached && cached.limit === limit && performance.now() - cached.at < this.activeCacheMs) return cached.value;
    const value = loadRecentAnswers(this.pool, { halfLifeDays: windows.recencyHalfLifeDays, windowDays: windows.recencyWindowDays, limit });
    this.active = { at: performance.now(), limit, value };
    value.catch(() => (this.active = undefined));
    return value;
  }

  totals(userIds: number[]): Promise<Map<number, number>> {
    return loadExpertiseTotals(this.pool, userIds);
  }

  recentAnswers(userIds: number[]): Promise<Map<number, number>> {
    if (userIds.length === 0) return Promise.resolve(new Map());
    return loadRecentAnswers(this.pool, { halfLifeDays: windows.recencyHalfLifeDays, windowDays: windows.recencyWindowDays, userIds });
  }

  recentAsks(userIds: number[]): ReturnType<PeopleSource['recentAsks']> {
    return loadRecentAsks(this.pool, userIds, { halfLifeDays: windows.loadHalfLifeDays, windowDays: windows.capWindowDays });
  }
}
