import type pg from 'pg';
import { copyOut } from './copy-out.js';
import type { Queryable } from './pool.js';

export interface StoredQuestionTerms {
  terms: Record<string, number>;
  surface: Record<string, string>;
}

export async function getQuestionTerms(db: Queryable, questionId: number): Promise<StoredQuestionTerms | undefined> {
  const { rows } = await db.query<StoredQuestionTerms>('select terms, surface from question_terms where question_id = $1', [questionId]);
  return rows[0];
}

/**
 * Stores a question's terms once and counts them in the document frequencies. A second call for the
 * same question changes nothing and returns false. One statement: the frequency rows of common terms
 * are shared by every matcher, and are locked only until it commits.
 */
export async function insertQuestionTerms(db: Queryable, questionId: number, stored: StoredQuestionTerms): Promise<boolean> {
  const terms = Object.keys(stored.terms).sort(); // a fixed order avoids deadlocks between matchers
  // one statement: the terms are counted only if this question's row was new, atomically, in one round trip
  const { rows } = await db.query<{ stored: number }>(
    `with stored as (
       insert into question_terms (question_id, terms, surface) values ($1, $2, $3)
       on conflict (question_id) do nothing returning question_id
     ), counted as (
       insert into term_document_frequency (term, documents)
       select t, 1 from unnest($4::text[]) with ordinality as u(t, n) where exists (select 1 from stored) order by n
       on conflict (term) do update set documents = term_document_frequency.documents + 1
     )
     select count(*)::int as stored from stored`,
    [questionId, JSON.stringify(stored.terms), JSON.stringify(stored.surface), terms],
  );
  return rows[0]?.stored === 1;
}

/** How many questions have terms, and the document frequency of these terms (`undefined`: of every term). */
export async function getCorpusStats(db: Queryable, terms: string[] | undefined): Promise<{ documents: number; documentFrequency: Map<string, number> }> {
  // How many questions have terms: Postgres's own estimate once the table is large (no hot counter
  // row for every matcher to update), the exact count while it is small (counting 10k rows took
  // 14 ms a question in bench/end-to-end/profile-match.ts).
  const [{ rows: corpus }, { rows }] = await Promise.all([
    db.query<{ documents: number }>(
      `select case when c.reltuples >= 1000 then c.reltuples::int else (select count(*)::int from question_terms) end as documents
         from pg_class c where c.oid = 'question_terms'::regclass`,
    ),
    terms
      ? db.query<{ term: string; documents: number }>('select term, documents from term_document_frequency where term = any($1::text[])', [terms])
      : db.query<{ term: string; documents: number }>('select term, documents from term_document_frequency'),
  ]);
  return { documents: corpus[0]?.documents ?? 0, documentFrequency: new Map(rows.map((r) => [r.term, r.documents])) };
}

/** What a person holds for one term (packages/matching's TermValues, as stored). */
export interface StoredTermValues {
  expertise: number;
  recent: number;
  tagRecent: number;
}

/**
 * Marks an answer counted for its author, once: true only for the call that inserted the mark (a
 * redelivery, a replay or a concurrent counter gets false and must add nothing). `counted` is 1, or
 * 0 for an answer that teaches nothing (one's own question). Run it in the transaction that adds the
 * answer's terms, so the mark and the terms commit together.
 */
export async function markAnswerCounted(db: Queryable, answerId: number, userId: number, counted: 0 | 1): Promise<boolean> {
  const { rowCount } = await db.query(
    'insert into answer_contributions (answer_id, user_id, quality) values ($1, $2, $3) on conflict (answer_id) do nothing',
    [answerId, userId, counted],
  );
  return rowCount === 1;
}

