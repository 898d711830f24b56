import { describe, expect, it } from 'vitest';
import { AskLedger, chooseAsks, partsOf, weeklyBudget, whyNotAsk, type AskPreferences, type BudgetCheck } from '../src/index.js';

const DAY = 86_400_000;
const NOW = Date.parse('2025-06-01T12:00:00Z');
const policy = { asksPerAnswer: 10, minAsksPerWeek: 3 };

function check(rates: Record<number, number>, prefs: Record<number, AskPreferences> = {}, ledger = new AskLedger()): BudgetCheck {
  return { policy, ledger, answersPerDay: (u) => rates[u] ?? 0, preferences: (u) => prefs[u] };
}

describe('ask budgets', () => {
  it('follow how often a person answers, with a floor for newcomers', () => {
    expect(weeklyBudget(policy, 0)).toBe(3);
    expect(weeklyBudget(policy, 1)).toBe(70);
  });

  it('hold back someone over their week, their own daily limit, or paused; the ledger counts a question\'s ask once', () => {
    const ledger = new AskLedger();
    for (let i = 0; i < 3; i++) ledger.record(1, NOW - (i + 1) * DAY, 100 + i);
    ledger.record(1, NOW - DAY, 100); // the same ask learned again
    const c = check({ 1: 0, 2: 1 }, { 3: { pausedUntil: NOW + DAY }, 4: { maxAsksPerDay: 1 } }, ledger);
    expect(whyNotAsk(c, 1, NOW)).toBe('budget'); // 3 this week, a floor of 3
    expect(whyNotAsk(c, 1, NOW + 4 * DAY)).toBeUndefined(); // the oldest (3 days before) left the week
    expect(whyNotAsk(c, 2, NOW)).toBeUndefined();
    expect(whyNotAsk(c, 3, NOW)).toBe('paused');
    expect(whyNotAsk(c, 3, NOW + 2 * DAY)).toBeUndefined();
    ledger.record(4, NOW - 3_600_000, 200);
    expect(whyNotAsk(c, 4, NOW)).toBe('own daily limit');
    expect(whyNotAsk(c, 4, NOW + DAY)).toBeUndefined();
    ledger.forgetBefore(NOW);
    expect(ledger.countSince(1, 0)).toBe(0);
  });

  it('ask the next best when the best may not be asked, and say who was passed over', () => {
    const ranked = [1, 2, 3, 4, 5].map((userId) => ({ userId, score: 10 - userId }));
    const { asks, passed } = chooseAsks(partsOf(ranked), 3, (u) => (u === 1 || u === 3 ? 'budget' : undefined));
    expect(asks.map((a) => a.userId)).toEqual([2, 4, 5]);
    expect(asks.map((a) => a.passedOver)).toEqual([[1], [1, 3], [1, 3]]);
    expect(passed).toEqual([{ userId: 1, reason: 'budget' }, { userId: 3, reason: 'budget' }]);
    expect(chooseAsks(partsOf(ranked), 0, () => undefined).asks).toEqual([]);
  });

  it('name the first few passed over, reading of those passed over only what it names', () => {
    const ranked = Array.from({ length: 40 }, (_, i) => ({ userId: i + 1, score: 100 - i }));
    const overBudget = (u: number): 'budget' | undefined => (u <= 30 ? 'budget' : undefined);
    let read = 0;
    const counted = partsOf({
      *[Symbol.iterator]() {
        for (const r of ranked) {
          read++;
          yield r;
        }
      },
    });
    const { asks, passed } = chooseAsks(counted, 2, overBudget);
    expect(asks.map((a) => [a.userId, a.passedOver])).toEqual([[31, [1, 2, 3, 4, 5]], [32, [1, 2, 3, 4, 5]]]);
    expect(passed).toEqual([1, 2, 3, 4, 5].map((userId) => ({ userId, reason: 'budget' })));
    expect(read).toBe(32 + 5); // to the second ask, then the first five passed over
  });

  it('read no second part when the first skipped nobody', () => {
    const ranked = [1, 2, 3, 4].map((userId) => ({ userId, score: 10 - userId }));
    const parts: number[] = [];
    const whole = partsOf(ranked);
    const { asks, passed } = chooseAsks((keep, floor, expected) => (parts.push(floor), whole(keep, floor, expected)), 2, () => undefined);
    expect(asks.map((a) => a.userId)).toEqual([1, 2]);
    expect(passed).toEqual([]);
    expect(parts).toEqual([Number.NEGATIVE_INFINITY]);
  });

  it('never leave a question with nobody: with everyone over budget, the best of them is asked; a pause or one\'s own limit is never overridden', () => {
    const ranked = [1, 2, 3].map((userId) => ({ userId, score: 10 - userId }));
    const { asks, passed } = chooseAsks(partsOf(ranked), 2, (u) => (u === 1 ? 'paused' : 'budget'));
    expect(asks).toEqual([{ userId: 2, score: 8, passedOver: [1] }]);
    expect(passed).toEqual([{ userId: 1, reason: 'paused' }, { userId: 3, reason: 'budget' }]);
    expect(chooseAsks(partsOf(ranked), 2, () => 'own daily limit').asks).toEqual([]);
  });
});
