import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '@qr/cli';
import { createPool, type Pool } from '@qr/db';
import { createTestDatabase, type TestDatabase } from '@qr/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const fixture = fileURLToPath(new URL('../packages/stackexchange/test/fixtures/small-posts.xml', import.meta.url));
/** The real dump, outside the repository: ../shared/data from the repository root. */
const beerDump = fileURLToPath(new URL('../../shared/data/stackexchange/beer/Posts.xml', import.meta.url));

let db: TestDatabase;
let pool: Pool;
let scratch: string;

beforeAll(async () => {
  db = await createTestDatabase(adminUrl);
  pool = createPool(db.url, { onError: () => {} });
  scratch = await mkdtemp(join(tmpdir(), 'import-test-'));
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

const lemur = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (t) => out.push(t), err: (t) => err.push(t) }, { DATABASE_URL: db.url });
  return { code, out: out.join('\n'), err: err.join('\n') };
};

/** The "inserted" and "already present" figures of one row of the summary table. */
const figures = (out: string, what: 'users' | 'questions' | 'answers'): [number, number] => {
  const match = new RegExp(`│ ${what}\\s*│ (\\d+)\\s*│ (\\d+)\\s*│`).exec(out);
  if (!match) throw new Error(`no ${what} row in:\n${out}`);
  return [Number(match[1]), Number(match[2])];
};
/** The count of one reason in the "skipped" table. */
const skipped = (out: string, reason: string): number | undefined => {
  const line = out.split('\n').find((l) => l.startsWith(`│ ${reason} `));
  return line === undefined ? undefined : Number(line.split('│')[2]?.trim());
};

const count = async (sql: string, params: unknown[] = []): Promise<number> => (await pool.query<{ n: number }>(`select count(*)::int as n from (${sql}) x`, params)).rows[0]!.n;

/** Every table's row count, and the expertise model: what a second import must leave as it is. */
async function snapshot(): Promise<unknown> {
  const tables = ['users', 'questions', 'answers', 'votes', 'question_matches', 'outbox', 'question_terms', 'term_document_frequency', 'answer_contributions', 'user_expertise'];
  const counts = Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await count(`select 1 from ${t}`)] as const)));
  const { rows: weights } = await pool.query('select term, user_id, weight, recent_weight, recent_count from user_expertise order by term, user_id');
  const { rows: contributions } = await pool.query('select answer_id, user_id, quality, updated_at from answer_contributions order by answer_id');
  const { rows: documentFrequency } = await pool.query('select term, documents from term_document_frequency order by term');
  const { rows: questions } = await pool.query('select id, accepted_answer_id, matched_at from questions order by id');
  return { counts, weights, contributions, documentFrequency, questions };
}

