/**
 * Ranks questions against synthetic communities (default 10k and 100k people) with the engine every
 * ranking goes through (PeopleIndex.rank) and, as the baseline in the same run, the plain reference
 * ranking (rankReference) over the same people, and prints latency per question (p50/p95/p99/max),
 * build time and memory; checks on every baseline question that both rank alike. Writes
 * bench/results/matching-at-scale.json.
 *
 *   npm run bench:matching -w @qr/bench          (or: npx tsx bench/matching/score-at-scale.ts)
 *   npx tsx bench/matching/score-at-scale.ts --sizes=100000 --questions=200 --baseline=20
 *
 * The synthetic community: a vocabulary of 50k stemmed terms with Zipf frequencies (s = 1.1), 1k tags
 * (Zipf), each question 15-30 distinct words and 1-5 tags, 30% of its words from its first tag's topic.
 * People's activity is Zipfian: P(n answers) ~ n^-2.3 up to 5,000, 70% of their answers in their
 * favourite tag, spread over five years; each answer's words are drawn like a question's. People are
 * put in the engine whole (their summed terms and their answers' activity), as a matcher loads them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  ANSWER_PREFIX, DEFAULT_MODEL, extractTerms, growth, HALF_LIFE_DAYS, PeopleIndex, PersonActivity, rankReference, TAG_PREFIX, type ExtractedTerms,
  topK, type RankInput, type ReferencePerson, type TermValues, type TopStats,
} from '@qr/matching';
import { percentile } from '../stats.js';

function arg(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}
const SIZES = arg('sizes', '10000,100000').split(',').map(Number);
const QUESTIONS = Number(arg('questions', '300'));
const WARMUP = Number(arg('warmup', '30'));
const BASELINE = Number(arg('baseline', '30'));
const SEED = Number(arg('seed', '20240501'));
/** the live path asks for this many first (decide.ts: 4 x MATCH_LIMIT) */
const TOP_K = Number(arg('k', '40'));
const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');
const HISTORY_DAYS = 5 * 365;

// ---------- random numbers ----------

/** sfc32: small, fast, seedable. */
class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }
  /** uniform in [0, 1) */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Walker's alias method: O(1) draws from a fixed discrete distribution over 0..n-1. */
class Alias {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += weights[i] as number;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = new Float64Array(n);
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < n; i++) {
      scaled[i] = ((weights[i] as number) * n) / sum;
      ((scaled[i] as number) < 1 ? small : large).push(i);
    }
    while (small.length && large.length) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.prob[s] = scaled[s] as number;
      this.alias[s] = l;
      scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
      ((scaled[l] as number) < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) this.prob[i] = 1;
  }
  draw(rng: Rng): number {
    const i = rng.int(this.prob.length);
    return rng.next() < (this.prob[i] as number) ? i : (this.alias[i] as number);
  }
}

const zipf = (n: number, s: number): Alias => new Alias(Float64Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s)));

// ---------- the synthetic community ----------

const VOCABULARY = 50_000;
const TAGS = 1_000;
const TOPIC_TERMS = 2_000;
const TOPIC_SHARE = 0.3;
const MAX_ANSWERS = 5_000;
const FAVOURITE_TAG_SHARE = 0.7;

const CONSONANTS = 'bcdfghjklmnprstvz';
const VOWELS = 'aeiou';
/** A pronounceable made-up stem per rank (a bijection: fixed-width syllables). */
function pseudoWord(rank: number): string {
  const base = CONSONANTS.length * VOWELS.length;
  let word = '';
  let n = rank;
  do {
    const syllable = n % base;
    word = (CONSONANTS[Math.floor(syllable / VOWELS.length)] as string) + (VOWELS[syllable % VOWELS.length] as string) + word;
    n = Math.floor(n / base);
  } while (n > 0);
  return word;
}

const termNames: string[] = [];
for (let r = 0; r < VOCABULARY; r++) termNames.push(pseudoWord(r + 100)); // >= 2 syllables
for (let r = 0; r < TAGS; r++) termNames.push(`${TAG_PREFIX}${pseudoWord(r)}-${pseudoWord(r * 7 + 3)}`);
const surfaceOf = (id: number): string => (id < VOCABULARY ? `${termNames[id] as string}ing` : (termNames[id] as string).slice(TAG_PREFIX.length));

/** One synthetic question: distinct term ids and their extractTerms-style weights. */
interface SyntheticQuestion {
  terms: Int32Array;
  weights: Float64Array;
  count: number;
}

