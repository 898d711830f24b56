export { loadMatcherConfig, type MatcherConfig } from './config.js';
export { decideMatches, handleQuestionAsked, type MatchDeps, type MatchOutcome } from './handle-question-asked.js';
export { corpusRefreshDelay, LivePeople } from './live-people.js';
export { PgPeople, type PeopleSource } from './people.js';
export { startMatcher, type MatcherOptions, type RunningMatcher } from './start-matcher.js';
export { deferQuestionRefresh, refreshAnswerContribution } from './update-expertise.js';
export { ensureQuestionTerms } from './question-terms.js';
