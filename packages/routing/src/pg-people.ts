import { findTermHolders, getCorpusStats, loadAskTimes, loadMostActive, type Pool } from '@qr/db';
import type { Log } from '@qr/lemur';
import {
  ANSWER_PREFIX, AskLedger, decide, PeopleIndex, TAG_PREFIX, whyNotAsk, type AskBudgetPolicy, type Decision, type ExtractedTerms,
} from '@qr/matching';
import { loadActiveModel, loadPeople, loadPreferences } from './people-loader.js';
import { ACTIVE_CANDIDATES, ACTIVE_DAYS, mostActive, type PeopleSource } from './people-source.js';

/**
 * Reads from Postgres, per question, exactly the people a live matcher would consider (whoever holds
 * one of its terms, and the most active), into an engine of their own, and decides as LivePeople
 * decides: for dry runs (`qr replay --dry-run`), which must not keep everyone in memory.
 */
export class PgPeople implements PeopleSource {
  constructor(
    private readonly pool: Pool,
    private readonly log: Log,
    private readonly budget: AskBudgetPolicy,
  ) {}

  async decide(question: ExtractedTerms, askerId: number, limit: number): Promise<Decision> {
    const terms = [...question.terms.keys()];
    const keys = [...terms, ...terms.filter((t) => !t.startsWith(TAG_PREFIX)).map((t) => ANSWER_PREFIX + t)];
    const [holders, active, stats, model, asks] = await Promise.all([
      keys.length ? findTermHolders(this.pool, keys) : Promise.resolve([]),
      // the most answers by count; the same choice as live is made among them (mostActive), so twice as many
      loadMostActive(this.pool, ACTIVE_DAYS, 2 * ACTIVE_CANDIDATES),
      getCorpusStats(this.pool, terms),
      loadActiveModel(this.pool, this.log),
      loadAskTimes(this.pool, 7, undefined),
    ]);
    const userIds = [...new Set([...holders, ...active])];
    const [people, preferences] = await Promise.all([loadPeople(this.pool, userIds), loadPreferences(this.pool, userIds)]);
    const index = new PeopleIndex();
    for (const [userId, person] of people) index.setPerson(userId, person.terms, person.activity);
    const ledger = new AskLedger();
    for (const ask of asks) ledger.record(ask.userId, ask.at, ask.questionId);
    const now = Date.now();
    const check = {
      policy: this.budget,
      ledger,
      answersPerDay: (userId: number) => index.activity(userId)?.answersPerDay(now) ?? 0,
      preferences: (userId: number) => preferences.get(userId),
    };
    const input = { question, stats, now, model: model.model, extra: mostActive(index, now), exclude: [askerId] };
    return decide(index, input, limit, (userId) => whyNotAsk(check, userId, now));
  }
}
