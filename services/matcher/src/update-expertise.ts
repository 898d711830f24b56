import { matcherTasks } from '@qr/contracts';
import { insertOutboxMessage, listAnswerIdsOfQuestion, withTransaction, type Pool } from '@qr/db';

/**
 * An acceptance changes the accepted answer and the one it replaced, and so their authors'
 * acceptance rates: defer a `refresh-answer` task for every answer of the question, written to the
 * outbox in one transaction, so each is retried on its own. Returns how many were deferred.
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
