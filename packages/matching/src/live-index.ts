import type { ExtractedTerms } from './extract-terms.js';
import {
  DEFAULT_PRIOR_WEIGHT, questionTerms, reasonsFor, round4, smoothingOf, termEvidence, withActivity, type Candidate, type CorpusStats, type Match,
  type RankOptions,
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

interface Kept {
  userId: number;
  score: number;
  capped: boolean;
}

/** Whether a ranks before b: uncapped first, then score desc, then userId asc (rankCandidates' order). */
function before(a: Kept, b: Kept): boolean {
  if (a.capped !== b.capped) return !a.capped;
  if (a.score !== b.score) return a.score > b.score;
  return a.userId < b.userId;
}

/**
 * People's expertise, term-major in typed arrays, that can change one person at a time: what a live
 * matcher ranks from. Each person has a dense slot; a term's postings are slots and weights; a
 * person's evidence is summed into a Float64Array by slot. Reading a posting costs a few
 * nanoseconds, against ~70 for Maps (rankPostings), so every posting of a question's terms is read
 * (no pruning: ExpertiseIndex prunes, but is built once and cannot change).
 *
 * `rank` is exactly `rankPostings` (and so `rankCandidates`) with the candidates being whoever holds
 * a question term plus `extra`.
 */
export class LiveIndex {
  private slotOf = new Map<number, number>();
  private userIds: number[] = [];
  private totals = new Float64Array(1024);
  /** per slot: the person's whole profile, term -> weight (positive weights only) */
  private profiles: (Map<string, number> | undefined)[] = [];
  private terms = new Map<string, TermList>();
  /** per slot: evidence of the ranking in progress, zeroed again afterwards */
  private acc = new Float64Array(1024);
  /** per slot: the ranking that last made them a candidate */
  private mark = new Int32Array(1024);
  private epoch = 0;
  private postingCount = 0;

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
    const profile = new Map<string, number>();
    for (const [term, weight] of expertise) {
      if (!(weight > 0)) continue;
      if (profile.has(term)) {
        this.remove(term, slot);
      }
      profile.set(term, weight);
      this.add(term, slot, weight);
    }
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
    return slot === undefined ? undefined : this.profiles[slot]?.get(term);
  }

  /**
   * Exactly `rankPostings(question, postings, candidates, facts, stats, options)` where postings are
   * this index's, candidates are everyone holding a question term plus `extra`, and facts.total is
   * the index's total.
   */
  rank(question: ExtractedTerms, extra: Iterable<number>, facts: PriorFacts, stats: CorpusStats, options: RankOptions): Match[] {
    const limit = Math.floor(options.limit);
    if (!(limit > 0)) return [];
    const smoothing = smoothingOf(options);
    const terms = questionTerms(question, stats, smoothing);
    const includeWithoutEvidence = options.includeWithoutEvidence ?? false;
    if (terms.length === 0 && !includeWithoutEvidence) return [];

    const epoch = this.nextEpoch();
    const { acc, mark, totals } = this;
    const candidates: number[] = [];
    for (const term of terms) {
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
        acc[slot] = (acc[slot] as number) + termEvidence(term, weights[i] as number, totals[slot] as number, smoothing);
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

    const excluded = new Set(options.excludeUserIds ?? []);
    const priorWeight = options.priorWeight ?? DEFAULT_PRIOR_WEIGHT;
    const recencyWeight = options.recencyWeight ?? 0;
    const loadWeight = options.loadWeight ?? 0;
    const cap = options.maxAsksPerWindow ?? Number.POSITIVE_INFINITY;
    const questionWeight = terms.reduce((sum, t) => sum + t.weight, 0) || 1;
    const evidenceScale = options.evidenceWeight === undefined ? 1 : options.evidenceWeight / questionWeight;
    const top: Kept[] = [];
    const consider = (userId: number, evidenceSum: number, volume: number): void => {
      if (excluded.has(userId)) return;
      if (evidenceSum <= 0 && !includeWithoutEvidence) return;
      const evidence = evidenceSum * evidenceScale;
      const prior =
        priorWeight * Math.log1p(Math.max(0, volume)) +
        recencyWeight * Math.log1p(Math.max(0, facts.recentAnswers(userId))) -
        loadWeight * Math.log1p(Math.max(0, facts.recentAsks(userId)));
      const kept: Kept = { userId, score: round4(evidence + prior), capped: facts.asksInWindow(userId) >= cap };
      if (top.length === limit && !before(kept, top[top.length - 1] as Kept)) return;
      let at = top.length;
      while (at > 0 && before(kept, top[at - 1] as Kept)) at--;
      top.splice(at, 0, kept);
      if (top.length > limit) top.pop();
    };
    for (const slot of candidates) {
      const userId = this.userIds[slot] as number;
      consider(userId, acc[slot] as number, facts.volume(userId));
    }
    for (const userId of new Set(slotless)) consider(userId, 0, facts.volume(userId));

    return top.map(({ userId, score }) => {
      const expertise = new Map<string, number>();
      for (const term of terms) {
        const weight = this.weight(userId, term.term);
        if (weight !== undefined) expertise.set(term.term, weight);
      }
      const candidate: Candidate = { userId, expertise, total: this.total(userId), recentAnswers: facts.recentAnswers(userId) };
      return { userId, score, reasons: withActivity(reasonsFor(question, terms, candidate, smoothing), candidate) };
    });
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
        const grow = <T extends Float64Array | Int32Array>(from: T, make: (n: number) => T): T => {
          const next = make(from.length * 2);
          next.set(from);
          return next;
        };
        this.totals = grow(this.totals, (n) => new Float64Array(n));
        this.acc = grow(this.acc, (n) => new Float64Array(n));
        this.mark = grow(this.mark, (n) => new Int32Array(n));
      }
    }
    return slot;
  }

  private add(term: string, slot: number, weight: number): void {
    let list = this.terms.get(term);
    if (!list) this.terms.set(term, (list = { slots: new Int32Array(4), weights: new Float64Array(4), size: 0 }));
    if (list.size === list.slots.length) {
      const slots = new Int32Array(list.size * 2);
      slots.set(list.slots);
      const weights = new Float64Array(list.size * 2);
      weights.set(list.weights);
      list.slots = slots;
      list.weights = weights;
    }
    list.slots[list.size] = slot;
    list.weights[list.size] = weight;
    list.size++;
    this.postingCount++;
  }

  /** Removes a slot from a term's postings (a scan, then the last entry fills the hole). */
  private remove(term: string, slot: number): void {
    const list = this.terms.get(term);
    if (!list) return;
    const { slots } = list;
    for (let i = 0; i < list.size; i++) {
      if (slots[i] !== slot) continue;
      const last = list.size - 1;
      slots[i] = slots[last] as number;
      list.weights[i] = list.weights[last] as number;
      list.size = last;
      this.postingCount--;
      if (last === 0) this.terms.delete(term);
      return;
    }
  }

  private removePostings(slot: number): void {
    const profile = this.profiles[slot];
    if (!profile) return;
    for (const term of profile.keys()) this.remove(term, slot);
  }
}
