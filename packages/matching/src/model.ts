import { FEATURES, type FeatureName } from './features.js';

/**
 * How a community's matcher weighs the features: score = sum of weight x feature. Fitted on the
 * community's own history (packages/eval, `qr tune`), stored versioned in Postgres, and read by
 * every matcher. `mu` (in answers) is the evidence smoothing the content features were computed with.
 */
export interface RankingModel {
  weights: Record<FeatureName, number>;
  mu: number;
}

/** The evidence smoothing every model here is fitted with (answers' worth of background). */
export const DEFAULT_MU = 10;

/**
 * What a community with too little history of its own gets: the weights fitted on the training
 * periods of five public Stack Exchange sites pooled (`npm run eval -- --sites <dir> --fit-default`),
 * never on their test periods. A community's own fit replaces it once it has enough questions.
 */
export const DEFAULT_MODEL: RankingModel = {
  mu: DEFAULT_MU,
  weights: {
    topic: 0.4127,
    topic_recent: 0,
    answer_text: 1.4069,
    tags_recent: 0.2985,
    volume: -0.897,
    recent_30d: 1.0268,
    since_answer: -0.1339,
    since_post: -0.6071,
    hour_of_day: 0.1649,
    answer_speed: -0.1697,
    accept_rate: 0.0495,
  },
};

/** The weights in FEATURES order. */
export function weightVector(model: RankingModel): Float64Array {
  return Float64Array.from(FEATURES, (name) => model.weights[name]);
}

/** A model from weights in FEATURES order. */
export function modelOf(weights: ArrayLike<number>, mu = DEFAULT_MU): RankingModel {
  return { mu, weights: Object.fromEntries(FEATURES.map((name, i) => [name, weights[i] as number])) as Record<FeatureName, number> };
}

/** A model read back from storage, checked: every feature has a finite weight, mu is positive. */
export function parseModel(value: unknown): RankingModel {
  const v = value as { weights?: Record<string, unknown>; mu?: unknown } | null;
  if (!v || typeof v !== 'object' || !v.weights || typeof v.weights !== 'object') throw new Error('a ranking model needs weights');
  const mu = v.mu;
  if (typeof mu !== 'number' || !(mu > 0) || !Number.isFinite(mu)) throw new Error('a ranking model needs a positive mu');
  for (const name of FEATURES) {
    const w = v.weights[name];
    if (typeof w !== 'number' || !Number.isFinite(w)) throw new Error(`a ranking model needs a finite weight for ${name}`);
  }
  return { mu, weights: Object.fromEntries(FEATURES.map((name) => [name, v.weights?.[name] as number])) as Record<FeatureName, number> };
}

/** The score of a feature vector: the weighted sum in FEATURES order (one way, for every ranker). */
export function scoreOf(weights: Float64Array, x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < weights.length; i++) s += (weights[i] as number) * (x[i] as number);
  return s;
}
