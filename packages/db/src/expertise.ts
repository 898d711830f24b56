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

/** Locks an answer's contribution row (creating it at quality 0) and returns the quality it currently counts with. */
export async function lockAnswerContribution(db: Queryable, answerId: number, userId: number): Promise<number> {
  await db.query('insert into answer_contributions (answer_id, user_id, quality) values ($1, $2, 0) on conflict (answer_id) do nothing', [answerId, userId]);
  const { rows } = await db.query<{ quality: number }>('select quality from answer_contributions where answer_id = $1 for update', [answerId]);
  return (rows[0] as { quality: number }).quality;
}

export async function setAnswerContribution(db: Queryable, answerId: number, quality: number): Promise<void> {
  await db.query('update answer_contributions set quality = $2, updated_at = now() where answer_id = $1', [answerId, quality]);
}

/** Adds weights to a person's expertise, term by term. */
export async function addUserExpertise(db: Queryable, userId: number, deltas: Map<string, number>): Promise<void> {
  const entries = [...deltas].filter(([, w]) => w !== 0).sort(([a], [b]) => (a < b ? -1 : 1));
  if (entries.length === 0) return;
  await db.query(
    `insert into user_expertise (term, user_id, weight)
     select t, $1, w from unnest($2::text[], $3::float8[]) as d(t, w)
     on conflict (term, user_id) do update set weight = user_expertise.weight + excluded.weight`,
    [userId, entries.map(([t]) => t), entries.map(([, w]) => w)],
  );
}

/** Everyone's positive expertise in any of these terms, term-major (term -> person -> weight): the candidates for a question. */
export async function loadExpertise(db: Queryable, terms: string[]): Promise<Map<string, Map<number, number>>> {
  const { rows } = await db.query<{ userId: number; term: string; weight: number }>(
    'select user_id as "userId", term, weight from user_expertise where term = any($1::text[]) and weight > 0',
    [terms],
  );
  const byTerm = new Map<string, Map<number, number>>();
  for (const row of rows) {
    let holders = byTerm.get(row.term);
    if (!holders) byTerm.set(row.term, (holders = new Map()));
    holders.set(row.userId, row.weight);
  }
  return byTerm;
}

/** Each person's whole expertise mass: the sum of the quality factors their answers count with (`undefined`: everyone's). */
export async function loadExpertiseTotals(db: Queryable, userIds: number[] | undefined): Promise<Map<number, number>> {
  const { rows } = await db.query<{ userId: number; total: number }>(
    'select user_id as "userId", sum(quality)::float8 as total from answer_contributions where ($1::bigint[] is null or user_id = any($1)) group by user_id',
    [userIds ?? null],
  );
  return new Map(rows.map((r) => [r.userId, r.total]));
}

/** These people's whole expertise rows (`undefined`: everyone's): for a matcher's in-memory copy. */
export async function loadPeopleExpertise(db: Queryable, userIds: number[] | undefined): Promise<{ userId: number; term: string; weight: number }[]> {
  const { rows } = await db.query<{ userId: number; term: string; weight: number }>(
    'select user_id as "userId", term, weight from user_expertise where weight > 0 and ($1::bigint[] is null or user_id = any($1))',
    [userIds ?? null],
  );
  return rows;
}

/**
 * Tells every matcher (LISTEN people_changed) that a person's expertise or answers changed. Sent
 * inside the transaction that changed them: Postgres delivers it at commit, and only then.
 */
export async function notifyPeopleChanged(db: Queryable, userId: number): Promise<void> {
  await db.query("select pg_notify('people_changed', $1::text)", [userId]);
}
