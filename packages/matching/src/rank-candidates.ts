import { TAG_PREFIX, type ExtractedTerms } from './extract-terms.js';

export interface CorpusStats {
  documents: number;
  documentFrequency: ReadonlyMap<string, number>;
  /** Distinct weighted terms in a typical question (sets the background term probability). Default 20. */
  averageTerms?: number;
}

export interface Candidate {
  userId: number;
  /** The person's weight per term (only the question's terms are needed). */
  expertise: ReadonlyMap<string, number>;
  /** The person's whole expertise mass over all terms, in the same units as `expertise`: P(t|u) = weight / total. */
  total: number;
  /** How much they answered, for the volume prior (age-decayed); default `total`. */
  volume?: number;
  /** Answers in the recent past (a decayed count): availability. */
  recentAnswers?: number;
  /** How often they were asked recently (a decayed count): load. */
  recentAsks?: number;
  /** Asks in the current cap window; at `maxAsksPerWindow` they go after everyone else. */
  asksInWindow?: number;
}

/** Readable words (surface forms) and tag names that contributed, best first, at most 5 each; and recent activity. */
export interface MatchReasons {
  terms: string[];
  tags: string[];
  /** Answers in the recent past (a decayed count, rounded), when the person has any. */
  recentAnswers?: number;
}

export interface Match {
  userId: number;
  score: number;
  reasons: MatchReasons;
}

export interface RankOptions {
  limit: number;
  excludeUserIds?: readonly number[];
  /** Jelinek-Mercer lambda: how much a person's own profile counts against the background. Default 0.5. */
  smoothing?: number;
  /**
   * Weight of the topical evidence, taken per unit of question weight (the mean log likelihood ratio,
   * so long questions do not swamp the priors). Default 0: the raw sum, as before priors existed.
   */
  evidenceWeight?: number;
  /** Weight of the volume prior ln(1 + volume): more answers, slightly more likely. Default 0.5. */
  priorWeight?: number;
  /** Weight of the availability prior ln(1 + recentAnswers). Default 0. */
  recencyWeight?: number;
  /** Weight of the load penalty ln(1 + recentAsks). Default 0. */
  loadWeight?: number;
  /** People asked this many times in the window go after everyone else. Default: no cap. */
  maxAsksPerWindow?: number;
  /** Keep people who share no term with the question, ranked by their priors alone (cold start). Default false. */
  includeWithoutEvidence?: boolean;
}

export const DEFAULT_SMOOTHING = 0.5;
export const DEFAULT_PRIOR_WEIGHT = 0.5;
const DEFAULT_AVERAGE_TERMS = 20;

const MAX_REASONS = 5;

/** The background probability of a term: how likely any question is to carry it. */
export function backgroundProbability(stats: CorpusStats, term: string): number {
  const df = Math.max(0, stats.documentFrequency.get(term) ?? 0);
  const documents = Math.max(df, stats.documents);
  return (df + 0.5) / (documents + 1) / (stats.averageTerms ?? DEFAULT_AVERAGE_TERMS);
}

export function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export interface QuestionTerm {
  term: string;
  weight: number;
  /** (1 - lambda) * P(t): the background mass a person's profile is compared against */
  background: number;
}

interface Scored {
  candidate: Candidate;
  score: number;
  capped: boolean;
}

/**
 * A term's evidence that this person knows it: ln(1 + lambda P(t|u) / ((1 - lambda) P(t))), the
 * rank-equivalent form of a smoothed query likelihood. 0 when the person never touched the term; large
 * when a term that is rare in the collection is a real part of their profile.
 */
function termScore(term: QuestionTerm, candidate: Candidate, smoothing: number): number {
  const weight = candidate.expertise.get(term.term);
  return weight === undefined ? 0 : termEvidence(term, weight, candidate.total, smoothing);
}

/** termScore for a person's weight and total (shared by every ranker, so they compute the same bits). */
export function termEvidence(term: QuestionTerm, weight: number, total: number, smoothing: number): number {
  if (!(weight > 0) || !(total > 0)) return 0;
  const own = (smoothing * weight) / total;
  return term.weight * Math.log1p(own / term.background);
}

/** Options.smoothing, clamped to (0, 1). */
function smoothingOf(options: Pick<RankOptions, 'smoothing'>): number {
  return Math.min(0.999, Math.max(0.001, options.smoothing ?? DEFAULT_SMOOTHING));
}

/** The question's weighted terms, in question order, with their background mass. */
function questionTerms(question: ExtractedTerms, stats: CorpusStats, smoothing: number): QuestionTerm[] {
  const terms: QuestionTerm[] = [];
  for (const [term, qw] of question.terms) {
    if (qw > 0) terms.push({ term, weight: qw, background: (1 - smoothing) * backgroundProbability(stats, term) });
  }
  return terms;
}

/** A question and options resolved once for a ranking: what every ranker here computes the same way. */
export interface Scoring {
  limit: number;
  smoothing: number;
  /** the question's weighted terms, in question order */
  terms: QuestionTerm[];
  excluded: ReadonlySet<number>;
  priorWeight: number;
  recencyWeight: number;
  loadWeight: number;
  cap: number;
  evidenceScale: number;
  includeWithoutEvidence: boolean;
}

