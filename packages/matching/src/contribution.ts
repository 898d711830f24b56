import { growth, HALF_LIFE_DAYS } from './decay.js';
import { TAG_PREFIX } from './extract-terms.js';
import type { TermWeights } from './term-weights.js';

/** Terms of an answer's own words are kept apart from its question's terms under this prefix: "a:hop". */
export const ANSWER_PREFIX = 'a:';

/**
 * What a person holds for one term, each value forward-decayed (decay.ts) from the answers that gave it:
 * - `expertise`: the term's share of the questions they answered (or, for "a:" terms, of their answers' words), 365-day half-life;
 * - `recent`: the same share with a 30-day half-life (what they answer about lately);
 * - `tagRecent`: for tag terms, how many of their answers carried the tag, 30-day half-life.
 */
export interface TermValues {
  expertise: number;
  recent: number;
  tagRecent: number;
}

/**
 * How many of a key's values, in TermValues order (expertise, recent, tagRecent), can be above 0:
 * an answer's own words ("a:") hold only expertise, a question's words expertise and recent, tags all
 * three (as answerContribution gives them). The index stores only these (people-index.ts).
 */
export function valuesHeld(key: string): 1 | 2 | 3 {
  return key.startsWith(ANSWER_PREFIX) ? 1 : key.startsWith(TAG_PREFIX) ? 3 : 2;
}

/** Weights scaled to sum 1 (so a long question or answer does not count for more than a short one). */
function shares(weights: ReadonlyMap<string, number>): [string, number][] {
  let total = 0;
  for (const w of weights.values()) if (w > 0) total += w;
  if (total === 0) return [];
  return [...weights].filter(([, w]) => w > 0).map(([term, w]) => [term, w / total]);
}

/**
 * What one answer, given at `at` (ms), adds to its author's terms: its question's terms (title words
 * 2, body words 1, tags 3; as shares) and its own words (as shares, under ANSWER_PREFIX). The caller
 * adds nothing for an answer that does not count for its author (person-activity.ts, countsForAuthor).
 */
export function answerContribution(questionTerms: TermWeights, answerTerms: TermWeights, at: number): Map<string, TermValues> {
  const long = growth(HALF_LIFE_DAYS.expertise, at);
  const short = growth(HALF_LIFE_DAYS.recent, at);
  const out = new Map<string, TermValues>();
  for (const [term, share] of shares(questionTerms)) {
    out.set(term, { expertise: share * long, recent: share * short, tagRecent: term.startsWith(TAG_PREFIX) ? short : 0 });
  }
  for (const [term, share] of shares(answerTerms)) out.set(ANSWER_PREFIX + term, { expertise: share * long, recent: 0, tagRecent: 0 });
  return out;
}
