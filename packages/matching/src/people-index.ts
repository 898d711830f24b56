import { ActivityTable } from './activity-table.js';
import type { BoundLookup } from './bound-lookup.js';
import { valuesHeld, type TermValues } from './contribution.js';
import { ExhaustiveRanker } from './exhaustive.js';
import { CONTENT_FEATURES, type Channel, type Lookup } from './features.js';
import { HELD_MAXIMA, heldOf, type HeldMaxima } from './held.js';
import type { RankingModel } from './model.js';
import { PersonActivity, type AnswerFact } from './person-activity.js';
import { PostingList, type Tiering } from './posting-list.js';
import { PriorTable } from './prior-table.js';
import type { FeatureInput, RankInput, Scored } from './ranked.js';
import { grown } from './typed-arrays.js';

const CHANNEL_AT: Record<Channel, number> = { expertise: 0, recent: 1, tagRecent: 2 };

/** An index's state, as a snapshot holds it. */
export interface IndexParts {
  /** per slot */
  userIds: Float64Array;
  /** per term id */
  terms: string[];
  lists: PostingList[];
  activities: ActivityTable;
  termCount: Int32Array;
  maxima: Float64Array;
}

/**
 * Everyone's terms and answering, in typed arrays, changing one person at a time: the ranking engine
 * of the live matcher, of dry runs, of the evaluation replay and of fitting (which read the same
 * feature rows it scores). Each person has a dense slot, each term an id and a PostingList (slots and
 * the values its kind holds, sorted by slot); `termCount` says how many terms a slot holds. A person's
 * postings are replaced in O(their terms x log), an answer is added in O(its terms x log).
 *
 * rank() (exhaustive.ts) reads every posting of the question's lookups into per-slot content features, adds each
 * candidate's activity features, and scores them with the model; candidates are whoever holds a
 * looked-up value above 0, plus `extra`. top-k.ts reads the same ranking only as far as needed, and
 * rank-reference.ts computes it from plain maps (the tests' oracle).
 */
export class PeopleIndex implements HeldMaxima {
  private slotByUser = new Map<number, number>();
  private userIds: number[] = [];
  private activities = new ActivityTable(1024);
  private termIds = new Map<string, number>();
  private lists: PostingList[] = [];
  /** per slot: how many lists hold a value above 0 for it (so a replaced person's stale terms are looked for only when there are some) */
  private termCount = new Int32Array(1024);
  private readonly exhaustive = new ExhaustiveRanker(this);
  private postingCount = 0;
  /** the last person slot() was asked for */
  private lastUser = Number.NaN;
  private lastSlot = -1;
  private readonly scratch = new Float64Array(3);
  /** per slot, HELD_MAXIMA values: at least each value the person holds, by kind (heldOf); a bound top-k.ts reads */
  private maxima = new Float64Array(1024 * HELD_MAXIMA);
  /** everyone's prior bound, in buckets, for top-k.ts (made at load or the first ranking, kept current as people change) */
  private readonly priors = new PriorTable();

  /** `tiering`: when a term's list keeps an impact tier (posting-list.ts; tests set it so that a small index has large tiers) */
  constructor(private readonly options: { tiering?: Tiering } = {}) {}

  get size(): { people: number; terms: number; postings: number } {
    return { people: this.slotByUser.size, terms: this.termIds.size, postings: this.postingCount };
  }

  /** Bytes its typed arrays take, by part (the Maps from user ids and terms aside: see the bench for the process's). */
  get bytes(): { postings: number; activity: number; perSlot: number } {
    let postings = 0;
    for (const list of this.lists) postings += list.bytes;
    const perSlot = this.exhaustive.bytes + this.maxima.byteLength;
    return { postings, activity: this.activities.bytes, perSlot: perSlot + this.termCount.byteLength };
  }

