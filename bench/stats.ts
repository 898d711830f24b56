/** The nearest-rank percentile of ascending `sorted` (p in [0, 1]): the smallest value with at least p of the samples at or below it; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}
