import type { TermValues } from './contribution.js';
import { TAG_PREFIX, type ExtractedTerms } from './extract-terms.js';
import { CONTENT_FEATURES, FEATURES, questionLookups, type Channel, type CorpusStats, type Lookup } from './features.js';
import { scoreOf, weightVector, type RankingModel } from './model.js';
import { PersonActivity, type AnswerFact } from './person-activity.js';
import { PriorTable } from './prior-table.js';

/** What a ranking is asked: a question at a moment, weighed by a model. */
export interface RankInput {
  question: ExtractedTerms;
  stats: CorpusStats;
  /** ms since the epoch: the moment features are read at (never earlier than a previous call's) */
  now: number;
  model: RankingModel;
  /** people scored even if they share no term with the question (the most active; everyone, in a replay) */
  extra?: Iterable<number>;
  /** never ranked (the asker) */
  exclude?: Iterable<number>;
}

/** What reading feature rows needs: the ranking's input without the weights, with the evidence smoothing. */
export type FeatureInput = Omit<RankInput, 'model'> & { mu: number };

export interface Scored {
  userId: number;
  score: number;
}

/** Why a person was chosen: the question's words and tags that counted most for them, and how much they answer lately. */
export interface MatchReasons {
  terms: string[];
  tags: string[];
  /** answers in the last 30 days (decayed, rounded), when they have any */
  recentAnswers?: number;
  /** people who scored higher but were not asked: over their ask budget, or paused (budget.ts) */
  passedOver?: number[];
}

export interface Match {
  userId: number;
  score: number;
  reasons: MatchReasons;
}

const CHANNELS: readonly Channel[] = ['expertise', 'recent', 'tagRecent'];
const WIDTH = CHANNELS.length;
const CHANNEL_AT: Record<Channel, number> = { expertise: 0, recent: 1, tagRecent: 2 };
const MAX_REASONS = 5;

/** One term's postings: dense slots and their values (WIDTH per posting), in no particular order. */
interface TermList {
  slots: Int32Array;
  values: Float64Array;
  size: number;
}

/**
 * Everyone's terms and answering, in typed arrays, changing one person at a time: the ranking engine
 * of the live matcher, of dry runs, of the evaluation replay and of fitting (which read the same
 * feature rows it scores). Each person has a dense slot; a term's postings are slots and values; a
 * person's postings are replaced in O(their terms), an answer is added in O(its terms).
 *
 * Ranking reads every posting of the question's lookups into per-slot content features, adds each
 * candidate's activity features, and scores them with the model; candidates are whoever holds a
 * looked-up term plus `extra`. rank-reference.ts computes the same from plain maps (the tests' oracle).
 */
export class PeopleIndex {
  private slotByUser = new Map<number, number>();
  private userIds: number[] = [];
  private activities: PersonActivity[] = [];
  /** per slot: term -> position in that term's postings */
  private profiles: (Map<string, number> | undefined)[] = [];
  private terms = new Map<string, TermList>();
  private acc = new Float64Array(1024 * CONTENT_FEATURES);
  private mark = new Int32Array(1024);
  /** the candidates a question found (gather), one place per slot */
  private found = new Int32Array(1024);
  private epoch = 0;
  private postingCount = 0;
  /** everyone's prior bound, in order, for top-k.ts (made at the first topK, kept current as people change) */
  private readonly priors = new PriorTable();

  get size(): { people: number; terms: number; postings: number } {
    return { people: this.slotByUser.size, terms: this.terms.size, postings: this.postingCount };
  }

  /** A person's activity (undefined for someone the index has never seen). */
  activity(userId: number): PersonActivity | undefined {
    const slot = this.slotByUser.get(userId);
    return slot === undefined ? undefined : this.activities[slot];
  }

  /** Everyone the index holds, with their activity. */
  *people(): IterableIterator<[number, PersonActivity]> {
    for (let slot = 0; slot < this.userIds.length; slot++) yield [this.userIds[slot] as number, this.activities[slot] as PersonActivity];
  }

  /** What a person holds for a term (undefined when nothing). */
  values(userId: number, term: string): TermValues | undefined {
    const slot = this.slotByUser.get(userId);
    const at = slot === undefined ? undefined : this.profiles[slot]?.get(term);
    if (at === undefined) return undefined;
    const v = (this.terms.get(term) as TermList).values;
    return { expertise: v[at * WIDTH] as number, recent: v[at * WIDTH + 1] as number, tagRecent: v[at * WIDTH + 2] as number };
  }

