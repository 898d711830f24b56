export { addWeights, type TermWeights } from './term-weights.js';
export { extractTerms, TAG_PREFIX, type ExtractedTerms, type QuestionText } from './extract-terms.js';
export { answerContribution, qualityFactor, type AnswerQuality } from './answer-contribution.js';
export {
  backgroundProbability, DEFAULT_PRIOR_WEIGHT, DEFAULT_SMOOTHING, rankCandidates, type Candidate, type CorpusStats, type Match, type MatchReasons, type RankOptions,
} from './rank-candidates.js';
export { DECAY_ANCHOR_MS, daysSinceAnchor, expertiseDecayAt, expertiseGrowth, liveScoring } from './live-scoring.js';
export { htmlToText } from './html-to-text.js';
export { ExpertiseIndex, type IndexedPerson, type Postings, type RankStrategy, type RankWork } from './expertise-index.js';
export { rankPostings, type PersonFacts, type TermPostings } from './rank-postings.js';
export { LiveIndex, type PriorFacts } from './live-index.js';
