const DAY_MS = 86_400_000;

/**
 * The one anchor of forward decay. A value that halves every `h` days is stored as
 * v * 2^((t - anchor) / h), t its time; read at `now` it is stored * 2^(-(now - anchor) / h). Sums of
 * such values stay sums, so adding an answer never touches the others. Float64 holds 2^1023: with a
 * 30-day half-life that lasts until 2094, with 365 days for millennia (nothing shorter is stored so).
 */
export const DECAY_ANCHOR_MS = Date.parse('2010-01-01T00:00:00Z');

/** Half-lives of what is stored forward-decayed (per term and person). */
export const HALF_LIFE_DAYS = { expertise: 365, recent: 30 } as const;

export const daysBetween = (from: number, to: number): number => (to - from) / DAY_MS;

/** What a value at time `at` (ms) is stored multiplied by. */
export function growth(halfLifeDays: number, at: number): number {
  return Math.pow(2, daysBetween(DECAY_ANCHOR_MS, at) / halfLifeDays);
}

/** What a stored (forward-decayed) value is multiplied by to be read at `now` (ms). */
export function decayAt(halfLifeDays: number, now: number): number {
  return Math.pow(2, -daysBetween(DECAY_ANCHOR_MS, now) / halfLifeDays);
}

/**
 * Counts whose events halve in weight every `halfLifeDays`, each kept as (value, as of) in two columns
 * at place `i` (activity-table.ts): no anchor, so they hold any half-life (a 7-day one forward-decayed
 * from 2010 would overflow in 2029). Events are added in time order; one older than the last is
 * decayed back to it, never forward.
 */
export function decayedAdd(values: Float64Array, asOf: Float64Array, i: number, halfLifeDays: number, at: number, amount = 1): void {
  const value = values[i] as number;
  const last = asOf[i] as number;
  if (value === 0 || at >= last) {
    values[i] = decayedRead(value, last, halfLifeDays, at) + amount;
    asOf[i] = at;
  } else {
    values[i] = value + amount * Math.pow(2, -daysBetween(at, last) / halfLifeDays);
  }
}

/** Such a count as of `now` (events after `now` count fully: `now` is never before what was added in practice). */
export function decayedRead(value: number, asOf: number, halfLifeDays: number, now: number): number {
  if (value === 0) return 0;
  return now <= asOf ? value : value * Math.pow(2, -daysBetween(asOf, now) / halfLifeDays);
}
