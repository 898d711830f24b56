/** JSON schemas of the HTTP contract (DESIGN.md). Unknown fields are rejected. */
const id = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
/** Text of at most maxLength characters (a NUL in any string of any request is refused before: strict-input.ts). */
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;

export const idParams = { type: 'object', required: ['id'], properties: { id }, additionalProperties: false } as const;

export const createUserBody = {
  type: 'object',
  required: ['name', 'email'],
  additionalProperties: false,
  properties: {
    name: text(200),
    email: { type: 'string', minLength: 3, maxLength: 320 }, // one plain mailbox: isMailbox (packages/contracts)
  },
} as const;

export const createQuestionBody = {
  type: 'object',
  required: ['askerId', 'title', 'body'],
  additionalProperties: false,
  properties: {
    askerId: id,
    title: text(300),
    body: text(30_000),
    tags: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9][A-Za-z0-9.+#_-]*$' } },
  },
} as const;

export const createAnswerBody = {
  type: 'object',
  required: ['userId', 'body'],
  additionalProperties: false,
  properties: { userId: id, body: text(30_000) },
} as const;

export const createVoteBody = {
  type: 'object',
  required: ['userId', 'value'],
  additionalProperties: false,
  properties: { userId: id, value: { type: 'integer', enum: [1, -1] } },
} as const;

export const acceptBody = {
  type: 'object',
  required: ['answerId'],
  additionalProperties: false,
  properties: { answerId: id },
} as const;

export interface IdParams { id: number }
export interface CreateUser { name: string; email: string }
export interface CreateQuestion { askerId: number; title: string; body: string; tags?: string[] }
export interface CreateAnswer { userId: number; body: string }
export interface CreateVote { userId: number; value: 1 | -1 }
export interface Accept { answerId: number }
