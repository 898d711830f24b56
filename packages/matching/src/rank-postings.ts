import type { ExtractedTerms } from './extract-terms.js';
import {
  basePrior, candidateFor, round4, scoringOf, termEvidence, toMatch, TopList, withLoad, type CorpusStats, type Match, type RankOptions,
} from './rank-candidates.js';

/** Term-major expertise: term -> person -> their stored weight for it (only the question's terms are read). */
export type TermPostings = ReadonlyMap<string, ReadonlyMap<number, number>>;

/** What ranking needs to know of a person besides their expertise, looked up by userId. */
export interface PersonFacts {
  /** The person's whole expertise mass (`Candidate.total`); 0 when unknown. */
  total(userId: number): number;
  /** `Candidate.volume`; return the total when there is no separate volume. */
  volume(userId: number): number;
  recentAnswers(userId: number): number;
  recentAsks(userId: number): number;
  asksInWindow(userId: number): number;
}

/**
 * Exactly `rankCandidates(question, people, stats, options)` for `people` = one Candidate per
 * id in `candidates`, whose expertise is what `postings` holds for them and whose other
 * numbers `facts` gives, computed term at a time: each posting of each question term is read once
 * into one running sum per person (in question order, so each sum is the same floating-point sum
 * rankCandidates makes), then the top `limit` are kept as they are scored, and only they get a
 * Candidate and reasons. No Map per person, no sort of everyone.
 */
export function rankPostings(
  question: ExtractedTerms,
  postings: TermPostings,
  candidates: ReadonlySet<number>,
  facts: PersonFacts,
  stats: CorpusStats,
  options: RankOptions,
): Match[] {
  const s = scoringOf(question, stats, options);
  if (!s) return [];

  const evidenceOf = new Map<number, number>();
  for (const term of s.terms) {
    const people = postings.get(term.term);
    if (!people) continue;
    for (const [userId, weight] of people) {
      const score = termEvidence(term, weight, facts.total(userId), s.smoothing);
      if (score !== 0) evidenceOf.set(userId, (evidenceOf.get(userId) ?? 0) + score);
    }
  }

  const top = new TopList(s.limit);
  for (const userId of candidates) {
    if (s.excluded.has(userId)) continue;
    let evidence = evidenceOf.get(userId) ?? 0;
    if (evidence <= 0 && !s.includeWithoutEvidence) continue;
    evidence *= s.evidenceScale;
    const prior = withLoad(s, basePrior(s, facts.volume(userId), facts.recentAnswers(userId)), facts.recentAsks(userId));
    top.offer({ userId, score: round4(evidence + prior), capped: facts.asksInWindow(userId) >= s.cap });
  }

  return top.entries.map(({ userId, score }) =>
    toMatch(question, s, candidateFor(s, userId, (term) => postings.get(term)?.get(userId), facts.total(userId), facts.recentAnswers(userId)), score),
  );
}
