/**
 * How soon an answer counts in the ranking while answers keep arriving. Answers are written at a
 * steady rate (open loop: each at its scheduled time, whether the ones before have finished or not),
 * each as the system writes one: the answer stored (insertAnswer) to a question of the community
 * (asked before, its terms stored when it was matched), then countAnswer, what a matcher runs when
 * `answer.posted` reaches it (the author's expertise added and `people_changed` notified, in one
 * transaction). Every `probeEveryMs`, the answer written is a probe, to a new question (insertQuestion)
 * whose title is a word nobody else holds (its terms are stored by countAnswer). From countAnswer's
 * commit, the matcher's people source (LivePeople, started by the caller) is asked to decide a question
 * of that word alone every 10 ms, until the probe's author is ranked (asked, or passed over for a
 * budget): that wait is the answer's reflection time.
 *
 * Not in it: the api's POST and the queue's hop to the matcher (open-loop.ts measures those). The
 * answers written stay in the database (a kept bench community grows by them).
 */
import { insertAnswer, insertQuestion, type Pool } from '@qr/db';
import { extractTerms } from '@qr/matching';
import { countAnswer, type LivePeople } from '@qr/routing';
import { Synth, textOf } from './synthetic.js';

export interface ReflectionOptions {
  /** answers written per second */
  rate: number;
  seconds: number;
  probeEveryMs: number;
  /** a probe not reflected within this long counts as not reflected */
  timeoutMs: number;
}

export interface Reflection {
  answersWritten: number;
  /** answers counted per second over the run (the rate held, or less if the writes fell behind) */
  achievedRate: number;
  /** per probe: ms from countAnswer's commit to the author's being ranked for the probe's word */
  reflectedMs: number[];
  notReflected: number;
  /** writes that failed (with their first error) */
  failed: number;
  firstError?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const LETTERS = 'bcdfghjklmnpqrstvwxz';

/** A word no synthetic text holds (the synthetic vocabulary's words end in -ing): consonants and "o", from `n`. */
function probeWord(n: number): string {
  let word = 'quo';
  for (let m = n + 1; m > 0; m = Math.floor(m / LETTERS.length)) word += `${LETTERS[m % LETTERS.length] as string}o`;
  return `${word}x`;
}

export async function measureReflection(pool: Pool, live: LivePeople, people: number, options: ReflectionOptions, seed: number): Promise<Reflection> {
  const gen = new Synth(seed);
  const total = Math.round(options.rate * options.seconds);
  const probeEvery = Math.max(1, Math.round((options.rate * options.probeEveryMs) / 1000));
  const result: Reflection = { answersWritten: 0, achievedRate: 0, reflectedMs: [], notReflected: 0, failed: 0 };
  const pending: Promise<void>[] = [];
  const { rows } = await pool.query<{ low: number; high: number }>('select min(id)::float8 as low, max(id)::float8 as high from questions');
  const { low = 0, high = 0 } = rows[0] ?? {};
  const started = performance.now();

  const writeOne = async (i: number): Promise<void> => {
    const author = 1 + gen.rng.int(people);
    const asker = 1 + ((author + gen.rng.int(people - 1)) % people); // never the author: an answer to oneself teaches nothing
    const probe = i % probeEvery === 0 ? probeWord(i + Math.floor(Date.now() / 1000)) : undefined;
    const answerText = textOf(gen.question(gen.tag()));
    const existing = low + gen.rng.int(high - low + 1);
    try {
      const questionId = probe ? (await insertQuestion(pool, { askerId: asker, title: probe, body: '', tags: [] })).id : existing;
      const answer = await insertAnswer(pool, { questionId, userId: author, body: `${answerText.title} ${answerText.body}` });
      await countAnswer(pool, answer.id);
      result.answersWritten += 1;
      if (probe) await waitForReflection(live, probe, author, asker, options.timeoutMs, result);
    } catch (error) {
      result.failed += 1;
      result.firstError ??= String(error);
    }
  };

  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / options.rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(writeOne(i));
  }
  const written = performance.now();
  await Promise.all(pending);
  result.achievedRate = result.answersWritten / ((written - started) / 1000);
  return result;
}

/** Decides the probe word's question every 10 ms from now until `author` is ranked (asked or passed over). */
async function waitForReflection(live: LivePeople, word: string, author: number, asker: number, timeoutMs: number, result: Reflection): Promise<void> {
  const committed = performance.now();
  const question = extractTerms({ title: word, body: '', tags: [] });
  while (performance.now() - committed < timeoutMs) {
    const decision = await live.decide(question, asker, 10);
    if (decision.matches.some((m) => m.userId === author) || decision.passed.some((p) => p.userId === author)) {
      result.reflectedMs.push(performance.now() - committed);
      return;
    }
    await sleep(10);
  }
  result.notReflected += 1;
}
