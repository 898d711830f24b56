import { addUserExpertise, getAnswer, getQuestion, listUncountedAnswerIds, markAnswerCounted, notifyPeopleChanged, withTransaction, type Pool } from '@qr/db';
import { PermanentError, type Log } from '@qr/lemur';
import { answerContribution, countsForAuthor, extractAnswerTerms } from '@qr/matching';
import { ensureQuestionTerms } from './question-terms.js';

/**
 * Counts one answer for its author, once: its question's terms and its own words added to their
 * terms (forward-decayed from when it was posted), unless it answers their own question, which
 * teaches nothing about them. The mark and the terms commit together, so a redelivery, a replay or
 * a second counter adds nothing. Every call tells the matchers the author changed (their activity:
 * a new answer, an acceptance, a vote). Returns whether this call counted it.
 */
export async function countAnswer(pool: Pool, answerId: number): Promise<{ counted: boolean }> {
  return withTransaction(pool, async (client) => {
    const answer = await getAnswer(client, answerId);
    if (!answer) throw new PermanentError(`answer ${answerId} does not exist`);
    await notifyPeopleChanged(client, answer.userId);
    const teaches = countsForAuthor({ self: answer.userId === answer.askerId });
    if (!(await markAnswerCounted(client, answer.id, answer.userId, teaches ? 1 : 0))) return { counted: false };
    if (!teaches) return { counted: true };
    const question = await getQuestion(client, answer.questionId);
    if (!question) throw new PermanentError(`question ${answer.questionId} of answer ${answerId} does not exist`);
    const terms = await ensureQuestionTerms(client, question);
    await addUserExpertise(client, answer.userId, answerContribution(terms, extractAnswerTerms(answer.body), answer.createdAt.getTime()));
    return { counted: true };
  });
}

/**
 * Counts every answer that has none yet, oldest id first, a page at a time: after migration 008
 * (which dropped the old expertise), or after an import that was interrupted. Returns how many it counted.
 */
export async function countUncountedAnswers(pool: Pool, log: Log, onProgress?: (counted: number) => void): Promise<number> {
  let counted = 0;
  let after = 0;
  for (;;) {
    const ids = await listUncountedAnswerIds(pool, after, 500);
    if (ids.length === 0) break;
    for (const id of ids) if ((await countAnswer(pool, id)).counted) counted += 1;
    after = ids.at(-1) as number;
    onProgress?.(counted);
  }
  if (counted > 0) log.info({ counted }, 'counted the answers that had no expertise yet');
  return counted;
}
