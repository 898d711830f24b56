/**
 * Scores questions against synthetic communities of 100k and 1M people, with ExpertiseIndex.rank and,
 * as the baseline in the same run, rankCandidates over the same people, and prints latency per
 * question (p50/p95/p99/max), index build time and memory. Writes bench/results/matching-at-scale.json.
 *
 *   cd bench && npm run bench:matching                       (or: npx tsx matching/score-at-scale.ts)
 *   npx tsx matching/score-at-scale.ts --sizes=100000 --questions=200 --baseline=20,5
 *
 * The 1M baseline holds a Map per person (tens of millions of entries), more than Node's default heap:
 * the script re-executes itself once with --max-old-space-size=8192 --expose-gc (the same as running it
 * with NODE_OPTIONS="--max-old-space-size=8192 --expose-gc"). Peaks at ~4.5 GB RSS; about 3 minutes on 2 cores.
 * Options: --sizes=100000,1000000 --questions=500 --warmup=50 --baseline=100,20 (rankCandidates questions
 * per size) --exhaustive=100 --seed=20240501.
 *
 * The synthetic community: a vocabulary of 50k stemmed terms with Zipf frequencies (s = 1.1), 1k tags
 * (Zipf, s = 1.1), each question 15-30 distinct words (title words weigh 2 and more, body words 1 and
 * more, as extractTerms counts them) and 1-5 tags (weight 3), 30% of its words drawn from its first
 * tag's topic (a Zipf over 2,000 mostly rarer terms). People's activity is Zipfian: P(n answers) ~ n^-2.3
 * up to 5,000 (70% answered one question, 90% at most 3; at 1M people, 68 answered 1,000 or more), 70%
 * of their answers in their favourite tag. Every answer is to a question of its own, so the corpus statistics (N, df,
 * average distinct terms) are counted over exactly the questions people answered. A person's expertise
 * is built directly, without a Map per answer: each answer adds qw * (qualityFactor / sum qw) per term,
 * the arithmetic of answerContribution, times an age decay (half-life one year, answers up to 5 years
 * old), and total adds qualityFactor * decay, as the eval replay does. recentAnswers is a 14-day-half-life
 * decayed count of the same answers; recent asks and asks in the window are drawn, heavier for active
 * people, so some people are over the cap.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import {
  ExpertiseIndex, liveScoring, qualityFactor, rankCandidates, TAG_PREFIX, type Candidate, type CorpusStats, type ExtractedTerms, type IndexedPerson,
  type Match, type RankOptions,
} from '@qr/matching';
import { percentile } from '../stats.js';

const HEAP_MB = 8192;
if (getHeapStatistics().heap_size_limit < (HEAP_MB - 512) * 1024 * 1024 && process.env.QR_BENCH_REEXEC !== '1') {
  const child = spawnSync(process.execPath, [...process.execArgv, `--max-old-space-size=${HEAP_MB}`, '--expose-gc', ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, QR_BENCH_REEXEC: '1' },
  });
  process.exit(child.status ?? 1);
}

// ---------- arguments ----------

function arg(name: string, fallback: string): string {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? found.slice(name.length + 3) : fallback;
}
const SIZES = arg('sizes', '100000,1000000').split(',').map(Number);
const QUESTIONS = Number(arg('questions', '500'));
const WARMUP = Number(arg('warmup', '50'));
/** baseline questions per size, in the order of SIZES */
const BASELINE = arg('baseline', '100,20').split(',').map(Number);
const SEED = Number(arg('seed', '20240501'));
/** questions for ExpertiseIndex.rank without pruning (for comparison) */
const EXHAUSTIVE = Number(arg('exhaustive', '100'));

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
const DAY = 1;
const EXPERTISE_HALF_LIFE = 365 * DAY;
const RECENCY_HALF_LIFE = 14 * DAY;
const HISTORY_DAYS = 5 * 365 * DAY;

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

/** Everyone's expertise, person-major (compact: the benchmark's source of truth for both methods). */
interface Community {
  size: number;
  userIds: Float64Array;
  totals: Float64Array;
  recentAnswers: Float64Array;
  recentAsks: Float64Array;
  asksInWindow: Float64Array;
  start: Float64Array;
  terms: Int32Array;
  weights: Float64Array;
  answers: number;
  /** answers per person */
  answerCounts: Int32Array;
  stats: CorpusStats;
}

