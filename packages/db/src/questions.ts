import type { Destination, OutgoingMessage } from '@qr/lemur';
import { outboxEnvelope } from './outbox.js';
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

/** Stores a question alone (no message): for tools that publish by other means, like the scale-out benchmark. */
export async function insertQuestion(db: Queryable, q: { askerId: number; title: string; body: string; tags: string[] }): Promise<QuestionRow> {
  const { rows } = await db.query<QuestionRow>(
    `insert into questions (asker_id, title, body, tags) values ($1, $2, $3, $4) returning ${columns}`,
    [q.askerId, q.title, q.body, q.tags],
  );
  return rows[0] as QuestionRow;
}

/**
 * Stores a question and its `question.asked` message in one statement: atomic without BEGIN and
 * COMMIT, and one round trip where the transaction took five. The message body is made here, from
 * the row the insert returns (its id and created_at), in the shape of DESIGN.md's question.asked:
 * `{ questionId, askerId, title, body, tags, askedAt }` with askedAt as JavaScript's toISOString
 * writes it. Undefined, and nothing written, when the asker does not exist.
 */
export async function askQuestion(
  db: Queryable,
  q: { askerId: number; title: string; body: string; tags: string[] },
  announce: { destination: Destination; message: Pick<OutgoingMessage, 'id' | 'type' | 'headers'> },
): Promise<QuestionRow | undefined> {
  const { rows } = await db.query<QuestionRow>(
    `with asked as (
       insert into questions (asker_id, title, body, tags)
       select id, $2::text, $3::text, $4::text[] from users where id = $1::bigint
       returning *
     ), announced as (
       insert into outbox (message_id, type, queue, exchange, routing_key, headers, body)
       select $5, $6, $7, $8, $9, $10, json_build_object(
         'questionId', id, 'askerId', asker_id, 'title', title, 'body', body, 'tags', tags,
         'askedAt', to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text
       from asked
     )
     select ${columns} from asked`,
    [q.askerId, q.title, q.body, q.tags, ...outboxEnvelope(announce.destination, announce.message)],
  );
  return rows[0];
}

export async function getQuestion(db: Queryable, id: number): Promise<QuestionRow | undefined> {
  const { rows } = await db.query<QuestionRow>(`select ${columns} from questions where id = $1`, [id]);
  return rows[0];
}

/**
 * Records the accepted answer, in one statement. 'accepted' when it changed; 'unchanged' when that
 * answer was already the accepted one (nothing to tell anyone); 'not_an_answer' when the answer does
 * not belong to the question.
 */
export async function setAcceptedAnswer(db: Queryable, questionId: number, answerId: number): Promise<'accepted' | 'unchanged' | 'not_an_answer'> {
  const { rows } = await db.query<{ outcome: 'accepted' | 'unchanged' | 'not_an_answer' }>(
    `with answer as (select 1 from answers where id = $2 and question_id = $1),
          accepted as (
            update questions set accepted_answer_id = $2
             where id = $1 and accepted_answer_id is distinct from $2 and exists (select 1 from answer)
             returning 1)
     select case when exists (select 1 from accepted) then 'accepted'
                 when exists (select 1 from answer) then 'unchanged'
                 else 'not_an_answer' end as outcome`,
    [questionId, answerId],
  );
  return (rows[0] as { outcome: 'accepted' | 'unchanged' | 'not_an_answer' }).outcome;
}
