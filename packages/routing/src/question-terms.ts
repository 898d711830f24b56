import { getQuestionTerms, insertQuestionTerms, type QuestionRow, type Queryable } from '@qr/db';
import { extractTerms, type ExtractedTerms } from '@qr/matching';

export function toStored(extracted: ExtractedTerms): { terms: Record<string, number>; surface: Record<string, string> } {
  return { terms: Object.fromEntries(extracted.terms), surface: Object.fromEntries(extracted.surface) };
}

export function fromStored(stored: { terms: Record<string, number>; surface: Record<string, string> }): ExtractedTerms {
  return { terms: new Map(Object.entries(stored.terms)), surface: new Map(Object.entries(stored.surface)) };
}

/** A question's terms: stored once (which also counts it for IDF), read back after. */
export async function ensureQuestionTerms(db: Queryable, question: QuestionRow): Promise<ExtractedTerms> {
  const stored = await getQuestionTerms(db, question.id);
  if (stored) return fromStored(stored);
  const extracted = extractTerms(question);
  await insertQuestionTerms(db, question.id, toStored(extracted));
  return extracted;
}
