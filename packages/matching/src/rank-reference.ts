import type { TermValues } from './contribution.js';
import { FEATURES, questionLookups } from './features.js';
import { scoreOf, weightVector } from './model.js';
import { bestFirst, type RankInput, type Scored } from './ranked.js';
import { PersonActivity } from './person-activity.js';

/** A person as plain data: what they hold per term, and their activity. */
export interface ReferencePerson {
  userId: number;
  terms: ReadonlyMap<string, TermValues>;
  activity: PersonActivity;
}

/**
 * The ranking, written the obvious way over plain maps: the oracle PeopleIndex is held to (randomized
 * equivalence tests), not used to rank in production. Candidates are the people holding a looked-up
 * term plus `extra`, minus `exclude`; each feature is summed in lookup order, as the index sums it.
 */
export function rankReference(people: readonly ReferencePerson[], input: RankInput): Scored[] {
  const lookups = questionLookups(input.question, input.stats, input.now, input.model.mu);
  const excluded = new Set(input.exclude ?? []);
  const extra = new Set(input.extra ?? []);
  const weights = weightVector(input.model);
  const known = new Map(people.map((p) => [p.userId, p]));
  const candidates = new Set<number>();
  for (const p of people) {
    if (lookups.some((l) => (p.terms.get(l.key)?.[l.channel] ?? 0) > 0)) candidates.add(p.userId);
  }
  for (const userId of extra) candidates.add(userId);
  const scored: Scored[] = [];
  for (const userId of candidates) {
    if (excluded.has(userId)) continue;
    const person = known.get(userId);
    const row = new Float64Array(FEATURES.length);
    for (const lookup of lookups) {
      const value = person?.terms.get(lookup.key)?.[lookup.channel] ?? 0;
      if (!(value > 0)) continue;
      const l = Math.log1p(value * lookup.scale);
      for (const [f, coefficient] of lookup.targets) row[f] = (row[f] as number) + coefficient * l;
    }
    (person?.activity ?? new PersonActivity()).writeFeatures(input.now, input.model.mu, row);
    scored.push({ userId, score: scoreOf(weights, row) });
  }
  return scored.sort(bestFirst);
}
