// Fixtures shared by the ranking tests: a small community whose expertise is built as the matcher builds it.
import {
  addWeights, answerContribution, extractTerms, type AnswerQuality, type Candidate, type CorpusStats, type QuestionText, type TermWeights,
} from '../src/index.js';

/** Expertise as the matcher builds it: the sum of a person's answer contributions. */
export function expertiseFrom(answers: ReadonlyArray<[QuestionText, AnswerQuality]>): TermWeights {
  const expertise: TermWeights = new Map();
  for (const [q, quality] of answers) addWeights(expertise, answerContribution(extractTerms(q), quality));
  return expertise;
}

/** A candidate whose whole profile is known: its total is the sum of its weights. */
export function person(userId: number, expertise: ReadonlyMap<string, number>, extra: Partial<Candidate> = {}): Candidate {
  let total = 0;
  for (const w of expertise.values()) total += w;
  return { userId, expertise, total, ...extra };
}

/** Corpus statistics of a set of questions: how many there are, and how many contain each term. */
export function statsOf(questions: readonly QuestionText[]): CorpusStats {
  const documentFrequency = new Map<string, number>();
  for (const q of questions) for (const term of extractTerms(q).terms.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  return { documents: questions.length, documentFrequency };
}

export const hopsQuestions: QuestionText[] = [
  { title: 'When should I add hops for aroma?', body: '<p>Late hop additions vs. dry hopping?</p>', tags: ['hops', 'aroma'] },
  { title: 'Dry hopping in the keg', body: '<p>Can I dry hop in a keg with a hop bag?</p>', tags: ['hops', 'kegging'] },
  { title: 'Substituting Cascade hops', body: '<p>What hops are close to Cascade?</p>', tags: ['hops'] },
];
export const wineQuestions: QuestionText[] = [
  { title: 'Why is my wine cloudy?', body: '<p>Fining a cloudy wine after fermentation.</p>', tags: ['wine', 'clarity'] },
  { title: 'Sulfites in wine', body: '<p>When to add sulfites to wine before bottling?</p>', tags: ['wine'] },
];
export const corpus = statsOf([...hopsQuestions, ...wineQuestions]);

export const HOPS_EXPERT = 11;
export const WINE_EXPERT = 12;
export const ASKER = 13;
export const candidates: Candidate[] = [
  person(WINE_EXPERT, expertiseFrom(wineQuestions.map((q) => [q, { score: 5, accepted: true }]))),
  person(HOPS_EXPERT, expertiseFrom(hopsQuestions.map((q) => [q, { score: 2, accepted: false }]))),
  person(ASKER, expertiseFrom([[hopsQuestions[0] as QuestionText, { score: 9, accepted: true }]])),
  person(14, new Map([['tag:mead', 4], ['honei', 2]])),
];

