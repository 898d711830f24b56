/**
 * A synthetic community (synthetic.ts) written into an empty, migrated database with COPY, as the
 * write path would have left it: users, questions and answers (as text), each question's terms and the
 * document frequencies, each answer's counted mark, and everyone's expertise summed from their
 * answers' contributions (answerContribution over the same extracted terms, oldest answer first, as
 * countAnswer adds them). test/synthetic-community.test.ts checks a sample against countAnswer itself.
 *
 * One question per answer, asked by someone else a few hours before; a quarter of answers accepted.
 * user_expertise's indexes are dropped for the load and built after it (a bulk load's usual way).
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { answerContribution, extractAnswerTerms, extractTerms, type TermValues } from '@qr/matching';
import { toStored } from '@qr/routing';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DAY_MS, FAVOURITE_TAG_SHARE, HISTORY_DAYS, seedFor, Synth, SYNTHETIC_SEED, textOf } from './synthetic.js';

export interface SyntheticSpec {
  people: number;
  seed: number;
  /** ms: the history's last moment (five years end here) */
  end: number;
}

export interface SyntheticStats {
  people: number;
  questions: number;
  answers: number;
  expertiseRows: number;
  terms: number;
}

/** One table's COPY, fed rows as text lines; flushed every ~1 MB, waiting when Postgres is behind. */
class CopyIn {
  private buffer: string[] = [];
  private size = 0;
  rows = 0;

  private constructor(
    private readonly client: pg.PoolClient,
    private readonly stream: Writable,
  ) {}

  static async open(pool: pg.Pool, table: string, columns: string[]): Promise<CopyIn> {
    const client = await pool.connect();
    // foreign keys are not checked row by row during the load (questions and answers refer to each other)
    await client.query('set session_replication_role = replica');
    const stream = client.query(copyFrom(`copy ${table} (${columns.join(', ')}) from stdin`));
    return new CopyIn(client, stream);
  }

  async row(fields: (string | number | null)[]): Promise<void> {
    const line = `${fields.map((f) => (f === null ? '\\N' : escapeField(String(f)))).join('\t')}\n`;
    this.buffer.push(line);
    this.size += line.length;
    this.rows += 1;
    if (this.size > 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.buffer.length) return;
    const chunk = this.buffer.join('');
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    const finished = once(this.stream, 'finish');
    this.stream.end();
    await finished;
    await this.client.query('set session_replication_role = origin');
    this.client.release();
  }
}

/** COPY's text format: backslash, tab, newline and carriage return escaped. */
function escapeField(text: string): string {
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] as string) : text;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The community of `people` that the benchmarks share (seedFor). */
export function syntheticSpec(people: number, end: number, seed = SYNTHETIC_SEED): SyntheticSpec {
  return { people, seed: seedFor(people, seed), end };
}

/** The name of the database a benchmark keeps a community in: its size, seed, last day and migration count. */
export function syntheticDatabaseName(spec: SyntheticSpec, migrations: number): string {
  return `bench_synth_${spec.people}_${spec.seed}_${new Date(spec.end).toISOString().slice(0, 10).replaceAll('-', '')}_m${migrations}`;
}

/** Writes the community; the database must be migrated and hold no users, questions or answers. */
export async function writeSyntheticCommunity(pool: pg.Pool, spec: SyntheticSpec, onProgress?: (people: number) => void): Promise<SyntheticStats> {
  if (spec.people < 2) throw new Error('a community needs two people at least (questions are asked by someone else)');
  await pool.query('alter table user_expertise drop constraint user_expertise_pkey');
  await pool.query('drop index user_expertise_user_id_idx');
  const users = await CopyIn.open(pool, 'users', ['id', 'name', 'email', 'created_at']);
  const questions = await CopyIn.open(pool, 'questions', ['id', 'asker_id', 'title', 'body', 'tags', 'created_at', 'accepted_answer_id']);
  const answers = await CopyIn.open(pool, 'answers', ['id', 'question_id', 'user_id', 'body', 'created_at']);
  const questionTerms = await CopyIn.open(pool, 'question_terms', ['question_id', 'terms', 'surface']);
  const counted = await CopyIn.open(pool, 'answer_contributions', ['answer_id', 'user_id', 'quality']);
  const expertise = await CopyIn.open(pool, 'user_expertise', ['term', 'user_id', 'weight', 'recent_weight', 'recent_count']);
  const gen = new Synth(spec.seed);
  const rng = gen.rng;
  const documentFrequency = new Map<string, number>();
  let id = 0;
  for (let p = 0; p < spec.people; p++) {
    const userId = p + 1;
    await users.row([userId, `person ${userId}`, `person${userId}@synthetic.test`, iso(spec.end - HISTORY_DAYS * DAY_MS)]);
    const favourite = gen.tag();
    const n = gen.answerCount();
    const times = Array.from({ length: n }, () => Math.round(spec.end - rng.next() * HISTORY_DAYS * DAY_MS)).sort((a, b) => a - b);
    const held = new Map<string, TermValues>();
    for (const at of times) {
      id += 1;
      const question = textOf(gen.question(rng.next() < FAVOURITE_TAG_SHARE ? favourite : gen.tag()));
      const answerText = textOf(gen.question(gen.tag()));
      const body = `${answerText.title} ${answerText.body}`;
      const askedAt = Math.round(at - rng.next() * 2 * DAY_MS);
      let asker = 1 + rng.int(spec.people);
      if (asker === userId) asker = (asker % spec.people) + 1;
      const accepted = rng.next() < 0.25;
      await questions.row([id, asker, question.title, question.body, `{${question.tags.map((t) => `"${t}"`).join(',')}}`, iso(askedAt), accepted ? id : null]);
      await answers.row([id, id, userId, body, iso(at)]);
      const extracted = extractTerms(question);
      const stored = toStored(extracted);
      await questionTerms.row([id, JSON.stringify(stored.terms), JSON.stringify(stored.surface)]);
      for (const term of extracted.terms.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      await counted.row([id, userId, 1]);
      for (const [term, add] of answerContribution(extracted.terms, extractAnswerTerms(body), at)) {
        const sum = held.get(term);
        if (sum) {
          sum.expertise += add.expertise;
          sum.recent += add.recent;
          sum.tagRecent += add.tagRecent;
        } else held.set(term, { ...add });
      }
    }
    for (const [term, v] of held) await expertise.row([term, userId, v.expertise, v.recent, v.tagRecent]);
    if (onProgress && (p + 1) % 10_000 === 0) onProgress(p + 1);
  }
  for (const table of [users, questions, answers, questionTerms, counted, expertise]) await table.close();
  const frequencies = await CopyIn.open(pool, 'term_document_frequency', ['term', 'documents']);
  for (const [term, documents] of documentFrequency) await frequencies.row([term, documents]);
  await frequencies.close();
  await pool.query('alter table user_expertise add constraint user_expertise_pkey primary key (term, user_id)');
  await pool.query('create index user_expertise_user_id_idx on user_expertise (user_id)');
  for (const table of ['users', 'questions', 'answers']) {
    await pool.query(`select setval(pg_get_serial_sequence('${table}', 'id'), (select max(id) from ${table}))`);
  }
  await pool.query('analyze');
  return { people: spec.people, questions: questions.rows, answers: answers.rows, expertiseRows: expertise.rows, terms: documentFrequency.size };
}
