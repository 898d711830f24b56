import type { Queryable } from './pool.js';

/**
 * A community's history as fitting the ranking model reads it (`qr tune`): every question and
 * answer created before `until`, oldest first. Large communities make this large: it is read by the
 * tuning command, not by services.
 */
export async function listHistoryQuestions(
  db: Queryable,
  until: Date,
): Promise<{ id: number; askerId: number; title: string; body: string; tags: string[]; createdAt: Date; acceptedAnswerId: number | null }[]> {
  const { rows } = await db.query<{ id: number; askerId: number; title: string; body: string; tags: string[]; createdAt: Date; acceptedAnswerId: number | null }>(
    `select id, asker_id as "askerId", title, body, tags, created_at as "createdAt", accepted_answer_id as "acceptedAnswerId"
       from questions where created_at < $1 order by created_at, id`,
    [until],
  );
  return rows;
}

export async function listHistoryAnswers(db: Queryable, until: Date): Promise<{ id: number; questionId: number; userId: number; body: string; score: number; createdAt: Date }[]> {
  const { rows } = await db.query<{ id: number; questionId: number; userId: number; body: string; score: number; createdAt: Date }>(
    `select id, question_id as "questionId", user_id as "userId", body, score, created_at as "createdAt"
       from answers where created_at < $1 order by created_at, id`,
    [until],
  );
  return rows;
}