function growInt32(a: Int32Array, need: number): Int32Array {
  if (need <= a.length) return a;
  const b = new Int32Array(Math.max(need, Math.floor(a.length * 1.5)));
  b.set(a);
  return b;
}
function growFloat64(a: Float64Array, need: number): Float64Array {
  if (need <= a.length) return a;
  const b = new Float64Array(Math.max(need, Math.floor(a.length * 1.5)));
  b.set(a);
  return b;
}

function generateCommunity(size: number, gen: Synth): Community {
  const rng = gen.rng;
  const userIds = new Float64Array(size);
  const totals = new Float64Array(size);
  const recentAnswers = new Float64Array(size);
  const recentAsks = new Float64Array(size);
  const asksInWindow = new Float64Array(size);
  const start = new Float64Array(size + 1);
  const answerCounts = new Int32Array(size);
  let terms: Int32Array = new Int32Array(size * 40);
  let weights: Float64Array = new Float64Array(size * 40);
  let entries = 0;
  const df = new Int32Array(VOCABULARY + TAGS);
  let documents = 0;
  let termOccurrences = 0;
  // a person's profile under construction: dense by term id, with the list of ids touched
  const scratch = new Float64Array(VOCABULARY + TAGS);
  const inProfile = new Uint8Array(VOCABULARY + TAGS);
  const profile: number[] = [];
  for (let p = 0; p < size; p++) {
    const userId = 1_000 + p * 3 + rng.int(3); // sparse and increasing, like real ids
    const answers = gen.answerCount();
    answerCounts[p] = answers;
    const favourite = gen.tag();
    let total = 0;
    let recent = 0;
    for (let a = 0; a < answers; a++) {
      const q = gen.question(rng.next() < FAVOURITE_TAG_SHARE ? favourite : gen.tag());
      documents++;
      termOccurrences += q.count;
      let sum = 0;
      for (let i = 0; i < q.count; i++) sum += q.weights[i] as number;
      const score = rng.next() < 0.6 ? 0 : rng.next() < 0.1 ? -1 : Math.floor(-Math.log(1 - rng.next()) * 3);
      const factor = qualityFactor({ score, accepted: rng.next() < 0.25 });
      const scale = factor / sum; // answerContribution: qw * (qualityFactor / sum qw)
      const age = rng.next() * HISTORY_DAYS;
      const decay = Math.pow(2, -age / EXPERTISE_HALF_LIFE);
      for (let i = 0; i < q.count; i++) {
        const t = q.terms[i] as number;
        df[t] = (df[t] as number) + 1;
        if (!inProfile[t]) {
          inProfile[t] = 1;
          scratch[t] = 0;
          profile.push(t);
        }
        scratch[t] = (scratch[t] as number) + (q.weights[i] as number) * scale * decay;
      }
      total += factor * decay;
      recent += Math.pow(2, -age / RECENCY_HALF_LIFE);
    }
    terms = growInt32(terms, entries + profile.length);
    weights = growFloat64(weights, entries + profile.length);
    for (const t of profile) {
      terms[entries] = t;
      weights[entries] = scratch[t] as number;
      entries++;
      inProfile[t] = 0;
    }
    profile.length = 0;
    start[p + 1] = entries;
    userIds[p] = userId;
    totals[p] = total;
    recentAnswers[p] = recent;
    // the matcher asks active people more: a few are at the weekly cap
    const activity = Math.log1p(answers);
    const asked = rng.next() < 0.05 * activity ? -Math.log(1 - rng.next()) * activity : 0;
    recentAsks[p] = asked;
    asksInWindow[p] = Math.floor(asked * 2);
  }
  const documentFrequency = new Map<string, number>();
  for (let t = 0; t < df.length; t++) if ((df[t] as number) > 0) documentFrequency.set(termNames[t] as string, df[t] as number);
  return {
    size, userIds, totals, recentAnswers, recentAsks, asksInWindow, start, terms: terms.slice(0, entries), weights: weights.slice(0, entries), answers: documents, answerCounts,
    stats: { documents, documentFrequency, averageTerms: termOccurrences / documents },
  };
}

