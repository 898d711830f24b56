import type { Queryable } from './pool.js';

export interface AnswerRow {
  id: number;
  questionId: number;
  userId: number;
  body: string;
  score: number;
  accepted: boolean;
  createdAt: Date;
  /** who asked its question: an answer by them teaches nothing about them */
  askerId: number;
}

export async function insertAnswer(db: Queryable, a: { questionId: number; userId: number; body: string }): Promise<{ id: number; createdAt: Date }> {
  const { rows } = await db.query<{ id: number; createdAt: Date }>(
    'insert into answers (question_id, user_id, body) values ($1, $2, $3) returning id, created_at as "createdAt"',
    [a.questionId, a.userId, a.body],
  );
  return rows[0] as { id: number; createdAt: Date };
}

export async function getAnswer(db: Queryable, id: number): Promise<AnswerRow | undefined> {
  const { rows } = await db.query<AnswerRow>(
    `select a.id, a.question_id as "questionId", a.user_id as "userId", a.body, a.score, a.created_at as "createdAt",
            coalesce(q.accepted_answer_id = a.id, false) as accepted, q.asker_id as "askerId"
       from answers a join questions q on q.id = a.question_id
      where a.id = $1`,
    [id],
  );
  return rows[0];
}

export async function listAnswerIdsOfQuestion(db: Queryable, questionId: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>('select id from answers where question_id = $1 order by id', [questionId]);
  return rows.map((r) => r.id);
}

/**
 * Records a person's vote (a second vote by the same person replaces the first) and moves the
 * answer's score by the difference. Run it inside a transaction. Returns the score and whether the
 * vote changed anything (the same vote again changes nothing: nothing to tell anyone), or undefined
 * for an unknown answer.
 */
export async function upsertVote(db: Queryable, v: { answerId: number; userId: number; value: 1 | -1 }): Promise<{ score: number; changed: boolean } | undefined> {
  // Lock the answer: two votes on it (even two first votes by one person) apply one after the other.
  const { rowCount } = await db.query('select 1 from answers where id = $1 for update', [v.answerId]);
  if (rowCount !== 1) return undefined;
  const { rows: previous } = await db.query<{ value: number }>(
    'select value from votes where answer_id = $1 and user_id = $2 for update',
    [v.answerId, v.userId],
  );
  const before = previous[0]?.value ?? 0;
  if (before !== v.value) {
    await db.query(
      `insert into votes (answer_id, user_id, value) values ($1, $2, $3)
       on conflict (answer_id, user_id) do update set value = excluded.value, created_at = now()`,
      [v.answerId, v.userId, v.value],
    );
  }
  const { rows } = await db.query<{ score: number }>(
    'update answers set score = score + $2 where id = $1 returning score',
    [v.answerId, v.value - before],
  );
  return { score: rows[0]?.score as number, changed: before !== v.value };
}
