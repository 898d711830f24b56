import { destinationOf, newMessage, type Messages } from '@qr/contracts';
import {
  getCorpusStats, getQuestion, insertMatches, insertOutboxMessage, insertQuestionTerms, loadExpertise, loadExpertiseTotals, loadRecentAnswers,
  loadRecentAsks, markQuestionMatched, withTransaction, type Pool,
} from '@qr/db';
import { PermanentError, type Log, type ReceivedMessage } from '@qr/lemur';
import { expertiseDecayAt, extractTerms, liveScoring, rankCandidates, type Candidate, type ExtractedTerms, type Match } from '@qr/matching';
import { toStored } from './question-terms.js';

export interface MatchDeps {
  pool: Pool;
  matchLimit: number;
  /** default liveScoring.maxAsksPerWeek */
  maxAsksPerWeek?: number;
  /** How long the list of the most active people is reused (default 5 s; 0: read it for every question). */
  activeCandidatesCacheMs?: number;
  onOutboxWrite(): void;
}

export type MatchOutcome = { status: 'matched'; matches: Match[] } | { status: 'already-matched' };

/** How many of the most recently active people join the candidates whatever the question's words (cold start). */
const ACTIVE_CANDIDATES = 500;
/** The most active people change slowly: one query every few seconds, not one per question (bench/end-to-end/profile-match.ts). */
const ACTIVE_CACHE_MS = 5_000;
const activeCache = new WeakMap<Pool, { at: number; value: Promise<Map<number, number>> }>();

function mostActive(pool: Pool, cacheMs = ACTIVE_CACHE_MS): Promise<Map<number, number>> {
  const cached = activeCache.get(pool);
  if (cached && performance.now() - cached.at < cacheMs) return cached.value;
  const value = loadRecentAnswers(pool, { halfLifeDays: liveScoring.recencyHalfLifeDays, windowDays: 8 * liveScoring.recencyHalfLifeDays, limit: ACTIVE_CANDIDATES });
  activeCache.set(pool, { at: performance.now(), value });
  value.catch(() => activeCache.delete(pool));
  return value;
}

/**
 * Ranks the people to ask, from what Postgres knows now; writes nothing. Used by the worker and by
 * dry runs. Candidates: everyone whose expertise shares a term with the question, and the most
 * recently active people (so a question with no known term, or a newcomer who answers a lot, still
 * gets asked). Scored with the live parameters the evaluation measures (packages/eval).
 */
export async function decideMatches(
  deps: Pick<MatchDeps, 'pool' | 'matchLimit' | 'maxAsksPerWeek' | 'activeCandidatesCacheMs'>,
  question: { title: string; body: string; tags: string[]; askerId: number },
): Promise<{ extracted: ExtractedTerms; matches: Match[] }> {
  const extracted = extractTerms(question);
  const terms = [...extracted.terms.keys()];
  const [expertise, stats, active] = await Promise.all([
    terms.length ? loadExpertise(deps.pool, terms) : Promise.resolve(new Map<number, Map<string, number>>()),
    getCorpusStats(deps.pool, terms),
    mostActive(deps.pool, deps.activeCandidatesCacheMs),
  ]);
  const userIds = [...new Set([...expertise.keys(), ...active.keys()])];
  if (userIds.length === 0) return { extracted, matches: [] };
  // the most active already came with their recent answers; ask only about the other experts
  const unknownRecency = userIds.filter((userId) => !active.has(userId));
  const [totals, otherRecent, asks] = await Promise.all([
    loadExpertiseTotals(deps.pool, userIds),
    unknownRecency.length
      ? loadRecentAnswers(deps.pool, { halfLifeDays: liveScoring.recencyHalfLifeDays, windowDays: 8 * liveScoring.recencyHalfLifeDays, userIds: unknownRecency })
      : Promise.resolve(new Map<number, number>()),
    loadRecentAsks(deps.pool, userIds, { halfLifeDays: liveScoring.loadHalfLifeDays, windowDays: 7 }),
  ]);
  const recent = new Map([...otherRecent, ...active]);
  const decay = expertiseDecayAt(Date.now());
  const candidates: Candidate[] = userIds.map((userId) => ({
    userId,
    expertise: expertise.get(userId) ?? new Map<string, number>(),
    total: totals.get(userId) ?? 0,
    volume: (totals.get(userId) ?? 0) * decay,
    recentAnswers: recent.get(userId) ?? 0,
    recentAsks: asks.get(userId)?.recentAsks ?? 0,
    asksInWindow: asks.get(userId)?.asksInWindow ?? 0,
  }));
  const matches = rankCandidates(extracted, candidates, stats, {
    limit: deps.matchLimit,
    excludeUserIds: [question.askerId],
    smoothing: liveScoring.smoothing,
    evidenceWeight: liveScoring.evidenceWeight,
    priorWeight: liveScoring.priorWeight,
    recencyWeight: liveScoring.recencyWeight,
    loadWeight: liveScoring.loadWeight,
    maxAsksPerWindow: deps.maxAsksPerWeek ?? liveScoring.maxAsksPerWeek,
    includeWithoutEvidence: true,
  });
  return { extracted, matches };
}

/**
 * Matches one asked question. The question is read from Postgres (the message only names it), its
 * matches are written once, with `question.matched` in the outbox, in one transaction: a redelivery
 * or a replay finds `matched_at` set and changes nothing.
 */
export async function handleQuestionAsked(deps: MatchDeps, message: ReceivedMessage<Messages['question.asked']>, log: Log): Promise<MatchOutcome> {
  const { questionId } = message.body;
  const question = await getQuestion(deps.pool, questionId);
  if (!question) throw new PermanentError(`question ${questionId} does not exist`);
  if (question.matchedAt) {
    log.info({ questionId }, 'question already matched; nothing to do');
    return { status: 'already-matched' };
  }
  const { extracted, matches } = await decideMatches(deps, question);
  const wrote = await withTransaction(deps.pool, async (client) => {
    if (!(await markQuestionMatched(client, questionId))) return false;
    await insertMatches(client, questionId, matches);
    const event = newMessage('question.matched', { questionId, matches: matches.map(({ userId, score }) => ({ userId, score })) }, { correlationId: message.correlationId });
    await insertOutboxMessage(client, destinationOf('question.matched'), event);
    return true;
  });
  if (!wrote) return { status: 'already-matched' };
  deps.onOutboxWrite();
  // counted for IDF after the commit, in its own short transaction: document-frequency rows are shared
  // by every matcher, and holding their locks for the whole match serialised the matchers
  await withTransaction(deps.pool, (client) => insertQuestionTerms(client, questionId, toStored(extracted)));
  log.info({ questionId, matches: matches.length, top: matches[0]?.userId }, 'question matched');
  return { status: 'matched', matches };
}
