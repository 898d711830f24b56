import { CONTENT_FEATURES, FEATURES } from './features.js';
import { scoreOf, weightVector } from './model.js';
import { bestFirst, type PeopleIndex, type RankInput, type Scored } from './people-index.js';
import { PersonActivity } from './person-activity.js';

/** What one ranking did so far, for benches and tests. */
export interface TopStats {
  /** the question's candidates (whom rank() scores and sorts) */
  candidates: number;
  /** those scored in full (their activity features computed) */
  scored: number;
}

/** Slack for rounding: a bound is a sum in another order than the score it bounds. */
const ROUNDING = 1e-9;

/**
 * The question's ranking, best first, computed only as far as it is read: exactly what
 * `index.rank(input)` gives (the same people, order and scores), without computing everyone's
 * activity features or sorting everyone (the threshold algorithm).
 *
 * Every candidate's content part is summed as rank() sums it (the postings of the question's terms);
 * their activity part, the prior, is bounded by the index's PriorTable (each person's most over the
 * next minutes and at any hour), so content plus prior bound is at least their score, whatever the
 * weights' signs. Candidates are scored in full in decreasing order of that bound, and the best one
 * scored is given as soon as no one unscored can beat it (their bounds are all lower).
 */
export function* ranking(index: PeopleIndex, input: RankInput, stats?: TopStats): Generator<Scored> {
  const weights = weightVector(input.model);
  const { mu } = input.model;
  const priors = index.priorTable(input.model, input.now);
  const { slots, slotless } = index.candidates({ ...input, mu });
  const n = slots.length;
  // copied now: the index's sums are overwritten by its next question
  const content = new Float64Array(n * CONTENT_FEATURES);
  const bound = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const slot = slots[i] as number;
    let sum = 0;
    for (let f = 0; f < CONTENT_FEATURES; f++) {
      const x = index.contentAt(slot, f);
      content[i * CONTENT_FEATURES + f] = x;
      sum += (weights[f] as number) * x;
    }
    const b = sum + priors.boundOf(slot);
    bound[i] = b + ROUNDING * (1 + Math.abs(b));
  }
  if (stats) Object.assign(stats, { candidates: n + slotless.length, scored: 0 });
  const row = new Float64Array(FEATURES.length);
  const unscored = new BoundHeap(bound);
  const scored = new ScoredHeap();
  if (slotless.length) {
    row.fill(0);
    new PersonActivity().writeFeatures(input.now, mu, row);
    const empty = scoreOf(weights, row);
    for (const userId of slotless) scored.push({ userId, score: empty });
  }
  for (;;) {
    const best = scored.peek();
    // the best scored is final once no unscored candidate's bound reaches its score
    if (best && (unscored.size === 0 || best.score > (bound[unscored.peek()] as number))) {
      yield scored.pop() as Scored;
      continue;
    }
    if (unscored.size === 0) return;
    const i = unscored.pop();
    for (let f = 0; f < CONTENT_FEATURES; f++) row[f] = content[i * CONTENT_FEATURES + f] as number;
    const slot = slots[i] as number;
    index.activityAt(slot).writeFeatures(input.now, mu, row);
    scored.push({ userId: index.userIdAt(slot), score: scoreOf(weights, row) });
    if (stats) stats.scored += 1;
  }
}

/** The best `k` candidates: exactly `index.rank(input).slice(0, k)`, reading the ranking only that far. */
export function topK(index: PeopleIndex, input: RankInput, k: number, stats?: TopStats): Scored[] {
  const best: Scored[] = [];
  if (k < 1) return best;
  for (const candidate of ranking(index, input, stats)) {
    best.push(candidate);
    if (best.length === k) break;
  }
  return best;
}

/** Candidate indices, highest bound first (a binary max-heap over `bound`). */
class BoundHeap {
  private readonly items: Int32Array;
  size: number;

  constructor(private readonly bound: Float64Array) {
    this.size = bound.length;
    this.items = Int32Array.from({ length: this.size }, (_, i) => i);
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  peek(): number {
    return this.items[0] as number;
  }

  pop(): number {
    const top = this.items[0] as number;
    this.size -= 1;
    this.items[0] = this.items[this.size] as number;
    this.down(0);
    return top;
  }

  private down(at: number): void {
    const { items, bound, size } = this;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) return;
      const right = left + 1;
      const child = right < size && (bound[items[right] as number] as number) > (bound[items[left] as number] as number) ? right : left;
      if ((bound[items[child] as number] as number) <= (bound[items[at] as number] as number)) return;
      [items[at], items[child]] = [items[child] as number, items[at] as number];
      at = child;
    }
  }
}

/** Scored candidates, best first by bestFirst (a binary heap). */
class ScoredHeap {
  private readonly items: Scored[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Scored | undefined {
    return this.items[0];
  }

  push(item: Scored): void {
    const items = this.items;
    items.push(item);
    let at = items.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (bestFirst(items[at] as Scored, items[parent] as Scored) >= 0) break;
      [items[at], items[parent]] = [items[parent] as Scored, items[at] as Scored];
      at = parent;
    }
  }

  pop(): Scored | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length && last) {
      items[0] = last;
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= items.length) break;
        const right = left + 1;
        const child = right < items.length && bestFirst(items[right] as Scored, items[left] as Scored) < 0 ? right : left;
        if (bestFirst(items[child] as Scored, items[at] as Scored) >= 0) break;
        [items[at], items[child]] = [items[child] as Scored, items[at] as Scored];
        at = child;
      }
    }
    return top;
  }
}
