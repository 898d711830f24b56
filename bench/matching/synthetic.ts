/**
 * The synthetic community of the matching benchmarks: a vocabulary of 50k made-up stems with Zipf
 * frequencies (s = 1.1), 1k tags (Zipf), each question 15-30 distinct words and 1-5 tags, 30% of its
 * words from its first tag's topic; people's activity Zipfian, P(n answers) ~ n^-2.3 up to 5,000, 70%
 * of their answers in their favourite tag, over five years. Seeded: the same seed, the same community.
 */
import { TAG_PREFIX, type QuestionText } from '@qr/matching';

export const DAY_MS = 86_400_000;
export const NOW = Date.parse('2026-06-01T00:00:00Z');
export const HISTORY_DAYS = 5 * 365;

/** The seed the benchmarks' communities start from, unless told another. */
export const SYNTHETIC_SEED = 20240501;
/** A community of `people` is generated from this seed: each size its own, every benchmark the same. */
export const seedFor = (people: number, seed = SYNTHETIC_SEED): number => seed + people;
/** Where a community kept in Postgres ends: today's midnight (UTC), so the matcher ranks it as recent. */
export const syntheticEnd = (): number => Math.floor(Date.now() / DAY_MS) * DAY_MS;

// ---------- random numbers ----------

/** sfc32: small, fast, seedable. */
export class Rng {
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
export const FAVOURITE_TAG_SHARE = 0.7;

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

export const termNames: string[] = [];
for (let r = 0; r < VOCABULARY; r++) termNames.push(pseudoWord(r + 100)); // >= 2 syllables
for (let r = 0; r < TAGS; r++) termNames.push(`${TAG_PREFIX}${pseudoWord(r)}-${pseudoWord(r * 7 + 3)}`);
const surfaceOf = (id: number): string => (id < VOCABULARY ? `${termNames[id] as string}ing` : (termNames[id] as string).slice(TAG_PREFIX.length));

/** One synthetic question: distinct term ids and their extractTerms-style weights. */
export interface SyntheticQuestion {
  terms: Int32Array;
  weights: Float64Array;
  count: number;
}

export class Synth {
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


/** A synthetic question as text (its words in surface forms that stem back to its terms): what the write path extracts terms from. */
export function textOf(q: SyntheticQuestion): QuestionText {
  const words: string[] = [];
  const tags: string[] = [];
  for (let i = 0; i < q.count; i++) {
    const name = termNames[q.terms[i] as number] as string;
    if (name.startsWith(TAG_PREFIX)) tags.push(name.slice(TAG_PREFIX.length));
    else for (let k = 0; k < (q.weights[i] as number); k++) words.push(surfaceOf(q.terms[i] as number));
  }
  return { title: words.slice(0, 5).join(' '), body: words.slice(5).join(' '), tags };
}
