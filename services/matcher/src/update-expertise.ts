import { matcherTasks } from '@qr/contracts';
import {
  addUserExpertise, getAnswer, getQuestion, insertOutboxMessage, listAnswerIdsOfQuestion, lockAnswerContribution, notifyPeopleChanged, setAnswerContribution,
  withTransaction, type Pool,
} from '@qr/db';
import { PermanentError } from '@qr/lemur';
import { answerContribution, expertiseGrowth, qualityFactor } from '@qr/matching';
import { ensureQuestionTerms } from './question-terms.js';

/**
 * Brings one answer's contribution to its author's expertise up to date with the answer as it is
 * now (score, accepted). Computed from state, not from the event, so a redelivered or replayed event
 * changes nothing: only the difference to what is already counted is added.
 */
export async function refreshAnswerContribution(pool: Pool, answerId: number): Promise<{ delta: number }> {
  return withTransaction(pool, async (client) => {
    const answer = await getAnswer(client, answerId);
    if (!answer) throw new PermanentError(`answer ${answerId} does not exist`);
    const counted = await lockAnswerContribution(client, answer.id, answer.userId);
    // even when nothing is added (a redelivery), the answer itself is news for recency
    await notifyPeopleChanged(client, answer.userId);
    const quality = { score: answer.score, accepted: answer.accepted };
    // stored forward-decayed: an older answer counts less (packages/matching/src/live-scoring.ts)
    const target = qualityFactor(quality) * expertiseGrowth(answer.createdAt);
    const delta = target - counted;
    if (Math.abs(delta) < 1e-12) return { delta: 0 };
    const question = await getQuestion(client, answer.questionId);
    if (!question) throw new PermanentError(`question ${answer.questionId} of answer ${answerId} does not exist`);
    const terms = await ensureQuestionTerms(client, question);
    const unit = answerContribution(terms, { score: 0, accepted: false }); // L1-normalised terms, factor 1
    await addUserExpertise(client, answer.userId, new Map([...unit].map(([term, weight]) => [term, weight * delta])));
    await setAnswerContribution(client, answer.id, target);
    return { delta };
  });
}

/**
 * An acceptance changes the accepted answer and the one it replaced: defer a `refresh-answer` task
 * for every answer of the question, written to the outbox in one transaction, so each is retried
 * on its own. Returns how many were deferred.
 */
export async function deferQuestionRefresh(pool: Pool, questionId: number, correlationId?: string): Promise<number> {
  return withTransaction(pool, async (client) => {
    const answerIds = await listAnswerIdsOfQuestion(client, questionId);
    for (const answerId of answerIds) {
      const { destination, message } = matcherTasks.message('refresh-answer', { answerId }, { correlationId });
      await insertOutboxMessage(client, destination, message);
    }
    return answerIds.length;
  });
}
