import { describe, expect, it } from 'vitest';
import { PostingList } from '../src/posting-list.js';
import { rng } from './random-community.js';

// The index's storage, held to plain Maps under random operations: what a slot holds, how many hold
// something, the per-channel bounds, and the order the lookups' binary searches rely on.

function sortedRun(slots: Int32Array, from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) if ((slots[i - 1] as number) >= (slots[i] as number)) return false;
  return true;
}

describe('PostingList', () => {
  for (const width of [1, 2, 3]) {
    it(`width ${width}: adds, sets and clears, in any slot order, as a Map would`, () => {
      const random = rng(width);
      const list = new PostingList(width);
      const model = new Map<number, number[]>();
      for (let step = 0; step < 20_000; step++) {
        // mostly a few thousand slots, sometimes new ones past the end (people arriving)
        const slot = random() < 0.1 ? 5000 + step : Math.floor(random() * 3000);
        const values = Array.from({ length: width }, () => (random() < 0.2 ? 0 : random() * 10));
        const op = random();
        if (op < 0.5) {
          const before = model.get(slot) ?? new Array<number>(width).fill(0);
          const after = before.map((v, c) => v + (values[c] as number));
          const started = !before.some((v) => v > 0) && after.some((v) => v > 0);
          expect(list.add(slot, values)).toBe(started);
          model.set(slot, after);
        } else if (op < 0.8) {
          list.set(slot, values);
          model.set(slot, values);
        } else {
          list.clear(slot);
          if (model.has(slot)) model.set(slot, new Array<number>(width).fill(0));
        }
      }
      expect(sortedRun(list.slots, 0, list.main) && sortedRun(list.slots, list.main, list.size)).toBe(true);
      let live = 0;
      for (const [slot, values] of model) {
        const at = list.find(slot);
        const holds = values.some((v) => v > 0);
        if (holds) live++;
        if (at < 0) {
          expect(holds).toBe(false);
          continue;
        }
        expect(Array.from(list.values.subarray(at * width, (at + 1) * width))).toEqual(values);
        for (let c = 0; c < width; c++) expect(list.max[c]).toBeGreaterThanOrEqual(values[c] as number);
      }
      expect(list.live).toBe(live);
      expect(list.find(999_999_999)).toBe(-1);
    });
  }
});
