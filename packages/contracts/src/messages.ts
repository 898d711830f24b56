import { Type, type Static, type TSchema } from '@sinclair/typebox';

const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const Text = (maxLength: number) => Type.String({ maxLength });

/** Work: a question to match. Any STOMP client may send this body to /amq/queue/question.asked. */
export const QuestionAsked = Type.Object({
  questionId: Id,
  askerId: Id,
  title: Text(1_000),
  body: Text(100_000),
  tags: Type.Optional(Type.Array(Text(100), { maxItems: 20 })),
  askedAt: Type.Optional(Type.String({ maxLength: 40 })),
});

export const QuestionMatched = Type.Object({
  questionId: Id,
  matches: Type.Array(Type.Object({ userId: Id, score: Type.Number() }), { maxItems: 1_000 }),
});

export const AnswerPosted = Type.Object({ answerId: Id, questionId: Id, userId: Id, postedAt: Type.String({ maxLength: 40 }) });
export const AnswerVoted = Type.Object({ answerId: Id, userId: Id, value: Type.Union([Type.Literal(1), Type.Literal(-1)]) });
export const AnswerAccepted = Type.Object({ answerId: Id, questionId: Id });

/**
 * A `question.asked` body as JSON text before the question is stored: every field as the contract
 * has it, in its order, except the two the database gives the stored row, its id and when it was
 * stored, which stand as the first member `"questionId":0` and the last `"askedAt":""` for the
 * statement that stores the question to fill in (askQuestion in packages/db).
 */
export function questionAskedTemplate(q: { askerId: number; title: string; body: string; tags: string[] }): string {
  const body: Static<typeof QuestionAsked> = { questionId: 0, askerId: q.askerId, title: q.title, body: q.body, tags: q.tags, askedAt: '' };
  return JSON.stringify(body);
}

/** The message map: every type this system publishes, and its body. */
export const messageSchemas = {
  'question.asked': QuestionAsked,
  'question.matched': QuestionMatched,
  'answer.posted': AnswerPosted,
  'answer.voted': AnswerVoted,
  'answer.accepted': AnswerAccepted,
} satisfies Record<string, TSchema>;

export type MessageType = keyof typeof messageSchemas;
export type Messages = { [K in MessageType]: Static<(typeof messageSchemas)[K]> };
