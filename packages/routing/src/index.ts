export { countAnswer, countUncountedAnswers } from './count-answer.js';
export { decideMatches } from './decide-matches.js';
export { corpusRefreshDelay, LivePeople, type LivePeopleOptions } from './live-people.js';
export { loadActiveModel, loadPeople, loadPreferences, type LoadedPerson } from './people-loader.js';
export { ACTIVE_CANDIDATES, ACTIVE_DAYS, mostActive, type PeopleSource } from './people-source.js';
export { PgPeople } from './pg-people.js';
export { ensureQuestionTerms, toStored } from './question-terms.js';
export { loadHistory, tuneModel, type TuneOutcome, type TuneResult } from './tune.js';
