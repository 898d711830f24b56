import type { Decision, ExtractedTerms, PeopleIndex } from '@qr/matching';

/**
 * Where deciding a match reads people from: LivePeople (in memory, kept current: the matcher) or
 * PgPeople (read per question: dry runs). Both decide through the same engine (PeopleIndex + decide).
 */
export interface PeopleSource {
  decide(question: ExtractedTerms, askerId: number, limit: number): Promise<Decision>;
}

/** How many of the most active people join a question's candidates whatever its words (so a newcomer who answers a lot is asked too). */
export const ACTIVE_CANDIDATES = 500;

/** Only people who answered within these days count as active. */
export const ACTIVE_DAYS = 90;

/** The `limit` people answering most lately (their 30-day answering rate, among those who answered within ACTIVE_DAYS), most first. */
export function mostActive(index: PeopleIndex, now: number, limit = ACTIVE_CANDIDATES): number[] {
  return index.mostActive(now, now - ACTIVE_DAYS * 86_400_000, limit);
}
