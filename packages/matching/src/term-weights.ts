/** Term -> weight. Word terms are Porter stems ("hop"); tag terms are "tag:<tag>" ("tag:hops"). */
export type TermWeights = Map<string, number>;

/** Adds `add` into `into`, term by term, and returns `into` (so many answers sum to one expertise). */
export function addWeights(into: TermWeights, add: ReadonlyMap<string, number>): TermWeights {
  for (const [term, weight] of add) into.set(term, (into.get(term) ?? 0) + weight);
  return into;
}
