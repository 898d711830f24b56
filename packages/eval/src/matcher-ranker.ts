import { answerContribution, extractTerms, liveScoring, qualityFactor, rankCandidates, type Candidate, type ExtractedTerms } from '@qr/matching';
import type { SeAnswer } from '@qr/stackexchange';
import { cmp, type Dataset } from './dataset.js';
import type { Moment, Ranker } from './rankers.js';

/** The matcher's knobs, for tuning on the validation period (tune.ts). */
export interface MatcherParams {
  smoothing: number;
  evidenceWeight: number;
  priorWeight: number;
  recencyWeight: number;
  /** Half-life of the availability prior (recent answers). */
  recencyHalfLifeDays: number;
  /** Half-life of expertise: an old answer counts less. */
  expertiseHalfLifeDays: number;
  loadWeight: number;
  loadHalfLifeDays: number;
  /** At most this many asks (top-10 appearances) per person per 7 days before they go to the back. */
  maxAsksPerWeek: number;
  /** Weight answers by their score and acceptance. Off in the replay by default: a dump only has final scores, which include votes cast after the question being ranked. */
  useAnswerQuality: boolean;
}

/** The live matcher's parameters (one definition, in @qr/matching), and no answer quality (see above). */
export const defaultMatcherParams: MatcherParams = { ...liveScoring, useAnswerQuality: false };

const DAY = 86_400_000;
const EPOCH = Date.parse('2010-01-01T00:00:00Z');
const days = (createdAt: string): number => (Date.parse(`${createdAt}Z`) - EPOCH) / DAY;

interface Person {
  /** Forward-decayed weights: w * exp(rate * t_answer); the common factor exp(-rate * now) cancels in P(t|u). */
  weights: Map<string, number>;
  total: number;
  recent: number;
  asks: number;
  askTimes: number[];
}

/**
 * The live matcher replayed: what it knows at each question is built from the answers and
 * questions before it (expertise from the questions people answered, document frequencies from the
 * questions asked), and its own earlier top-10s count as asks for load balancing, as they would live.
 */
export function matcherRanker(dataset: Dataset, params: MatcherParams = defaultMatcherParams): Ranker {
  const expertiseRate = Math.LN2 / params.expertiseHalfLifeDays;
  const recencyRate = Math.LN2 / params.recencyHalfLifeDays;
  const loadRate = Math.LN2 / params.loadHalfLifeDays;
  const people = new Map<number, Person>();
  const terms = new Map<number, ExtractedTerms>();
  const termsOf = (questionId: number): ExtractedTerms => {
    let extracted = terms.get(questionId);
    if (!extracted) {
      const q = dataset.questions.get(questionId);
      extracted = q ? extractTerms(q) : { terms: new Map(), surface: new Map() };
      terms.set(questionId, extracted);
    }
    return extracted;
  };
  const documentFrequency = new Map<string, number>();
  let documents = 0;
  const questionsByDate = [...dataset.questions.values()].sort((a, b) => cmp(a.createdAt, b.createdAt));
  let questionsSeen = 0;
  let answersSeen = 0;

  const learn = (answer: SeAnswer): void => {
    const t = days(answer.createdAt);
    const question = dataset.questions.get(answer.parentId);
    const quality = params.useAnswerQuality ? { score: answer.score, accepted: question?.acceptedAnswerId === answer.id } : { score: 0, accepted: false };
    const grow = Math.exp(expertiseRate * t);
    let person = people.get(answer.ownerUserId as number);
    if (!person) people.set(answer.ownerUserId as number, (person = { weights: new Map(), total: 0, recent: 0, asks: 0, askTimes: [] }));
    for (const [term, w] of answerContribution(termsOf(answer.parentId), quality)) person.weights.set(term, (person.weights.get(term) ?? 0) + w * grow);
    person.total += qualityFactor(quality) * grow;
    person.recent += Math.exp(recencyRate * t);
  };

  return (moment: Moment): number[] => {
    const now = days(moment.question.createdAt);
    while (answersSeen < moment.history.length) learn(moment.history[answersSeen++] as SeAnswer);
    while (questionsSeen < questionsByDate.length && cmp((questionsByDate[questionsSeen] as { createdAt: string }).createdAt, moment.question.createdAt) < 0) {
      documents += 1;
      for (const term of termsOf((questionsByDate[questionsSeen++] as { id: number }).id).terms.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    }
    const candidates: Candidate[] = moment.candidates.map((userId) => {
      const person = people.get(userId) as Person;
      return {
        userId,
        expertise: person.weights,
        total: person.total,
        volume: person.total * Math.exp(-expertiseRate * now),
        recentAnswers: person.recent * Math.exp(-recencyRate * now),
        recentAsks: person.asks * Math.exp(-loadRate * now),
        asksInWindow: person.askTimes.filter((t) => now - t < 7).length,
      };
    });
    const ranked = rankCandidates(termsOf(moment.question.id), candidates, { documents, documentFrequency }, {
      limit: candidates.length,
      excludeUserIds: moment.question.ownerUserId === undefined ? [] : [moment.question.ownerUserId],
      smoothing: params.smoothing,
      evidenceWeight: params.evidenceWeight,
      priorWeight: params.priorWeight,
      recencyWeight: params.recencyWeight,
      loadWeight: params.loadWeight,
      maxAsksPerWindow: params.maxAsksPerWeek,
      includeWithoutEvidence: true,
    }).map((m) => m.userId);
    for (const userId of ranked.slice(0, 10)) {
      const person = people.get(userId) as Person;
      person.asks += Math.exp(loadRate * now);
      person.askTimes.push(now);
    }
    return ranked;
  };
}
