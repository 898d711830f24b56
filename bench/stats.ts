/** The nearest-rank percentile of ascending `sorted` (p in [0, 1]): the smallest value with at least p of the samples at or below it; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

/** p50, p95, p99 and max of `samples` (in any order), each rounded to `digits` decimals (none: unrounded). */
export function summary(samples: readonly number[], digits?: number): { p50: number; p95: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const r = (x: number): number => (digits === undefined ? x : Math.round(x * 10 ** digits) / 10 ** digits);
  return { p50: r(percentile(sorted, 0.5)), p95: r(percentile(sorted, 0.95)), p99: r(percentile(sorted, 0.99)), max: r(sorted.at(-1) ?? NaN) };
}
