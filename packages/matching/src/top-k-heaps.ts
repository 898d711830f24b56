import { bestFirst, type Scored } from './ranked.js';

/** People not scored yet, highest bound first (a binary max-heap over parallel arrays). */
export class BoundHeap {
  private slots = new Int32Array(64);
  private bounds = new Float64Array(64);
  private size = 0;

  push(slot: number, bound: number): void {
    if (this.size === this.slots.length) {
      const slots = new Int32Array(this.size * 2);
      slots.set(this.slots);
      const bounds = new Float64Array(this.size * 2);
      bounds.set(this.bounds);
      this.slots = slots;
      this.bounds = bounds;
    }
    let at = this.size++;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if ((this.bounds[parent] as number) >= bound) break;
      this.slots[at] = this.slots[parent] as number;
      this.bounds[at] = this.bounds[parent] as number;
      at = parent;
    }
    this.slots[at] = slot;
    this.bounds[at] = bound;
  }

  /** The highest bound (-Infinity when nobody is left). */
  peekBound(): number {
    return this.size ? (this.bounds[0] as number) : Number.NEGATIVE_INFINITY;
  }

  /** Removes and returns the slot with the highest bound (call peekBound first: it must not be -Infinity). */
  pop(): number {
    const top = this.slots[0] as number;
    const size = --this.size;
    const slot = this.slots[size] as number;
    const bound = this.bounds[size] as number;
    let at = 0;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && (this.bounds[right] as number) > (this.bounds[left] as number) ? right : left;
      if ((this.bounds[child] as number) <= bound) break;
      this.slots[at] = this.slots[child] as number;
      this.bounds[at] = this.bounds[child] as number;
      at = child;
    }
    this.slots[at] = slot;
    this.bounds[at] = bound;
    return top;
  }
}

/** Scored candidates, best first by bestFirst (a binary heap). */
export class ScoredHeap {
  private readonly items: Scored[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Scored | undefined {
    return this.items[0];
  }

  /** The k-th best score held (k at most size). */
  kthScore(k: number): number {
    return (this.items.map((item) => item.score).sort((a, b) => b - a)[k - 1] as number);
  }

  push(item: Scored): void {
    const items = this.items;
    items.push(item);
    let at = items.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (bestFirst(items[at] as Scored, items[parent] as Scored) >= 0) break;
      const held = items[at] as Scored;
      items[at] = items[parent] as Scored;
      items[parent] = held;
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
        const held = items[at] as Scored;
        items[at] = items[child] as Scored;
        items[child] = held;
        at = child;
      }
    }
    return top;
  }
}

/**
 * The positions in [0, count) of the `m` people with the highest partial plus prior bound (in no
 * order): `partial[i]` is what the lists read so far gave person i, `prior[i]` their prior bound.
 */
export function mostPromising(count: number, partial: Float64Array, prior: Float64Array, m: number): Int32Array {
  if (count <= m) return Int32Array.from({ length: count }, (_, i) => i);
  // the best m so far, the least of them on top (keys negated in a max-heap)
  const best = new BoundHeap();
  for (let i = 0, held = 0; i < count; i++) {
    const key = (partial[i] as number) + (prior[i] as number);
    if (held === m && key <= -best.peekBound()) continue;
    best.push(i, -key);
    if (held === m) best.pop();
    else held++;
  }
  return Int32Array.from({ length: m }, () => best.pop());
}
