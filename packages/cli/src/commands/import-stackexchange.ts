import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import {
  addPendingAcceptances, applyPendingAcceptances, countImported, countImportedQuestionsWithoutTerms, countPendingAcceptances, createPendingAcceptances,
  dropPendingAcceptances, findImportedQuestionIds, findImportedUserIds, insertImportedAnswers, insertImportedQuestions, insertImportedUsers,
  listImportedAnswerIds, listImportedQuestionsWithoutTerms, withTransaction, type ImportAnswer, type ImportQuestion, type ImportUser, type PoolClient,
} from '@qr/db';
import { countAnswer, ensureQuestionTerms } from '@qr/routing';
import { dumpDate, readPosts, type SeAnswer, type SePost, type SeQuestion } from '@qr/stackexchange';
import type { CliContext } from '../context.js';
import { progress, table, UsageError, type Output } from '../output.js';

export interface ImportStackExchangeOptions {
  /** Namespaces the dump's ids; defaults to the name of the folder the file is in. */
  source?: string;
}

export interface ImportSummary {
  source: string;
  users: { inserted: number; alreadyPresent: number };
  questions: { inserted: number; alreadyPresent: number };
  answers: { inserted: number; alreadyPresent: number };
  acceptedAnswers: { set: number; notImported: number };
  /** Rows not imported, by reason, with the first example of each. */
  skipped: Map<string, { rows: number; example: string }>;
  expertise: { questionTermsStored: number; answersChecked: number; answersCounted: number };
  seconds: number;
}

const BATCH = 500;
/** The placeholder asker of the questions without an owner (one per source). Stack Exchange's own "Community" user is -1 too. */
const PLACEHOLDER_USER = -1;
const SOURCE = /^[a-z0-9](?:[a-z0-9.-]{0,61}[a-z0-9])?$/;

const userName = (id: number): string => (id === PLACEHOLDER_USER ? '(deleted user)' : `Stack Exchange user ${id}`);
const userEmail = (id: number, source: string): string => `${id}@${source}.stackexchange.invalid`;

/**
 * `lemur import stackexchange <Posts.xml>`: loads a Stack Exchange dump's users, questions and answers
 * (tags, scores, creation times, accepted answers) in batches, streaming, then builds the expertise
 * the answers teach as if they had just been posted. Importing the same file again inserts and
 * changes nothing. Imported questions are history: marked matched, never published.
 */
export async function importStackExchange(ctx: CliContext, io: Output, path: string, options: ImportStackExchangeOptions): Promise<ImportSummary> {
  const started = performance.now();
  const file = resolve(path);
  if (options.source !== undefined) sourceName(file, options.source); // a wrong argument first (exit 2), then a missing file
  const totalBytes = await fileSize(file);
  const source = sourceName(file, options.source);

  const before = await countImported(ctx.pool, source);
  const tally = newTally();
  const client = await ctx.pool.connect();
  try {
    await createPendingAcceptances(client);
    await load(client, source, file, totalBytes, tally);
    tally.acceptedNotImported = await countPendingAcceptances(client);
  } finally {
    await dropPendingAcceptances(client).catch(() => {});
    client.release();
  }
  if (tally.postsRead === 0 && tally.skipped.size === 0) io.err(`lemur: no question or answer in ${file}; is it a Stack Exchange Posts.xml?`);

  const expertise = await buildExpertise(ctx, source);
  const summary: ImportSummary = {
    source,
    users: { inserted: tally.usersInserted, alreadyPresent: before.users },
    questions: { inserted: tally.questionsInserted, alreadyPresent: tally.questionsPresent },
    answers: { inserted: tally.answersInserted, alreadyPresent: tally.answersPresent },
    acceptedAnswers: { set: tally.acceptedSet, notImported: tally.acceptedNotImported },
    skipped: tally.skipped,
    expertise,
    seconds: (performance.now() - started) / 1000,
  };
  printSummary(io, file, summary);
  return summary;
}

