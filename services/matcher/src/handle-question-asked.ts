import { destinationOf, newMessage, type Messages } from '@qr/contracts';
import { getQuestion, insertMatches, insertOutboxMessage, insertQuestionTerms, markQuestionMatched, withTransaction, type Pool } from '@qr/db';
import { PermanentError, type Log, type ReceivedMessage } from '@qr/lemur';
import { expertiseDecayAt, extractTerms, liveScoring, rankPostings, type ExtractedTerms, type Match, type PersonFacts } from '@qr/matching';
import type { PeopleSource } from './people.js';
import { toStored } from './question-terms.js';

export interface MatchDeps {
  pool: Pool;
  /** Where ranking reads people from: LivePeople (in memory) in the worker, PgPeople in dry runs. */
  people: PeopleSource;
  matchLimit: number;
  /** default liveScoring.maxAsksPerWeek */
  maxAsksPerWeek?: number;
  onOutboxWrite(): void;
}

export type MatchOutcome = { status: 'matched'; matches: Match[] } | { status: 'already-matched' };

/** How many of the most recently active people join the candidates whatever the question's words (cold start). */
const ACTIVE_CANDIDATES = 500;

/**
 * Ranks the people to ask, from what `deps.people` knows now; writes nothing. Used by the worker
 * (LivePeople) and by dry runs (PgPeople). Candidates: everyone whose expertise shares a term with the question, and the most
 * recently active people (so a question with no known term, or a newcomer who answers a lot, still
 * gets asked). Scored with the live parameters the evaluation measures (packages/eval).
 */
export async function decideMatches(
  deps: Pick<MatchDeps, 'people' | 'matchLimit' | 'maxAsksPerWeek'>,
  question: { title: string; body: string; tags: string[]; askerId: number },
): Promise<{ extracted: ExtractedTerms; matches: Match[] }> {
  const { people } = deps;
  const extracted = extractTerms(question);
  const terms = [...extracted.terms.keys()];
  const [postings, stats, active] = await Promise.all([people.postings(terms), people.corpusStats(terms), people.mostActive(ACTIVE_CANDIDATES)]);
  const candidates = new Set(active.keys());
  for (const holders of postings.values()) for (const userId of holders.keys()) candidates.add(userId);
  if (candidates.size === 0) return { extracted, matches: [] };
  const userIds = [...candidates];
  // the most active already came with their recent answers; ask only about the other experts
  const unknownRecency = userIds.filter((userId) => !active.has(userId));
  const [totals, otherRecent, asks] = await Promise.all([people.totals(userIds), people.recentAnswers(unknownRecency), people.recentAsks(userIds)]);
  const decay = expertiseDecayAt(Date.now());
  const facts: PersonFacts = {
    total: (userId) => totals.get(userId) ?? 0,
    volume: (userId) => (totals.get(userId) ?? 0) * decay,
    recentAnswers: (userId) => active.get(userId) ?? otherRecent.get(userId) ?? 0,
    recentAsks: (userId) => asks.get(userId)?.recentAsks ?? 0,
    asksInWindow: (userId) => asks.get(userId)?.asksInWindow ?? 0,
  };
  const matches = rankPostings(extracted, postings, candidates, facts, stats, {
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