  /** Adds one answer: its contribution to the author's terms, and the answer to their activity (answer order: oldest first). */
  addAnswer(userId: number, contribution: ReadonlyMap<string, TermValues>, fact: AnswerFact): void {
    const slot = this.slot(userId);
    const activity = this.activities[slot] as PersonActivity;
    activity.add(fact);
    this.priors.changed(slot, activity);
    let profile = this.profiles[slot];
    for (const [term, add] of contribution) {
      const at = profile?.get(term);
      if (at === undefined) {
        profile ??= this.profiles[slot] = new Map();
        profile.set(term, this.append(term, slot, add));
      } else {
        const v = (this.terms.get(term) as TermList).values;
        v[at * WIDTH] = (v[at * WIDTH] as number) + add.expertise;
        v[at * WIDTH + 1] = (v[at * WIDTH + 1] as number) + add.recent;
        v[at * WIDTH + 2] = (v[at * WIDTH + 2] as number) + add.tagRecent;
      }
    }
  }

  /** A person asked a question at `at` (ms). */
  asked(userId: number, at: number): void {
    const slot = this.slot(userId);
    (this.activities[slot] as PersonActivity).asked(at);
    this.priors.changed(slot, this.activities[slot] as PersonActivity);
  }

  /** Replaces a person: their terms (entries whose values are all zero are not kept) and their activity. */
  setPerson(userId: number, terms: Iterable<readonly [string, TermValues]>, activity: PersonActivity): void {
    const slot = this.slot(userId);
    this.removePostings(slot);
    const given = new Map<string, TermValues>();
    for (const [term, v] of terms) given.set(term, v); // a term given twice keeps its last values
    const profile = new Map<string, number>();
    for (const [term, v] of given) if (v.expertise > 0 || v.recent > 0 || v.tagRecent > 0) profile.set(term, this.append(term, slot, v));
    this.profiles[slot] = profile.size ? profile : undefined;
    this.activities[slot] = activity;
    this.priors.changed(slot, activity);
  }

