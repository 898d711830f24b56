/** Per-question results of one method, and what they add up to. */
export interface QuestionResult {
  reciprocalRank: number;
  precisionAt1: number;
  precisionAt5: number;
  recallAt10: number;
  hitAt10: number;
  /** undefined when the accepted answerer is unknown or is the asker */
  acceptedHitAt10: number | undefined;
  answerable: boolean;
  top10: number[];
}

export interface MethodMetrics {
  'p@1': number;
  'p@5': number;
  mrr: number;
  'r@10': number;
  'hit@10': number;
  'acc_hit@10': number;
  gini: number;
  answerable: number;
}

export function scoreRanking(ranking: readonly number[], relevant: ReadonlySet<number>, acceptedUser: number | undefined): QuestionResult {
  const hits = ranking.map((u) => relevant.has(u));
  const first = hits.indexOf(true);
  const top10 = ranking.slice(0, 10);
  return {
    reciprocalRank: first >= 0 ? 1 / (first + 1) : 0,
    precisionAt1: hits[0] ? 1 : 0,
    precisionAt5: hits.slice(0, 5).filter(Boolean).length / 5,
    recallAt10: hits.slice(0, 10).filter(Boolean).length / relevant.size,
    hitAt10: hits.slice(0, 10).some(Boolean) ? 1 : 0,
    acceptedHitAt10: acceptedUser === undefined ? undefined : top10.includes(acceptedUser) ? 1 : 0,
    answerable: ranking.some((u) => relevant.has(u)),
    top10,
  };
}

const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * Gini coefficient of how often each person appears in a top 10, over everyone who was a candidate
 * for at least one test question (people never asked count as 0): 0 = the load is spread evenly,
 * 1 = one person gets every ask.
 */
export function gini(counts: readonly number[]): number {
  const xs = [...counts].sort((a, b) => a - b);
  const n = xs.length;
  const total = xs.reduce((a, b) => a + b, 0);
  if (n === 0 || total === 0) return 0;
  let weighted = 0;
  xs.forEach((x, i) => (weighted += (i + 1) * x));
  return (2 * weighted) / (n * total) - (n + 1) / n;
}

export function summarize(results: QuestionResult[], everyone: ReadonlySet<number>): MethodMetrics {
  const load = new Map<number, number>([...everyone].map((u) => [u, 0]));
  for (const r of results) for (const u of r.top10) load.set(u, (load.get(u) ?? 0) + 1);
  const accepted = results.map((r) => r.acceptedHitAt10).filter((x): x is number => x !== undefined);
  return {
    'p@1': mean(results.map((r) => r.precisionAt1)),
    'p@5': mean(results.map((r) => r.precisionAt5)),
    mrr: mean(results.map((r) => r.reciprocalRank)),
    'r@10': mean(results.map((r) => r.recallAt10)),
    'hit@10': mean(results.map((r) => r.hitAt10)),
    'acc_hit@10': mean(accepted),
    gini: gini([...load.values()]),
    answerable: mean(results.map((r) => (r.answerable ? 1 : 0))),
  };
}

/**
 * Paired bootstrap: resample test questions with replacement and take the 2.5th and 97.5th
 * percentiles of mean(a) - mean(b).
 */
export function pairedBootstrap(a: readonly number[], b: readonly number[], samples = 10_000, seed = 1): { difference: number; low: number; high: number } {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  const n = a.length;
  const diffs: number[] = [];
  for (let s = 0; s < samples; s++) {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const j = Math.floor(next() * n);
      sum += (a[j] as number) - (b[j] as number);
    }
    diffs.push(sum / n);
  }
  diffs.sort((x, y) => x - y);
  return { difference: mean(a.map((x, i) => x - (b[i] as number))), low: diffs[Math.floor(0.025 * samples)] as number, high: diffs[Math.floor(0.975 * samples)] as number };
}
