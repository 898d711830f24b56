import { extractTerms, type Decision, type ExtractedTerms } from '@qr/matching';
import type { PeopleSource } from './people-source.js';

/**
 * Decides whom to ask about a question, from what `people` knows now; writes nothing. The live
 * matcher (LivePeople) and dry runs (PgPeople) decide through this; the asker is never asked.
 */
export async function decideMatches(
  people: PeopleSource,
  question: { title: string; body: string; tags: string[]; askerId: number },
  matchLimit: number,
): Promise<{ extracted: ExtractedTerms; decision: Decision }> {
  const extracted = extractTerms(question);
  return { extracted, decision: await people.decide(extracted, question.askerId, matchLimit) };
}
