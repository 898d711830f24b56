import type { ExtractedTerms } from './extract-terms.js';
import {
  DEFAULT_PRIOR_WEIGHT, questionTerms, reasonsFor, round4, smoothingOf, termEvidence, withActivity, type Candidate, type CorpusStats, type Match,
  type RankOptions,
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

interface Kept {
  userId: number;
  score: number;
  capped: boolean;
}

/** Whether a ranks before b: uncapped first, then score desc, then userId asc (rankCandidates' order). */
function before(a: Kept, b: Kept): boolean {
  if (a.capped !== b.capped) return !a.capped;
  if (a.score !== b.score) return a.score > b.score;
  return a.userId < b.userId;
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
  const limit = Math.floor(options.limit);
  if (!(limit > 0)) return [];
  const smoothing = smoothingOf(options);
  const terms = questionTerms(question, stats, smoothing);
  const includeWithoutEvidence = options.includeWithoutEvidence ?? false;
  if (terms.length === 0 && !includeWithoutEvidence) return [];

  const evidenceOf = new Map<number, number>();
  for (const term of terms) {
    const people = postings.get(term.term);
    if (!people) continue;
    for (const [userId, weight] of people) {
      const score = termEvidence(term, weight, facts.total(userId), smoothing);
      if (score !== 0) evidenceOf.set(userId, (evidenceOf.get(userId) ?? 0) + score);
    }
  }

  const excluded = new Set(options.excludeUserIds ?? []);
  const priorWeight = options.priorWeight ?? DEFAULT_PRIOR_WEIGHT;
  const recencyWeight = options.recencyWeight ?? 0;
  const loadWeight = options.loadWeight ?? 0;
  const cap = options.maxAsksPerWindow ?? Number.POSITIVE_INFINITY;
  const questionWeight = terms.reduce((sum, t) => sum + t.weight, 0) || 1;
  const evidenceScale = options.evidenceWeight === undefined ? 1 : options.evidenceWeight / questionWeight;
  // the best `limit` so far, best first; a newcomer that does not beat the last is dropped at once
  const top: Kept[] = [];
  for (const userId of candidates) {
    if (excluded.has(userId)) continue;
    let evidence = evidenceOf.get(userId) ?? 0;
    if (evidence <= 0 && !includeWithoutEvidence) continue;
    evidence *= evidenceScale;
    const prior =
      priorWeight * Math.log1p(Math.max(0, facts.volume(userId))) +
      recencyWeight * Math.log1p(Math.max(0, facts.recentAnswers(userId))) -
      loadWeight * Math.log1p(Math.max(0, facts.recentAsks(userId)));
    const kept: Kept = { userId, score: round4(evidence + prior), capped: facts.asksInWindow(userId) >= cap };
    if (top.length === limit && !before(kept, top[top.length - 1] as Kept)) continue;
    let at = top.length;
    while (at > 0 && before(kept, top[at - 1] as Kept)) at--;
    top.splice(at, 0, kept);
    if (top.length > limit) top.pop();
  }

  return top.map(({ userId, score }) => {
    const expertise = new Map<string, number>();
    for (const term of terms) {
      const weight = postings.get(term.term)?.get(userId);
      if (weight !== undefined) expertise.set(term.term, weight);
    }
    const candidate: Candidate = { userId, expertise, total: facts.total(userId), recentAnswers: facts.recentAnswers(userId) };
    return { userId, score, reasons: withActivity(reasonsFor(question, terms, candidate, smoothing), candidate) };
  });
}
