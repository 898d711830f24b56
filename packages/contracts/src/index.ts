export { decodeMessage, supportedVersions } from './decode.js';
export { AnswerAccepted, AnswerPosted, AnswerVoted, messageSchemas, QuestionAsked, QuestionMatched, type Messages, type MessageType } from './messages.js';
export { destinationOf, EVENTS_EXCHANGE, eventQueueName, newMessage, QUESTION_ASKED_QUEUE, subscriptions, topology } from './topology.js';
