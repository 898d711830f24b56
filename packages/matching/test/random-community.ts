import { answerContribution, extractTerms, PersonActivity, type ExtractedTerms, type ReferencePerson, type TermValues } from '../src/index.js';

// A seeded random community for the engine's equivalence tests: people answering questions drawn
// from a Zipfian vocabulary over two years, with their answers' words, tags and times.

/** mulberry32 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const DAY = 86_400_000;
export const START = Date.parse('2024-01-01T00:00:00Z');

export interface Answer {
  userId: number;
  question: ExtractedTerms;
  answerTerms: Map<string, number>;
  at: number;
  questionAt: number;
  accepted: boolean;
  self: boolean;
}

export interface Community {
  answers: Answer[];
  questions: ExtractedTerms[];
  stats: { documents: number; documentFrequency: Map<string, number> };
  random: () => number;
  end: number;
}

export function community(seed: number, people = 300, answers = 1500): Community {
  const random = rng(seed);
  const zipf = (n: number): number => Math.min(n - 1, Math.floor(Math.exp(random() * Math.log(n + 1)) - 1));
  const words = Array.from({ length: 200 }, (_, i) => `word${String.fromCharCode(97 + (i % 26))}${Math.floor(i / 26)}x`);
  const tags = Array.from({ length: 20 }, (_, i) => `tag${i}`);
  const question = (): ExtractedTerms => {
    const title = Array.from({ length: 3 + Math.floor(random() * 5) }, () => words[zipf(words.length)]).join(' ');
    const body = Array.from({ length: 5 + Math.floor(random() * 20) }, () => words[zipf(words.length)]).join(' ');
    return extractTerms({ title, body, tags: Array.from({ length: 1 + Math.floor(random() * 3) }, () => tags[zipf(tags.length)] as string) });
  };
  const list: Answer[] = [];
  for (let i = 0; i < answers; i++) {
    const at = START + Math.floor((i / answers) * 700 * DAY + random() * DAY);
    const userId = 1 + zipf(people);
    list.push({
      userId,
      question: question(),
      answerTerms: extractTerms({ title: '', body: Array.from({ length: 8 }, () => words[zipf(words.length)]).join(' '), tags: [] }).terms,
      at,
      questionAt: at - Math.floor(random() * 3 * DAY),
      accepted: random() < 0.3,
      self: random() < 0.05,
    });
  }
  const questions = Array.from({ length: 40 }, question);
  const documentFrequency = new Map<string, number>();
  for (const q of [...list.map((a) => a.question), ...questions]) for (const term of q.terms.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  return { answers: list, questions, stats: { documents: list.length + questions.length, documentFrequency }, random, end: START + 701 * DAY };
}

/** Each person as plain data, from their answers: what the engine must agree with. */
export function referencePeople(answers: readonly Answer[]): ReferencePerson[] {
  const people = new Map<number, { terms: Map<string, TermValues>; activity: PersonActivity }>();
  for (const a of answers) {
    let p = people.get(a.userId);
    if (!p) people.set(a.userId, (p = { terms: new Map(), activity: new PersonActivity() }));
    p.activity.add(a);
    if (a.self) continue;
    for (const [term, v] of answerContribution(a.question.terms, a.answerTerms, a.at)) {
      const held = p.terms.get(term);
      if (held) p.terms.set(term, { expertise: held.expertise + v.expertise, recent: held.recent + v.recent, tagRecent: held.tagRecent + v.tagRecent });
      else p.terms.set(term, v);
    }
  }
  return [...people].map(([userId, p]) => ({ userId, ...p }));
}
