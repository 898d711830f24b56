import type { ExtractedTerms } from './extract-terms.js';
import {
  basePrior, candidateFor, round4, scoringOf, termEvidence, toMatch, TopList, withLoad, type CorpusStats, type Match, type RankOptions,
} from './rank-candidates.js';
import type { PersonFacts } from './rank-postings.js';

/** What ranking needs of a person besides their expertise and total, which the index holds. */
export type PriorFacts = Omit<PersonFacts, 'total'>;

/** One term's postings: dense slots and weights, in no particular order (a person's sum runs over terms, not postings). */
interface TermList {
  slots: Int32Array;
  weights: Float64Array;
  size: number;
}

/**
 * People's expertise, term-major in typed arrays, that can change one person at a time: what a live
 * matcher ranks from. Each person has a dense slot; a term's postings are slots and weights; a
 * person is replaced in O(their terms) (each knows their position in each term's postings); a
 * person's evidence is summed into a Float64Array by slot. Reading a posting costs a few
 * nanoseconds, against ~70 for Maps (rankPostings), so every posting of a question's terms is read
 * (ExpertiseIndex also prunes postings, but is built once and cannot change). What is pruned is the
 * costlier part per person: their load prior (recent asks) is looked up only for those whose
 * score without it could still enter the top.
 *
 * `rank` is exactly `rankPostings` (and so `rankCandidates`) with the candidates being whoever holds
 * a question term plus `extra`.
 */
export class LiveIndex {
  private slotOf = new Map<number, number>();
  private userIds: number[] = [];
  private totals = new Float64Array(1024);
  /** per slot: the person's terms, term -> their position in that term's postings (to replace them in O(1)) */
  private profiles: (Map<string, number> | undefined)[] = [];
  private terms = new Map<string, TermList>();
  /** per slot: evidence of the ranking in progress, zeroed again afterwards */
  private acc = new Float64Array(1024);
  /** per slot: the ranking that last made them a candidate */
  private mark = new Int32Array(1024);
  private epoch = 0;
  private postingCount = 0;
  /** How many candidates the last rank scored exactly (for tests and benchmarks). */
  lastScored = 0;

  /** People (with a slot), distinct terms, (term, person) entries. */
  get size(): { people: number; terms: number; postings: number } {
    return { people: this.slotOf.size, terms: this.terms.size, postings: this.postingCount };
  }

  /** A person's total (0 when unknown). */
  total(userId: number): number {
    const slot = this.slotOf.get(userId);
    return slot === undefined ? 0 : (this.totals[slot] as number);
  }

  /** Sets a person's total. */
  setTotal(userId: number, total: number): void {
    this.totals[this.slot(userId)] = total;
  }

  /** Replaces a person's expertise with these (term, weight) entries; weights that are not positive are not kept. */
  setExpertise(userId: number, expertise: Iterable<readonly [string, number]>): void {
    const slot = this.slot(userId);
    this.removePostings(slot);
    // a term given twice keeps its last weight, as new Map(entries) would (a last weight <= 0 drops it)
    const given = new Map<string, number>();
    for (const [term, weight] of expertise) given.set(term, weight);
    const profile = new Map<string, number>();
    for (const [term, weight] of given) if (weight > 0) profile.set(term, this.add(term, slot, weight));
    this.profiles[slot] = profile.size ? profile : undefined;
  }

  /** Forgets a person's expertise and total (their slot stays, empty). */
  forget(userId: number): void {
    const slot = this.slotOf.get(userId);
    if (slot === undefined) return;
    this.removePostings(slot);
    this.profiles[slot] = undefined;
    this.totals[slot] = 0;
  }

  /** A person's weight for a term, if they hold it. */
  weight(userId: number, term: string): number | undefined {
    const slot = this.slotOf.get(userId);
    const at = slot === undefined ? undefined : this.profiles[slot]?.get(term);
    return at === undefined ? undefined : this.terms.get(term)?.weights[at];
  }

