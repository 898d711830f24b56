import { PermanentError, TaskQueue } from '@qr/lemur';
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/** Tasks the matcher runs for itself and others: name -> arguments. */
export const matcherTaskSchemas = {
  /** Make sure one answer is counted for its author, and tell the matchers its author changed (an acceptance). */
  'refresh-answer': Type.Object({ answerId: Type.Integer({ minimum: 1 }) }),
};

export type MatcherTasks = { [K in keyof typeof matcherTaskSchemas]: Static<(typeof matcherTaskSchemas)[K]> };

export const MATCHER_TASKS_QUEUE = 'matcher.tasks';

const checks = Object.fromEntries(Object.entries(matcherTaskSchemas).map(([name, schema]) => [name, TypeCompiler.Compile(schema)]));

export const matcherTasks = new TaskQueue<MatcherTasks>({
  queue: MATCHER_TASKS_QUEUE,
  validate: (name, args) => {
    const check = checks[name];
    if (!check) throw new PermanentError(`unknown task ${name}`);
    if (!check.Check(args)) throw new PermanentError(`invalid arguments for ${name}: ${check.Errors(args).First()?.message ?? 'do not match'}`);
    return args as MatcherTasks[typeof name];
  },
});
