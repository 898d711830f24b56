/** Term -> weight. Word terms are Porter stems ("hop"); tag terms are "tag:<tag>" ("tag:hops"). */
export type TermWeights = Map<string, number>;
