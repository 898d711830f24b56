export { loadMatcherConfig, type MatcherConfig } from './config.js';
export { handleQuestionAsked, type MatchDeps, type MatchOutcome } from './handle-question-asked.js';
export { startMatcher, type MatcherOptions, type RunningMatcher } from './start-matcher.js';
export { deferQuestionRefresh } from './update-expertise.js';
