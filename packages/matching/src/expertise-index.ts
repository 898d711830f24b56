import type { ExtractedTerms } from './extract-terms.js';
import {
  round4, scoringOf, toMatch, type Candidate, type CorpusStats, type Match, type QuestionTerm, type RankOptions, type Scoring,
} from './rank-candidates.js';

/** One person as the index takes them: a `Candidate` whose `expertise` holds their whole profile. */
export type IndexedPerson = Candidate;

/** One term's postings (the index's own arrays: read, never write): the people (dense slots, ascending) whose expertise holds it with a positive weight, and those weights. */
export interface Postings {
  readonly slots: Int32Array;
  readonly weights: Float64Array;
  /** max over the postings of weight / total: bounds what the term can add to anyone's score */
  readonly maxShare: number;
  /** every SKIP-th slot (SKIP = 32) of long postings, so a look-up touches a cache line or two instead of a dozen */
  readonly skip: Int32Array | undefined;
}

/** How `rank` finds the top: `auto` prunes when it can prove the result (the default); `exhaustive` scores every posting of every term. */
export type RankStrategy = 'auto' | 'exhaustive';

/** A question prepared for one ranking: its terms in question order, with their postings. */
interface Query extends Scoring {
  postings: (Postings | undefined)[];
}

/** The people's priors for one set of prior weights, and everyone ordered as `rankCandidates` would order them on priors alone. */
interface PriorTable {
  priorWeight: number;
  recencyWeight: number;
  loadWeight: number;
  prior: Float64Array;
  /** slots by round4(prior) desc, userId asc, slot asc */
  order: Int32Array;
  /** round4(prior) along `order` (descending) */
  sorted: Float64Array;
  /** max |prior| */
  maxAbs: number;
}

/** What the last `rank` did, for benchmarks and tests. */
export interface RankWork {
  strategy: 'pruned' | 'exhaustive' | 'none';
  /** postings read in full */
  postingsScanned: number;
  /** terms whose postings were read in full, of those with postings */
  termsScanned: number;
  termsWithPostings: number;
  /** people whose exact score was computed (pruned) */
  peopleScored: number;
  /** of those, people scored because their bound reached the threshold (after the threshold was set) */
  candidates: number;
}

interface Selected {
  slot: number;
  score: number;
}

/** A growable typed array (the index is built from an iterable of unknown length). */
class Grow<T extends Int32Array | Float64Array> {
  length = 0;
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.make(Math.max(16, this.data.length * 2));
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  trimmed(): T {
    return this.data.subarray(0, this.length) as T;
  }
}
const growI32 = (): Grow<Int32Array> => new Grow(new Int32Array(1024), (n) => new Int32Array(n));
const growF64 = (): Grow<Float64Array> => new Grow(new Float64Array(1024), (n) => new Float64Array(n));

function finite(value: number, what: string, userId: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`ExpertiseIndex: ${what} of user ${userId} is ${value}, not a finite number`);
  return value;
}

/** A selection of the best `k` slots under rankCandidates' order: uncapped first, score desc, userId asc, input order. */
class TopK {
  size = 0;
  readonly slots: Int32Array;
  readonly scores: Float64Array;
  readonly capped: Uint8Array;
  constructor(
    readonly k: number,
    private readonly userIds: Float64Array,
  ) {
    this.slots = new Int32Array(k);
    this.scores = new Float64Array(k);
    this.capped = new Uint8Array(k);
  }

  /** Whether (capped, score, slot) a ranks after b. */
  after(aCapped: number, aScore: number, aSlot: number, bCapped: number, bScore: number, bSlot: number): boolean {
    if (aCapped !== bCapped) return aCapped > bCapped;
    if (aScore !== bScore) return aScore < bScore;
    const aUser = this.userIds[aSlot] as number;
    const bUser = this.userIds[bSlot] as number;
    if (aUser !== bUser) return aUser > bUser;
    return aSlot > bSlot;
  }

  get full(): boolean {
    return this.size === this.k;
  }

  /** Whether a newcomer would be kept (before it is checked for exclusion). */
  admits(capped: number, score: number, slot: number): boolean {
    return this.size < this.k || this.after(this.capped[0] as number, this.scores[0] as number, this.slots[0] as number, capped, score, slot);
  }

