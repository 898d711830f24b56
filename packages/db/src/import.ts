import type { Queryable } from './pool.js';
import type { QuestionRow } from './questions.js';

/**
 * Imports of another site's data (e.g. a Stack Exchange dump). Imported rows carry the source's name
 * and the id they had there, (source, external_id) is unique per table: every insert here is a
 * batch (`unnest`) that leaves rows already present as they are and returns only what it inserted.
 */

export interface ImportedRow {
  externalId: number;
  id: number;
}

export interface ImportUser {
  externalId: number;
  name: string;
  email: string;
}

export interface ImportQuestion {
  externalId: number;
  askerId: number;
  title: string;
  body: string;
  tags: string[];
  createdAt: Date;
}

export interface ImportAnswer {
  externalId: number;
  questionId: number;
  userId: number;
  body: string;
  score: number;
  createdAt: Date;
}

const byExternalId = <T extends { externalId: number }>(rows: T[]): T[] => [...rows].sort((a, b) => a.externalId - b.externalId);

/**
 * Inserts the users not present yet. A user whose email is taken (case-insensitively) by another
 * user is not inserted either: `findImportedUserIds` will not find it.
 */
export async function insertImportedUsers(db: Queryable, source: string, users: ImportUser[]): Promise<ImportedRow[]> {
  if (users.length === 0) return [];
  const sorted = byExternalId(users); // one order for every import: concurrent ones do not deadlock
  const { rows } = await db.query<ImportedRow>(
    `insert into users (source, external_id, name, email)
     select $1, u.external_id, u.name, u.email from unnest($2::bigint[], $3::text[], $4::text[]) as u(external_id, name, email)
     on conflict do nothing
     returning external_id as "externalId", id`,
    [source, sorted.map((u) => u.externalId), sorted.map((u) => u.name), sorted.map((u) => u.email)],
  );
  return rows;
}

/** The ids of a source's users, by their external id (those not in the database are missing from the map). */
export async function findImportedUserIds(db: Queryable, source: string, externalIds: number[]): Promise<Map<number, number>> {
  const { rows } = await db.query<ImportedRow>(
    'select external_id as "externalId", id from users where source = $1 and external_id = any($2::bigint[])',
    [source, externalIds],
  );
  return new Map(rows.map((r) => [r.externalId, r.id]));
}

/** Inserts the questions not present yet, as history: matched_at is their creation time, so they are never matched or published. */
export async function insertImportedQuestions(db: Queryable, source: string, questions: ImportQuestion[]): Promise<ImportedRow[]> {
  if (questions.length === 0) return [];
  const sorted = byExternalId(questions);
  const { rows } = await db.query<ImportedRow>(
    `insert into questions (source, external_id, asker_id, title, body, tags, created_at, matched_at)
     select $1, q.external_id, q.asker_id, q.title, q.body, array(select jsonb_array_elements_text(q.tags)), q.created_at, q.created_at
       from unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::jsonb[], $7::timestamptz[])
            as q(external_id, asker_id, title, body, tags, created_at)
     on conflict (source, external_id) where source is not null do nothing
     returning external_id as "externalId", id`,
    [
      source, sorted.map((q) => q.externalId), sorted.map((q) => q.askerId), sorted.map((q) => q.title), sorted.map((q) => q.body),
      sorted.map((q) => JSON.stringify(q.tags)), sorted.map((q) => q.createdAt),
    ],
  );
  return rows;
}

/** The ids of a source's questions, by their external id (those not in the database are missing from the map). */
export async function findImportedQuestionIds(db: Queryable, source: string, externalIds: number[]): Promise<Map<number, number>> {
  const { rows } = await db.query<ImportedRow>(
    'select external_id as "externalId", id from questions where source = $1 and external_id = any($2::bigint[])',
    [source, externalIds],
  );
  return new Map(rows.map((r) => [r.externalId, r.id]));
}

export async function insertImportedAnswers(db: Queryable, source: string, answers: ImportAnswer[]): Promise<ImportedRow[]> {
  if (answers.length === 0) return [];
  const sorted = byExternalId(answers);
  const { rows } = await db.query<ImportedRow>(
    `insert into answers (source, external_id, question_id, user_id, body, score, created_at)
     select $1, a.external_id, a.question_id, a.user_id, a.body, a.score, a.created_at
       from unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::int[], $7::timestamptz[])
            as a(external_id, question_id, user_id, body, score, created_at)
     on conflict (source, external_id) where source is not null do nothing
     returning external_id as "externalId", id`,
    [
      source, sorted.map((a) => a.externalId), sorted.map((a) => a.questionId), sorted.map((a) => a.userId), sorted.map((a) => a.body),
      sorted.map((a) => a.score), sorted.map((a) => a.createdAt),
    ],
  );
  return rows;
}

