export { decodeMessage, supportedVersions } from './decode.js';
export { AnswerAccepted, AnswerPosted, AnswerVoted, messageSchemas, QuestionAsked, questionAskedTemplate, QuestionMatched, type Messages, type MessageType } from './messages.js';
export { destinationOf, EVENTS_EXCHANGE, eventQueueName, newMessage, QUESTION_ASKED_QUEUE, subscriptions, topology } from './topology.js';
export { MATCHER_TASKS_QUEUE, matcherTasks, matcherTaskSchemas, type MatcherTasks } from './tasks.js';
export { isMailbox } from './email.js';
