import { CONTENT_FEATURES, FEATURES, questionLookups, type Lookup } from './features.js';
import { scoreOf, weightVector } from './model.js';
import type { BoundLookup } from './bound-lookup.js';
import { PersonActivity } from './person-activity.js';
import { bestFirst, type FeatureInput, type RankInput, type Scored } from './ranked.js';

/** What the exhaustive ranking reads of the index (PeopleIndex gives it itself). */
export interface RankedPeople {
  readonly slotCount: number;
  bind(lookups: readonly Lookup[]): BoundLookup[];
  slotOf(userId: number): number | undefined;
  userIdAt(slot: number): number;
  activityAt(slot: number): PersonActivity;
}

/**
 * The exhaustive ranking, what the evaluation and fitting read (feature rows) and the lazy top-k
 * is held to (rank): every posting of the question's lookups summed into per-person content
 * features, in lookup order, then each candidate's activity features, scored with the model.
 * Candidates are whoever holds a looked-up value above 0, plus `extra`, minus `exclude`. Per-person
 * work arrays are its own, grown with the index.
 */
export class ExhaustiveRanker {
  private acc = new Float64Array(0);
  private mark = new Int32Array(0);
  /** the candidates a question found (gather), one place per slot */
  private found = new Int32Array(0);
  private epoch = 0;

  constructor(private readonly index: RankedPeople) {}

  get bytes(): number {
    return this.acc.byteLength + this.mark.byteLength + this.found.byteLength;
  }

  /** Every candidate's feature row (FEATURES order), in the order they were found. */
  features(input: FeatureInput): { userIds: number[]; rows: Float64Array[] } {
    const userIds: number[] = [];
    const rows: Float64Array[] = [];
    this.eachCandidate(input, (userId, row) => {
      userIds.push(userId);
      rows.push(Float64Array.from(row));
    });
    return { userIds, rows };
  }

  /** Every candidate, best first (score desc, then userId asc). */
  rank(input: RankInput): Scored[] {
    const weights = weightVector(input.model);
    const scored: Scored[] = [];
    this.eachCandidate({ ...input, mu: input.model.mu }, (userId, row) => scored.push({ userId, score: scoreOf(weights, row) }));
    return scored.sort(bestFirst);
  }

  /** Each candidate's id and feature row, in the order they were found; the row is reused between calls. */
  private eachCandidate(input: FeatureInput, each: (userId: number, row: Float64Array) => void): void {
    const { slots, slotless } = this.gather(this.index.bind(questionLookups(input.question, input.stats, input.now, input.mu)), input);
    const row = new Float64Array(FEATURES.length);
    for (const slot of slots) {
      for (let f = 0; f < CONTENT_FEATURES; f++) row[f] = this.acc[slot * CONTENT_FEATURES + f] as number;
      this.index.activityAt(slot).writeFeatures(input.now, input.mu, row);
      each(this.index.userIdAt(slot), row);
    }
    if (slotless.length) {
      row.fill(0);
      new PersonActivity().writeFeatures(input.now, input.mu, row);
      for (const userId of slotless) each(userId, row);
    }
  }

  /** Sums the lookups into acc per slot; returns the candidates' slots (first-touch order) and extra people without a slot. */
  private gather(lookups: readonly BoundLookup[], input: FeatureInput): { slots: Int32Array; slotless: number[] } {
    this.fit(this.index.slotCount);
    const epoch = this.nextEpoch();
    const { acc, mark } = this;
    const excluded = new Set(input.exclude ?? []);
    let found = 0;
    const touch = (slot: number): void => {
      mark[slot] = epoch;
      acc.fill(0, slot * CONTENT_FEATURES, (slot + 1) * CONTENT_FEATURES);
      this.found[found++] = slot; // found has a place for every slot
    };
    for (const { list, offset, scale, features, coefficients } of lookups) {
      if (!list) continue;
      const { slots: holders, values, size, width } = list;
      const targetCount = features.length;
      for (let i = 0; i < size; i++) {
        const value = values[i * width + offset] as number;
        if (!(value > 0)) continue;
        const slot = holders[i] as number;
        if (mark[slot] !== epoch) touch(slot);
        const l = Math.log1p(value * scale);
        for (let t = 0; t < targetCount; t++) {
          const at = slot * CONTENT_FEATURES + (features[t] as number);
          acc[at] = (acc[at] as number) + (coefficients[t] as number) * l;
        }
      }
    }
    const slotless = new Set<number>();
    for (const userId of input.extra ?? []) {
      const slot = this.index.slotOf(userId);
      if (slot === undefined) slotless.add(userId);
      else if (mark[slot] !== epoch) touch(slot);
    }
    let kept = 0;
    for (let i = 0; i < found; i++) {
      const slot = this.found[i] as number;
      if (!excluded.has(this.index.userIdAt(slot))) this.found[kept++] = slot;
    }
    // a view of the index's own buffer: valid until the next question
    return { slots: this.found.subarray(0, kept), slotless: [...slotless].filter((userId) => !excluded.has(userId)) };
  }

  private nextEpoch(): number {
    if (this.epoch === 0x7fffffff) {
      this.mark.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }

  /** Room for `slots` people (doubling; the sums of a question do not outlive it). */
  private fit(slots: number): void {
    if (slots <= this.mark.length) return;
    const length = Math.max(1024, slots * 2);
    this.acc = new Float64Array(length * CONTENT_FEATURES);
    this.mark = new Int32Array(length);
    this.found = new Int32Array(length);
    this.epoch = 0;
  }
}
