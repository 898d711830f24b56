import { describe, expect, it } from 'vitest';
import { PostingList } from '../src/posting-list.js';
import { rng } from './random-community.js';

// The index's storage, held to plain Maps under random operations: what a slot holds, how many hold
// something, the per-channel bounds, and the order the lookups' binary searches rely on.

function sortedRun(slots: Int32Array, from: number, to: number): boolean {
  for (let i = from + 1; i < to; i++) if ((slots[i - 1] as number) >= (slots[i] as number)) return false;
  return true;
}

/** Where a list's impact tier is not exactly its postings at or above a cut, values equal (posting-list.ts's invariant). */
function tierMismatches(list: PostingList): string[] {
  const { tier, width } = list;
  if (!tier) return ['no tier'];
  const { top, cut } = tier;
  const wrong: string[] = [];
  let above = 0;
  for (let at = 0; at < list.size; at++) {
    const slot = list.slots[at] as number;
    const values = Array.from(list.values.subarray(at * width, (at + 1) * width));
    const t = top.find(slot);
    const copy = t >= 0 && top.holds(t) ? Array.from(top.values.subarray(t * width, (t + 1) * width)) : undefined;
    const isAbove = values.some((v, c) => v >= (cut[c] as number));
    if (isAbove) above++;
    if (isAbove ? JSON.stringify(copy) !== JSON.stringify(values) : copy !== undefined) wrong.push(`slot ${slot}: ${JSON.stringify(values)} in the tier as ${JSON.stringify(copy)}`);
  }
  if (top.live !== above) wrong.push(`${top.live} in the tier, ${above} at or above a cut`);
  return wrong;
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
          const live = list.live;
          const at = list.add(slot, values);
          expect(list.slots[at]).toBe(slot);
          expect(list.live - live).toBe(started ? 1 : 0);
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

  for (const width of [1, 2, 3]) {
    it(`width ${width}: keeps its impact tier exactly through adds, sets, clears, merges, loading and reading back`, () => {
      const random = rng(40 + width);
      const tiering = { from: 50, share: 0.1 };
      const list = new PostingList(width, tiering);
      // loaded out of order, then settled: the tier is made
      for (let slot = 0; slot < 400; slot++) list.appendUnsorted((slot * 7919) % 400, Array.from({ length: width }, () => random() * 10));
      list.settle();
      expect(tierMismatches(list)).toEqual([]);
      expect(list.tier!.top.size).toBeGreaterThan(0);
      expect(list.tier!.top.size).toBeLessThan(list.size);
      for (let step = 1; step <= 6000; step++) {
        const slot = random() < 0.1 ? 1000 + step : Math.floor(random() * 600);
        const values = Array.from({ length: width }, () => (random() < 0.3 ? 0 : random() * (random() < 0.05 ? 40 : 5)));
        const op = random();
        if (op < 0.6) list.add(slot, values);
        else if (op < 0.9) list.set(slot, values); // can lower a value below its cut
        else list.clear(slot);
        if (step % 500 === 0) expect(tierMismatches(list), `step ${step}`).toEqual([]);
      }
      list.merge(); // new cuts
      expect(tierMismatches(list)).toEqual([]);
      const read = PostingList.read(width, list.size, (slots, values) => {
        slots.set(list.slots.subarray(0, list.size));
        values.set(list.values.subarray(0, list.size * width));
      }, tiering);
      expect(tierMismatches(read)).toEqual([]);
      expect(Array.from(read.tier!.cut)).toEqual(Array.from(list.tier!.cut));
    });
  }

  it('keeps no tier below its length, nor one a channel of zeros would fill', () => {
    const list = new PostingList(2, { from: 10, share: 0.5 });
    for (let slot = 0; slot < 9; slot++) list.set(slot, [1, 0]);
    list.merge();
    expect(list.tier).toBeUndefined();
    list.set(9, [2, 0]);
    list.merge();
    expect(Array.from(list.tier!.cut)).toEqual([1, Number.POSITIVE_INFINITY]); // the second channel's values are all 0: it sets no one apart
    expect(tierMismatches(list)).toEqual([]);
  });

  it('loads unique postings in any order, then holds them as if set one by one', () => {
    const random = rng(99);
    const loaded = new PostingList(3);
    const set = new PostingList(3);
    const slots = Array.from({ length: 5000 }, (_, i) => i * 3);
    // mostly ascending (a table's order), some runs out of order
    for (let i = 0; i < slots.length; i += 1) if (random() < 0.05) [slots[i], slots[Math.floor(random() * slots.length)]] = [slots[Math.floor(random() * slots.length)]!, slots[i]!];
    for (const slot of new Set(slots)) {
      const values = [random() < 0.1 ? 0 : random(), random(), 0];
      loaded.appendUnsorted(slot, values);
      set.set(slot, values);
    }
    loaded.settle();
    expect(sortedRun(loaded.slots, 0, loaded.size) && loaded.main === loaded.size).toBe(true);
    expect(loaded.live).toBe(set.live);
    for (const slot of new Set(slots)) {
      const a = loaded.find(slot);
      const b = set.find(slot);
      expect(a >= 0 ? Array.from(loaded.values.subarray(a * 3, a * 3 + 3)) : undefined).toEqual(b >= 0 && set.holds(b) ? Array.from(set.values.subarray(b * 3, b * 3 + 3)) : undefined);
    }
  });

  it('tidies for a snapshot: a settled list stays as it is, one with a tail or a cleared posting is merged', () => {
    const settled = new PostingList(2);
    for (let slot = 0; slot < 100; slot++) settled.set(slot, [1, 2]);
    settled.merge(0);
    const arrays = settled.slots;
    settled.tidy();
    expect(settled.slots).toBe(arrays); // untouched: not copied into larger arrays

    const tailed = new PostingList(2);
    for (let slot = 10; slot < 100; slot++) tailed.set(slot, [1, 2]);
    tailed.set(5, [3, 0]); // before the main run's first slot: into the tail
    expect(tailed.size).toBeGreaterThan(tailed.main);
    tailed.tidy();
    expect(tailed.main).toBe(tailed.size);
    expect(sortedRun(tailed.slots, 0, tailed.size)).toBe(true);

    const cleared = new PostingList(2);
    for (let slot = 0; slot < 100; slot++) cleared.set(slot, [1, 2]);
    cleared.clear(50);
    cleared.tidy();
    expect([cleared.size, cleared.live, cleared.find(50)]).toEqual([99, 99, -1]);
  });
});
