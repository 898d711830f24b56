export type { TermWeights } from './term-weights.js';
export { extractAnswerTerms, extractTerms, TAG_PREFIX, type ExtractedTerms, type QuestionText } from './extract-terms.js';
export { decodeEntities, htmlToText } from './html-to-text.js';
export { decayAt, decayedAdd, decayedRead, growth, HALF_LIFE_DAYS } from './decay.js';
export { ANSWER_PREFIX, answerContribution, type TermValues } from './contribution.js';
export { countsForAuthor, PersonActivity, SETTLED_AFTER_DAYS, type AnswerFact } from './person-activity.js';
export { backgroundProbability, CONTENT_FEATURES, FEATURES, questionLookups, type CorpusStats, type FeatureName, type Lookup } from './features.js';
export { DEFAULT_MODEL, DEFAULT_MU, modelOf, parseModel, scoreOf, weightVector, type RankingModel } from './model.js';
export { PeopleIndex } from './people-index.js';
export { readSnapshot, writeSnapshot } from './snapshot.js';
export { bestFirst, type FeatureInput, type Match, type MatchReasons, type RankInput, type Scored } from './ranked.js';
export { rankReference, type ReferencePerson } from './rank-reference.js';
export { ranking, topK, type RankingPart, type TopStats } from './top-k.js';
export {
  AskLedger, chooseAsks, DEFAULT_ASK_BUDGET, partsOf, type PartRanking, weeklyBudget, whyNotAsk, type Ask, type AskBudgetPolicy, type AskPreferences, type BudgetCheck, type PassReason,
} from './budget.js';
export { decide, type Decision } from './decide.js';
export { reasonsFor } from './reasons.js';