  /**
   * Exactly `rankPostings(question, postings, candidates, facts, stats, options)` where postings are
   * this index's, candidates are everyone holding a question term plus `extra`, and facts.total is
   * the index's total.
   */
  rank(question: ExtractedTerms, extra: Iterable<number>, facts: PriorFacts, stats: CorpusStats, options: RankOptions): Match[] {
    const s = scoringOf(question, stats, options);
    if (!s) return [];

    const epoch = this.nextEpoch();
    const { acc, mark, totals } = this;
    const candidates: number[] = [];
    for (const term of s.terms) {
      const list = this.terms.get(term.term);
      if (!list) continue;
      const { slots, weights, size } = list;
      for (let i = 0; i < size; i++) {
        const slot = slots[i] as number;
        if (mark[slot] !== epoch) {
          mark[slot] = epoch;
          acc[slot] = 0;
          candidates.push(slot);
        }
        acc[slot] = (acc[slot] as number) + termEvidence(term, weights[i] as number, totals[slot] as number, s.smoothing);
      }
    }
    // extra people: those without a slot have no expertise and no total
    const slotless: number[] = [];
    for (const userId of extra) {
      const slot = this.slotOf.get(userId);
      if (slot === undefined) slotless.push(userId);
      else if (mark[slot] !== epoch) {
        mark[slot] = epoch;
        acc[slot] = 0;
        candidates.push(slot);
      }
    }

    // Pass 1, everyone: evidence and the priors that are cheap to know (volume, recent answers).
    // The load prior only lowers a score (loadWeight >= 0) and the cap only lowers a rank, so
    // evidence + those priors bounds the final score from above, in floating point too.
    const ids: number[] = [];
    const evidences: number[] = [];
    const bases: number[] = [];
    const bounds: number[] = [];
    const offer = (userId: number, evidenceSum: number): void => {
      if (s.excluded.has(userId)) return;
      if (evidenceSum <= 0 && !s.includeWithoutEvidence) return;
      const evidence = evidenceSum * s.evidenceScale;
      const base = basePrior(s, facts.volume(userId), facts.recentAnswers(userId));
      ids.push(userId);
      evidences.push(evidence);
      bases.push(base);
      bounds.push(evidence + base);
    };
    for (const slot of candidates) offer(this.userIds[slot] as number, acc[slot] as number);
    for (const userId of new Set(slotless)) offer(userId, 0);

    // Pass 2, best bound first: the exact score, as rankCandidates computes it, until nobody left can enter the top.
    const top = new TopList(s.limit);
    const order = new BoundOrder(bounds);
    for (let i = order.next(); i >= 0; i = order.next()) {
      const worst = top.worst;
      if (worst && !worst.capped && s.loadWeight >= 0 && round4(bounds[i] as number) < worst.score) break;
      const userId = ids[i] as number;
      const prior = withLoad(s, bases[i] as number, facts.recentAsks(userId));
      top.offer({ userId, score: round4((evidences[i] as number) + prior), capped: facts.asksInWindow(userId) >= s.cap });
    }
    this.lastScored = order.taken;

    return top.entries.map(({ userId, score }) =>
      toMatch(question, s, candidateFor(s, userId, (term) => this.weight(userId, term), this.total(userId), facts.recentAnswers(userId)), score),
    );
  }

  private nextEpoch(): number {
    if (this.epoch === 0x7fffffff) {
      this.mark.fill(0);
      this.epoch = 0;
    }
    return ++this.epoch;
  }

  private slot(userId: number): number {
    let slot = this.slotOf.get(userId);
    if (slot === undefined) {
      slot = this.userIds.length;
      this.slotOf.set(userId, slot);
      this.userIds.push(userId);
      this.profiles.push(undefined);
      if (slot >= this.totals.length) {
        this.totals = doubled(this.totals, Float64Array);
        this.acc = doubled(this.acc, Float64Array);
        this.mark = doubled(this.mark, Int32Array);
      }
    }
    return slot;
  }

  /** Appends a posting; returns its position. */
  private add(term: string, slot: number, weight: number): number {
    let list = this.terms.get(term);
    if (!list) this.terms.set(term, (list = { slots: new Int32Array(4), weights: new Float64Array(4), size: 0 }));
    if (list.size === list.slots.length) {
      list.slots = doubled(list.slots, Int32Array);
      list.weights = doubled(list.weights, Float64Array);
    }
    const at = list.size;
    list.slots[at] = slot;
    list.weights[at] = weight;
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
      list.weights[at] = list.weights[last] as number;
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

/** A copy of a typed array at twice its length, the rest zero. */
function doubled<T extends Float64Array | Int32Array>(from: T, Type: new (length: number) => T): T {
  const next = new Type(from.length * 2);
  next.set(from);
  return next;
}

/** Indices of `keys` in descending key order, produced lazily (a binary max-heap): most rankings need only the first few. */
class BoundOrder {
  private readonly heap: Int32Array;
  private size: number;
  taken = 0;

  constructor(private readonly keys: readonly number[]) {
    this.size = keys.length;
    this.heap = new Int32Array(keys.length);
    for (let i = 0; i < keys.length; i++) this.heap[i] = i;
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.down(i);
  }

  /** The index with the largest key left, or -1. */
  next(): number {
    if (this.size === 0) return -1;
    const top = this.heap[0] as number;
    this.size--;
    this.heap[0] = this.heap[this.size] as number;
    this.down(0);
    this.taken++;
    return top;
  }

  private down(from: number): void {
    const { heap, keys } = this;
    let i = from;
    const item = heap[i] as number;
    const key = keys[item] as number;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && (keys[heap[child + 1] as number] as number) > (keys[heap[child] as number] as number)) child++;
      if ((keys[heap[child] as number] as number) <= key) break;
      heap[i] = heap[child] as number;
      i = child;
    }
    heap[i] = item;
  }
}