class Synth {
  readonly rng: Rng;
  private readonly words = zipf(VOCABULARY, 1.1);
  private readonly tags = zipf(TAGS, 1.1);
  private readonly topic = zipf(TOPIC_TERMS, 1.0);
  private readonly answers = zipf(MAX_ANSWERS, 2.3);
  /** each tag's topic: a slice of the vocabulary, away from the very top */
  private readonly topicBase: Int32Array;
  private readonly seen = new Int32Array(VOCABULARY + TAGS);
  private stamp = 0;
  private readonly q: SyntheticQuestion = { terms: new Int32Array(40), weights: new Float64Array(40), count: 0 };

  constructor(seed: number) {
    this.rng = new Rng(seed);
    this.topicBase = Int32Array.from({ length: TAGS }, () => 200 + this.rng.int(VOCABULARY - 200));
  }

  answerCount(): number {
    return this.answers.draw(this.rng) + 1;
  }

  tag(): number {
    return this.tags.draw(this.rng);
  }

  private add(term: number, weight: number): boolean {
    if (this.seen[term] === this.stamp) return false;
    this.seen[term] = this.stamp;
    this.q.terms[this.q.count] = term;
    this.q.weights[this.q.count] = weight;
    this.q.count++;
    return true;
  }

  /** A question whose first tag is `firstTag`; the returned object is reused by the next call. */
  question(firstTag: number): SyntheticQuestion {
    const rng = this.rng;
    this.stamp++;
    this.q.count = 0;
    const words = 15 + rng.int(16);
    const titleWords = 3 + rng.int(6);
    while (this.q.count < words) {
      const i = this.q.count;
      const term = rng.next() < TOPIC_SHARE ? ((this.topicBase[firstTag] as number) + this.topic.draw(rng)) % VOCABULARY : this.words.draw(rng);
      const repeats = rng.next() < 0.3 ? 1 + rng.int(3) : 0;
      this.add(term, i < titleWords ? 2 + (rng.next() < 0.5 ? 1 + repeats : 0) : 1 + repeats);
    }
    this.add(VOCABULARY + firstTag, 3);
    const extraTags = rng.int(5);
    for (let t = 0; t < extraTags; t++) this.add(VOCABULARY + this.tag(), 3);
    return this.q;
  }
}


/** A person's summed terms and activity, from `answers` synthetic answers. */
function person(gen: Synth, favourite: number, answers: number): { terms: Map<string, TermValues>; activity: PersonActivity } {
  const rng = gen.rng;
  const terms = new Map<string, TermValues>();
  const activity = new PersonActivity();
  const times = Array.from({ length: answers }, () => NOW - rng.next() * HISTORY_DAYS * DAY_MS).sort((a, b) => a - b);
  for (const at of times) {
    const long = growth(HALF_LIFE_DAYS.expertise, at);
    const short = growth(HALF_LIFE_DAYS.recent, at);
    for (const [q, prefix] of [[gen.question(rng.next() < FAVOURITE_TAG_SHARE ? favourite : gen.tag()), ''], [gen.question(gen.tag()), ANSWER_PREFIX]] as const) {
      let sum = 0;
      for (let i = 0; i < q.count; i++) sum += q.weights[i] as number;
      for (let i = 0; i < q.count; i++) {
        const name = termNames[q.terms[i] as number] as string;
        if (prefix && name.startsWith(TAG_PREFIX)) continue; // an answer's own words carry no tags
        const share = (q.weights[i] as number) / sum;
        const key = prefix + name;
        const held = terms.get(key) ?? { expertise: 0, recent: 0, tagRecent: 0 };
        held.expertise += share * long;
        if (!prefix) {
          held.recent += share * short;
          if (name.startsWith(TAG_PREFIX)) held.tagRecent += short;
        }
        terms.set(key, held);
      }
    }
    activity.add({ at, questionAt: at - rng.next() * 2 * DAY_MS, accepted: rng.next() < 0.25, self: false });
  }
  return { terms, activity };
}

function question(gen: Synth): ExtractedTerms {
  const q = gen.question(gen.tag());
  const words: string[] = [];
  const tags: string[] = [];
  for (let i = 0; i < q.count; i++) {
    const name = termNames[q.terms[i] as number] as string;
    if (name.startsWith(TAG_PREFIX)) tags.push(name.slice(TAG_PREFIX.length));
    else for (let k = 0; k < (q.weights[i] as number); k++) words.push(surfaceOf(q.terms[i] as number));
  }
  return extractTerms({ title: words.slice(0, 5).join(' '), body: words.slice(5).join(' '), tags });
}

