/** One question of the past: its candidates' feature rows, and which rows answered it. */
export interface RankingGroup {
  rows: readonly Float64Array[];
  relevant: readonly number[];
}

export interface FitOptions {
  /** L2 penalty on the standardized weights. Default 0.01. */
  l2?: number;
  /**
   * Later questions weigh more: a question's weight halves every this share of the questions
   * (oldest first). Default 0.25. Communities change (the first weeks of a site are unlike its
   * second year); the most recent past says most about the next questions.
   */
  recencyHalfLife?: number;
  maxIterations?: number;
  /** Weights (for the raw features) the penalty pulls toward instead of zero: what other communities learned. */
  prior?: ArrayLike<number>;
  /** Features whose weight may not be negative (more evidence never counts against anyone). */
  nonNegative?: readonly number[];
}

const DEFAULTS = { l2: 0.01, recencyHalfLife: 0.25, maxIterations: 50 };

/**
 * Fits ranking weights to a community's past questions: the listwise softmax of ListNet (top one) in
 * its "any answerer" form, the probability that the person ranked first answered,
 *   P(q) = sum over answerers i of exp(s_i) / sum over candidates j of exp(s_j),  s = w . x,
 * maximised over the questions (each weighted by recency) with an L2 penalty, on standardized
 * features, by Newton's method with a backtracking line search (the loss is smooth; the preconditioner
 * is the softmax covariance, positive definite with the penalty). Returns weights for the raw features
 * (a constant shift per question changes no ranking, so the means are dropped).
 *
 * Why this and not coordinate ascent on MRR: it is deterministic and converges in a few dozen steps,
 * and on the public sites' training periods it matched a LambdaRank refinement and a LambdaMART
 * re-ranker (docs/evaluation.md).
 */
