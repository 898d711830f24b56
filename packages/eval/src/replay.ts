import {
  answerContribution, countsForAuthor, DEFAULT_MU, extractAnswerTerms, extractTerms, PeopleIndex, type AnswerFact, type ExtractedTerms, type RankInput,
} from '@qr/matching';
import type { SeAnswer, SeQuestion } from '@qr/stackexchange';
import { cmp, type Dataset } from './dataset.js';

/** A dump's time (UTC, written without a zone) in ms. */
export const timeOf = (createdAt: string): number => Date.parse(`${createdAt}Z`);

/** What is known when a question is asked, for ranking it: the engine's input and the protocol's candidates. */
export interface ReplayPoint {
  question: SeQuestion;
  /** everyone who answered before, but the asker (the protocol's candidates) */
  candidates: number[];
  input: Omit<RankInput, 'model'>;
}

/**
 * A community's history replayed in time order into the same engine the live matcher ranks with
 * (PeopleIndex): each answer is added as the matcher adds it (its question's terms, its own words, its
 * activity; nothing for an answer to one's own question), and each question counts for the document
 * frequencies once asked. `at(question)` moves the replay to just before a question and says what is
 * known then; questions must be visited in time order.
 */
export class CommunityReplay {
  readonly index = new PeopleIndex();
  private readonly documentFrequency = new Map<string, number>();
  private documents = 0;
  private readonly answerers = new Set<number>();
  private readonly questionsByDate: SeQuestion[];
  private readonly terms = new Map<number, ExtractedTerms>();
  private answersSeen = 0;
  private questionsSeen = 0;

  constructor(private readonly dataset: Dataset) {
    this.questionsByDate = [...dataset.questions.values()].sort((a, b) => cmp(a.createdAt, b.createdAt));
  }

  termsOf(question: SeQuestion): ExtractedTerms {
    let extracted = this.terms.get(question.id);
    if (!extracted) this.terms.set(question.id, (extracted = extractTerms(question)));
    return extracted;
  }

  /** Everything before `question` applied; what a ranker may know of it. */
  at(question: SeQuestion): ReplayPoint {
    const { answers, questions } = this.dataset;
    while (this.answersSeen < answers.length && cmp((answers[this.answersSeen] as SeAnswer).createdAt, question.createdAt) < 0) {
      this.learn(answers[this.answersSeen++] as SeAnswer, questions.get((answers[this.answersSeen - 1] as SeAnswer).parentId) as SeQuestion);
    }
    while (this.questionsSeen < this.questionsByDate.length && cmp((this.questionsByDate[this.questionsSeen] as SeQuestion).createdAt, question.createdAt) < 0) {
      this.documents += 1;
      const asked = this.questionsByDate[this.questionsSeen++] as SeQuestion;
      if (asked.ownerUserId !== undefined) this.index.asked(asked.ownerUserId, timeOf(asked.createdAt));
      for (const term of this.termsOf(asked).terms.keys()) {
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
      }
    }
    const candidates = [...this.answerers].filter((u) => u !== question.ownerUserId).sort((a, b) => cmp(String(a), String(b)));
    return {
      question,
      candidates,
      input: {
        question: this.termsOf(question),
        stats: { documents: this.documents, documentFrequency: this.documentFrequency },
        now: timeOf(question.createdAt),
        extra: candidates,
        exclude: question.ownerUserId === undefined ? [] : [question.ownerUserId],
      },
    };
  }

  /** The feature rows of a moment's candidates (FEATURES order). */
  features(moment: ReplayPoint, mu = DEFAULT_MU): { userIds: number[]; rows: Float64Array[] } {
    return this.index.features({ ...moment.input, mu });
  }

  private learn(answer: SeAnswer, question: SeQuestion): void {
    const userId = answer.ownerUserId as number;
    this.answerers.add(userId);
    const fact: AnswerFact = {
      at: timeOf(answer.createdAt),
      questionAt: timeOf(question.createdAt),
      accepted: question.acceptedAnswerId === answer.id,
      self: question.ownerUserId === userId,
    };
    const contribution = countsForAuthor(fact) ? answerContribution(this.termsOf(question).terms, extractAnswerTerms(answer.body), fact.at) : new Map();
    this.index.addAnswer(userId, contribution, fact);
  }
}
