import { TAG_PREFIX } from './extract-terms.js';
import { questionLookups } from './features.js';
import { weightVector } from './model.js';
import type { PeopleIndex } from './people-index.js';
import type { MatchReasons, RankInput } from './ranked.js';

const MAX_REASONS = 5;

/** The question's words and tags that counted most for this person under the model, and their recent answering. */
export function reasonsFor(index: PeopleIndex, userId: number, input: Pick<RankInput, 'question' | 'stats' | 'now' | 'model'>): MatchReasons {
  const lookups = questionLookups(input.question, input.stats, input.now, input.model.mu);
  const weights = weightVector(input.model);
  const byTerm = new Map<string, number>();
  for (const lookup of lookups) {
    const held = index.values(userId, lookup.key);
    if (!held) continue;
    const l = Math.log1p(held[lookup.channel] * lookup.scale);
    let add = 0;
    for (const [f, coefficient] of lookup.targets) add += (weights[f] as number) * coefficient * l;
    byTerm.set(lookup.term, (byTerm.get(lookup.term) ?? 0) + add);
  }
  const ordered = [...byTerm].filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const reasons: MatchReasons = { terms: [], tags: [] };
  for (const [term] of ordered) {
    const isTag = term.startsWith(TAG_PREFIX);
    const list = isTag ? reasons.tags : reasons.terms;
    if (list.length < MAX_REASONS) list.push(input.question.surface.get(term) ?? (isTag ? term.slice(TAG_PREFIX.length) : term));
  }
  const recent = Math.round((index.activity(userId)?.recentAnswers(input.now) ?? 0) * 10) / 10;
  if (recent > 0) reasons.recentAnswers = recent;
  return reasons;
}
