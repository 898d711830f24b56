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
