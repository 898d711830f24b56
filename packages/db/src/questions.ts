import type { Queryable } from './pool.js';

export interface QuestionRow {
  id: number;
  askerId: number;
  title: string;
  body: string;
  tags: string[];
  createdAt: Date;
  acceptedAnswerId: number | null;
  matchedAt: Date | null;
}

const columns = `id, asker_id as "askerId", title, body, tags, created_at as "createdAt",
  accepted_answer_id as "acceptedAnswerId", matched_at as "matchedAt"`;

export async function insertQuestion(db: Queryable, q: { askerId: number; title: string; body: string; tags: string[] }): Promise<QuestionRow> {
  const { rows } = await db.query<QuestionRow>(
    `insert into questions (asker_id, title, body, tags) values ($1, $2, $3, $4) returning ${columns}`,
    [q.askerId, q.title, q.body, q.tags],
  );
  return rows[0] as QuestionRow;
}

export async function getQuestion(db: Queryable, id: number): Promise<QuestionRow | undefined> {
  const { rows } = await db.query<QuestionRow>(`select ${columns} from questions where id = $1`, [id]);
  return rows[0];
}

/** Records the accepted answer; false when the answer does not belong to the question. */
export async function setAcceptedAnswer(db: Queryable, questionId: number, answerId: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `update questions set accepted_answer_id = $2
      where id = $1 and exists (select 1 from answers where id = $2 and question_id = $1)`,
    [questionId, answerId],
  );
  return rowCount === 1;
}
