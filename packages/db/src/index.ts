export { getAnswer, insertAnswer, listAnswerIdsOfQuestion, upsertVote, type AnswerRow } from './answers.js';
export {
  addUserExpertise, findTermHolders, getCorpusStats, getQuestionTerms, insertQuestionTerms, listUncountedAnswerIds, loadPeopleExpertise, markAnswerCounted,
  databaseIdentity, listPeopleChangedSince, notifyPeopleChanged, streamPeopleExpertise, type StoredQuestionTerms, type StoredTermValues,
} from './expertise.js';
export { getMatches, recordMatches, type MatchRow } from './matches.js';
export { migrate, migrationsDir, pendingMigrations } from './migrate.js';
export { countUnsentOutbox, insertOutboxMessage, PgOutboxStore } from './outbox.js';
export { createPool, databaseGate, isDatabaseUnavailable, isForeignKeyViolation, isUniqueViolation, withTransaction, type Pool, type PoolClient, type Queryable } from './pool.js';
export { askQuestion, getQuestion, insertQuestion, setAcceptedAnswer, type QuestionRow } from './questions.js';
export { findUserIdByEmail, insertUser, listPeople, userExists } from './users.js';
export { pruneJournal, selectJournal, type JournalEntry, type JournalFilter } from './journal.js';
export { loadAnswerFacts, loadAskers, loadAskTimes, loadLastAsked, loadMostActive, streamAnswerFacts, type AnswerFactRow } from './activity.js';
export {
  activateRankingModel, getActiveRankingModel, getRankingModel, insertRankingModel, listRankingModels, type RankingModelRow,
} from './ranking-models.js';
export {
  addPendingAcceptances, applyPendingAcceptances, countImported, countImportedQuestionsWithoutTerms, countPendingAcceptances, createPendingAcceptances,
  dropPendingAcceptances, findImportedQuestionIds, findImportedUserIds, insertImportedAnswers, insertImportedQuestions, insertImportedUsers,
  listImportedAnswerIds, listImportedQuestionsWithoutTerms, type ImportAnswer, type ImportedRow, type ImportQuestion, type ImportUser,
} from './import.js';
export {
  claimDueDigests, claimNotification, ensurePreferences, loadAskPreferences, getAnswerDetails, getMatchedQuestionDetails, getUserContact, listDigestNotifications,
  markDigestSent, markNotificationsSent, notificationKinds, recordNotification, releaseNotification, updatePreferences,
  type AnswerDetails, type DigestMode, type MatchedQuestionDetails, type NotificationKind, type NotificationRow, type Preferences, type PreferencesChange,
} from './notifications.js';
export { issueUnsubscribeToken, pruneUnsubscribeTokens, UNSUBSCRIBE_TOKEN_DAYS, unsubscribeByToken } from './unsubscribe-tokens.js';
export { getSiteStatus, setAnnouncement, setMaintenance, type SiteStatus } from './site-status.js';
export { findToken, hashToken, insertToken, listTokens, newToken, revokeToken, tokenScopes, type TokenRow, type TokenScope } from './tokens.js';
export { listHistoryAnswers, listHistoryQuestions } from './history.js';
export { Channels, ListenerState, PgListener, type PgListenerOptions } from './listener.js';
export { claimIdempotencyKey, completeIdempotencyKey, IDEMPOTENCY_RUNNING_SECONDS, pruneIdempotencyKeys, releaseIdempotencyKey, type IdempotencyClaim } from './idempotency.js';
