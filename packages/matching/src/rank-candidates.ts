import { TAG_PREFIX, type ExtractedTerms } from './extract-terms.js';

export interface CorpusStats {
  documents: number;
  documentFrequency: ReadonlyMap<string, number>;
}

export interface Candidate {
  userId: number;
  expertise: ReadonlyMap<string, number>;
}

/** Readable words (surface forms) and tag names that contributed, best first, at most 5 each. */
export interface MatchReasons {
  terms: string[];
  tags: string[];
}

export interface Match {
  userId: number;
  score: number;
  reasons: MatchReasons;
}

export interface RankOptions {
  limit: number;
  excludeUserIds?: readonly number[];
}

const MAX_REASONS = 5;

/** idf(t) = ln(1 + (documents + 1) / (df(t) + 1)): always > 0, larger for rarer terms. */
export function inverseDocumentFrequency(stats: CorpusStats, term: string): number {
  const documents = Math.max(0, stats.documents);
  const df = Math.max(0, stats.documentFrequency.get(term) ?? 0);
  return Math.log1p((documents + 1) / (df + 1));
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

interface QuestionTerm {
  term: string;
  /** qw(t) * idf(t) */
  weight: number;
}

interface Scored {
  candidate: Candidate;
  score: number;
}

function termScore(term: QuestionTerm, expertise: ReadonlyMap<string, number>): number {
  const userWeight = expertise.get(term.term);
  return userWeight !== undefined && userWeight > 0 ? term.weight * Math.log1p(userWeight) : 0;
}

function reasonsFor(question: ExtractedTerms, terms: readonly QuestionTerm[], expertise: ReadonlyMap<string, number>): MatchReasons {
  const contributions = terms
    .map((term) => ({ term: term.term, score: termScore(term, expertise) }))
    .filter((c) => c.score > 0)
    .sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  const reasons: MatchReasons = { terms: [], tags: [] };
  for (const { term } of contributions) {
    const isTag = term.startsWith(TAG_PREFIX);
    const list = isTag ? reasons.tags : reasons.terms;
    if (list.length < MAX_REASONS) list.push(question.surface.get(term) ?? (isTag ? term.slice(TAG_PREFIX.length) : term));
  }
  return reasons;
}

/** score(user) = sum over question terms t of qw(t) * idf(t) * ln(1 + uw(t)), idf(t) = ln(1 + (documents + 1) / (df(t) + 1)); ranked by score desc, ties by userId asc; users with score 0 and excluded users are dropped; scores rounded to 4 decimals. */
export function rankCandidates(question: ExtractedTerms, candidates: Iterable<Candidate>, stats: CorpusStats, options: RankOptions): Match[] {
  const limit = Math.floor(options.limit);
  if (!(limit > 0)) return [];
  const terms: QuestionTerm[] = [];
  for (const [term, qw] of question.terms) if (qw > 0) terms.push({ term, weight: qw * inverseDocumentFrequency(stats, term) });
  if (terms.length === 0) return [];

  const excluded = new Set(options.excludeUserIds ?? []);
  const scored: Scored[] = [];
  for (const candidate of candidates) {
    if (excluded.has(candidate.userId)) continue;
    let score = 0;
    for (const term of terms) score += termScore(term, candidate.expertise);
    const rounded = round4(score);
    if (rounded > 0) scored.push({ candidate, score: rounded });
  }
  scored.sort((a, b) => b.score - a.score || a.candidate.userId - b.candidate.userId);

  return scored.slice(0, limit).map(({ candidate, score }) => ({
    userId: candidate.userId,
    score,
    reasons: reasonsFor(question, terms, candidate.expertise),
  }));
}
