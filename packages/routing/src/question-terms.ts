import { getQuestionTerms, insertQuestionTerms, type QuestionRow, type Queryable, type StoredQuestionTerms } from '@qr/db';
import { extractTerms, type ExtractedTerms, type TermWeights } from '@qr/matching';

export function toStored(extracted: ExtractedTerms): StoredQuestionTerms {
  return { terms: Object.fromEntries(extracted.terms), surface: Object.fromEntries(extracted.surface) };
}

/**
 * A question's weighted terms (what an answer to it teaches): stored once, which also counts the
 * question for the document frequencies, and read back after.
 */
export async function ensureQuestionTerms(db: Queryable, question: QuestionRow): Promise<TermWeights> {
  const stored = await getQuestionTerms(db, question.id);
  if (stored) return new Map(Object.entries(stored.terms));
  const extracted = extractTerms(question);
  await insertQuestionTerms(db, question.id, toStored(extracted));
  return extracted.terms;
}
