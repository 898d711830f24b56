import { describe, expect, it } from 'vitest';
import { DecayingCount } from '../src/decaying-count.js';

const DAY = 86_400_000;

/** The definition, summed from scratch: what LivePeople computed per reading before, and what the SQL of PgPeople computes. */
function bruteForce(events: Map<number, number>, now: number, halfLife: number, window: number, recentWindow: number): { decayed: number; recent: number } {
  let decayed = 0;
  let recent = 0;
  for (const at of events.values()) {
    if (at <= now - window * DAY) continue;
    decayed += Math.exp((-Math.LN2 / halfLife) * ((now - at) / DAY));
    if (at > now - recentWindow * DAY) recent++;
  }
  return { decayed, recent };
}

describe('DecayingCount', () => {
  it('agrees with the sum from scratch through events in and out of order, duplicates, expiry and compaction', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (const [halfLife, window, recentWindow] of [[14, 112, 112], [3.5, 28, 7]] as const) {
      const count = new DecayingCount(halfLife, window, recentWindow);
      const events = new Map<number, number>();
      let now = Date.UTC(2026, 0, 1);
      let id = 0;
      for (let step = 0; step < 3_000; step++) {
        now += random() * 0.2 * DAY;
        const roll = random();
        if (roll < 0.6) {
          const at = now - random() * 0.01 * DAY; // the usual: just now
          events.set(++id, at);
          count.add(id, at, now);
        } else if (roll < 0.7) {
          const at = now - random() * (window + 5) * DAY; // out of order, sometimes already outside the window
          if (at > now - window * DAY) events.set(++id, at);
          count.add(id, at, now);
        } else if (roll < 0.75 && events.has(id)) {
          count.add(id, events.get(id)!, now); // the same event again changes nothing
        } else if (roll < 0.8) {
          now += random() * window * DAY; // a quiet spell: everything may expire
        }
        for (const [key, at] of events) if (at <= now - window * DAY) events.delete(key);
        const expected = bruteForce(events, now, halfLife, window, recentWindow);
        expect(count.decayed(now)).toBeCloseTo(expected.decayed, 9);
        expect(count.recentCount(now)).toBe(expected.recent);
        expect(count.size).toBe(events.size);
      }
    }
  });

  it('is 0 with nothing in the window, exactly', () => {
    const count = new DecayingCount(14, 112);
    const now = Date.UTC(2026, 0, 1);
    count.add(1, now - 10 * DAY, now);
    count.add(2, now - 200 * DAY, now);
    expect(count.size).toBe(1);
    expect(count.decayed(now)).toBeCloseTo(Math.exp((-Math.LN2 * 10) / 14), 12);
    expect(count.decayed(now + 200 * DAY)).toBe(0);
    expect(count.recentCount(now + 200 * DAY)).toBe(0);
  });
});
