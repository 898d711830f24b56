import {
  findImportedQuestionIds, findImportedUserIds, insertImportedAnswers, insertImportedQuestions, insertImportedUsers, withTransaction, type Pool,
} from '@qr/db';
import { countAnswer, ensureQuestionTerms } from '@qr/routing';
import type { Logger } from '@qr/runtime';
import { demoHistory, demoPeople } from './demo-community.js';

const SOURCE = 'demo';

/**
 * Seeds the demo community with a dated history, the way a dump is imported (source "demo"): people,
 * their past questions and answers, and the expertise those answers teach. Idempotent: a second
 * start adds nothing. Returns the asker's id, for the printed example.
 */
export async function seedDemoCommunity(pool: Pool, log: Logger): Promise<number> {
  const now = Date.now();
  const people = demoPeople.map((p, i) => ({ ...p, externalId: i + 1 }));
  const history = demoHistory.map((h, i) => ({ ...h, externalId: i + 1, askedAt: new Date(now - h.daysAgo * 86_400_000) }));
  const answerIds = await withTransaction(pool, async (client) => {
    await insertImportedUsers(client, SOURCE, people.map(({ externalId, name, email }) => ({ externalId, name, email })));
    const userIds = await findImportedUserIds(client, SOURCE, people.map((p) => p.externalId));
    const idOf = (key: string): number => userIds.get((people.find((p) => p.key === key) as { externalId: number }).externalId) as number;
    await insertImportedQuestions(client, SOURCE, history.map((h) => ({
      externalId: h.externalId, askerId: idOf(h.asker), title: h.title, body: h.body, tags: h.tags, createdAt: h.askedAt,
    })));
    const questionIds = await findImportedQuestionIds(client, SOURCE, history.map((h) => h.externalId));
    const inserted = await insertImportedAnswers(client, SOURCE, history.map((h) => ({
      externalId: h.externalId, questionId: questionIds.get(h.externalId) as number, userId: idOf(h.answerer), body: h.answer, score: 1,
      createdAt: new Date(h.askedAt.getTime() + 3_600_000),
    })));
    return { inserted: inserted.map((r) => r.id), asker: idOf('asker') };
  });
  for (const answerId of answerIds.inserted) await countAnswer(pool, answerId);
  const { rows } = await pool.query('select id, asker_id as "askerId", title, body, tags, created_at as "createdAt", accepted_answer_id as "acceptedAnswerId", matched_at as "matchedAt" from questions where source = $1', [SOURCE]);
  for (const question of rows) await ensureQuestionTerms(pool, question);
  log.info({ people: people.length, answers: answerIds.inserted.length }, answerIds.inserted.length ? 'demo community seeded' : 'demo community already there');
  return answerIds.asker;
}