export function fitListwise(groups: readonly RankingGroup[], options: FitOptions = {}): Float64Array {
  const { l2, recencyHalfLife, maxIterations, prior } = { ...DEFAULTS, ...options };
  const nonNegative = new Set(options.nonNegative ?? []);
  const used = groups.filter((g) => g.relevant.length > 0 && g.rows.length > 1);
  const d = used[0]?.rows[0]?.length ?? 0;
  if (used.length === 0 || d === 0) return new Float64Array(d);

  // standardize over every candidate row
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  let n = 0;
  for (const g of used) for (const x of g.rows) {
    for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) + (x[j] as number);
    n++;
  }
  for (let j = 0; j < d; j++) mean[j] = (mean[j] as number) / n;
  for (const g of used) for (const x of g.rows) for (let j = 0; j < d; j++) sd[j] = (sd[j] as number) + ((x[j] as number) - (mean[j] as number)) ** 2;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt((sd[j] as number) / n) || 1;
  const z = used.map((g) => g.rows.map((x) => Float64Array.from(x, (v, j) => (v - (mean[j] as number)) / (sd[j] as number))));
  const w0 = Float64Array.from({ length: d }, (_, j) => (prior ? (prior[j] as number) * (sd[j] as number) : 0));
  const halfLife = Math.max(1, recencyHalfLife * used.length);
  const sampleWeight = used.map((_, i) => Math.pow(2, -(used.length - 1 - i) / halfLife));
  const totalWeight = sampleWeight.reduce((a, b) => a + b, 0);

  const probabilities = (zs: Float64Array[], w: Float64Array): Float64Array => {
    const s = Float64Array.from(zs, (x) => dot(x, w));
    let max = Number.NEGATIVE_INFINITY;
    for (const v of s) max = Math.max(max, v);
    let sum = 0;
    for (let i = 0; i < s.length; i++) sum += s[i] = Math.exp((s[i] as number) - max);
    for (let i = 0; i < s.length; i++) s[i] = (s[i] as number) / sum;
    return s;
  };
  const loss = (w: Float64Array): number => {
    let total = 0;
    used.forEach((g, q) => {
      const p = probabilities(z[q] as Float64Array[], w);
      let hit = 0;
      for (const i of g.relevant) hit += p[i] as number;
      total -= (sampleWeight[q] as number) * Math.log(Math.max(hit, 1e-300));
    });
    let penalty = 0;
    for (let j = 0; j < d; j++) penalty += ((w[j] as number) - (w0[j] as number)) ** 2;
    return total / totalWeight + (l2 / 2) * penalty;
  };

  let w: Float64Array<ArrayBuffer> = Float64Array.from(w0, (v, j) => (nonNegative.has(j) ? Math.max(0, v) : v));
  let current = loss(w);
  // weights held at zero: a non-negative weight the unconstrained step would push below zero
  const pinned = new Set<number>();
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Float64Array(d);
    const hessian = Array.from({ length: d }, () => new Float64Array(d));
    used.forEach((g, q) => {
      const zs = z[q] as Float64Array[];
      const p = probabilities(zs, w);
      const sw = (sampleWeight[q] as number) / totalWeight;
      const expected = new Float64Array(d);
      zs.forEach((x, i) => axpy(p[i] as number, x, expected));
      const onHits = new Float64Array(d);
      let hit = 0;
      for (const i of g.relevant) {
        hit += p[i] as number;
        axpy(p[i] as number, zs[i] as Float64Array, onHits);
      }
      for (let j = 0; j < d; j++) gradient[j] = (gradient[j] as number) - sw * ((onHits[j] as number) / hit - (expected[j] as number));
      zs.forEach((x, i) => {
        const pi = (p[i] as number) * sw;
        for (let a = 0; a < d; a++) {
          const da = (x[a] as number) - (expected[a] as number);
          const row = hessian[a] as Float64Array;
          for (let b = 0; b < d; b++) row[b] = (row[b] as number) + pi * da * ((x[b] as number) - (expected[b] as number));
        }
      });
    });
    for (let j = 0; j < d; j++) {
      gradient[j] = (gradient[j] as number) + l2 * ((w[j] as number) - (w0[j] as number));
      (hessian[j] as Float64Array)[j] = ((hessian[j] as Float64Array)[j] as number) + l2;
    }
    // projected Newton: a pinned weight stays at zero while its gradient would push it further down
    for (const j of nonNegative) {
      if ((w[j] as number) <= 0 && (gradient[j] as number) > 0) pinned.add(j);
      else pinned.delete(j);
    }
    for (const j of pinned) {
      gradient[j] = 0;
      for (let k = 0; k < d; k++) (hessian[j] as Float64Array)[k] = (hessian[k] as Float64Array)[j] = j === k ? 1 : 0;
    }
    const step = solve(hessian, gradient);
    const project = (t: number): Float64Array<ArrayBuffer> => Float64Array.from(w, (v, j) => {
      const moved = v - t * (step[j] as number);
      return nonNegative.has(j) ? Math.max(0, moved) : moved;
    });
    let t = 1;
    let next = project(t);
    let nextLoss = loss(next);
    while (nextLoss > current && t > 1e-8) {
      t /= 2;
      next = project(t);
      nextLoss = loss(next);
    }
    if (!(nextLoss <= current)) break;
    const moved = Math.max(...Array.from(next, (v, j) => Math.abs(v - (w[j] as number))));
    w = next;
    current = nextLoss;
    if (moved < 1e-7) break;
  }
  return Float64Array.from(w, (v, j) => v / (sd[j] as number));
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

/** y += a x */
function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] = (y[i] as number) + a * (x[i] as number);
}

/** Solves A x = b (A symmetric positive definite, small) by Gaussian elimination with partial pivoting. */
export function solve(a: readonly Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs((m[r] as number[])[c] as number) > Math.abs((m[pivot] as number[])[c] as number)) pivot = r;
    [m[c], m[pivot]] = [m[pivot] as number[], m[c] as number[]];
    const rowC = m[c] as number[];
    if (Math.abs(rowC[c] as number) < 1e-300) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const row = m[r] as number[];
      const f = (row[c] as number) / (rowC[c] as number);
      if (f !== 0) for (let k = c; k <= n; k++) row[k] = (row[k] as number) - f * (rowC[k] as number);
    }
  }
  return Float64Array.from(m, (row, i) => (Math.abs(row[i] as number) < 1e-300 ? 0 : (row[n] as number) / (row[i] as number)));
}