const rss = (): number => process.memoryUsage().rss / 1e6;
const stats = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99), max: sorted.at(-1) ?? NaN };
};
const results = [];
for (const size of SIZES) {
  const gen = new Synth(SEED + size);
  const people: ReferencePerson[] = [];
  const documentFrequency = new Map<string, number>();
  const rssBefore = rss();
  const built = performance.now();
  const index = new PeopleIndex();
  let answers = 0;
  for (let p = 0; p < size; p++) {
    const n = gen.answerCount();
    answers += n;
    const { terms, activity } = person(gen, gen.tag(), n);
    for (const term of terms.keys()) if (!term.startsWith(ANSWER_PREFIX)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    const userId = 1_000 + p;
    index.setPerson(userId, terms, activity);
    if (size <= 100_000) people.push({ userId, terms, activity });
  }
  const buildMs = performance.now() - built;
  const rssAfter = rss();
  const corpus = { documents: answers, documentFrequency };
  const input = (q: ExtractedTerms): RankInput => ({ question: q, stats: corpus, now: NOW, model: DEFAULT_MODEL, exclude: [1_000] });
  const qs = Array.from({ length: QUESTIONS + WARMUP }, () => question(gen));
  // the live path: the pruned top k (decide() asks for 4 x MATCH_LIMIT first), every question
  const top: number[] = [];
  const work = { postings: 0, listed: 0, scored: 0 };
  qs.forEach((q, i) => {
    const s = {} as TopStats;
    const started = performance.now();
    topK(index, input(q), TOP_K, s);
    if (i < WARMUP) return;
    top.push(performance.now() - started);
    for (const key of Object.keys(work) as (keyof typeof work)[]) work[key] += s[key];
  });
  // the exhaustive rank (every candidate scored and sorted: what the evaluation needs), fewer questions at 1M
  const engine: number[] = [];
  let candidates = 0;
  const exhaustive = Math.min(QUESTIONS, Number(arg('exhaustive', size >= 1_000_000 ? '20' : String(QUESTIONS))));
  qs.slice(0, WARMUP + exhaustive).forEach((q, i) => {
    const started = performance.now();
    const ranked = index.rank(input(q));
    if (i >= WARMUP) {
      engine.push(performance.now() - started);
      candidates += ranked.length;
    }
  });
  let topSame = 0;
  for (const q of qs.slice(WARMUP, WARMUP + BASELINE)) if (isDeepStrictEqual(topK(index, input(q), TOP_K), index.rank(input(q)).slice(0, TOP_K))) topSame += 1;
  const reference: number[] = [];
  let same = 0;
  for (const q of people.length ? qs.slice(WARMUP, WARMUP + BASELINE) : []) {
    const started = performance.now();
    const expected = rankReference(people, input(q));
    reference.push(performance.now() - started);
    if (isDeepStrictEqual(index.rank(input(q)).slice(0, 10), expected.slice(0, 10))) same += 1;
  }
  const row = {
    people: size, answers, postings: index.size.postings, terms: index.size.terms, buildSeconds: buildMs / 1000, rssMb: Math.round(rssAfter - rssBefore),
    candidatesPerQuestion: exhaustive ? Math.round(candidates / exhaustive) : NaN, topMs: stats(top), engineMs: stats(engine), referenceMs: reference.length ? stats(reference) : undefined,
    sameTop10: `${same}/${reference.length}`, topSameAsRank: `${topSame}/${BASELINE}`,
    topWork: { postingsPerQuestion: Math.round(work.postings / QUESTIONS), listedPerQuestion: Math.round(work.listed / QUESTIONS), scoredPerQuestion: Math.round(work.scored / QUESTIONS) },
  };
  results.push(row);
  console.log(JSON.stringify(row));
}
const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(1));
const g = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(2));
console.log(`\n| people | postings | build s | RSS MB | topK(${TOP_K}) p50 / p95 / p99 / max ms | rank (everyone) p50 / p95 / p99 / max ms | reference p50 / p99 ms | topK = rank's first ${TOP_K} | rank's top 10 = reference's |`);
console.log('|---:|---:|---:|---:|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.people.toLocaleString('en')} | ${r.postings.toLocaleString('en')} | ${r.buildSeconds.toFixed(1)} | ${r.rssMb} | ${g(r.topMs.p50)} / ${g(r.topMs.p95)} / ${g(r.topMs.p99)} / ${g(r.topMs.max)} | ${f(r.engineMs.p50)} / ${f(r.engineMs.p95)} / ${f(r.engineMs.p99)} / ${f(r.engineMs.max)} | ${f(r.referenceMs?.p50)} / ${f(r.referenceMs?.p99)} | ${r.topSameAsRank} | ${r.sameTop10} |`);
}
console.log(`\n| people | candidates/question | postings of the question's lists | read by topK(${TOP_K}) | scored in full by topK(${TOP_K}) |`);
console.log('|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.people.toLocaleString('en')} | ${r.candidatesPerQuestion.toLocaleString('en')} | ${r.topWork.listedPerQuestion.toLocaleString('en')} | ${r.topWork.postingsPerQuestion.toLocaleString('en')} | ${r.topWork.scoredPerQuestion.toLocaleString('en')} |`);
}
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'matching-at-scale.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version }, results }, null, 2)}\n`);
