import { readPosts, type SeAnswer, type SeQuestion } from '@qr/stackexchange';

/** A dump replayed in time order, split as the protocol says (../shared/eval/route_eval.py). */
export interface Dataset {
  questions: Map<number, SeQuestion>;
  /** Answers with an owner whose question is in the dump, oldest first. */
  answers: SeAnswer[];
  answersByQuestion: Map<number, SeAnswer[]>;
  /** The creation date of the first test question: the last 20% of questions by date start here. */
  cut: string;
  /** Test questions (at or after the cut, answered by someone other than the asker), oldest first. */
  test: SeQuestion[];
  malformed: number;
}

/**
 * `trainFraction` 0.8: the protocol's test period, the last 20% of questions. For choosing parameters
 * without looking at it, pass 0.6 and `endFraction` 0.8: a validation period entirely before it.
 */
export function buildDataset(questionList: SeQuestion[], answerList: SeAnswer[], trainFraction = 0.8, endFraction = 1): Dataset {
  const questions = new Map(questionList.map((q) => [q.id, q]));
  // stable sorts: ties keep file order, like Python's sorted()
  const answers = answerList.filter((a) => a.ownerUserId !== undefined && questions.has(a.parentId)).sort((a, b) => cmp(a.createdAt, b.createdAt));
  const answersByQuestion = new Map<number, SeAnswer[]>();
  for (const a of answerList) {
    if (a.ownerUserId === undefined || !questions.has(a.parentId)) continue;
    const list = answersByQuestion.get(a.parentId);
    if (list) list.push(a);
    else answersByQuestion.set(a.parentId, [a]);
  }
  const sorted = [...questionList].sort((a, b) => cmp(a.createdAt, b.createdAt));
  // past the last question (a whole history, no test period), the cut is after everything
  const cut = sorted[Math.floor(trainFraction * sorted.length)]?.createdAt ?? '9999';
  const end = endFraction >= 1 ? undefined : sorted[Math.floor(endFraction * sorted.length)]?.createdAt;
  const test = sorted.filter((q) => q.createdAt >= cut && (end === undefined || q.createdAt < end) && (answersByQuestion.get(q.id) ?? []).some((a) => a.ownerUserId !== q.ownerUserId));
  return { questions, answers, answersByQuestion, cut, test, malformed: 0 };
}

export async function loadDataset(path: string, trainFraction = 0.8, endFraction = 1): Promise<Dataset> {
  const questions: SeQuestion[] = [];
  const answers: SeAnswer[] = [];
  let malformed = 0;
  for await (const post of readPosts(path, { onMalformed: () => malformed++ })) {
    if (post.kind === 'question') questions.push(post);
    else answers.push(post);
  }
  if (questions.length === 0) throw new Error(`${path} holds no questions`);
  return { ...buildDataset(questions, answers, trainFraction, endFraction), malformed };
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
