import { addWeights, answerContribution, type Candidate, type CorpusStats, type ExtractedTerms, type PersonFacts, type TermWeights } from '../src/index.js';

// A seeded random community for the rankers' equivalence tests (ExpertiseIndex, rankPostings against rankCandidates).

/** mulberry32 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A draw from a Zipf(s) over 0..n-1 (inverse CDF). */
function zipfSampler(random: () => number, n: number, s: number): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / Math.pow(i + 1, s);
  return () => {
    const x = random() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export interface World {
  people: Candidate[];
  stats: CorpusStats;
  questions: ExtractedTerms[];
  random: () => number;
}

/**
 * 2,000 people with Zipfian activity over a Zipfian vocabulary of words and tags; some twins (same
 * profile and priors, different userIds: exact ties), a duplicated userId, people with an empty profile,
 * a zero total, non-positive weights; priors with coarse values so rounded scores tie; asks around the cap.
 */
export function world(seed: number, size = 2000): World {
  const random = rng(seed);
  const VOCABULARY = 400;
  const word = zipfSampler(random, VOCABULARY, 1.1);
  const tag = zipfSampler(random, 40, 1.1);
  const activity = zipfSampler(random, 60, 2);
  const name = (i: number): string => `w${i}`;
  const tagName = (i: number): string => `tag:t${i}`;
  const questionTerms = (): Map<string, number> => {
    const terms = new Map<string, number>();
    const words = 3 + Math.floor(random() * 12);
    for (let i = 0; i < words; i++) terms.set(name(word()), 1 + Math.floor(random() * 3));
    const tags = 1 + Math.floor(random() * 3);
    for (let i = 0; i < tags; i++) terms.set(tagName(tag()), 3);
    return terms;
  };
  const documentFrequency = new Map<string, number>();
  let documents = 0;
  const people: Candidate[] = [];
  for (let p = 0; p < size; p++) {
    const expertise: TermWeights = new Map();
    const answers = activity() + 1;
    for (let a = 0; a < answers; a++) {
      const terms = questionTerms();
      documents++;
      for (const term of terms.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      const quality = { score: Math.floor(random() * 4) - 1, accepted: random() < 0.3 };
      addWeights(expertise, answerContribution({ terms, surface: new Map() }, quality));
    }
    let total = 0;
    for (const w of expertise.values()) total += w;
    const roll = random();
    if (roll < 0.01) expertise.clear();
    else if (roll < 0.02) total = 0;
    else if (roll < 0.03) expertise.set(name(word()), -1);
    else if (roll < 0.04) expertise.set(name(word()), 0);
    else if (roll < 0.1) total *= 1 + random(); // a profile with more than the question terms
    const candidate: Candidate = { userId: 100 + p * 2, expertise, total };
    if (random() < 0.7) candidate.volume = Math.round(total * 4) / 4;
    if (random() < 0.4) candidate.recentAnswers = Math.floor(random() * 6) / 2;
    if (random() < 0.3) candidate.recentAsks = Math.floor(random() * 4);
    if (random() < 0.5) candidate.asksInWindow = Math.floor(random() * 13);
    people.push(candidate);
  }
  // twins: exact ties whatever the question
  for (let i = 0; i < 30; i++) {
    const of = people[Math.floor(random() * people.length)] as Candidate;
    people.push({ ...of, userId: 1 + Math.floor(random() * 90) * 50 + (i % 2) });
  }
  // a userId twice (rankCandidates keeps both, in input order)
  const again = people[7] as Candidate;
  people.push({ ...again });
  // people with nothing but priors
  for (let i = 0; i < 20; i++) people.push({ userId: 9000 + i, expertise: new Map(), total: 0, recentAnswers: Math.floor(random() * 4) });
  // shuffle, so slots are not in userId order
  for (let i = people.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [people[i], people[j]] = [people[j] as Candidate, people[i] as Candidate];
  }
  const questions: ExtractedTerms[] = [];
  for (let q = 0; q < 20; q++) {
    const terms = questionTerms();
    if (q % 5 === 1) terms.set('neverseen', 2); // a term nobody has
    if (q % 5 === 2) terms.set(name(word()), 0); // a term that does not count
    if (q % 7 === 3) terms.set(name(VOCABULARY - 1 - q), 1); // a rare term
    const surface = new Map([...terms.keys()].map((t) => [t, t.startsWith('tag:') ? t.slice(4) : `${t}ing`]));
    questions.push({ terms, surface });
  }
  questions.push({ terms: new Map(), surface: new Map() });
  const averageTerms = random() < 0.5 ? undefined : 5 + random() * 20;
  return { people, stats: { documents, documentFrequency, ...(averageTerms === undefined ? {} : { averageTerms }) }, questions, random };
}

/** These people's numbers besides their expertise, looked up by id (0 for anyone else). */
export function factsOf(people: readonly Candidate[]): PersonFacts {
  const byId = new Map<number, Candidate>();
  for (const person of people) byId.set(person.userId, person);
  const of = (userId: number): Candidate | undefined => byId.get(userId);
  return {
    total: (userId) => of(userId)?.total ?? 0,
    volume: (userId) => of(userId)?.volume ?? of(userId)?.total ?? 0,
    recentAnswers: (userId) => of(userId)?.recentAnswers ?? 0,
    recentAsks: (userId) => of(userId)?.recentAsks ?? 0,
    asksInWindow: (userId) => of(userId)?.asksInWindow ?? 0,
  };
}

/** One entry per userId (the first): term-major data holds one weight per (term, person). */
export function distinctPeople(people: readonly Candidate[]): Candidate[] {
  const seen = new Set<number>();
  return people.filter((p) => !seen.has(p.userId) && seen.add(p.userId));
}
