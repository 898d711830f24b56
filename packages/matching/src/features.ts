import { ANSWER_PREFIX, type TermValues } from './contribution.js';
import { decayAt, HALF_LIFE_DAYS } from './decay.js';
import { TAG_PREFIX, type ExtractedTerms } from './extract-terms.js';
import type { TermWeights } from './term-weights.js';

/**
 * What the score of a (question, person) pair is made of. The first six come from the words and tags
 * they share (read from the index's postings), the rest from the person's answering (PersonActivity).
 * The model (model.ts) weighs them; the weights are fitted on a community's own history.
 */
export const FEATURES = [
  /** topical evidence: the question's words and tags (title words 2, body 1, tags 3) in what they answered (365-day half-life) */
  'topic',
  /** the same against what they answered lately (30-day half-life) */
  'topic_recent',
  /** the question's words in the words of their own answers */
  'answer_text',
  /** tag evidence: how many of their recent answers carried the question's tags (30-day half-life, log, summed over tags) */
  'tags_recent',
  /** log of how much they answered (365-day half-life), the evidence's normaliser */
  'volume',
  /** log of their answers lately (30-day half-life) */
  'recent_30d',
  /** log days since their last answer */
  'since_answer',
  /** log days since their last post, answer or question */
  'since_post',
  /** how often they answered at this hour of the day (UTC, +-2 h), log share */
  'hour_of_day',
  /** how quickly they answer: their mean log hours from a question to their answer */
  'answer_speed',
  /** share of their settled answers that were accepted (smoothed) */
  'accept_rate',
] as const;

export type FeatureName = (typeof FEATURES)[number];
export const CONTENT_FEATURES = 4;

const feature = (name: FeatureName): number => FEATURES.indexOf(name);

export interface CorpusStats {
  /** questions whose terms are counted */
  documents: number;
  documentFrequency: ReadonlyMap<string, number>;
}

/** Distinct weighted terms in a typical question: turns a document frequency into a term probability. */
const AVERAGE_TERMS = 20;

/** The background probability of a term: how likely a question is to carry it (smoothed). */
export function backgroundProbability(stats: CorpusStats, term: string): number {
  const df = Math.max(0, stats.documentFrequency.get(term) ?? 0);
  const documents = Math.max(df, stats.documents);
  return (df + 0.5) / (documents + 1) / AVERAGE_TERMS;
}

/** Which stored value of a posting a lookup reads. */
export type Channel = keyof TermValues;

/**
 * One read of the index for a question: the postings of `key`, their `channel` value v, and
 * log1p(v * scale) added with `coefficient` to each target feature. A person's content features are
 * the sums of these over the question's lookups, in lookup order (so every ranker sums the same way).
 */
export interface Lookup {
  key: string;
  channel: Channel;
  scale: number;
  targets: [feature: number, coefficient: number][];
  /** the question term it reads for (for reasons) */
  term: string;
}

/** Occurrence weights scaled to sum 1, per term. */
function normalised(weights: TermWeights): Map<string, number> {
  let total = 0;
  for (const w of weights.values()) total += w;
  return new Map(total > 0 ? [...weights].map(([t, w]) => [t, w / total]) : []);
}

/**
 * The lookups that give a question's content features at `now` (ms), with Dirichlet-style evidence:
 * a term a person holds with forward-decayed share s counts log1p(s(now) / (mu P(t))), where mu is
 * in answers: one answer on a rare term is strong evidence, a share of a common one is weak.
 * Each topic feature is a weighted mean over the question's terms, so long questions do not count more.
 */
export function questionLookups(question: ExtractedTerms, stats: CorpusStats, now: number, mu: number): Lookup[] {
  const long = decayAt(HALF_LIFE_DAYS.expertise, now);
  const short = decayAt(HALF_LIFE_DAYS.recent, now);
  const lookups: Lookup[] = [];
  for (const [term, share] of normalised(new Map([...question.terms].filter(([, w]) => w > 0)))) {
    const background = mu * backgroundProbability(stats, term);
    lookups.push({ key: term, channel: 'expertise', scale: long / background, targets: [[feature('topic'), share]], term });
    lookups.push({ key: term, channel: 'recent', scale: short / background, targets: [[feature('topic_recent'), share]], term });
    if (term.startsWith(TAG_PREFIX)) {
      lookups.push({ key: term, channel: 'tagRecent', scale: short, targets: [[feature('tags_recent'), 1]], term });
    } else {
      lookups.push({ key: ANSWER_PREFIX + term, channel: 'expertise', scale: long / background, targets: [[feature('answer_text'), share]], term });
    }
  }
  return lookups;
}