  /** Adds one; call only when `admits` said yes. The root is the worst kept. */
  add(capped: number, score: number, slot: number): void {
    let i: number;
    if (this.size < this.k) {
      i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.after(capped, score, slot, this.capped[parent] as number, this.scores[parent] as number, this.slots[parent] as number)) break;
        this.move(parent, i);
        i = parent;
      }
    } else {
      i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= this.size) break;
        let worst = left;
        const right = left + 1;
        if (right < this.size && this.afterAt(right, left)) worst = right;
        if (!this.after(this.capped[worst] as number, this.scores[worst] as number, this.slots[worst] as number, capped, score, slot)) break;
        this.move(worst, i);
        i = worst;
      }
    }
    this.slots[i] = slot;
    this.scores[i] = score;
    this.capped[i] = capped;
  }

  /** The worst kept entry's (capped, score); only when full. */
  get worstCapped(): number {
    return this.capped[0] as number;
  }
  get worstScore(): number {
    return this.scores[0] as number;
  }

  /** The kept entries, best first. */
  sorted(): Selected[] {
    const idx = Array.from({ length: this.size }, (_, i) => i);
    idx.sort((a, b) => (this.afterAt(a, b) ? 1 : this.afterAt(b, a) ? -1 : 0));
    return idx.map((i) => ({ slot: this.slots[i] as number, score: this.scores[i] as number }));
  }

  private afterAt(a: number, b: number): boolean {
    return this.after(this.capped[a] as number, this.scores[a] as number, this.slots[a] as number, this.capped[b] as number, this.scores[b] as number, this.slots[b] as number);
  }

  private move(from: number, to: number): void {
    this.slots[to] = this.slots[from] as number;
    this.scores[to] = this.scores[from] as number;
    this.capped[to] = this.capped[from] as number;
  }
}

/**
 * When to stop reading postings: once the people who could still reach the threshold on their prior
 * alone, times this, are fewer than the next term's postings. (Scoring a person exactly is a look-up
 * per question term, but most of those people drop out as the threshold rises; tuned on
 * bench/matching/score-at-scale.ts: 12 beat 3, 6, 24, 48 and 128 at 1M people.)
 */
const SCORE_COST = 12;
/** Prune only when the top is a small part of everyone. */
const PRUNE_MAX_SHARE = 1 / 16;

const SKIP = 32;

/**
 * The first index at or after `from` whose slot is >= `slot`: galloping, then binary search, over the
 * skip list (small, cached) when there is one, then within one block of SKIP postings.
 */
