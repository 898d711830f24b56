import { chooseAsks, type PassReason } from './budget.js';
import type { PeopleIndex } from './people-index.js';
import type { Match, RankInput } from './ranked.js';
import { reasonsFor } from './reasons.js';
import { ranking } from './top-k.js';

export interface Decision {
  /** who to ask, best first, with their scores (4 decimals) and reasons */
  matches: Match[];
  /** who ranked above the last of them but was not asked, and why (the first few: MAX_PASSED_OVER) */
  passed: { userId: number; reason: PassReason }[];
}

const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;

/**
 * Decides whom to ask about a question: people in the model's order, then the first `limit` who may
 * be asked (`whyNot` says who may not: budgets, pauses), each with the reasons the model gives and
 * the people passed over above them. The live matcher and dry runs decide through this; the
 * evaluation routes with the same chooseAsks over the same engine's ranking.
 */
export function decide(index: PeopleIndex, input: RankInput, limit: number, whyNot: (userId: number) => PassReason | undefined): Decision {
  // read only as far as needed: the people who may be asked, then the few passed over above them
  const { asks, passed } = chooseAsks((keep, floor, expected) => ranking(index, input, undefined, expected, { keep, floor }), limit, whyNot);
  const matches = asks.map(({ userId, score, passedOver }) => {
    const reasons = reasonsFor(index, userId, input);
    return { userId, score: round4(score), reasons: passedOver.length ? { ...reasons, passedOver } : reasons };
  });
  return { matches, passed };
}