/** Person p as the index and rankCandidates take them (a fresh Map). */
function personAt(c: Community, p: number): IndexedPerson & Candidate {
  const expertise = new Map<string, number>();
  const to = c.start[p + 1] as number;
  for (let e = c.start[p] as number; e < to; e++) expertise.set(termNames[c.terms[e] as number] as string, c.weights[e] as number);
  const total = c.totals[p] as number;
  return {
    userId: c.userIds[p] as number, expertise, total, volume: total, recentAnswers: c.recentAnswers[p] as number, recentAsks: c.recentAsks[p] as number,
    asksInWindow: c.asksInWindow[p] as number,
  };
}

function* everyone(c: Community): Generator<IndexedPerson & Candidate> {
  for (let p = 0; p < c.size; p++) yield personAt(c, p);
}

/** A question for the benchmark, drawn like the corpus's, as extractTerms would give it; asked by a random person. */
function benchmarkQuestion(gen: Synth, c: Community): { question: ExtractedTerms; askerId: number } {
  const q = gen.question(gen.tag());
  const terms = new Map<string, number>();
  const surface = new Map<string, string>();
  for (let i = 0; i < q.count; i++) {
    const id = q.terms[i] as number;
    terms.set(termNames[id] as string, q.weights[i] as number);
    surface.set(termNames[id] as string, surfaceOf(id));
  }
  return { question: { terms, surface }, askerId: c.userIds[gen.rng.int(c.size)] as number };
}

// ---------- measuring ----------

const gc = async (): Promise<void> => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200)); // let freed buffers go before reading memory
};
const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024);
const ms = (x: number): number => Math.round(x * 1000) / 1000;
interface Latency {
  questions: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}
function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    questions: samples.length, p50: ms(percentile(sorted, 0.5)), p95: ms(percentile(sorted, 0.95)), p99: ms(percentile(sorted, 0.99)), max: ms(sorted.at(-1) ?? NaN),
    mean: ms(samples.reduce((a, b) => a + b, 0) / samples.length),
  };
}
function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const value = f();
  return [value, performance.now() - t0];
}

const liveOptions = (askerId: number): RankOptions => ({
  limit: 10,
  excludeUserIds: [askerId],
  smoothing: liveScoring.smoothing,
  evidenceWeight: liveScoring.evidenceWeight,
  priorWeight: liveScoring.priorWeight,
  recencyWeight: liveScoring.recencyWeight,
  loadWeight: liveScoring.loadWeight,
  maxAsksPerWindow: liveScoring.maxAsksPerWeek,
  includeWithoutEvidence: true,
});

interface SizeResult {
  people: number;
  /** answers = questions in the corpus (N) */
  answers: number;
  activity: { oneAnswer: number; atMostThree: number; atLeast1000: number; most: number };
  cappedPeople: number;
  postings: number;
  terms: number;
  averageQuestionTerms: number;
  generateMs: number;
  /** ExpertiseIndex.build over a generator that makes each person's Map from the compact store */
  indexBuildMs: number;
  /** of which making the Maps (the same iteration, timed without building) */
  readPeopleMs: number;
  /** the first rank computes everyone's priors and sorts everyone on them (cached per prior weights) */
  firstRankMs: number;
  indexMB: number;
  priorTableMB: number;
  memoryMB: { before: Memory; afterBuild: Memory };
  index: Latency;
  /** per question, mean */
  work: { questionTerms: number; postingsOfTerms: number; postingsRead: number; termsRead: number; peopleScored: number; pruned: number };
  exhaustive: Latency;
  baselineCandidatesBuildMs: number;
  baseline: Latency;
  identical: boolean;
}
interface Memory {
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
}
const memory = (): Memory => {
  const m = process.memoryUsage();
  return { rss: mb(m.rss), heapUsed: mb(m.heapUsed), arrayBuffers: mb(m.arrayBuffers) };
};

