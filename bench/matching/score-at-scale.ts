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
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  ANSWER_PREFIX, DEFAULT_MODEL, extractTerms, growth, HALF_LIFE_DAYS, PeopleIndex, PersonActivity, rankReference, readSnapshot, TAG_PREFIX, writeSnapshot, type ExtractedTerms,
  topK, type RankInput, type ReferencePerson, type TermValues, type TopStats,
} from '@qr/matching';
import { arg } from '../args.js';
import { summary } from '../stats.js';
import { DAY_MS, FAVOURITE_TAG_SHARE, HISTORY_DAYS, NOW, seedFor, Synth, SYNTHETIC_SEED, termNames, textOf } from './synthetic.js';

const SIZES = arg('sizes', '10000,100000').split(',').map(Number);
const QUESTIONS = Number(arg('questions', '300'));
const WARMUP = Number(arg('warmup', '30'));
const BASELINE = Number(arg('baseline', '30'));
const SEED = Number(arg('seed', String(SYNTHETIC_SEED)));
/** how deep the pruned ranking is read (40, as in the earlier runs; decide() reads to MATCH_LIMIT people who may be asked: busy-budgets.ts) */
const TOP_K = Number(arg('k', '40'));
const SNAPSHOTS = arg('snapshots', '');

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
  return extractTerms(textOf(gen.question(gen.tag())));
}

const rss = (): number => process.memoryUsage().rss / 1e6;
const stats = (ms: number[]) => summary(ms);
const results = [];
for (const size of SIZES) {
  const gen = new Synth(seedFor(size, SEED));
  const people: ReferencePerson[] = [];
  let documentFrequency = new Map<string, number>();
  const rssBefore = rss();
  const built = performance.now();
  let index = new PeopleIndex();
  let answers = 0;
  // --snapshots=DIR: the community built once per size and seed, kept as a snapshot (and its corpus statistics) and read back after
  const kept = SNAPSHOTS ? join(SNAPSHOTS, `synthetic-${size}-${SEED}`) : undefined;
  let fromSnapshot = false;
  if (kept && existsSync(`${kept}.json`)) {
    index = readSnapshot(`${kept}.snapshot`).index;
    const corpus = JSON.parse(readFileSync(`${kept}.json`, 'utf8')) as { answers: number; documentFrequency: [string, number][] };
    answers = corpus.answers;
    documentFrequency = new Map(corpus.documentFrequency);
    fromSnapshot = true;
  } else {
    for (let p = 0; p < size; p++) {
      const n = gen.answerCount();
      answers += n;
      const { terms, activity } = person(gen, gen.tag(), n);
      for (const term of terms.keys()) if (!term.startsWith(ANSWER_PREFIX)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      const userId = 1_000 + p;
      index.setPerson(userId, terms, activity);
      if (size <= 100_000 && BASELINE > 0) people.push({ userId, terms, activity });
    }
    if (kept) {
      mkdirSync(SNAPSHOTS, { recursive: true });
      writeSnapshot(index, `${kept}.snapshot`);
      writeFileSync(`${kept}.json`, JSON.stringify({ answers, documentFrequency: [...documentFrequency] }));
    }
  }
  const buildMs = performance.now() - built;
  const rssAfter = rss();
  const corpus = { documents: answers, documentFrequency };
  const input = (q: ExtractedTerms): RankInput => ({ question: q, stats: corpus, now: NOW, model: DEFAULT_MODEL, exclude: [1_000] });
  const asking = new Synth(seedFor(size, SEED) + 1); // questions of their own: the same whether the community was built or read
  const qs = Array.from({ length: QUESTIONS + WARMUP }, () => question(asking));
  // the pruned top k, every question
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
    people: size, answers, postings: index.size.postings, terms: index.size.terms, fromSnapshot, buildSeconds: buildMs / 1000, rssMb: Math.round(rssAfter - rssBefore),
    indexBytes: index.bytes,
    bytesPerEntry: index.bytes.postings / index.size.postings,
    bytesPerPerson: (index.bytes.activity + index.bytes.perSlot) / size,
    candidatesPerQuestion: exhaustive ? Math.round(candidates / exhaustive) : NaN, topMs: stats(top), engineMs: stats(engine), referenceMs: reference.length ? stats(reference) : undefined,
    sameTop10: `${same}/${reference.length}`, topSameAsRank: `${topSame}/${BASELINE}`,
    topWork: { postingsPerQuestion: Math.round(work.postings / QUESTIONS), listedPerQuestion: Math.round(work.listed / QUESTIONS), scoredPerQuestion: Math.round(work.scored / QUESTIONS) },
  };
  results.push(row);
  console.log(JSON.stringify(row));
}
const f = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(1));
const g = (x: number | undefined): string => (x === undefined ? '–' : x.toFixed(2));
console.log(`\n| people | postings | build (or snapshot read) s | RSS MB | topK(${TOP_K}) p50 / p95 / p99 / max ms | rank (everyone) p50 / p95 / p99 / max ms | reference p50 / p99 ms | topK = rank's first ${TOP_K} | rank's top 10 = reference's |`);
console.log('|---:|---:|---:|---:|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.people.toLocaleString('en')} | ${r.postings.toLocaleString('en')} | ${r.buildSeconds.toFixed(1)}${r.fromSnapshot ? ' (read)' : ''} | ${r.rssMb} | ${g(r.topMs.p50)} / ${g(r.topMs.p95)} / ${g(r.topMs.p99)} / ${g(r.topMs.max)} | ${f(r.engineMs.p50)} / ${f(r.engineMs.p95)} / ${f(r.engineMs.p99)} / ${f(r.engineMs.max)} | ${f(r.referenceMs?.p50)} / ${f(r.referenceMs?.p99)} | ${r.topSameAsRank} | ${r.sameTop10} |`);
}
console.log(`\n| people | index MB: postings / activity / per-slot work | bytes per (term, person) entry | bytes per person (activity, work arrays) |`);
console.log('|---:|---|---:|---:|');
const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);
for (const r of results) {
  const b = r.indexBytes;
  console.log(`| ${r.people.toLocaleString('en')} | ${mb(b.postings)} / ${mb(b.activity)} / ${mb(b.perSlot)} | ${r.bytesPerEntry.toFixed(1)} | ${r.bytesPerPerson.toFixed(0)} |`);
}
console.log(`\n| people | candidates/question | postings of the question's lists | read by topK(${TOP_K}) | scored in full by topK(${TOP_K}) |`);
console.log('|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(`| ${r.people.toLocaleString('en')} | ${r.candidatesPerQuestion.toLocaleString('en')} | ${r.topWork.listedPerQuestion.toLocaleString('en')} | ${r.topWork.postingsPerQuestion.toLocaleString('en')} | ${r.topWork.scoredPerQuestion.toLocaleString('en')} |`);
}
const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'results', 'matching-at-scale.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify({ at: new Date().toISOString(), machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version }, results }, null, 2)}\n`);