  /** Forgets a person's terms and activity (their slot stays, empty). */
  forget(userId: number): void {
    const slot = this.slotByUser.get(userId);
    if (slot === undefined) return;
    this.removePostings(slot);
    this.profiles[slot] = undefined;
    this.activities[slot] = new PersonActivity();
    this.priors.changed(slot, this.activities[slot] as PersonActivity);
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

  // ---- what top-k.ts reads (candidates' content sums, their activity, the prior bounds) -------------

  userIdAt(slot: number): number {
    return this.userIds[slot] as number;
  }

  activityAt(slot: number): PersonActivity {
    return this.activities[slot] as PersonActivity;
  }

  /** Everyone's prior bound for `model` around `now` (made or remade as needed). */
  priorTable(model: RankingModel, now: number): PriorTable {
    this.priors.prepare(model, now, this.userIds.length, (slot) => this.activities[slot] as PersonActivity);
    return this.priors;
  }

  /**
   * The question's candidates with their content features summed (as rank() sums them): their slots,
   * and the extra people the index has no slot for. `contentAt(slot, f)` reads a candidate's sums
   * until the next call (top-k.ts).
   */
  candidates(input: FeatureInput): { slots: Int32Array; slotless: number[] } {
    return this.gather(questionLookups(input.question, input.stats, input.now, input.mu), input);
  }

  contentAt(slot: number, feature: number): number {
    return this.acc[slot * CONTENT_FEATURES + feature] as number;
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
    const lookups = questionLookups(input.question, input.stats, input.now, input.mu);
    const { slots, slotless } = this.gather(lookups, input);
    const row = new Float64Array(FEATURES.length);
    for (const slot of slots) {
      for (let f = 0; f < CONTENT_FEATURES; f++) row[f] = this.acc[slot * CONTENT_FEATURES + f] as number;
      (this.activities[slot] as PersonActivity).writeFeatures(input.now, input.mu, row);
      each(this.userIds[slot] as number, row);
    }
    if (slotless.length) {
      row.fill(0);
      new PersonActivity().writeFeatures(input.now, input.mu, row);
      for (const userId of slotless) each(userId, row);
    }
  }

  /** The question's words and tags that counted most for this person under the model, and their recent answering. */
  reasons(userId: number, input: Pick<RankInput, 'question' | 'stats' | 'now' | 'model'>): MatchReasons {
    const lookups = questionLookups(input.question, input.stats, input.now, input.model.mu);
    const weights = weightVector(input.model);
    const byTerm = new Map<string, number>();
    for (const lookup of lookups) {
      const held = this.values(userId, lookup.key);
      if (!held) continue;
      const l = Math.log1p(held[lookup.channel] * lookup.scale);
      let add = 0;
      for (const [f, coefficient] of lookup.targets) add += (weights[f] as number) * coefficient * l;
      byTerm.set(lookup.term, (byTerm.get(lookup.term) ?? 0) + add);
    }
    const ordered = [...byTerm].filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    const reasons: MatchReasons = { terms: [], tags: [] };
    for (const [term] of ordered) {
      const isTag = term.startsWith(TAG_PREFIX);
      const list = isTag ? reasons.tags : reasons.terms;
      if (list.length < MAX_REASONS) list.push(input.question.surface.get(term) ?? (isTag ? term.slice(TAG_PREFIX.length) : term));
    }
    const recent = Math.round((this.activity(userId)?.recentAnswers(input.now) ?? 0) * 10) / 10;
    if (recent > 0) reasons.recentAnswers = recent;
    return reasons;
  }

  /** Sums the lookups into acc per slot; returns the candidates' slots (first-touch order) and extra people without a slot. */
  private gather(lookups: Lookup[], input: FeatureInput): { slots: Int32Array; slotless: number[] } {
    const epoch = this.nextEpoch();
    const { acc, mark } = this;
    const excluded = new Set(input.exclude ?? []);
    let found = 0;
    const touch = (slot: number): void => {
      mark[slot] = epoch;
      acc.fill(0, slot * CONTENT_FEATURES, (slot + 1) * CONTENT_FEATURES);
      this.found[found++] = slot; // found has a place for every slot
    };
    for (const lookup of lookups) {
      const list = this.terms.get(lookup.key);
      if (!list) continue;
      const offset = CHANNEL_AT[lookup.channel];
      const { slots: holders, values, size } = list;
      const { scale } = lookup;
      // the targets as plain numbers: this loop runs once per posting
      const targetCount = lookup.targets.length;
      const features = lookup.targets.map(([f]) => f);
      const coefficients = lookup.targets.map(([, c]) => c);
      for (let i = 0; i < size; i++) {
        const value = values[i * WIDTH + offset] as number;
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
      const slot = this.slotByUser.get(userId);
      if (slot === undefined) slotless.add(userId);
      else if (mark[slot] !== epoch) touch(slot);
    }
    let kept = 0;
    for (let i = 0; i < found; i++) {
      const slot = this.found[i] as number;
      if (!excluded.has(this.userIds[slot] as number)) this.found[kept++] = slot;
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

  private slot(userId: number): number {
    let slot = this.slotByUser.get(userId);
    if (slot === undefined) {
      slot = this.userIds.length;
      this.slotByUser.set(userId, slot);
      this.userIds.push(userId);
      this.profiles.push(undefined);
      this.activities.push(new PersonActivity());
      if (slot >= this.mark.length) {
        this.mark = doubled(this.mark, Int32Array);
        this.acc = doubled(this.acc, Float64Array);
        this.found = doubled(this.found, Int32Array);
      }
    }
    return slot;
  }

  /** Appends a posting; returns its position. */
  private append(term: string, slot: number, v: TermValues): number {
    let list = this.terms.get(term);
    if (!list) this.terms.set(term, (list = { slots: new Int32Array(4), values: new Float64Array(4 * WIDTH), size: 0 }));
    if (list.size === list.slots.length) {
      list.slots = doubled(list.slots, Int32Array);
      list.values = doubled(list.values, Float64Array);
    }
    const at = list.size;
    list.slots[at] = slot;
    list.values[at * WIDTH] = v.expertise;
    list.values[at * WIDTH + 1] = v.recent;
    list.values[at * WIDTH + 2] = v.tagRecent;
    list.size++;
    this.postingCount++;
    return at;
  }

  /** Removes the posting at `at` of a term: the last posting fills the hole, and its person's position is updated. */
  private remove(term: string, at: number): void {
    const list = this.terms.get(term) as TermList;
    const last = list.size - 1;
    if (at !== last) {
      const moved = list.slots[last] as number;
      list.slots[at] = moved;
      list.values.copyWithin(at * WIDTH, last * WIDTH, (last + 1) * WIDTH);
      this.profiles[moved]?.set(term, at);
    }
    list.size = last;
    this.postingCount--;
    if (last === 0) this.terms.delete(term);
  }

  private removePostings(slot: number): void {
    const profile = this.profiles[slot];
    if (!profile) return;
    for (const [term, at] of profile) this.remove(term, at);
  }
}

/** Best first: score desc, then userId asc. */
export function bestFirst(a: Scored, b: Scored): number {
  return b.score - a.score || a.userId - b.userId;
}

/** A copy of a typed array at twice its length, the rest zero. */
function doubled<T extends Float64Array | Int32Array>(from: T, Type: new (length: number) => T): T {
  const next = new Type(from.length * 2);
  next.set(from);
  return next;
}
