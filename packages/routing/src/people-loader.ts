import {
  getActiveRankingModel, loadAnswerFacts, loadAskPreferences, loadLastAsked, loadPeopleExpertise, streamAnswerFacts, streamPeopleExpertise, type Pool, type Queryable,
} from '@qr/db';
import type { Log } from '@qr/lemur';
import { DEFAULT_MODEL, parseModel, PeopleIndex, PersonActivity, type AskPreferences, type RankingModel, type TermValues } from '@qr/matching';

/** A person as the engine holds them: their terms and their activity. */
export interface LoadedPerson {
  terms: [string, TermValues][];
  activity: PersonActivity;
}

/**
 * These people (`undefined`: everyone who answered or asked) as the engine holds them, read from
 * Postgres: their terms as stored, their answers replayed into their activity, their last question.
 */
export async function loadPeople(db: Queryable, userIds: number[] | undefined): Promise<Map<number, LoadedPerson>> {
  const [terms, answers, asked] = await Promise.all([loadPeopleExpertise(db, userIds), loadAnswerFacts(db, userIds), loadLastAsked(db, userIds)]);
  const people = new Map<number, LoadedPerson>();
  const person = (userId: number): LoadedPerson => {
    let p = people.get(userId);
    if (!p) people.set(userId, (p = { terms: [], activity: new PersonActivity() }));
    return p;
  };
  for (const row of terms) person(row.userId).terms.push([row.term, row.values]);
  for (const fact of answers) person(fact.userId).activity.add(fact); // oldest first
  for (const { userId, at } of asked) person(userId).activity.asked(at);
  return people;
}

/** Reads these people again into `index`: each replaced as Postgres has them, or forgotten when it has nothing of them. */
export async function rereadPeople(db: Queryable, index: PeopleIndex, userIds: number[]): Promise<void> {
  const people = await loadPeople(db, userIds);
  for (const userId of userIds) {
    const person = people.get(userId);
    if (person) index.setPerson(userId, person.terms, person.activity);
    else index.forget(userId);
  }
}

const NO_TERMS = new Map<string, TermValues>();

/**
 * Everyone (who answered or asked) in a new engine, read from Postgres as streams (COPY): their terms
 * row by row, their answers replayed into their activity, oldest first, their last question. What
 * `loadPeople` gives for some people, for everyone, without holding the rows as objects (a million
 * people are ~100M term entries); the same people and values (live-people's tests).
 */
export async function loadIndex(pool: Pool): Promise<PeopleIndex> {
  const index = new PeopleIndex();
  const termIds: number[] = []; // the stream's term numbers -> the index's
  await streamPeopleExpertise(
    pool,
    (userId, term, values) => index.loadTerm(userId, termIds[term] as number, values), // rows unique per (term, person)
    (term, text) => (termIds[term] = index.termIdOf(text)),
  );
  index.finishLoading();
  await streamAnswerFacts(pool, (fact) => index.addAnswer(fact.userId, NO_TERMS, fact));
  for (const { userId, at } of await loadLastAsked(pool, undefined)) index.asked(userId, at);
  return index;
}

/** The ask limits and pauses these people (`undefined`: everyone) set. */
export async function loadPreferences(db: Queryable, userIds: number[] | undefined): Promise<Map<number, AskPreferences>> {
  const rows = await loadAskPreferences(db, userIds);
  return new Map(rows.map((r) => [r.userId, { maxAsksPerDay: r.maxAsksPerDay, pausedUntil: r.pausedUntil }]));
}

/** The active model and its version, or the default (version undefined) when none is active or it cannot be read. */
export async function loadActiveModel(db: Queryable, log: Log): Promise<{ version: number | undefined; model: RankingModel }> {
  const row = await getActiveRankingModel(db);
  if (!row) return { version: undefined, model: DEFAULT_MODEL };
  try {
    return { version: row.version, model: parseModel(row.model) };
  } catch (error) {
    log.error({ err: error, version: row.version }, 'the active ranking model cannot be read; ranking with the default model');
    return { version: undefined, model: DEFAULT_MODEL };
  }
}
