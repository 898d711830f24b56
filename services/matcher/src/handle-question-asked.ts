import { destinationOf, newMessage, type Messages } from '@qr/contracts';
import { getQuestion, insertQuestionTerms, recordMatches, type Pool } from '@qr/db';
import { PermanentError, type Log, type ReceivedMessage } from '@qr/lemur';
import type { Match } from '@qr/matching';
import { decideMatches, ensureQuestionTerms, toStored, type PeopleSource } from '@qr/routing';

export interface MatchDeps {
  pool: Pool;
  /** Where deciding reads people from: LivePeople (in memory) in the worker. */
  people: PeopleSource & { recordAsks?(questionId: number, userIds: readonly number[]): void };
  matchLimit: number;
  onOutboxWrite(): void;
}

export type MatchOutcome = { status: 'matched'; matches: Match[] } | { status: 'already-matched' };

/**
 * Matches one asked question. The question is read from Postgres (the message only names it), its
 * matches are written once, with `question.matched` in the outbox, in one statement: a redelivery
 * or a replay finds `matched_at` set and changes nothing. Its terms are counted (for document
 * frequencies) by a second, idempotent statement that every delivery attempts, matched or not: a
 * failure between the two is made good by the retry.
 */
export async function handleQuestionAsked(deps: MatchDeps, message: ReceivedMessage<Messages['question.asked']>, log: Log): Promise<MatchOutcome> {
  const { questionId } = message.body;
  const question = await getQuestion(deps.pool, questionId);
  if (!question) throw new PermanentError(`question ${questionId} does not exist`);
  if (question.matchedAt) {
    await ensureQuestionTerms(deps.pool, question); // counted at most once, whichever delivery gets here
    log.info({ questionId }, 'question already matched; nothing to do');
    return { status: 'already-matched' };
  }
  const { extracted, decision } = await decideMatches(deps.people, question, deps.matchLimit);
  const { matches } = decision;
  const event = newMessage('question.matched', { questionId, matches: matches.map(({ userId, score }) => ({ userId, score })) }, { correlationId: message.correlationId });
  if (!(await recordMatches(deps.pool, questionId, matches, { destination: destinationOf('question.matched'), message: event }))) {
    await insertQuestionTerms(deps.pool, questionId, toStored(extracted));
    return { status: 'already-matched' };
  }
  deps.people.recordAsks?.(questionId, matches.map((m) => m.userId));
  deps.onOutboxWrite();
  // counted for IDF after the matches committed, in a statement of its own: document-frequency rows are
  // shared by every matcher, and holding their locks for longer serialised the matchers
  await insertQuestionTerms(deps.pool, questionId, toStored(extracted));
  const passedOver = decision.passed.length ? { passedOver: decision.passed.map((p) => `${p.userId} (${p.reason})`) } : {};
  log.info({ questionId, matches: matches.length, top: matches[0]?.userId, ...passedOver }, 'question matched');
  return { status: 'matched', matches };
}