function sourceName(file: string, given: string | undefined): string {
  const name = (given ?? basename(dirname(file))).toLowerCase();
  if (SOURCE.test(name)) return name;
  throw new UsageError(
    given === undefined
      ? `the folder name "${basename(dirname(file))}" cannot be the source name (letters, digits, dots and dashes): give --source <name>`
      : `--source must be letters, digits, dots and dashes (at most 63), e.g. beer; got "${given}"`,
  );
}

async function fileSize(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(code === 'ENOENT' ? `${file}: no such file` : `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!info.isFile()) throw new Error(`${file} is not a file`);
  return info.size;
}

interface Tally {
  postsRead: number;
  usersInserted: number;
  questionsInserted: number;
  questionsPresent: number;
  answersInserted: number;
  answersPresent: number;
  acceptedSet: number;
  acceptedNotImported: number;
  skipped: Map<string, { rows: number; example: string }>;
}

const newTally = (): Tally => ({
  postsRead: 0, usersInserted: 0, questionsInserted: 0, questionsPresent: 0, answersInserted: 0, answersPresent: 0, acceptedSet: 0, acceptedNotImported: 0,
  skipped: new Map(),
});

function skip(tally: Tally, reason: string, example: string): void {
  const entry = tally.skipped.get(reason);
  if (entry) entry.rows += 1;
  else tally.skipped.set(reason, { rows: 1, example });
}

/** Streams the file into the database, a batch of posts at a time. */
async function load(client: PoolClient, source: string, file: string, totalBytes: number, tally: Tally): Promise<void> {
  const kib = (bytes: number): number => Math.ceil(bytes / 1024);
  const bar = progress(`reading ${basename(file)} (KiB)`, kib(totalBytes));
  try {
    let batch: SePost[] = [];
    const posts = readPosts(file, {
      onProgress: (bytesRead) => bar.update(kib(bytesRead)),
      // "bad CreationDate "yesterday" on post 8": counted under "malformed row: bad CreationDate"
      onMalformed: (reason) => skip(tally, `malformed row: ${reason.split(' "')[0] ?? reason}`, reason),
    });
    for await (const post of posts) {
      tally.postsRead += 1;
      batch.push(post);
      if (batch.length >= BATCH) {
        await loadBatch(client, source, batch, tally);
        batch = [];
      }
    }
    await loadBatch(client, source, batch, tally);
  } finally {
    bar.stop();
  }
}

async function loadBatch(client: PoolClient, source: string, posts: SePost[], tally: Tally): Promise<void> {
  if (posts.length === 0) return;
  const questions = posts.filter((p): p is SeQuestion => p.kind === 'question');
  const answers: SeAnswer[] = [];
  for (const answer of posts) {
    if (answer.kind !== 'answer') continue;
    if (answer.ownerUserId === undefined) skip(tally, 'answer without OwnerUserId', `answer ${answer.id}`);
    else if (answer.ownerUserId === PLACEHOLDER_USER) skip(tally, 'answer by the Community user (-1)', `answer ${answer.id}`);
    else answers.push(answer);
  }

  // Users: every owner of the batch, and the placeholder for questions without one.
  const asker = (q: SeQuestion): number => q.ownerUserId ?? PLACEHOLDER_USER;
  const owners = [...new Set([...questions.map(asker), ...answers.map((a) => a.ownerUserId as number)])];
  const users: ImportUser[] = owners.map((id) => ({ externalId: id, name: userName(id), email: userEmail(id, source) }));
  tally.usersInserted += (await insertImportedUsers(client, source, users)).length;
  const userIds = await findImportedUserIds(client, source, owners);

  const questionRows: ImportQuestion[] = [];
  for (const q of questions) {
    const askerId = userIds.get(asker(q));
    if (askerId === undefined) skip(tally, 'owner not stored (their email is taken by another user)', `question ${q.id}`);
    else questionRows.push({ externalId: q.id, askerId, title: q.title, body: q.body, tags: q.tags, createdAt: dumpDate(q.createdAt) });
  }
  const questionsInserted = (await insertImportedQuestions(client, source, questionRows)).length;
  tally.questionsInserted += questionsInserted;
  tally.questionsPresent += questionRows.length - questionsInserted;
  await addPendingAcceptances(
    client, source,
    questions.flatMap((q) => (q.acceptedAnswerId === undefined ? [] : [{ questionExternalId: q.id, answerExternalId: q.acceptedAnswerId }])),
  );

  // Answers: their question may be in this batch (inserted above), an earlier one or an earlier import.
  const parentIds = await findImportedQuestionIds(client, source, [...new Set(answers.map((a) => a.parentId))]);
  const answerRows: ImportAnswer[] = [];
  for (const a of answers) {
    const questionId = parentIds.get(a.parentId);
    const userId = userIds.get(a.ownerUserId as number);
    if (questionId === undefined) skip(tally, 'answer to a question not in the database', `answer ${a.id} to question ${a.parentId}`);
    else if (userId === undefined) skip(tally, 'owner not stored (their email is taken by another user)', `answer ${a.id}`);
    else answerRows.push({ externalId: a.id, questionId, userId, body: a.body, score: a.score, createdAt: dumpDate(a.createdAt) });
  }
  const answersInserted = (await insertImportedAnswers(client, source, answerRows)).length;
  tally.answersInserted += answersInserted;
  tally.answersPresent += answerRows.length - answersInserted;

  tally.acceptedSet += await applyPendingAcceptances(client, source, {
    answerExternalIds: answerRows.map((a) => a.externalId),
    questionExternalIds: questions.map((q) => q.id),
  });
}

/**
 * What the imported answers teach: each question's terms stored once (unanswered ones count for
 * IDF too), then each answer counted for its author, as when it was posted (nothing for an answer
 * to one's own question). Pages through ids in the database; both steps are idempotent.
 */
async function buildExpertise(ctx: CliContext, source: string): Promise<ImportSummary['expertise']> {
  const result = { questionTermsStored: 0, answersChecked: 0, answersCounted: 0 };

  const questionBar = progress('question terms', await countImportedQuestionsWithoutTerms(ctx.pool, source));
  try {
    for (let after = 0; ;) {
      const page = await listImportedQuestionsWithoutTerms(ctx.pool, source, after, BATCH);
      if (page.length === 0) break;
      for (const question of page) {
        await withTransaction(ctx.pool, (client) => ensureQuestionTerms(client, question));
        result.questionTermsStored += 1;
        questionBar.update(result.questionTermsStored);
      }
      after = (page.at(-1) as { id: number }).id;
    }
  } finally {
    questionBar.stop();
  }

  const answerBar = progress('answer expertise', (await countImported(ctx.pool, source)).answers);
  try {
    for (let after = 0; ;) {
      const ids = await listImportedAnswerIds(ctx.pool, source, after, BATCH);
      if (ids.length === 0) break;
      for (const id of ids) {
        const { counted } = await countAnswer(ctx.pool, id);
        result.answersChecked += 1;
        if (counted) result.answersCounted += 1;
        answerBar.update(result.answersChecked);
      }
      after = ids.at(-1) as number;
    }
  } finally {
    answerBar.stop();
  }
  return result;
}

function printSummary(io: Output, file: string, s: ImportSummary): void {
  io.out(`imported ${file} as source "${s.source}" in ${s.seconds.toFixed(1)} s`);
  io.out(table(['', 'inserted', 'already present'], [
    ['users', s.users.inserted, s.users.alreadyPresent],
    ['questions', s.questions.inserted, s.questions.alreadyPresent],
    ['answers', s.answers.inserted, s.answers.alreadyPresent],
  ]));
  io.out(`accepted answers: ${s.acceptedAnswers.set} set${s.acceptedAnswers.notImported ? `, ${s.acceptedAnswers.notImported} not imported (the question keeps none)` : ''}`);
  const skippedRows = [...s.skipped.values()].reduce((n, v) => n + v.rows, 0);
  if (skippedRows === 0) io.out('skipped: none');
  else {
    io.out(`skipped ${skippedRows} row(s):`);
    io.out(table(['reason', 'rows', 'first'], [...s.skipped].map(([reason, v]) => [reason, v.rows, v.example])));
  }
  io.out(
    `expertise: terms stored for ${s.expertise.questionTermsStored} question(s); ` +
      `${s.expertise.answersChecked} answer(s) checked, ${s.expertise.answersCounted} counted for their author`,
  );
}
