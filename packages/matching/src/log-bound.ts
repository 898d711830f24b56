/**
 * log1p(x) rounded up, for bounds only (never for a score): within 0.001 of it and never below it, for
 * any x >= 0. Reading a question's lists computes one a posting, and Math.log1p costs ~17 ns there
 * against ~2 ns for this (a call into C against a table read: bench/README.md, score-at-scale).
 *
 * How: 1 + x = 2^e * m with m in [1, 2), so log1p(x) = e ln 2 + ln m, and ln m is at most the log of
 * the upper edge of m's bin among 2^BITS equal bins of [1, 2) (ln(1 + 1/1024) < 0.001). The float
 * rounding of 1 + x, of the table and of the sum (a few units in the last place) is below what the
 * ranking's bounds add for rounding anyway (top-k.ts, ROUNDING).
 */
const BITS = 10;
const MANTISSA_SHIFT = 20 - BITS; // the high word of a double: sign, 11 exponent bits, 20 mantissa bits
const BIN_MASK = (1 << BITS) - 1;
const EXPONENT_BIAS = 1023;
const UPPER_LOG = Float64Array.from({ length: 1 << BITS }, (_, bin) => Math.log1p((bin + 1) / (1 << BITS)));
const word = new Float64Array(1);
const high = new Uint32Array(word.buffer, new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 4 : 0, 1); // the high word, either byte order

export function log1pAtLeast(x: number): number {
  word[0] = 1 + x;
  const h = high[0] as number;
  return ((h >>> 20) - EXPONENT_BIAS) * Math.LN2 + (UPPER_LOG[(h >>> MANTISSA_SHIFT) & BIN_MASK] as number);
}
