import { describe, expect, it } from 'vitest';
import { log1pAtLeast } from '../src/log-bound.js';

describe('log1pAtLeast', () => {
  it('is never below log1p and within 0.001 of it, from tiny to huge arguments', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const xs = [0, 1e-300, Number.MIN_VALUE, 1e-12, 0.5, 1, 2, 3, 1023, 1024, 1e6, 1e300];
    for (let i = 0; i < 200_000; i++) xs.push(Math.exp(random() * 80 - 40));
    const below = xs.filter((x) => log1pAtLeast(x) < Math.log1p(x));
    const far = xs.filter((x) => log1pAtLeast(x) - Math.log1p(x) >= 0.001);
    expect(below).toEqual([]);
    expect(far).toEqual([]);
  });

  it('is exact at the edges of its bins, where ln m is the table value itself', () => {
    expect(log1pAtLeast(1)).toBeCloseTo(Math.log(2) + Math.log1p(1 / 1024), 15);
    expect(log1pAtLeast(3)).toBeCloseTo(2 * Math.log(2) + Math.log1p(1 / 1024), 15);
  });
});
