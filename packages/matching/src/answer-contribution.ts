import type { ExtractedTerms } from './extract-terms.js';
import type { TermWeights } from './term-weights.js';

export interface AnswerQuality {
  score: number;
  accepted: boolean;
}

/** How much one answer counts: 1 + ln(1 + max(score, 0)) + (accepted ? 1 : 0); a negative score counts 0.5, accepted or not. */
export function qualityFactor(quality: AnswerQuality): number {
  const score = Number.isFinite(quality.score) ? quality.score : 0;
  if (score < 0) return 0.5;
  return 1 + Math.log1p(score) + (quality.accepted ? 1 : 0);
}

/** What one answer adds to its author's expertise: the question's terms, L1-normalised to sum 1 (so a long question does not dominate), times a quality factor: 1 + ln(1 + max(score, 0)) + (accepted ? 1 : 0), and 0.5 for a negative score. */
export function answerContribution(question: ExtractedTerms, quality: AnswerQuality): TermWeights {
  const contribution: TermWeights = new Map();
  let total = 0;
  for (const weight of question.terms.values()) if (weight > 0) total += weight;
  if (total === 0) return contribution;
  const scale = qualityFactor(quality) / total;
  for (const [term, weight] of question.terms) if (weight > 0) contribution.set(term, weight * scale);
  return contribution;
}