  /** What a snapshot holds (snapshot.ts), every list tidied first (sorted, nothing zeroed). */
  parts(): IndexParts {
    for (const list of this.lists) list.tidy();
    const people = this.userIds.length;
    return {
      userIds: Float64Array.from(this.userIds), terms: [...this.termIds.keys()], lists: this.lists, activities: this.activities,
      termCount: this.termCount.subarray(0, people), maxima: this.maxima.subarray(0, people * HELD_MAXIMA),
    };
  }

  /** An index made of a snapshot's parts (snapshot.ts). */
  static fromParts(parts: IndexParts): PeopleIndex {
    const index = new PeopleIndex();
    const people = parts.userIds.length;
    parts.terms.forEach((term, id) => index.termIds.set(term, id));
    index.lists = parts.lists;
    for (const list of parts.lists) index.postingCount += list.live;
    index.userIds = Array.from(parts.userIds);
    index.userIds.forEach((userId, slot) => index.slotByUser.set(userId, slot));
    index.activities = parts.activities;
    const room = Math.max(1024, people);
    index.termCount = new Int32Array(room);
    index.termCount.set(parts.termCount);
    index.maxima = new Float64Array(room * HELD_MAXIMA);
    index.maxima.set(parts.maxima);
    return index;
  }

  /** A person's activity (undefined for someone the index has never seen). */
  activity(userId: number): PersonActivity | undefined {
    const slot = this.slotByUser.get(userId);
    return slot === undefined ? undefined : new PersonActivity(this.activities, slot);
  }

  /**
   * The `limit` people answering most lately (answersPerDay at `now`), among those who answered since
   * `since`; most first, ties by user id. Reads the activity columns: ~10 ms for a million people.
   */
  mostActive(now: number, since: number, limit: number): number[] {
    const last = this.activities.last;
    let best: [number, number][] = [];
    const byRate = (a: [number, number], b: [number, number]): number => b[1] - a[1] || a[0] - b[0];
    for (let slot = 0; slot < this.userIds.length; slot++) {
      if ((last[slot] as number) < since) continue;
      best.push([this.userIds[slot] as number, new PersonActivity(this.activities, slot).answersPerDay(now)]);
      if (best.length >= 4 * limit) best = best.sort(byRate).slice(0, limit); // keep the selection small
    }
    return best.sort(byRate).slice(0, limit).map(([userId]) => userId);
  }

  /** What a person holds for a term (undefined when nothing). */
  values(userId: number, term: string): TermValues | undefined {
    const slot = this.slotByUser.get(userId);
    const id = this.termIds.get(term);
    if (slot === undefined || id === undefined) return undefined;
    const list = this.lists[id] as PostingList;
    const at = list.find(slot);
    if (at < 0 || !list.holds(at)) return undefined;
    const read = (c: number): number => (c < list.width ? (list.values[at * list.width + c] as number) : 0);
    return { expertise: read(0), recent: read(1), tagRecent: read(2) };
  }

  /** Adds one answer: its contribution to the author's terms, and the answer to their activity (answer order: oldest first). */
  addAnswer(userId: number, contribution: ReadonlyMap<string, TermValues>, fact: AnswerFact): void {
    const slot = this.slot(userId);
    const activity = new PersonActivity(this.activities, slot);
    activity.add(fact);
    this.priors.changed(slot, activity);
    for (const [term, add] of contribution) {
      const id = this.termId(term);
      const list = this.lists[id] as PostingList;
      const before = list.live;
      const at = list.add(slot, this.valuesOf(add, list.width));
      this.counted(slot, list.live - before);
      this.raiseMaxima(slot, list, at);
    }
  }

  /** A person asked a question at `at` (ms). */
  asked(userId: number, at: number): void {
    const slot = this.slot(userId);
    const activity = new PersonActivity(this.activities, slot);
    activity.asked(at);
    this.priors.changed(slot, activity);
  }