describe('lemur import stackexchange', () => {
  it('imports the fixture: users, questions, answers, tags, scores, dates, the accepted answer and expertise; skips malformed rows; a second run changes nothing', async () => {
    const first = await lemur('import', 'stackexchange', fixture);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('as source "fixtures"'); // the folder's name
    expect(figures(first.out, 'users')).toEqual([4, 0]); // owners 10, 20, 21 and the placeholder for question 2
    expect(figures(first.out, 'questions')).toEqual([2, 0]);
    expect(figures(first.out, 'answers')).toEqual([3, 0]);
    expect(skipped(first.out, 'malformed row: bad Id')).toBe(1);
    expect(skipped(first.out, 'malformed row: bad ParentId')).toBe(1);
    expect(skipped(first.out, 'malformed row: bad CreationDate')).toBe(1);
    expect(first.out).toContain('bad CreationDate "yesterday" on post 8');
    expect(first.out).toContain('skipped 3 row(s)');
    expect(first.out).toContain('accepted answers: 1 set');
    expect(first.out).toContain('terms stored for 2 question(s); 3 answer(s) checked, 3 counted');

    const { rows: users } = await pool.query<{ externalId: number; name: string; email: string }>(
      `select external_id as "externalId", name, email from users where source = 'fixtures' order by external_id`,
    );
    expect(users).toEqual([
      { externalId: -1, name: '(deleted user)', email: '-1@fixtures.stackexchange.invalid' },
      { externalId: 10, name: 'Stack Exchange user 10', email: '10@fixtures.stackexchange.invalid' },
      { externalId: 20, name: 'Stack Exchange user 20', email: '20@fixtures.stackexchange.invalid' },
      { externalId: 21, name: 'Stack Exchange user 21', email: '21@fixtures.stackexchange.invalid' },
    ]);

    const { rows: questions } = await pool.query<{ externalId: number; asker: number; title: string; body: string; tags: string[]; createdAt: Date; matchedAt: Date; accepted: number | null }>(
      `select q.external_id as "externalId", u.external_id as asker, q.title, q.body, q.tags, q.created_at as "createdAt", q.matched_at as "matchedAt",
              a.external_id as accepted
         from questions q join users u on u.id = q.asker_id left join answers a on a.id = q.accepted_answer_id
        where q.source = 'fixtures' order by q.external_id`,
    );
    expect(questions).toEqual([
      { externalId: 1, asker: 10, title: 'Hops for IPA', body: '<p>Which hops for an IPA?</p>', tags: ['hops', 'ipa'], createdAt: new Date('2020-01-01T10:00:00Z'), matchedAt: new Date('2020-01-01T10:00:00Z'), accepted: 3 },
      { externalId: 2, asker: -1, title: 'Dry wine', body: '<p>Why is wine dry?</p>', tags: ['wine', 'tannins'], createdAt: new Date('2020-01-02T10:00:00Z'), matchedAt: new Date('2020-01-02T10:00:00Z'), accepted: null },
    ]);

    const { rows: answers } = await pool.query<{ externalId: number; question: number; author: number; score: number; body: string; createdAt: Date }>(
      `select a.external_id as "externalId", q.external_id as question, u.external_id as author, a.score, a.body, a.created_at as "createdAt"
         from answers a join questions q on q.id = a.question_id join users u on u.id = a.user_id
        where a.source = 'fixtures' order by a.external_id`,
    );
    expect(answers).toEqual([
      { externalId: 3, question: 1, author: 20, score: 3, body: '<p>Citra.</p>', createdAt: new Date('2020-01-01T11:00:00Z') },
      { externalId: 4, question: 1, author: 21, score: -1, body: 'Cascade.', createdAt: new Date('2020-01-01T12:00:00Z') },
      { externalId: 9, question: 2, author: 20, score: 2, body: 'Tannins.', createdAt: new Date('2020-01-03T10:00:00Z') },
    ]);

    expect(await count('select 1 from outbox')).toBe(0); // history: nothing announced
    // Expertise as if the answers had been posted: each answer counted once for its author (scores and acceptances are features of their own)
    const { rows: contributions } = await pool.query<{ answer: number; author: number; quality: number }>(
      `select a.external_id as answer, u.external_id as author, c.quality
         from answer_contributions c join answers a on a.id = c.answer_id join users u on u.id = c.user_id order by a.external_id`,
    );
    expect(contributions.map((c) => [c.answer, c.author, c.quality])).toEqual([[3, 20, 1], [4, 21, 1], [9, 20, 1]]);
    const { rows: expertise } = await pool.query<{ author: number; term: string }>(
      'select u.external_id as author, e.term from user_expertise e join users u on u.id = e.user_id where e.weight > 0',
    );
    expect(new Set(expertise.map((e) => e.author))).toEqual(new Set([20, 21]));
    expect(expertise).toContainEqual({ author: 20, term: 'tag:wine' }); // what answering question 2 taught
    expect(expertise).toContainEqual({ author: 21, term: 'tag:hops' });
    expect(expertise).not.toContainEqual({ author: 21, term: 'tag:wine' });
    expect(await count('select 1 from question_terms')).toBe(2); // the unanswered-by-others question counts for IDF too

    const before = await snapshot();
    const second = await lemur('import', 'stackexchange', fixture);
    expect(second.code).toBe(0);
    expect(figures(second.out, 'users')).toEqual([0, 4]);
    expect(figures(second.out, 'questions')).toEqual([0, 2]);
    expect(figures(second.out, 'answers')).toEqual([0, 3]);
    expect(second.out).toContain('accepted answers: 0 set');
    expect(second.out).toContain('terms stored for 0 question(s); 3 answer(s) checked, 0 counted');
    expect(skipped(second.out, 'malformed row: bad Id')).toBe(1);
    expect(await snapshot()).toEqual(before);
  });

  it('finds a parent question and an accepted answer batches apart, skips answers without owner or known question, and keeps two sources apart', async () => {
    // Question 1 accepts answer 5000, which comes after 700 other questions (two batches of 500 later).
    const rows = [
      '<row Id="1" PostTypeId="1" AcceptedAnswerId="5000" CreationDate="2021-03-01T08:00:00.000" Score="4" Body="&lt;p&gt;How long should a lager ferment?&lt;/p&gt;" OwnerUserId="1" Title="Lager fermentation time" Tags="&lt;lager&gt;&lt;fermentation&gt;" />',
      ...Array.from({ length: 700 }, (_, i) => `<row Id="${i + 2}" PostTypeId="1" CreationDate="2021-03-02T08:00:00.000" Score="0" Body="filler ${i}" OwnerUserId="${(i % 5) + 2}" Title="Filler question ${i}" Tags="&lt;filler&gt;" />`),
      '<row Id="5000" PostTypeId="2" ParentId="1" CreationDate="2021-03-05T09:30:00.000" Score="7" Body="Two weeks, cold." OwnerUserId="900" />',
      '<row Id="5001" PostTypeId="2" ParentId="424242" CreationDate="2021-03-05T09:31:00.000" Score="1" Body="orphan" OwnerUserId="900" />',
      '<row Id="5002" PostTypeId="2" ParentId="1" CreationDate="2021-03-05T09:32:00.000" Score="1" Body="anonymous" />',
      '<row Id="5003" PostTypeId="2" ParentId="2" CreationDate="2021-03-05T09:33:00.000" Score="1" Body="community wiki" OwnerUserId="-1" />',
    ];
    const file = join(scratch, 'Posts.xml');
    await writeFile(file, `<?xml version="1.0" encoding="utf-8"?>\n<posts>\n${rows.join('\n')}\n</posts>\n`);

    const result = await lemur('import', 'stackexchange', file, '--source', 'Generated');
    expect(result.code).toBe(0);
    expect(result.out).toContain('as source "generated"');
    expect(figures(result.out, 'questions')).toEqual([701, 0]);
    expect(figures(result.out, 'answers')).toEqual([1, 0]);
    expect(figures(result.out, 'users')).toEqual([7, 0]); // 1..6 and 900
    expect(skipped(result.out, 'answer to a question not in the database')).toBe(1);
    expect(skipped(result.out, 'answer without OwnerUserId')).toBe(1);
    expect(skipped(result.out, 'answer by the Community user (-1)')).toBe(1);
    expect(result.out).toContain('accepted answers: 1 set');
    const { rows: [accepted] } = await pool.query<{ answer: number; score: number }>(
      `select a.external_id as answer, a.score from questions q join answers a on a.id = q.accepted_answer_id where q.source = 'generated' and q.external_id = 1`,
    );
    expect(accepted).toEqual({ answer: 5000, score: 7 });
    expect(await count("select 1 from questions where source = 'generated' and matched_at is distinct from created_at")).toBe(0);
    // unanswered questions count for IDF too
    expect(await count("select 1 from question_terms t join questions q on q.id = t.question_id where q.source = 'generated'")).toBe(701);

    // The fixture again under another source: the same external ids, other rows.
    const other = await lemur('import', 'stackexchange', fixture, '--source', 'other-site');
    expect(other.code).toBe(0);
    expect(figures(other.out, 'users')).toEqual([4, 0]);
    expect(figures(other.out, 'questions')).toEqual([2, 0]);
    expect(await count("select 1 from questions where external_id = 1 and source in ('fixtures', 'other-site', 'generated')")).toBe(3);
  });

  it('imports the beer dump: every question, the answers with an owner and a known question, their acceptances; a second run inserts nothing', async () => {
    // What the file holds, read here without the importer's parser.
    const posts = [...readFileSync(beerDump, 'utf8').matchAll(/<row ([^>]*)\/>/g)].map((m) => Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
    const questions = new Map(posts.filter((p) => p.PostTypeId === '1').map((p) => [Number(p.Id), p]));
    const answers = new Map(posts.filter((p) => p.PostTypeId === '2').map((p) => [Number(p.Id), p]));
    expect([questions.size, answers.size]).toEqual([663, 1572]);
    const importable = [...answers].filter(([, a]) => a.OwnerUserId !== undefined && a.OwnerUserId !== '-1' && questions.has(Number(a.ParentId)));
    const imported = new Map(importable);
    const acceptances = new Map(
      [...questions].flatMap(([id, q]) => {
        const answer = imported.get(Number(q.AcceptedAnswerId));
        return answer && Number(answer.ParentId) === id ? [[id, Number(q.AcceptedAnswerId)] as const] : [];
      }),
    );
    const owners = new Set([...[...questions.values()].map((q) => q.OwnerUserId ?? '-1'), ...importable.map(([, a]) => a.OwnerUserId)]);

    const started = Date.now();
    const first = await lemur('import', 'stackexchange', beerDump);
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    expect(first.out).toContain('as source "beer"');
    expect(figures(first.out, 'questions')).toEqual([663, 0]);
    expect(figures(first.out, 'answers')).toEqual([importable.length, 0]);
    expect(figures(first.out, 'users')).toEqual([owners.size, 0]);
    expect(skipped(first.out, 'answer without OwnerUserId')).toBe(answers.size - importable.length);
    expect(first.out).toContain(`accepted answers: ${acceptances.size} set`);
    expect(first.out).toContain(`terms stored for 663 question(s); ${importable.length} answer(s) checked, ${importable.length} counted`);

    expect(await count("select 1 from questions where source = 'beer'")).toBe(663);
    const { rows: stored } = await pool.query<{ question: number; answer: number }>(
      `select q.external_id as question, a.external_id as answer from questions q join answers a on a.id = q.accepted_answer_id where q.source = 'beer'`,
    );
    expect(new Map(stored.map((r) => [r.question, r.answer]))).toEqual(acceptances);
    const { rows: answerIds } = await pool.query<{ id: number }>("select external_id as id from answers where source = 'beer' order by external_id");
    expect(answerIds.map((r) => r.id)).toEqual(importable.map(([id]) => id).sort((a, b) => a - b));
    const { rows: [sample] } = await pool.query<{ tags: string[]; createdAt: Date; matchedAt: Date }>(
      `select tags, created_at as "createdAt", matched_at as "matchedAt" from questions where source = 'beer' and external_id = 1`,
    );
    expect(sample).toEqual({ tags: ['hops'], createdAt: new Date('2014-01-21T20:26:05.383Z'), matchedAt: new Date('2014-01-21T20:26:05.383Z') });
    expect(await count("select 1 from answer_contributions c join answers a on a.id = c.answer_id where a.source = 'beer'")).toBe(importable.length);
    expect(await count('select 1 from outbox')).toBe(0);

    const before = await snapshot();
    const second = await lemur('import', 'stackexchange', beerDump);
    expect(second.code).toBe(0);
    expect(figures(second.out, 'questions')).toEqual([0, 663]);
    expect(figures(second.out, 'answers')).toEqual([0, importable.length]);
    expect(figures(second.out, 'users')).toEqual([0, owners.size]);
    expect(second.out).toContain('accepted answers: 0 set');
    expect(second.out).toContain(`${importable.length} answer(s) checked, 0 counted`);
    expect(await snapshot()).toEqual(before);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);

  it('fails clearly on a missing file (exit 1), a file that is not XML (exit 1) and wrong arguments (exit 2), writing nothing', async () => {
    const before = await snapshot();
    const missing = await lemur('import', 'stackexchange', join(scratch, 'nowhere', 'Posts.xml'));
    expect(missing.code).toBe(1);
    expect(missing.err).toBe(`lemur: ${join(scratch, 'nowhere', 'Posts.xml')}: no such file`);

    const notXml = join(scratch, 'notes.txt');
    await writeFile(notXml, 'These are not the posts you are looking for.\n');
    const bad = await lemur('import', 'stackexchange', notXml, '--source', 'notes');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`lemur: ${notXml} is not well-formed XML`);

    expect((await lemur('import', 'stackexchange')).code).toBe(2);
    const wrongSource = await lemur('import', 'stackexchange', fixture, '--source', 'two words');
    expect(wrongSource.code).toBe(2);
    expect(wrongSource.err).toContain('--source must be letters, digits, dots and dashes');
    expect(await snapshot()).toEqual(before);
  });
});
