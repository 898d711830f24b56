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

const TEMPLATE_HEAD = '{"questionId":0';
const TEMPLATE_TAIL = '""}';

/**
 * Stores a question and its `question.asked` message in one statement: atomic without BEGIN and
 * COMMIT, and one round trip where the transaction took five. The body is the caller's (built by
 * packages/contracts' questionAskedTemplate): JSON text whose first member is `"questionId":0` and
 * whose last is `"askedAt":""`; this statement puts in the stored row's id and created_at (as
 * JavaScript's toISOString writes it), and nothing else of it. Undefined, and nothing written, when
 * the asker does not exist.
 */
export async function askQuestion(
  db: Queryable,
  q: { askerId: number; title: string; body: string; tags: string[] },
  announce: { destination: Destination; message: Pick<OutgoingMessage, 'id' | 'type' | 'headers'>; bodyTemplate: string },
): Promise<QuestionRow | undefined> {
  if (!announce.bodyTemplate.startsWith(TEMPLATE_HEAD) || !announce.bodyTemplate.endsWith(TEMPLATE_TAIL)) {
    throw new Error('a question.asked body template starts with "questionId":0 and ends with "askedAt":"" (questionAskedTemplate)');
  }
  const { rows } = await db.query<QuestionRow>(
    `with asked as (
       insert into questions (asker_id, title, body, tags)
       select id, $2::text, $3::text, $4::text[] from users where id = $1::bigint
       returning *
     ), announced as (
       insert into outbox (message_id, type, queue, exchange, routing_key, headers, body)
       select $5, $6, $7, $8, $9, $10,
         '{"questionId":' || id || substr($11::text, ${TEMPLATE_HEAD.length + 1}, length($11::text) - ${TEMPLATE_HEAD.length + TEMPLATE_TAIL.length})
           || to_json(to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))::text || '}'
       from asked
     )
     select ${columns} from asked`,
    [q.askerId, q.title, q.body, q.tags, ...outboxEnvelope(announce.destination, announce.message), announce.bodyTemplate],
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