/** The options resolved against the question; undefined when nobody can rank (a limit below 1, or no weighted term without includeWithoutEvidence). */
export function scoringOf(question: ExtractedTerms, stats: CorpusStats, options: RankOptions): Scoring | undefined {
  const limit = Math.floor(options.limit);
  if (!(limit > 0)) return undefined;
  const smoothing = smoothingOf(options);
  const terms = questionTerms(question, stats, smoothing);
  const includeWithoutEvidence = options.includeWithoutEvidence ?? false;
  if (terms.length === 0 && !includeWithoutEvidence) return undefined;
  const questionWeight = terms.reduce((sum, t) => sum + t.weight, 0) || 1;
  return {
    limit,
    smoothing,
    terms,
    excluded: new Set(options.excludeUserIds ?? []),
    priorWeight: options.priorWeight ?? DEFAULT_PRIOR_WEIGHT,
    recencyWeight: options.recencyWeight ?? 0,
    loadWeight: options.loadWeight ?? 0,
    cap: options.maxAsksPerWindow ?? Number.POSITIVE_INFINITY,
    evidenceScale: options.evidenceWeight === undefined ? 1 : options.evidenceWeight / questionWeight,
    includeWithoutEvidence,
  };
}

/** The volume and availability priors: every prior but the load, which only lowers a score. */
export function basePrior(s: Scoring, volume: number, recentAnswers: number): number {
  return s.priorWeight * Math.log1p(Math.max(0, volume)) + s.recencyWeight * Math.log1p(Math.max(0, recentAnswers));
}

/** The whole prior: base - load (the same floating-point operations as writing the three terms in one sum). */
export function withLoad(s: Scoring, base: number, recentAsks: number): number {
  return base - s.loadWeight * Math.log1p(Math.max(0, recentAsks));
}

/** One person's place in a ranking. */
export interface Ranked {
  userId: number;
  score: number;
  /** asked too often in the window: ranked after everyone who is not */
  capped: boolean;
}

/** Whether a ranks before b: uncapped first, then score desc, then userId asc. */
function ranksBefore(a: Ranked, b: Ranked): boolean {
  if (a.capped !== b.capped) return !a.capped;
  if (a.score !== b.score) return a.score > b.score;
  return a.userId < b.userId;
}

/** The best `limit` offered so far, best first; a newcomer that does not beat the last is dropped at once. */
export class TopList {
  readonly entries: Ranked[] = [];

  constructor(private readonly limit: number) {}

  /** The last kept, once `limit` are kept. */
  get worst(): Ranked | undefined {
    return this.entries[this.limit - 1];
  }

  offer(entry: Ranked): void {
    const { entries } = this;
    if (entries.length === this.limit && !ranksBefore(entry, entries[entries.length - 1] as Ranked)) return;
    let at = entries.length;
    while (at > 0 && ranksBefore(entry, entries[at - 1] as Ranked)) at--;
    entries.splice(at, 0, entry);
    if (entries.length > this.limit) entries.pop();
  }
}

/** A person as a Candidate holding only the question's terms, from a look-up of their weights (for reasons). */
export function candidateFor(s: Scoring, userId: number, weightOf: (term: string) => number | undefined, total: number, recentAnswers: number): Candidate {
  const expertise = new Map<string, number>();
  for (const term of s.terms) {
    const weight = weightOf(term.term);
    if (weight !== undefined) expertise.set(term.term, weight);
  }
  return { userId, expertise, total, recentAnswers };
}

/** A ranked person as a Match, with the reasons their candidate gives. */
export function toMatch(question: ExtractedTerms, s: Scoring, candidate: Candidate, score: number): Match {
  return { userId: candidate.userId, score, reasons: withActivity(reasonsFor(question, s.terms, candidate, s.smoothing), candidate) };
}

function reasonsFor(question: ExtractedTerms, terms: readonly QuestionTerm[], candidate: Candidate, smoothing: number): MatchReasons {
  const contributions = terms
    .map((term) => ({ term: term.term, score: termScore(term, candidate, smoothing) }))
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

/**
 * Expert finding as query likelihood (Balog et al., "Model 1"), Jelinek-Mercer smoothed:
 * score(u) = sum over question terms t of qw(t) * ln(1 + lambda P(t|u) / ((1 - lambda) P(t)))
 *          + priorWeight * ln(1 + total(u)),
 * with P(t|u) = uw(t) / total(u). Ranked by score desc, ties by userId asc; people with no matching
 * term and excluded people are dropped; scores rounded to 4 decimals.
 */
export function rankCandidates(question: ExtractedTerms, candidates: Iterable<Candidate>, stats: CorpusStats, options: RankOptions): Match[] {
  const s = scoringOf(question, stats, options);
  if (!s) return [];
  const scored: Scored[] = [];
  for (const candidate of candidates) {
    if (s.excluded.has(candidate.userId)) continue;
    let evidence = 0;
    for (const term of s.terms) evidence += termScore(term, candidate, s.smoothing);
    if (evidence <= 0 && !s.includeWithoutEvidence) continue;
    evidence *= s.evidenceScale;
    const prior = withLoad(s, basePrior(s, candidate.volume ?? candidate.total, candidate.recentAnswers ?? 0), candidate.recentAsks ?? 0);
    scored.push({ candidate, score: round4(evidence + prior), capped: (candidate.asksInWindow ?? 0) >= s.cap });
  }
  // a sort, not TopList: people who share a userId (allowed here) keep their input order
  scored.sort((a, b) => Number(a.capped) - Number(b.capped) || b.score - a.score || a.candidate.userId - b.candidate.userId);
  return scored.slice(0, s.limit).map(({ candidate, score }) => toMatch(question, s, candidate, score));
}

function withActivity(reasons: MatchReasons, candidate: Candidate): MatchReasons {
  const recent = Math.round((candidate.recentAnswers ?? 0) * 10) / 10;
  return recent > 0 ? { ...reasons, recentAnswers: recent } : reasons;
}
