import type { ExtractedTerms } from './extract-terms.js';
import type { CorpusStats } from './features.js';
import type { RankingModel } from './model.js';

/** What a ranking is asked: a question at a moment, weighed by a model. */
export interface RankInput {
  question: ExtractedTerms;
  stats: CorpusStats;
  /** ms since the epoch: the moment features are read at (never earlier than a previous call's) */
  now: number;
  model: RankingModel;
  /** people scored even if they share no term with the question (the most active; everyone, in a replay) */
  extra?: Iterable<number>;
  /** never ranked (the asker) */
  exclude?: Iterable<number>;
}

/** What reading feature rows needs: the ranking's input without the weights, with the evidence smoothing. */
export type FeatureInput = Omit<RankInput, 'model'> & { mu: number };

export interface Scored {
  userId: number;
  score: number;
}

/** Why a person was chosen: the question's words and tags that counted most for them, and how much they answer lately. */
export interface MatchReasons {
  terms: string[];
  tags: string[];
  /** answers in the last 30 days (decayed, rounded), when they have any */
  recentAnswers?: number;
  /** people who scored higher but were not asked: over their ask budget, or paused (budget.ts) */
  passedOver?: number[];
}

export interface Match {
  userId: number;
  score: number;
  reasons: MatchReasons;
}

/** Best first: score desc, then userId asc. */
export function bestFirst(a: Scored, b: Scored): number {
  return b.score - a.score || a.userId - b.userId;
}

/** Whom a part of a ranking keeps: a test per person, or a set of people. */
export type Keep = ((userId: number) => boolean) | ReadonlySet<number>;

/** A Keep as a test per person. */
export function keepTest(keep: Keep): (userId: number) => boolean {
  return keep instanceof Set ? (userId) => keep.has(userId) : (keep as (userId: number) => boolean);
}
