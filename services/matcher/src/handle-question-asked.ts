import { destinationOf, newMessage, type Messages } from '@qr/contracts';
import {
  getCorpusStats, getQuestion, insertMatches, insertOutboxMessage, insertQuestionTerms, loadExpertise, loadExpertiseTotals, markQuestionMatched,
  withTransaction, type Pool,
} from '@qr/db';
import { PermanentError, type Log, type ReceivedMessage } from '@qr/lemur';
import { extractTerms, rankCandidates, type ExtractedTerms, type Match } from '@qr/matching';
import { toStored } from './question-terms.js';

export interface MatchDeps {
  pool: Pool;
  matchLimit: number;
  onOutboxWrite(): void;
}

export type MatchOutcome = { status: 'matched'; matches: Match[] } | { status: 'already-matched' };

/** Ranks the people to ask, from the expertise in Postgres; writes nothing. Used by the worker and by dry runs. */
export async function decideMatches(
  deps: Pick<MatchDeps, 'pool' | 'matchLimit'>,
  question: { title: string; body: string; tags: string[]; askerId: number },
): Promise<{ extracted: ExtractedTerms; matches: Match[] }> {
  const extracted = extractTerms(question);
  const terms = [...extracted.terms.keys()];
  if (terms.length === 0) return { extracted, matches: [] };
  const [expertise, stats] = await Promise.all([loadExpertise(deps.pool, terms), getCorpusStats(deps.pool, terms)]);
  const totals = await loadExpertiseTotals(deps.pool, [...expertise.keys()]);
  const candidates = [...expertise].map(([userId, weights]) => ({ userId, expertise: weights, total: totals.get(userId) ?? 0 }));
  return { extracted, matches: rankCandidates(extracted, candidates, stats, { limit: deps.matchLimit, excludeUserIds: [question.askerId] }) };
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
    await insertQuestionTerms(client, questionId, toStored(extracted));
    await insertMatches(client, questionId, matches);
    const event = newMessage('question.matched', { questionId, matches: matches.map(({ userId, score }) => ({ userId, score })) }, { correlationId: message.correlationId });
    await insertOutboxMessage(client, destinationOf('question.matched'), event);
    return true;
  });
  if (!wrote) return { status: 'already-matched' };
  deps.onOutboxWrite();
  log.info({ questionId, matches: matches.length, top: matches[0]?.userId }, 'question matched');
  return { status: 'matched', matches };
}
