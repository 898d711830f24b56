import {
  getCorpusStats, loadExpertise, loadExpertiseTotals, loadRecentAnswers, loadRecentAsks, type Pool,
} from '@qr/db';
import { expertiseDecayAt, liveScoring, rankPostings, type ExtractedTerms, type Match, type PersonFacts, type RankOptions } from '@qr/matching';

/**
 * Ranks people for a question, the live way: the candidates are everyone holding one of its terms
 * plus the ACTIVE_CANDIDATES most recently active people (so a question with no known term, or a
 * newcomer who answers a lot, still gets asked); expertise decays with age (the volume prior), recent
 * answers and recent asks come from their windows. LivePeople ranks from memory (the worker),
 * PgPeople from queries (dry runs, and the reference LivePeople is tested against).
 */
export interface PeopleSource {
  rank(question: ExtractedTerms, options: RankOptions): Promise<Match[]>;
}

/** How many of the most recently active people join the candidates whatever the question's words (cold start). */
export const ACTIVE_CANDIDATES = 500;

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

  async rank(question: ExtractedTerms, options: RankOptions): Promise<Match[]> {
    const terms = [...question.terms.keys()];
    const [postings, stats, active] = await Promise.all([
      terms.length ? loadExpertise(this.pool, terms) : new Map<string, Map<number, number>>(),
      getCorpusStats(this.pool, terms),
      this.mostActive(ACTIVE_CANDIDATES),
    ]);
    const candidates = new Set(active.keys());
    for (const holders of postings.values()) for (const userId of holders.keys()) candidates.add(userId);
    if (candidates.size === 0) return [];
    const userIds = [...candidates];
    // the most active already came with their recent answers; ask only about the others
    const [totals, otherRecent, asks] = await Promise.all([
      loadExpertiseTotals(this.pool, userIds),
      this.recentAnswers(userIds.filter((userId) => !active.has(userId))),
      loadRecentAsks(this.pool, userIds, { halfLifeDays: windows.loadHalfLifeDays, windowDays: windows.capWindowDays }),
    ]);
    const decay = expertiseDecayAt(Date.now());
    const facts: PersonFacts = {
      total: (userId) => totals.get(userId) ?? 0,
      volume: (userId) => (totals.get(userId) ?? 0) * decay,
      recentAnswers: (userId) => active.get(userId) ?? otherRecent.get(userId) ?? 0,
      recentAsks: (userId) => asks.get(userId)?.recentAsks ?? 0,
      asksInWindow: (userId) => asks.get(userId)?.asksInWindow ?? 0,
    };
    return rankPostings(question, postings, candidates, facts, stats, options);
  }

  private mostActive(limit: number): Promise<Map<number, number>> {
    const cached = this.active;
    if (cached && cached.limit === limit && performance.now() - cached.at < this.activeCacheMs) return cached.value;
    const value = loadRecentAnswers(this.pool, { halfLifeDays: windows.recencyHalfLifeDays, windowDays: windows.recencyWindowDays, limit });
    this.active = { at: performance.now(), limit, value };
    value.catch(() => (this.active = undefined));
    return value;
  }

  private recentAnswers(userIds: number[]): Promise<Map<number, number>> {
    if (userIds.length === 0) return Promise.resolve(new Map());
    return loadRecentAnswers(this.pool, { halfLifeDays: windows.recencyHalfLifeDays, windowDays: windows.recencyWindowDays, userIds });
  }
}
