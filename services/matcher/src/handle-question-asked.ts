import { destinationOf, newMessage, type Messages } from '@qr/contracts';
import { getQuestion, insertQuestionTerms, recordMatches, type Pool } from '@qr/db';
import { PermanentError, type Log, type ReceivedMessage } from '@qr/lemur';
import { extractTerms, liveScoring, type ExtractedTerms, type Match } from '@qr/matching';
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

/**
 * Ranks the people to ask, from what `deps.people` knows now; writes nothing. Used by the worker
 * (LivePeople) and by dry runs (PgPeople). Scored with the live parameters the evaluation measures
 * (packages/eval); the asker is never asked.
 */
export async function decideMatches(
  deps: Pick<MatchDeps, 'people' | 'matchLimit' | 'maxAsksPerWeek'>,
  question: { title: string; body: string; tags: string[]; askerId: number },
): Promise<{ extracted: ExtractedTerms; matches: Match[] }> {
  const extracted = extractTerms(question);
  const matches = await deps.people.rank(extracted, {
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
 * matches are written once, with `question.matched` in the outbox, in one statement: a redelivery
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
  const event = newMessage('question.matched', { questionId, matches: matches.map(({ userId, score }) => ({ userId, score })) }, { correlationId: message.correlationId });
  if (!(await recordMatches(deps.pool, questionId, matches, { destination: destinationOf('question.matched'), message: event }))) return { status: 'already-matched' };
  deps.onOutboxWrite();
  // counted for IDF after the matches committed, in a statement of its own: document-frequency rows are
  // shared by every matcher, and holding their locks for longer serialised the matchers
  await insertQuestionTerms(deps.pool, questionId, toStored(extracted));
  log.info({ questionId, matches: matches.length, top: matches[0]?.userId }, 'question matched');
  return { status: 'matched', matches };
}