  /**
   * Replaces a person: their terms (values a term's kind cannot hold, and all-zero entries, are not
   * kept) and their activity. Terms they held and are not given any more are cleared: looked for in
   * every list (a binary search each, ~10 ms at 100k terms), only when there are some (their count
   * says so): people lose terms only when answers are deleted.
   */
  setPerson(userId: number, terms: Iterable<readonly [string, TermValues]>, activity: PersonActivity): void {
    const slot = this.slot(userId);
    const given = new Map<number, TermValues>();
    for (const [term, v] of terms) given.set(this.termId(term), v); // a term given twice keeps its last values
    let holding = 0;
    this.maxima.fill(0, slot * HELD_MAXIMA, (slot + 1) * HELD_MAXIMA);
    for (const [id, v] of given) {
      const list = this.lists[id] as PostingList;
      const values = this.valuesOf(v, list.width);
      if (!values.subarray(0, list.width).some((x) => x > 0) && list.find(slot) < 0) continue;
      const before = list.live;
      const at = list.set(slot, values);
      this.counted(slot, list.live - before);
      this.raiseMaxima(slot, list, at);
      if (list.holds(at)) holding += 1;
    }
    if ((this.termCount[slot] as number) > holding) this.lists.forEach((_, id) => given.has(id) || this.clear(id, slot));
    this.activities.copy(activity.table, activity.row, slot);
    this.priors.changed(slot, new PersonActivity(this.activities, slot));
  }

  /**
   * Loads what a person holds for one term into an index being filled from unique rows (each person
   * and term at most once, as Postgres's primary key says), in any order, without looking for what is
   * there; `finishLoading` must be called before anything else.
   */
  loadTerm(userId: number, termId: number, v: TermValues): void {
    const slot = this.slot(userId);
    const list = this.lists[termId] as PostingList;
    const before = list.live;
    list.appendUnsorted(slot, this.valuesOf(v, list.width));
    this.counted(slot, list.live - before);
    this.raiseMaxima(slot, list, list.size - 1);
  }

  /** The id of a term (made if new), for loadTerm. */
  termIdOf(term: string): number {
    return this.termId(term);
  }

  /** Ends loadTerm's loading: every list in order again. */
  finishLoading(): void {
    for (const list of this.lists) list.settle();
  }

  /** Forgets a person's terms and activity (their slot stays, empty). */
  forget(userId: number): void {
    const slot = this.slotByUser.get(userId);
    if (slot === undefined) return;
    if ((this.termCount[slot] as number) > 0) this.lists.forEach((_, id) => this.clear(id, slot));
    this.maxima.fill(0, slot * HELD_MAXIMA, (slot + 1) * HELD_MAXIMA);
    this.activities.clear(slot);
    this.priors.changed(slot, new PersonActivity(this.activities, slot));
  }

  /** Every candidate's feature row (FEATURES order), in the order they were found (exhaustive.ts). */
  features(input: FeatureInput): { userIds: number[]; rows: Float64Array[] } {
    return this.exhaustive.features(input);
  }

  /** Every candidate, best first (score desc, then userId asc): the exhaustive ranking (exhaustive.ts; top-k.ts reads it lazily). */
  rank(input: RankInput): Scored[] {
    return this.exhaustive.rank(input);
  }

  // ---- what top-k.ts reads -----------------------------------------------------------------------

  /** The question's lookups tied to this index's postings, in lookup order (those that can read nothing dropped). */
  bind(lookups: readonly Lookup[]): BoundLookup[] {
    const bound: BoundLookup[] = [];
    for (const lookup of lookups) {
      const id = this.termIds.get(lookup.key);
      const list = id === undefined ? undefined : this.lists[id];
      const offset = CHANNEL_AT[lookup.channel];
      if (list && offset >= list.width) continue;
      const held = heldOf(offset, list?.width ?? 3);
      bound.push({ list, offset, scale: lookup.scale, features: lookup.targets.map(([f]) => f), coefficients: lookup.targets.map(([, c]) => c), held });
    }
    return bound;
  }