function seek(postings: Postings, from: number, slot: number): number {
  const slots = postings.slots;
  const n = slots.length;
  if (from >= n || (slots[from] as number) >= slot) return from;
  const skip = postings.skip;
  let lo: number;
  let hi: number;
  if (skip) {
    // the last block, from `from`'s on, that starts at or before `slot`
    const blocks = skip.length;
    let b = Math.floor(from / SKIP); // skip[b] <= slots[from] < slot
    let step = 1;
    let next = b + 1;
    while (next < blocks && (skip[next] as number) <= slot) {
      b = next;
      step *= 2;
      next = b + step;
    }
    if (next > blocks) next = blocks;
    while (next - b > 1) {
      const mid = (b + next) >>> 1;
      if ((skip[mid] as number) <= slot) b = mid;
      else next = mid;
    }
    lo = Math.max(from + 1, b * SKIP);
    hi = Math.min(n, (b + 1) * SKIP);
  } else {
    lo = from; // slots[lo] < slot
    let step = 1;
    hi = from + 1;
    while (hi < n && (slots[hi] as number) < slot) {
      lo = hi;
      step *= 2;
      hi = lo + step;
    }
    if (hi > n) hi = n;
    lo++;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((slots[mid] as number) < slot) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The per-person scratch and hot data, interleaved so that one look-up touches one cache line: */
const HOT = 4;
/** evidence read so far (0: in no read posting; every term adds a positive amount) */
const ACC = 0;
/** the person's total (a copy of `totals`) */
const TOTAL = 1;
/** the person's prior under the prior weights of `hotTable` */
const PRIOR = 2;
/** the epoch in which the person was scored exactly */
const SEEN = 3;

/**
 * An inverted index of everyone's expertise, for ranking a question against a whole community (a
 * million people) in milliseconds. `rank` returns exactly what `rankCandidates` returns for the same
 * people, options and statistics: the same people, order, scores and reasons.
 *
 * Layout: term -> postings (dense person slots, ascending, and weights; a skip list for long ones), and
 * per person typed arrays (userId, total, the logs of the priors' inputs, recent answers, asks in the
 * window), plus one interleaved array of what a ranking touches per person (scratch evidence, total,
 * prior, a mark), so that reading a posting costs one cache miss, not three. Postings hold only
 * positive weights of people with a positive total: the others add nothing to any score. At 1M people
 * with ~50 terms each: ~690 MB, 12 bytes per posting plus ~100 bytes per person.
 *
 * Ranking (see `selectPruned`): everyone's priors are computed once per set of prior weights, with an
 * ordering of everyone on priors alone. A question first scores the best people on priors exactly, which
 * gives a threshold (the k-th best score so far); then reads the postings of its rarest terms in full
 * and stops as soon as the bound on what the remaining (common, long) terms can add leaves only a few
 * people who could still reach the threshold; those are scored exactly, with look-ups in the remaining
 * postings. Exact scores are always summed term by term in question order, with rankCandidates'
 * arithmetic, so they are the same numbers to the last bit.
 *
 * Not safe for concurrent use of one instance (it keeps per-person scratch); JavaScript runs one
 * `rank` at a time anyway.
 */
export class ExpertiseIndex {
  /** HOT numbers per slot: ACC, TOTAL, PRIOR, SEEN; ACC is zeroed again after each ranking through `touched` */
  private readonly hot: Float64Array;
  private hotTable: PriorTable | undefined;
  private epoch = 0;
  private touched: Int32Array;
  private touchedCount = 0;
  private priorTables: PriorTable[] = [];
  /** reused per ranking (fewer allocations, fewer garbage collections in the middle of a question) */
  private scratch = { evidence: new Float64Array(256), batch: new Int32Array(256), readSlots: new Int32Array(256), readBounds: new Float64Array(256) };
  /** What the last `rank` did. */
  lastWork: RankWork = { strategy: 'none', postingsScanned: 0, termsScanned: 0, termsWithPostings: 0, peopleScored: 0, candidates: 0 };

  private constructor(
    private readonly termIds: ReadonlyMap<string, number>,
    private readonly postings: readonly Postings[],
    /** per slot */
    private readonly userIds: Float64Array,
    private readonly totals: Float64Array,
    /** ln(1 + max(0, volume ?? total)) */
    private readonly volumeLogs: Float64Array,
    /** ln(1 + max(0, recentAnswers)) */
    private readonly recentLogs: Float64Array,
    /** ln(1 + max(0, recentAsks)) */
    private readonly askLogs: Float64Array,
    private readonly recentAnswers: Float64Array,
    private readonly asksInWindow: Float64Array,
  ) {
    this.hot = new Float64Array(HOT * userIds.length);
    for (let slot = 0; slot < userIds.length; slot++) this.hot[HOT * slot + TOTAL] = totals[slot] as number;
    this.touched = new Int32Array(Math.min(userIds.length, 1024));
  }

  /** Builds the index in one pass over the people (each person's Map may be dropped as soon as it was read). Numbers must be finite. */
  static build(people: Iterable<IndexedPerson>): ExpertiseIndex {
    const termIds = new Map<string, number>();
    const counts = growI32();
    const entryTerm = growI32();
    const entryWeight = growF64();
    const userIds = growF64();
    const totals = growF64();
    const volumeLogs = growF64();
    const recentLogs = growF64();
    const askLogs = growF64();
    const recentAnswers = growF64();
    const asksInWindow = growF64();
    const entryEnd = growF64();
    let userId = 0;
    let total = 0;
    // forEach, not for-of: no [term, weight] array per entry (tens of millions of them at 1M people)
    const addEntry = (weight: number, term: string): void => {
      finite(weight, `the weight of "${term}"`, userId);
      if (!(weight > 0 && total > 0)) return; // adds 0 to every score (rankCandidates' termScore)
      let id = termIds.get(term);
      if (id === undefined) {
        id = termIds.size;
        termIds.set(term, id);
        counts.push(0);
      }
      counts.data[id] = (counts.data[id] as number) + 1;
      entryTerm.push(id);
      entryWeight.push(weight);
    };
    for (const person of people) {
      userId = finite(person.userId, 'userId', person.userId);
      total = finite(person.total, 'total', userId);
      userIds.push(userId);
      totals.push(total);
      volumeLogs.push(Math.log1p(Math.max(0, finite(person.volume ?? total, 'volume', userId))));
      const recent = finite(person.recentAnswers ?? 0, 'recentAnswers', userId);
      recentAnswers.push(recent);
      recentLogs.push(Math.log1p(Math.max(0, recent)));
      askLogs.push(Math.log1p(Math.max(0, finite(person.recentAsks ?? 0, 'recentAsks', userId))));
      asksInWindow.push(finite(person.asksInWindow ?? 0, 'asksInWindow', userId));
      person.expertise.forEach(addEntry);
      entryEnd.push(entryTerm.length);
    }

    // person-major -> term-major (a counting sort: each term's postings come out in slot order)
    const termCount = counts.length;
    const start = new Float64Array(termCount + 1);
    for (let t = 0; t < termCount; t++) start[t + 1] = (start[t] as number) + (counts.data[t] as number);
    const entries = entryTerm.length;
    const slotsAll = new Int32Array(entries);
    const weightsAll = new Float64Array(entries);
    const cursor = start.slice(0, termCount);
    const maxShare = new Float64Array(termCount);
    const terms = entryTerm.data;
    const weights = entryWeight.data;
    const totalOf = totals.data;
    let e = 0;
    for (let slot = 0; slot < userIds.length; slot++) {
      const end = entryEnd.data[slot] as number;
      const total = totalOf[slot] as number;
      for (; e < end; e++) {
        const t = terms[e] as number;
        const w = weights[e] as number;
        const at = cursor[t] as number;
        cursor[t] = at + 1;
        slotsAll[at] = slot;
        weightsAll[at] = w;
        const share = w / total;
        if (share > (maxShare[t] as number)) maxShare[t] = share;
      }
    }
    const postings: Postings[] = [];
    for (let t = 0; t < termCount; t++) {
      const from = start[t] as number;
      const to = start[t + 1] as number;
      const slots = slotsAll.subarray(from, to);
      let skip: Int32Array | undefined;
      if (slots.length > 4 * SKIP) {
        skip = new Int32Array(Math.ceil(slots.length / SKIP));
        for (let b = 0; b < skip.length; b++) skip[b] = slots[b * SKIP] as number;
      }
      postings.push({ slots, weights: weightsAll.subarray(from, to), maxShare: maxShare[t] as number, skip });
    }
    const copy = (g: Grow<Float64Array>): Float64Array => g.trimmed().slice();
    return new ExpertiseIndex(
      termIds, postings, copy(userIds), copy(totals), copy(volumeLogs), copy(recentLogs), copy(askLogs), copy(recentAnswers), copy(asksInWindow),
    );
  }

  /** How many people. */
  get size(): number {
    return this.userIds.length;
  }

  /** How many distinct terms. */
  get termCount(): number {
    return this.postings.length;
  }

  /** How many (term, person) entries. */
  get postingCount(): number {
    let n = 0;
    for (const p of this.postings) n += p.slots.length;
    return n;
  }

  /** Bytes held in typed arrays (postings, skip lists, per-person arrays, scratch, prior tables); excludes the term dictionary. */
  get byteLength(): number {
    let bytes = this.postingCount * 12 + this.postings.length * 8 + this.size * (8 * 7 + 8 * HOT) + this.touched.byteLength;
    for (const p of this.postings) bytes += p.skip?.byteLength ?? 0;
    for (const table of this.priorTables) bytes += table.prior.byteLength + table.order.byteLength + table.sorted.byteLength;
    return bytes;
  }

  /** A term's postings, if anyone has it. */
  postingsOf(term: string): Postings | undefined {
    const id = this.termIds.get(term);
    return id === undefined ? undefined : this.postings[id];
  }

  /**
   * Exactly `rankCandidates(question, everyone, stats, options)`. With `includeWithoutEvidence`
   * everyone is a candidate, without a score computed for everyone. `strategy` is for tests and
   * benchmarks: `exhaustive` reads every posting of every question term.
   */
  rank(question: ExtractedTerms, stats: CorpusStats, options: RankOptions, strategy: RankStrategy = 'auto'): Match[] {
    this.lastWork = { strategy: 'none', postingsScanned: 0, termsScanned: 0, termsWithPostings: 0, peopleScored: 0, candidates: 0 };
    const s = scoringOf(question, stats, options);
    if (!s) return [];
    const query: Query = { ...s, postings: s.terms.map((t) => this.postingsOf(t.term)) };
    const k = Math.min(s.limit, this.size);
    if (k === 0) return [];
    let top: Selected[];
    try {
      const pruned = strategy === 'auto' && k <= this.size * PRUNE_MAX_SHARE ? this.selectPruned(query, k) : undefined;
      this.clearEvidence();
      top = pruned ?? this.selectExhaustive(query, k);
    } finally {
      this.clearEvidence();
    }
    return top.map(({ slot, score }) => toMatch(question, s, this.candidateAt(slot, query), score));
  }

  /** A person as a `Candidate` holding only the question's terms (for reasons). */
  private candidateAt(slot: number, query: Query): Candidate {
    const expertise = new Map<string, number>();
    query.terms.forEach((term, j) => {
      const postings = query.postings[j];
      if (!postings) return;
      const at = seek(postings, 0, slot);
      if (postings.slots[at] === slot) expertise.set(term.term, postings.weights[at] as number);
    });
    return { userId: this.userIds[slot] as number, expertise, total: this.totals[slot] as number, recentAnswers: this.recentAnswers[slot] as number };
  }

  /** Zeroes the evidence of everyone touched by the last ranking. */
  private clearEvidence(): void {
    const { hot, touched } = this;
    for (let i = 0; i < this.touchedCount; i++) hot[HOT * (touched[i] as number) + ACC] = 0;
    this.touchedCount = 0;
  }

  private nextEpoch(): number {
    if (this.epoch === 0x7fffffff) {
      for (let slot = 0; slot < this.size; slot++) this.hot[HOT * slot + SEEN] = 0;
      this.epoch = 0;
    }
    return ++this.epoch;
  }

  private prior(slot: number, query: Query): number {
    return query.priorWeight * (this.volumeLogs[slot] as number) + query.recencyWeight * (this.recentLogs[slot] as number) - query.loadWeight * (this.askLogs[slot] as number);
  }

  /**
   * Everyone's priors and their order on priors alone, cached per set of prior weights (the first
   * question with new weights pays for it: a sort of everyone), and loaded into the hot array.
   */
  private priorTable(query: Query): PriorTable {
    let table = this.priorTables.find((t) => Object.is(t.priorWeight, query.priorWeight) && Object.is(t.recencyWeight, query.recencyWeight) && Object.is(t.loadWeight, query.loadWeight));
    if (!table) {
      const n = this.size;
      const prior = new Float64Array(n);
      const rounded = new Float64Array(n);
      let maxAbs = 0;
      for (let slot = 0; slot < n; slot++) {
        const p = this.prior(slot, query);
        prior[slot] = p;
        rounded[slot] = round4(p);
        if (Math.abs(p) > maxAbs) maxAbs = Math.abs(p);
      }
      const order = new Int32Array(n);
      for (let slot = 0; slot < n; slot++) order[slot] = slot;
      const userIds = this.userIds;
      order.sort((a, b) => (rounded[b] as number) - (rounded[a] as number) || (userIds[a] as number) - (userIds[b] as number) || a - b);
      const sorted = new Float64Array(n);
      for (let i = 0; i < n; i++) sorted[i] = rounded[order[i] as number] as number;
      table = { priorWeight: query.priorWeight, recencyWeight: query.recencyWeight, loadWeight: query.loadWeight, prior, order, sorted, maxAbs };
      if (this.priorTables.length >= 4) this.priorTables.shift();
      this.priorTables.push(table);
    }
    if (this.hotTable !== table) {
      const { hot } = this;
      const { prior } = table;
      for (let slot = 0; slot < prior.length; slot++) hot[HOT * slot + PRIOR] = prior[slot] as number;
      this.hotTable = table;
    }
    return table;
  }

  /** Reads one term's postings in full into ACC; returns the new count of people touched. */
  private read(query: Query, j: number, touchedCount: number): number {
    const { weight: qw, background } = query.terms[j] as QuestionTerm;
    const { slots, weights } = query.postings[j] as Postings;
    const hot = this.hot;
    // room for everyone in these postings, so the loop below need not check
    if (this.touched.length < Math.min(this.size, touchedCount + slots.length)) {
      const next = new Int32Array(Math.min(this.size, Math.max(2 * this.touched.length, touchedCount + slots.length)));
      next.set(this.touched.subarray(0, touchedCount));
      this.touched = next;
    }
    const touched = this.touched;
    const smoothing = query.smoothing;
    let count = touchedCount;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as number;
      const h = HOT * slot;
      const score = qw * Math.log1p((smoothing * (weights[i] as number)) / (hot[h + TOTAL] as number) / background);
      const before = hot[h + ACC] as number;
      if (before === 0 && score !== 0) touched[count++] = slot;
      hot[h + ACC] = before + score; // a person's first term: 0 + score, as rankCandidates sums
    }
    this.touchedCount = count;
    this.lastWork.termsScanned++;
    this.lastWork.postingsScanned += slots.length;
    return count;
  }

  /**
   * Every posting of every question term, in question order (so each person's evidence is the same
   * sum, in the same order, as rankCandidates'), then a top-k selection; people without evidence come
   * from the prior table, in rank order, only as far as they can still enter the top.
   */
  private selectExhaustive(query: Query, k: number): Selected[] {
    const work = this.lastWork;
    work.strategy = 'exhaustive';
    let touchedCount = 0;
    for (let j = 0; j < query.terms.length; j++) {
      if (!query.postings[j]) continue;
      work.termsWithPostings++;
      touchedCount = this.read(query, j, touchedCount);
    }

    const top = new TopK(k, this.userIds);
    const { excluded, evidenceScale, cap } = query;
    const { hot, touched, userIds } = this;
    const asks = this.asksInWindow;
    for (let i = 0; i < touchedCount; i++) {
      const slot = touched[i] as number;
      let evidence = hot[HOT * slot + ACC] as number;
      if (evidence <= 0 && !query.includeWithoutEvidence) continue;
      evidence *= evidenceScale;
      const score = round4(evidence + this.prior(slot, query));
      const capped = (asks[slot] as number) >= cap ? 1 : 0;
      if (top.admits(capped, score, slot) && !excluded.has(userIds[slot] as number)) top.add(capped, score, slot);
    }
    if (query.includeWithoutEvidence) {
      // everyone else has no evidence: their score is their prior, and the table has them in rank order
      const { order, prior } = this.priorTable(query);
      for (let i = 0; i < order.length; i++) {
        const slot = order[i] as number;
        if ((hot[HOT * slot + ACC] as number) !== 0) continue;
        let evidence = 0;
        evidence *= evidenceScale;
        const score = round4(evidence + (prior[slot] as number));
        if (top.full && top.worstCapped === 0 && top.worstScore > score) break; // nobody further down can enter
        const capped = (asks[slot] as number) >= cap ? 1 : 0;
        if (top.admits(capped, score, slot) && !excluded.has(userIds[slot] as number)) top.add(capped, score, slot);
      }
    }
    return top.sorted();
  }

  /**
   * Exact scores of some people (`slots`, ascending, distinct, none scored before), offered to `top`;
   * PRIOR must hold the query's priors. Evidence is summed over the question's terms in question order,
   * as rankCandidates sums it; each term's postings are walked once, galloping from person to person.
   */
  private scoreExactly(slots: Int32Array, count: number, query: Query, top: TopK): void {
    if (this.scratch.evidence.length < count) this.scratch.evidence = new Float64Array(Math.max(count, 2 * this.scratch.evidence.length));
    const evidence = this.scratch.evidence;
    evidence.fill(0, 0, count);
    const { hot, epoch } = this;
    const smoothing = query.smoothing;
    for (let j = 0; j < query.terms.length; j++) {
      const postings = query.postings[j];
      if (!postings) continue;
      const { weight: qw, background } = query.terms[j] as QuestionTerm;
      const { slots: ps, weights } = postings;
      let at = 0;
      for (let c = 0; c < count; c++) {
        const slot = slots[c] as number;
        at = seek(postings, at, slot);
        if (at >= ps.length) break;
        if (ps[at] === slot) {
          evidence[c] = (evidence[c] as number) + qw * Math.log1p((smoothing * (weights[at] as number)) / (hot[HOT * slot + TOTAL] as number) / background);
        }
      }
    }
    const { excluded, evidenceScale, cap } = query;
    for (let c = 0; c < count; c++) {
      const slot = slots[c] as number;
      hot[HOT * slot + SEEN] = epoch;
      let e = evidence[c] as number;
      if (e <= 0 && !query.includeWithoutEvidence) continue;
      e *= evidenceScale;
      const score = round4(e + (hot[HOT * slot + PRIOR] as number));
      const capped = (this.asksInWindow[slot] as number) >= cap ? 1 : 0;
      if (top.admits(capped, score, slot) && !excluded.has(this.userIds[slot] as number)) top.add(capped, score, slot);
    }
    this.lastWork.peopleScored += count;
  }

  /**
   * The top `k` without reading every posting: undefined when it cannot prove its answer (fewer than k
   * eligible people found, or options under which the bounds do not hold), and the caller falls back
   * to `selectExhaustive`.
   *
   * A threshold theta is the k-th best exact score found so far (everyone in the selection uncapped,
   * so capped people cannot enter any more). Each term j bounds what it can add to anyone's score by
   * UB_j = scale * qw_j * ln(1 + lambda * maxShare_j / ((1 - lambda) P(t_j))), maxShare_j being the largest
   * weight / total in its postings. The postings of the rarest terms are read in full (an approximate
   * evidence per person, in any order); the rest, R, add at most sum UB over R. Whoever is not in the
   * read postings scores at most prior + sum UB(R); whoever is scores at most prior + read evidence +
   * sum UB(R). Everyone whose bound reaches theta (less a margin for rounding) is scored exactly, best
   * bound first, theta rising as they are; everyone else provably ranks after the k-th.
   */
  private selectPruned(query: Query, k: number): Selected[] | undefined {
    const { terms, postings, evidenceScale: scale, smoothing, excluded, cap } = query;
    if (!(scale >= 0 && Number.isFinite(scale))) return undefined;
    const termOrder: number[] = [];
    let boundSum = 0;
    const bound: number[] = new Array<number>(terms.length).fill(0);
    for (let j = 0; j < terms.length; j++) {
      const p = postings[j];
      if (!p) continue;
      const t = terms[j] as QuestionTerm;
      const b = scale * t.weight * Math.log1p((smoothing * p.maxShare) / t.background);
      if (!(b >= 0 && Number.isFinite(b))) return undefined;
      bound[j] = b;
      boundSum += b;
      termOrder.push(j);
    }
    const length = (j: number): number => (postings[j] as Postings).slots.length;
    termOrder.sort((a, b) => length(a) - length(b) || a - b);
    /** rest[i]: what the terms from termOrder[i] on can add at most */
    const rest: number[] = new Array<number>(termOrder.length + 1).fill(0);
    for (let i = termOrder.length - 1; i >= 0; i--) rest[i] = (rest[i + 1] as number) + (bound[termOrder[i] as number] as number);

    const table = this.priorTable(query);
    const { order, sorted } = table;
    const epoch = this.nextEpoch();
    const { hot, userIds } = this;
    const asks = this.asksInWindow;
    const top = new TopK(k, userIds);
    const settled = (): boolean => top.full && top.worstCapped === 0;
    const margin = (): number => 1e-3 + 1e-9 * (Math.abs(top.worstScore) + boundSum + table.maxAbs);
    const eligible = (slot: number): boolean => (asks[slot] as number) < cap && !excluded.has(userIds[slot] as number);
    const work = this.lastWork;
    work.strategy = 'pruned';
    work.termsWithPostings = termOrder.length;

    // a first threshold: the best people on priors alone, scored exactly
    if (query.includeWithoutEvidence) {
      const seeds: number[] = [];
      for (let i = 0; i < order.length && seeds.length < k; i++) if (eligible(order[i] as number)) seeds.push(order[i] as number);
      const slots = Int32Array.from(seeds).sort();
      this.scoreExactly(slots, slots.length, query, top);
    }

    // read the rarest terms' postings in full while that is cheaper than scoring who could still make it
    let touchedCount = 0;
    let refinedAt = 0;
    let scanned = 0;
    for (; scanned < termOrder.length; scanned++) {
      const j = termOrder[scanned] as number;
      if (settled()) {
        const floor = top.worstScore - (rest[scanned] as number) - margin();
        if (countAtLeast(sorted, floor - 0.00005) * SCORE_COST <= length(j)) break;
      } else if (touchedCount >= Math.max(2 * refinedAt, 4 * k)) {
        this.refine(touchedCount, k, query, top, eligible);
        refinedAt = touchedCount;
      }
      touchedCount = this.read(query, j, touchedCount);
    }
    if (!settled()) {
      this.refine(touchedCount, k, query, top, eligible);
      if (!settled()) return undefined;
    }

    // who could still reach the threshold: bound = prior + scale * read evidence + what the unread terms
    // can add. Two streams, best bound first: the people in the read postings (sorted here: few pass),
    // and everyone else, whose bound is their prior, in the prior table's order (no sorting needed).
    const unread = rest[scanned] as number;
    const floorNow = (): number => top.worstScore - unread - margin();
    let floor = floorNow();
    if (this.scratch.readSlots.length < touchedCount) {
      this.scratch.readSlots = new Int32Array(touchedCount);
      this.scratch.readBounds = new Float64Array(touchedCount);
    }
    const { readSlots, readBounds } = this.scratch;
    let readCount = 0;
    const touched = this.touched;
    for (let i = 0; i < touchedCount; i++) {
      const slot = touched[i] as number;
      const h = HOT * slot;
      if (hot[h + SEEN] === epoch) continue;
      const b = (hot[h + PRIOR] as number) + scale * (hot[h + ACC] as number);
      if (b >= floor && eligible(slot)) {
        readSlots[readCount] = slot;
        readBounds[readCount++] = b;
      }
    }
    const byBound = sortedByBound(readBounds.subarray(0, readCount));
    let nextRead = 0;
    let nextPrior = 0;
    let batchSize = Math.max(32, 2 * k);
    if (this.scratch.batch.length < batchSize) this.scratch.batch = new Int32Array(batchSize);
    let batch = this.scratch.batch;
    for (;;) {
      floor = floorNow();
      let count = 0;
      while (count < batchSize) {
        // the next in the prior order who is neither read nor scored (without includeWithoutEvidence,
        // nobody outside the read postings has evidence once every term was read)
        while (nextPrior < order.length && (query.includeWithoutEvidence || unread > 0)) {
          const slot = order[nextPrior] as number;
          const h = HOT * slot;
          if (hot[h + ACC] === 0 && hot[h + SEEN] !== epoch && eligible(slot)) break;
          nextPrior++;
        }
        const priorBound = nextPrior < order.length && (query.includeWithoutEvidence || unread > 0) ? (sorted[nextPrior] as number) + 0.00005 : Number.NEGATIVE_INFINITY;
        const readBound = nextRead < byBound.length ? (readBounds[byBound[nextRead] as number] as number) : Number.NEGATIVE_INFINITY;
        if (Math.max(priorBound, readBound) < floor) break;
        if (readBound >= priorBound) batch[count++] = readSlots[byBound[nextRead++] as number] as number;
        else batch[count++] = order[nextPrior++] as number;
      }
      if (count === 0) break;
      work.candidates += count;
      const slots = batch.subarray(0, count).sort();
      this.scoreExactly(slots, count, query, top);
      batchSize = Math.min(2 * batchSize, 1 << 16);
      if (batch.length < batchSize) batch = this.scratch.batch = new Int32Array(batchSize);
    }
    return top.sorted();
  }

  /** Raises the threshold when there is none yet: scores exactly the people best on prior + evidence read so far. */
  private refine(touchedCount: number, k: number, query: Query, top: TopK, eligible: (slot: number) => boolean): void {
    const best = new TopK(k + 32, this.userIds);
    const { hot, epoch, touched } = this;
    const scale = query.evidenceScale;
    for (let i = 0; i < touchedCount; i++) {
      const slot = touched[i] as number;
      const h = HOT * slot;
      if (hot[h + SEEN] === epoch) continue;
      const estimate = (hot[h + PRIOR] as number) + scale * (hot[h + ACC] as number);
      if (best.admits(0, estimate, slot) && eligible(slot)) best.add(0, estimate, slot);
    }
    const slots = best.slots.slice(0, best.size).sort();
    this.scoreExactly(slots, slots.length, query, top);
  }
}

/** Indices of `bounds`, by bound descending. */
function sortedByBound(bounds: Float64Array): Int32Array {
  const idx = new Int32Array(bounds.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => (bounds[b] as number) - (bounds[a] as number));
}

/** How many of `sorted` (descending) are >= x. */
function countAtLeast(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) >= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