async function runSize(size: number, baselineQuestions: number, seed: number): Promise<SizeResult> {
  const gen = new Synth(seed);
  const log = (msg: string): void => console.error(`[${size.toLocaleString('en')}] ${msg}`);
  const [community, generateMs] = time(() => generateCommunity(size, gen));
  const activity = { oneAnswer: 0, atMostThree: 0, atLeast1000: 0, most: 0 };
  for (const n of community.answerCounts) {
    if (n === 1) activity.oneAnswer++;
    if (n <= 3) activity.atMostThree++;
    if (n >= 1000) activity.atLeast1000++;
    activity.most = Math.max(activity.most, n);
  }
  activity.oneAnswer = Math.round((activity.oneAnswer / size) * 1000) / 1000;
  activity.atMostThree = Math.round((activity.atMostThree / size) * 1000) / 1000;
  log(`generated ${fmt(community.answers)} answers, ${fmt(community.terms.length)} profile entries in ${Math.round(generateMs)} ms; activity ${JSON.stringify(activity)}`);
  const [, readPeopleMs] = time(() => {
    let entries = 0;
    for (const person of everyone(community)) entries += person.expertise.size;
    return entries;
  });
  await gc();
  const before = memory();
  const [index, indexBuildMs] = time(() => ExpertiseIndex.build(everyone(community)));
  await gc();
  const afterBuild = memory();
  const indexBytes = index.byteLength;
  log(`index built in ${Math.round(indexBuildMs)} ms (making the Maps alone: ${Math.round(readPeopleMs)} ms): ${mb(indexBytes)} MB of typed arrays, rss ${afterBuild.rss} MB`);

  const questions = Array.from({ length: WARMUP + QUESTIONS }, () => benchmarkQuestion(gen, community));
  const stats = community.stats;
  const [, firstRankMs] = time(() => index.rank(questions[0]?.question as ExtractedTerms, stats, liveOptions(0)));
  const priorTableBytes = index.byteLength - indexBytes;
  const indexResults: Match[][] = [];
  const samples: number[] = [];
  const work = { questionTerms: 0, postingsOfTerms: 0, postingsRead: 0, termsRead: 0, peopleScored: 0, pruned: 0 };
  for (let i = 0; i < questions.length; i++) {
    const { question, askerId } = questions[i] as { question: ExtractedTerms; askerId: number };
    const [matches, elapsed] = time(() => index.rank(question, stats, liveOptions(askerId)));
    indexResults.push(matches);
    if (i < WARMUP) continue;
    samples.push(elapsed);
    const w = index.lastWork;
    work.questionTerms += question.terms.size;
    for (const term of question.terms.keys()) work.postingsOfTerms += index.postingsOf(term)?.slots.length ?? 0;
    work.postingsRead += w.postingsScanned;
    work.termsRead += w.termsScanned;
    work.peopleScored += w.peopleScored;
    if (w.strategy === 'pruned') work.pruned++;
  }
  for (const key of Object.keys(work) as (keyof typeof work)[]) work[key] = Math.round((work[key] / QUESTIONS) * 10) / 10;
  const indexLatency = latency(samples);
  log(`ExpertiseIndex.rank: p50 ${indexLatency.p50} ms, p99 ${indexLatency.p99} ms; per question: ${JSON.stringify(work)}`);

  const exhaustiveSamples: number[] = [];
  for (let i = 0; i < Math.min(EXHAUSTIVE, QUESTIONS); i++) {
    const at = WARMUP + i;
    const { question, askerId } = questions[at] as { question: ExtractedTerms; askerId: number };
    const [matches, elapsed] = time(() => index.rank(question, stats, liveOptions(askerId), 'exhaustive'));
    exhaustiveSamples.push(elapsed);
    if (!isDeepStrictEqual(matches, indexResults[at])) throw new Error(`exhaustive and pruned ranks differ on question ${at}`);
  }
  const exhaustive = latency(exhaustiveSamples);
  log(`ExpertiseIndex.rank, exhaustive: p50 ${exhaustive.p50} ms, p99 ${exhaustive.p99} ms`);

  const [candidates, baselineCandidatesBuildMs] = time(() => [...everyone(community)]);
  log(`baseline candidates (a Map per person) built in ${Math.round(baselineCandidatesBuildMs)} ms, rss ${memory().rss} MB`);
  const baselineSamples: number[] = [];
  let identical = true;
  const warm = Math.min(3, baselineQuestions);
  for (let i = 0; i < warm + baselineQuestions; i++) {
    const at = WARMUP + (i % QUESTIONS);
    const { question, askerId } = questions[at] as { question: ExtractedTerms; askerId: number };
    const [matches, elapsed] = time(() => rankCandidates(question, candidates, stats, liveOptions(askerId)));
    if (i >= warm) baselineSamples.push(elapsed);
    if (!isDeepStrictEqual(matches, indexResults[at])) {
      identical = false;
      log(`DIFFERENT results for question ${at}: ${JSON.stringify(matches)} vs ${JSON.stringify(indexResults[at])}`);
    }
  }
  const baseline = latency(baselineSamples);
  log(`rankCandidates: p50 ${baseline.p50} ms, p99 ${baseline.p99} ms; identical: ${identical}`);
  let cappedPeople = 0;
  for (let p = 0; p < size; p++) if ((community.asksInWindow[p] as number) >= liveScoring.maxAsksPerWeek) cappedPeople++;

  return {
    people: size,
    answers: community.answers,
    activity,
    cappedPeople,
    postings: index.postingCount,
    terms: index.termCount,
    averageQuestionTerms: Math.round((stats.averageTerms ?? 0) * 10) / 10,
    generateMs: Math.round(generateMs),
    indexBuildMs: Math.round(indexBuildMs),
    readPeopleMs: Math.round(readPeopleMs),
    firstRankMs: Math.round(firstRankMs),
    indexMB: mb(indexBytes),
    priorTableMB: mb(priorTableBytes),
    memoryMB: { before, afterBuild },
    index: indexLatency,
    work,
    exhaustive,
    baselineCandidatesBuildMs: Math.round(baselineCandidatesBuildMs),
    baseline,
    identical,
  };
}