  /** At least every value the person at `slot` holds of kind `held` (BoundLookup.held). */
  maximumOf(slot: number, held: number): number {
    return this.maxima[slot * HELD_MAXIMA + held] as number;
  }

  slotOf(userId: number): number | undefined {
    return this.slotByUser.get(userId);
  }

  get slotCount(): number {
    return this.userIds.length;
  }

  userIdAt(slot: number): number {
    return this.userIds[slot] as number;
  }

  activityAt(slot: number): PersonActivity {
    return new PersonActivity(this.activities, slot);
  }

  /** Everyone's prior bound for `model` around `now` (made or remade as needed). */
  priorTable(model: RankingModel, now: number): PriorTable {
    this.priors.prepare(model, now, this.userIds.length, (slot) => new PersonActivity(this.activities, slot), this);
    return this.priors;
  }

  /**
   * One person's content features (the first CONTENT_FEATURES of `row`), summed as rank() sums them:
   * lookup by lookup, in order. Returns whether any looked-up value was above 0 (a candidate by terms).
   */
  contentOf(slot: number, lookups: readonly BoundLookup[], row: Float64Array): boolean {
    row.fill(0, 0, CONTENT_FEATURES);
    let hit = false;
    let searched: PostingList | undefined;
    let at = -1;
    for (const lookup of lookups) {
      const { list } = lookup;
      if (!list) continue;
      if (list !== searched) {
        // a word's lookups read one list one after the other: one search for them
        searched = list;
        at = list.find(slot);
      }
      if (at < 0) continue;
      const value = list.values[at * list.width + lookup.offset] as number;
      if (!(value > 0)) continue;
      hit = true;
      const l = Math.log1p(value * lookup.scale);
      for (let t = 0; t < lookup.features.length; t++) {
        const f = lookup.features[t] as number;
        row[f] = (row[f] as number) + (lookup.coefficients[t] as number) * l;
      }
    }
    return hit;
  }

  private slot(userId: number): number {
    if (userId === this.lastUser) return this.lastSlot; // rows come grouped by person when loading
    let slot = this.slotByUser.get(userId);
    if (slot === undefined) {
      slot = this.userIds.length;
      this.slotByUser.set(userId, slot);
      this.userIds.push(userId);
      this.activities.ensure(slot);
      if (slot >= this.termCount.length) {
        this.maxima = grown(this.maxima, this.maxima.length * 2);
        this.termCount = grown(this.termCount, this.termCount.length * 2);
      }
    }
    this.lastUser = userId;
    this.lastSlot = slot;
    return slot;
  }

  private termId(term: string): number {
    let id = this.termIds.get(term);
    if (id === undefined) {
      id = this.lists.length;
      this.termIds.set(term, id);
      this.lists.push(new PostingList(valuesHeld(term), this.options.tiering));
    }
    return id;
  }

  /** A term's values as a posting holds them (the first `width`), in the scratch array. */
  private valuesOf(v: TermValues, width: number): Float64Array {
    const s = this.scratch;
    s[0] = v.expertise;
    s[1] = width > 1 ? v.recent : 0;
    s[2] = width > 2 ? v.tagRecent : 0;
    return s;
  }

  private raiseMaxima(slot: number, list: PostingList, at: number): void {
    for (let c = 0; c < list.width; c++) {
      const i = slot * HELD_MAXIMA + heldOf(c, list.width);
      const v = list.values[at * list.width + c] as number;
      if (v > (this.maxima[i] as number)) {
        this.maxima[i] = v;
        this.priors.raised(slot, i - slot * HELD_MAXIMA, v);
      }
    }
  }

  private clear(id: number, slot: number): void {
    const list = this.lists[id] as PostingList;
    const before = list.live;
    list.clear(slot);
    this.counted(slot, list.live - before);
  }

  /** A slot's postings holding values changed by `delta` (+1, -1 or 0). */
  private counted(slot: number, delta: number): void {
    this.postingCount += delta;
    this.termCount[slot] = (this.termCount[slot] as number) + delta;
  }
}
