import { decodeEntities } from '@qr/matching';
import type { SeAnswer, SeQuestion } from '@qr/stackexchange';
import { cmp, type Dataset } from './dataset.js';

/** What a ranker may know when a question is asked: only answers posted before it. */
export interface Moment {
  question: SeQuestion;
  /** Answers before the question, oldest first. */
  history: readonly SeAnswer[];
  /** Everyone who answered before, except the asker, in the reference's order (user ids sorted as text). */
  candidates: readonly number[];
  dataset: Dataset;
}

export type Ranker = (moment: Moment) => number[];

/** Python's `sorted(users, key=...)`: a stable sort on the given order. */
function sortBy(users: readonly number[], key: (u: number) => number[]): number[] {
  const keys = new Map(users.map((u) => [u, key(u)]));
  return [...users].sort((a, b) => {
    const ka = keys.get(a) as number[];
    const kb = keys.get(b) as number[];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return (ka[i] as number) - (kb[i] as number);
    return 0;
  });
}

function countBy(answers: readonly SeAnswer[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const a of answers) counts.set(a.ownerUserId as number, (counts.get(a.ownerUserId as number) ?? 0) + 1);
  return counts;
}

/** A seeded shuffle (mulberry32 + Fisher-Yates): not Python's generator, so compare averages over seeds. */
export function randomRanker(seed: number): Ranker {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return ({ candidates }) => {
    const users = [...candidates];
    for (let i = users.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [users[i], users[j]] = [users[j] as number, users[i] as number];
    }
    return users;
  };
}

export const mostAnswersRanker: Ranker = ({ history, candidates }) => {
  const counts = countBy(history);
  return sortBy(candidates, (u) => [-(counts.get(u) ?? 0)]);
};

/** Most answers in the 90 days before the question, ties by answers of all time. */
export const recentAnswersRanker: Ranker = ({ question, history, candidates }) => {
  const since = new Date(Date.parse(`${question.createdAt.slice(0, 19)}Z`) - 90 * 86_400_000).toISOString().slice(0, 19);
  const all = countBy(history);
  const recent = countBy(history.filter((a) => cmp(a.createdAt, since) >= 0));
  return sortBy(candidates, (u) => [-(recent.get(u) ?? 0), -(all.get(u) ?? 0)]);
};

/** How often each person answered questions carrying the question's tags; ties by answers of all time. */
export const tagOverlapRanker: Ranker = ({ question, history, candidates, dataset }) => {
  const tagCounts = new Map<number, Map<string, number>>();
  for (const a of history) {
    const tags = dataset.questions.get(a.parentId)?.tags ?? [];
    let counts = tagCounts.get(a.ownerUserId as number);
    if (!counts) tagCounts.set(a.ownerUserId as number, (counts = new Map()));
    for (const tag of tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  }
  const all = countBy(history);
  const overlap = (u: number): number => question.tags.reduce((sum, tag) => sum + (tagCounts.get(u)?.get(tag) ?? 0), 0);
  return sortBy(candidates, (u) => [-overlap(u), -(all.get(u) ?? 0)]);
};

// The reference's tokenizer (route_eval.py's toks): entities decoded, tags stripped, lowercase words
// of 3+ characters starting with a letter, its own stop list; no stemming.
const REFERENCE_STOP = new Set(
  'a an the and or but if of to in on at for with by from is are was were be been being it its this that these those i you he she we they me my your our their as do does did not no so can could would should will just than then there here what which who whom how why when where about into over under more most some any all also very have has had get got like one'.split(' '),
);
const referenceTokenCache = new Map<string, string[]>();
export function referenceTokens(text: string): string[] {
  let tokens = referenceTokenCache.get(text);
  if (!tokens) {
    const plain = decodeEntities(decodeEntities(text).replace(/<[^>]+>/g, ' ')).toLowerCase();
    tokens = (plain.match(/[a-z][a-z0-9'-]+/g) ?? []).filter((w) => !REFERENCE_STOP.has(w) && w.length > 2);
    if (referenceTokenCache.size > 50_000) referenceTokenCache.clear();
    referenceTokenCache.set(text, tokens);
  }
  return tokens;
}

function counts(words: Iterable<string>, into = new Map<string, number>()): Map<string, number> {
  for (const w of words) into.set(w, (into.get(w) ?? 0) + 1);
  return into;
}

/**
 * The reference's `hybrid`: TF-IDF cosine between the question and each person's profile (the
 * questions they answered and their answers' words), times ln(1 + answers), plus 0.1 ln(1 + tag overlap).
 */
export const hybridRanker: Ranker = ({ question, history, candidates, dataset }) => {
  const tagCounts = new Map<number, Map<string, number>>();
  const profiles = new Map<number, Map<string, number>>();
  for (const a of history) {
    const u = a.ownerUserId as number;
    const q = dataset.questions.get(a.parentId);
    if (!q) continue;
    let tags = tagCounts.get(u);
    if (!tags) tagCounts.set(u, (tags = new Map()));
    for (const tag of q.tags) tags.set(tag, (tags.get(tag) ?? 0) + 1);
    let profile = profiles.get(u);
    if (!profile) profiles.set(u, (profile = new Map()));
    counts(referenceTokens(`${q.title} ${q.body}`), profile);
    counts(referenceTokens(a.body), profile);
  }
  const all = countBy(history);
  const df = new Map<string, number>();
  for (const u of candidates) for (const w of (profiles.get(u) ?? new Map<string, number>()).keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const n = candidates.length;
  const vector = (c: Map<string, number>): Map<string, number> => {
    const v = new Map<string, number>();
    for (const [w, k] of c) if ((df.get(w) ?? 0) > 0) v.set(w, (1 + Math.log(k)) * Math.log((n + 1) / ((df.get(w) as number) + 1)));
    return v;
  };
  const norm = (v: Map<string, number>): number => Math.sqrt([...v.values()].reduce((s, x) => s + x * x, 0)) || 1;
  const qv = vector(counts(referenceTokens(`${question.title} ${question.body}`)));
  const qn = norm(qv);
  const score = new Map<number, number>();
  for (const u of candidates) {
    const uv = vector(profiles.get(u) ?? new Map());
    let cos = 0;
    for (const [w, x] of qv) cos += x * (uv.get(w) ?? 0);
    cos /= qn * norm(uv);
    const tagScore = question.tags.reduce((s, tag) => s + (tagCounts.get(u)?.get(tag) ?? 0), 0);
    score.set(u, cos * Math.log1p(all.get(u) ?? 0) + 0.1 * Math.log1p(tagScore));
  }
  return sortBy(candidates, (u) => [-(score.get(u) as number)]);
};

/** The simple methods the matcher is measured against (random aside, which needs seeds). */
export const baselines: Record<string, Ranker> = {
  most_answers: mostAnswersRanker,
  recent_answers_90d: recentAnswersRanker,
  tag_overlap: tagOverlapRanker,
  hybrid: hybridRanker,
};