// ---------- main ----------

const fmt = (n: number): string => n.toLocaleString('en');
const results: SizeResult[] = [];
for (const [i, size] of SIZES.entries()) {
  results.push(await runSize(size, BASELINE[i] ?? BASELINE.at(-1) ?? 20, SEED + i));
  await gc();
}

const lines = [
  '| people | method | questions | p50 ms | p95 ms | p99 ms | max ms | mean ms |',
  '|---:|---|---:|---:|---:|---:|---:|---:|',
];
for (const r of results) {
  for (const [method, l] of [['ExpertiseIndex.rank', r.index], ['ExpertiseIndex.rank, exhaustive', r.exhaustive], ['rankCandidates (baseline)', r.baseline]] as const) {
    lines.push(`| ${fmt(r.people)} | ${method} | ${l.questions} | ${l.p50} | ${l.p95} | ${l.p99} | ${l.max} | ${l.mean} |`);
  }
}
lines.push(
  '',
  '| people | answers (= corpus questions) | postings | index build ms (making the Maps alone) | first rank ms (prior table) | index MB (+ prior table) | RSS MB before / after build | generate ms | identical |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---|',
);
for (const r of results) {
  lines.push(
    `| ${fmt(r.people)} | ${fmt(r.answers)} | ${fmt(r.postings)} | ${fmt(r.indexBuildMs)} (${fmt(r.readPeopleMs)}) | ${fmt(r.firstRankMs)} | ${fmt(r.indexMB)} (+${fmt(r.priorTableMB)}) | ${fmt(r.memoryMB.before.rss)} / ${fmt(r.memoryMB.afterBuild.rss)} | ${fmt(r.generateMs)} | ${r.identical ? 'yes' : 'NO'} |`,
  );
}
lines.push(
  '',
  '| people | question terms | postings of those terms (what exhaustive reads) | postings read (pruned) | terms read in full | people scored exactly |',
  '|---:|---:|---:|---:|---:|---:|',
);
for (const r of results) {
  const w = r.work;
  lines.push(`| ${fmt(r.people)} | ${w.questionTerms} | ${fmt(Math.round(w.postingsOfTerms))} | ${fmt(Math.round(w.postingsRead))} | ${w.termsRead} | ${fmt(Math.round(w.peopleScored))} |`);
}
console.log(lines.join('\n'));

const machine = { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, heapLimitMB: mb(getHeapStatistics().heap_size_limit) };
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');
mkdirSync(out, { recursive: true });
const file = join(out, 'matching-at-scale.json');
writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), machine, seed: SEED, questions: QUESTIONS, warmup: WARMUP, options: liveOptions(0), results }, null, 2)}\n`);
console.error(`wrote ${file}`);
if (results.some((r) => !r.identical)) process.exitCode = 1;