/** Adds values to a person's terms, term by term (in term order: concurrent writers take row locks in one order). */
export async function addUserExpertise(db: Queryable, userId: number, deltas: ReadonlyMap<string, StoredTermValues>): Promise<void> {
  const entries = [...deltas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return;
  await db.query(
    `insert into user_expertise (term, user_id, weight, recent_weight, recent_count)
     select t, $1, w, r, c from unnest($2::text[], $3::float8[], $4::float8[], $5::float8[]) as d(t, w, r, c)
     on conflict (term, user_id) do update
       set weight = user_expertise.weight + excluded.weight,
           recent_weight = user_expertise.recent_weight + excluded.recent_weight,
           recent_count = user_expertise.recent_count + excluded.recent_count`,
    [userId, entries.map(([t]) => t), entries.map(([, v]) => v.expertise), entries.map(([, v]) => v.recent), entries.map(([, v]) => v.tagRecent)],
  );
}

/** These people's terms (`undefined`: everyone's), as stored (forward-decayed). */
export async function loadPeopleExpertise(db: Queryable, userIds: number[] | undefined): Promise<{ userId: number; term: string; values: StoredTermValues }[]> {
  const { rows } = await db.query<{ userId: number; term: string; expertise: number; recent: number; tagRecent: number }>(
    `select user_id as "userId", term, weight as expertise, recent_weight as recent, recent_count as "tagRecent"
       from user_expertise where ($1::bigint[] is null or user_id = any($1))`,
    [userIds ?? null],
  );
  return rows.map((r) => ({ userId: r.userId, term: r.term, values: { expertise: r.expertise, recent: r.recent, tagRecent: r.tagRecent } }));
}

/**
 * Everyone's terms as stored, row by row, streamed (COPY): a matcher's start reads every entry (100M
 * for a million people) without holding them as objects. In no particular order (the table's). Terms
 * come as numbers, each named once (to `term`) before its first row.
 * Binary: the values read are the doubles stored, bit for bit.
 */
export async function streamPeopleExpertise(
  pool: pg.Pool,
  each: (userId: number, termId: number, values: StoredTermValues) => void,
  term: (termId: number, text: string) => void,
): Promise<number> {
  const values: StoredTermValues = { expertise: 0, recent: 0, tagRecent: 0 }; // reused: `each` copies what it keeps
  let named = 0;
  return copyOut(pool, 'select user_id, term, weight, recent_weight, recent_count from user_expertise', (row) => {
    // terms repeat: each is numbered once (0, 1, 2, ... as first seen) and named to `term` then
    const termId = row.textId(1);
    if (termId === named) term(named++, row.textOf(termId));
    values.expertise = row.float(2);
    values.recent = row.float(3);
    values.tagRecent = row.float(4);
    each(row.int(0), termId, values);
  });
}

/** Who holds any of these terms: the people a question's words can reach (for a ranking read from the database). */
export async function findTermHolders(db: Queryable, terms: string[]): Promise<number[]> {
  const { rows } = await db.query<{ userId: number }>('select distinct user_id as "userId" from user_expertise where term = any($1::text[])', [terms]);
  return rows.map((r) => r.userId);
}

/** A page of answers not counted yet (no contribution row), in id order after `afterId`: what a rebuild counts. */
export async function listUncountedAnswerIds(db: Queryable, afterId: number, limit: number): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `select a.id from answers a
      where a.id > $1 and not exists (select 1 from answer_contributions c where c.answer_id = a.id)
      order by a.id limit $2`,
    [afterId, limit],
  );
  return rows.map((r) => r.id);
}

/**
 * Tells every matcher (LISTEN people_changed) that what it knows of a person changed: an answer, an
 * acceptance, a vote, their preferences. Sent inside the transaction that changed them: Postgres
 * delivers it at commit, and only then.
 */
export async function notifyPeopleChanged(db: Queryable, userId: number): Promise<void> {
  // the time of the change is kept too (people_changes): a matcher starting from a snapshot reads again who changed since
  await db.query(
    `with changed as (
       insert into people_changes (user_id, changed_at) values ($1, clock_timestamp())
       on conflict (user_id) do update set changed_at = excluded.changed_at
     )
     select pg_notify('people_changed', $1::text)`,
    [userId],
  );
}

/** Who changed (notifyPeopleChanged) at or after `since`: what a snapshot taken then may not hold. */
export async function listPeopleChangedSince(db: Queryable, since: Date): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>('select user_id as id from people_changes where changed_at >= $1', [since]);
  return rows.map((r) => r.id);
}

/** What identifies this database (made by migration 012): a snapshot names the database it was taken of. */
export async function databaseIdentity(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ id: string }>('select id::text from database_identity');
  return rows[0]?.id ?? '';
}