/**
 * A question names its accepted answer before that answer is loaded (answers come later in a dump,
 * maybe many batches later). Until then the acceptance waits in this table: a temporary one, so
 * it lives in Postgres (not in the importer's memory) and only as long as the importer's session.
 * Use one connection for every call about acceptances.
 */
export async function createPendingAcceptances(db: Queryable): Promise<void> {
  await db.query(
    `create temporary table if not exists import_pending_acceptances (
       question_id bigint primary key,
       answer_external_id bigint not null
     )`,
  );
  await db.query('create index if not exists import_pending_acceptances_answer_idx on import_pending_acceptances (answer_external_id)');
}

/** Remembers the accepted answers (by external id) of these questions, for those with none set yet. */
export async function addPendingAcceptances(
  db: Queryable, source: string, acceptances: { questionExternalId: number; answerExternalId: number }[],
): Promise<number> {
  if (acceptances.length === 0) return 0;
  const { rowCount } = await db.query(
    `insert into import_pending_acceptances (question_id, answer_external_id)
     select q.id, p.answer_external_id
       from unnest($2::bigint[], $3::bigint[]) as p(question_external_id, answer_external_id)
       join questions q on q.source = $1 and q.external_id = p.question_external_id
      where q.accepted_answer_id is null
     on conflict (question_id) do nothing`,
    [source, acceptances.map((a) => a.questionExternalId), acceptances.map((a) => a.answerExternalId)],
  );
  return rowCount ?? 0;
}

/**
 * Sets the accepted answer of the waiting questions whose answer now exists (an answer of that
 * question), looking only at these answers and these questions. Returns how many were set.
 */
export async function applyPendingAcceptances(
  db: Queryable, source: string, which: { answerExternalIds: number[]; questionExternalIds: number[] },
): Promise<number> {
  const { rowCount } = await db.query(
    `with applied as (
       update questions q set accepted_answer_id = a.id
         from import_pending_acceptances p
         join answers a on a.source = $1 and a.external_id = p.answer_external_id
        where q.id = p.question_id and a.question_id = q.id and q.accepted_answer_id is null
          and (p.answer_external_id = any($2::bigint[]) or (q.source = $1 and q.external_id = any($3::bigint[])))
       returning q.id
     )
     delete from import_pending_acceptances p using applied where p.question_id = applied.id`,
    [source, which.answerExternalIds, which.questionExternalIds],
  );
  return rowCount ?? 0;
}

/** Acceptances still waiting: their answer was not imported. */
export async function countPendingAcceptances(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>('select count(*)::int as n from import_pending_acceptances');
  return rows[0]?.n ?? 0;
}

export async function dropPendingAcceptances(db: Queryable): Promise<void> {
  await db.query('drop table if exists import_pending_acceptances');
}

/** How many users, questions and answers of a source are in the database. */
export async function countImported(db: Queryable, source: string): Promise<{ users: number; questions: number; answers: number }> {
  const { rows } = await db.query<{ users: number; questions: number; answers: number }>(
    `select (select count(*)::int from users where source = $1) as users,
            (select count(*)::int from questions where source = $1) as questions,
            (select count(*)::int from answers where source = $1) as answers`,
    [source],
  );
  return rows[0] ?? { users: 0, questions: 0, answers: 0 };
}

export async function countImportedQuestionsWithoutTerms(db: Queryable, source: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `select count(*)::int as n from questions q
      where q.source = $1 and not exists (select 1 from question_terms t where t.question_id = q.id)`,
    [source],
  );
  return rows[0]?.n ?? 0;
}

/** A page of a source's questions whose terms are not stored yet, in id order after `afterId`. */
export async function listImportedQuestionsWithoutTerms(db: Queryable, source: string, afterId: number, limit: number): Promise<QuestionRow[]> {
  const { rows } = await db.query<QuestionRow>(
    `select q.id, q.asker_id as "askerId", q.title, q.body, q.tags, q.created_at as "createdAt",
            q.accepted_answer_id as "acceptedAnswerId", q.matched_at as "matchedAt"
       from questions q
      where q.source = $1 and q.id > $2 and not exists (select 1 from question_terms t where t.question_id = q.id)
      order by q.id
      limit $3`,
    [source, afterId, limit],
  );
  return rows;
}

/** A page of the ids of a source's answers, in id order after `afterId`. */
export async function listImportedAnswerIds(db: Queryable, source: string, afterId: number, limit: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    'select id from answers where source = $1 and id > $2 order by id limit $3',
    [source, afterId, limit],
  );
  return rows.map((r) => r.id);
}
