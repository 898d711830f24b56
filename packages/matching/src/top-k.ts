import { FEATURES, questionLookups } from './features.js';
import { log1pAtLeast } from './log-bound.js';
import { scoreOf, weightVector } from './model.js';
import type { BoundLookup } from './bound-lookup.js';
import type { PeopleIndex } from './people-index.js';
import { keepTest, type Keep, type RankInput, type Scored } from './ranked.js';
import { PersonActivity } from './person-activity.js';
import { BoundHeap, mostPromising, ScoredHeap } from './top-k-heaps.js';
import { AsideBound, chooseAside, groupByList, ListPart, type ListGroup } from './top-k-lists.js';

/** What one ranking did so far, for benches and tests. */
export interface TopStats {
  /** people scored in full (their content looked up, their activity features computed) */
  scored: number;
  /** people whose content was looked up: those scored, and those found to hold nothing the question looks up */
  tried: number;
  /** postings read by scanning the essential lists */
  postings: number;
  /** postings the question's lists hold in all (what rank() reads) */
  listed: number;
}

/** Which part of the ranking to give: the people it keeps, down to a floor. */
export interface RankingPart {
  /**
   * Only people for whom this holds are ranked (asked when a person is about to be scored, at most
   * once per person and ranking, so it must not change while the ranking is read). Everyone else is
   * skipped as if excluded: a person passed over costs a call, not a scoring. A set of people, when
   * it holds at most DIRECT_AT_MOST, is scored person by person instead, reading no list.
   */
  keep?: Keep;
  /** Only people scoring at least this are ranked: the ranking ends before the first below it, and prunes with it from the start. */
  floor?: number;
}

/**
 * A kept set this small is scored person by person rather than ranked by reading the lists: scoring one
 * person costs ~20 us at 1M people (~3 us at 10k), reading the question's essential lists ~10 ms (~2 ms),
 * so the two cost alike at about 500 people at either size (bench/README.md, busy-budgets).
 */
const DIRECT_AT_MOST = 500;

/** Slack for rounding: a bound is a sum in another order than the score it bounds. */
const ROUNDING = 1e-9;
/**
 * The first threshold: the rarest lists are read first, up to this share of the question's postings
 * or SEED_POSTINGS_MIN, whichever is more (at least one list), and the people they give most (plus
 * their prior bound) are scored in full, SEEDS_PER_READ per person the reader is expected to read.
 * Measured (bench/README.md): at 1M people the threshold comes out within ~20% of the final k-th
 * score, against far below it when seeded by prior bounds alone, and shares from 0.05% to 1% cost
 * about the same; at 10k people a share alone is one short list, too few people (p99 23 against 4 ms).
 */
const SEED_POSTINGS_SHARE = 0.001;
const SEED_POSTINGS_MIN = 2_000;
const SEEDS_PER_READ = 2;
/** When those give fewer than the reader's depth (a question of common words): the highest prior bounds too, at most this many tried per person read. */
const MAX_PRIOR_SEED_TRIES = 16;
/**
 * Per index: work arrays, reused by every ranking (one ranking at a time per index). The people the
 * lists reach are a sparse set: `found[0, count)` their slots in the order reached, `partial[i]` at
 * least what the lists gave found[i] so far (a bound, log1pAtLeast), and `at[slot]` where a slot is
 * in `found` (valid only when found[at[slot]] is that slot, so nothing is cleared between rankings).
 * A posting read costs one random access (at), against two per-slot arrays before (touched,
 * partial): the reading is bound by such cache misses at a million people (bench/README.md).
 */
interface Scratch {
  at: Int32Array;
  found: Int32Array;
  partial: Float64Array;
  /** `prior[i]`: found[i]'s prior bound, read once when they are first reached (a random access that overlaps the one of `at`) */
  prior: Float64Array;
  /** per slot: the epoch of the ranking that scored (or excluded) them */
  scored: Int32Array;
  epoch: number;
}
const scratchOf = new WeakMap<PeopleIndex, Scratch>();

/**
 * The question's ranking, best first, computed only as far as it is read: exactly what
 * `index.rank(input)` gives (the same people, order and scores; randomized tests hold it to that),
 * reading only part of the postings and scoring few people in full.
 *
 * A score is content (a sum over the question's lookups, each adding at most what its list's largest
 * value gives) plus activity (at most the person's prior bound, PriorTable). MaxScore with a prior:
 * 1. the lists that add most per posting (rare words) are read first, a small share of the postings:
 *    the people they give most (plus their prior bound) are scored in full, and the `depth`-th best
 *    score is a first threshold (people with the highest prior bounds too, when that finds too few);
 * 2. of the lists not read yet, those that can add least (common words, long lists) are set aside as
 *    "non-essential" as long as that saves more postings than it adds people to score (estimated
 *    with the threshold); a long list is two to this (top-k-lists.ts): its impact tier, few postings
 *    with its highest values, and the rest of it, whose values are below the tier's cuts;
 * 3. the other essential lists are read: everyone they reach gets a bound, what they read exactly
 *    plus the most the set-aside lists can add plus their prior bound; people they do not reach are
 *    bounded by the set-aside lists' most plus the prior buckets' ceilings, bucket by bucket;
 * 4. the threshold algorithm: people are scored in full in decreasing order of bound, and the best
 *    scored is given as soon as no bound left can beat it.
 * `depth` is how far the caller expects to read (it only guides step 2; any depth is exact).
 */
export function* ranking(index: PeopleIndex, input: RankInput, stats?: TopStats, depth = 40, part: RankingPart = {}): Generator<Scored> {
  const keeping = part.keep;
  const keep = keeping && keepTest(keeping);
  const floor = part.floor ?? Number.NEGATIVE_INFINITY;
  const weights = weightVector(input.model);
  const { mu } = input.model;
  const { now } = input;
  const priors = index.priorTable(input.model, now);
  const lookups = index.bind(questionLookups(input.question, input.stats, now, mu));
  const groups = groupByList(lookups, weights);
  const s = scratch(index);
  const epoch = ++s.epoch;
  // the excluded are marked scored (and not pushed): nothing offers or scores them
  for (const userId of input.exclude ?? []) {
    const slot = index.slotOf(userId);
    if (slot !== undefined) s.scored[slot] = epoch;
  }
  const extra = new Set<number>();
  const scored = new ScoredHeap();
  const row = new Float64Array(FEATURES.length);
  const slotlessExtra = new Set<number>();
  for (const userId of input.extra ?? []) {
    const slot = index.slotOf(userId);
    if (slot === undefined) slotlessExtra.add(userId);
    else if (s.scored[slot] !== epoch) extra.add(slot);
  }
  for (const userId of input.exclude ?? []) slotlessExtra.delete(userId);
  if (keep) for (const userId of slotlessExtra) if (!keep(userId)) slotlessExtra.delete(userId);
  if (slotlessExtra.size) {
    row.fill(0);
    new PersonActivity().writeFeatures(now, mu, row);
    const empty = scoreOf(weights, row);
    for (const userId of slotlessExtra) scored.push({ userId, score: empty });
  }
  const tally: TopStats = stats ?? { scored: 0, tried: 0, postings: 0, listed: 0 };
  Object.assign(tally, { scored: 0, tried: 0, postings: 0, listed: groups.reduce((n, g) => n + (g.part === ListPart.Top ? 0 : g.list.size), 0) });

  /** Scores a person in full, once; people who are no candidate (no value above 0 looked up, not extra) are dropped. */
  const score = (slot: number): void => {
    if (s.scored[slot] === epoch) return;
    s.scored[slot] = epoch;
    if (keep && !keep(index.userIdAt(slot))) return;
    tally.tried += 1;
    const hit = index.contentOf(slot, lookups, row);
    if (!hit && !extra.has(slot)) return;
    index.activityAt(slot).writeFeatures(now, mu, row);
    scored.push({ userId: index.userIdAt(slot), score: scoreOf(weights, row) });
    tally.scored += 1;
  };
  if (keeping instanceof Set && keeping.size <= DIRECT_AT_MOST) {
    for (const userId of keeping) {
      const slot = index.slotOf(userId);
      if (slot !== undefined) score(slot);
    }
    for (let best = scored.pop(); best && best.score >= floor; best = scored.pop()) yield best;
    return;
  }

  const withSlack = (b: number): number => b + ROUNDING * (1 + Math.abs(b));
  // most postings saved per bound added first (a group that can add nothing costs nothing to set aside);
  // the lists are read from the other end: the rarest, most telling ones first
  groups.sort((a, b) => b.list.size * a.most - a.list.size * b.most || b.list.size - a.list.size);
  let found = 0;
  /** Whether the lists read reached `slot`, and where in `found` (or -1). */
  const foundAt = (slot: number): number => {
    const at = s.at[slot] as number;
    return at < found && s.found[at] === slot ? at : -1;
  };
  let unread = groups.length; // groups [unread, length) are read
  const readNext = (): void => {
    const { list, lookups: read, gains, part } = groups[--unread] as ListGroup;
    const rest = part === ListPart.Rest;
    const { slots, values, size, width } = list;
    // the group's lookups that can add, as plain numbers (this loop runs once per posting); those that
    // cannot (a gain of 0 or below adds at most 0, left out of a bound) still make whoever they reach a
    // candidate: everyone holding a value the question looks up is reached once every list is read
    const adding = read.map((_, j) => j).filter((j) => (gains[j] as number) > 0);
    const count = adding.length;
    const offsets = Int32Array.from(adding, (j) => (read[j] as BoundLookup).offset);
    const scales = Float64Array.from(adding, (j) => (read[j] as BoundLookup).scale);
    const gainOf = Float64Array.from(adding, (j) => gains[j] as number);
    const others = Int32Array.from(read.filter((_, j) => !((gains[j] as number) > 0)), (lookup) => lookup.offset);
    tally.postings += size;
    for (let i = 0; i < size; i++) {
      if (rest && list.inTier(i)) continue; // read by the tier's own group
      let add = 0;
      let hit = false;
      for (let j = 0; j < count; j++) {
        const value = values[i * width + (offsets[j] as number)] as number;
        if (!(value > 0)) continue;
        hit = true;
        add += (gainOf[j] as number) * log1pAtLeast(value * (scales[j] as number)); // a bound: the score is computed in full
      }
      for (let j = 0; !hit && j < others.length; j++) hit = (values[i * width + (others[j] as number)] as number) > 0;
      if (!hit) continue;
      const slot = slots[i] as number;
      let at = foundAt(slot);
      if (at < 0) {
        at = found++;
        s.at[slot] = at;
        s.found[at] = slot;
        s.partial[at] = 0;
        s.prior[at] = priors.boundOf(slot);
      }
      s.partial[at] = (s.partial[at] as number) + add;
    }
  };
  // 1. the rarest lists read first: the people they reach with the most they gave plus their prior bound are scored in full
  const seedBudget = Math.max(SEED_POSTINGS_MIN, tally.listed * SEED_POSTINGS_SHARE);
  let seedRead = 0;
  while (unread > 0 && (seedRead === 0 || seedRead + (groups[unread - 1] as ListGroup).list.size <= seedBudget)) {
    seedRead += (groups[unread - 1] as ListGroup).list.size;
    readNext();
  }
  // (when many of them are not kept, the next most promising are tried, until as many are scored)
  const seeds = SEEDS_PER_READ * depth;
  const promise = (at: number): number => (s.partial[at] as number) + (s.prior[at] as number);
  for (let m = seeds; ; m *= 4) {
    const tried = mostPromising(found, s.partial, s.prior, m).sort((x, y) => promise(y) - promise(x));
    for (let i = 0; i < tried.length && scored.size < seeds; i++) score(s.found[tried[i] as number] as number);
    if (scored.size >= seeds || m >= found) break;
  }
  // too few of them (a question of common words): the people with the highest prior bounds too
  // (people who hold none of the question's terms are tried and dropped)
  for (let b = 0, tried = 0; b < priors.bucketCount && scored.size < depth && tried < MAX_PRIOR_SEED_TRIES * depth; b++) {
    const members = [...priors.bucket(b)].sort((x, y) => priors.boundOf(y) - priors.boundOf(x));
    for (let i = 0; i < members.length && scored.size < depth && tried < MAX_PRIOR_SEED_TRIES * depth; i++, tried++) score(members[i] as number);
  }
  const threshold = Math.max(floor, scored.size >= depth ? scored.kthScore(depth) : Number.NEGATIVE_INFINITY);

  // 2. which lists to set aside (only lists not read yet)
  const aside = Math.min(chooseAside(groups, threshold, priors), unread);
  const asideBound = new AsideBound();
  for (const group of groups.slice(0, aside)) asideBound.add(group);
  const asideMost = asideBound.most;

  // 3. read the other essential lists; bound everyone they reach
  while (unread > aside) readNext();
  // People whose bound is below the threshold wait unpushed (most people a question reaches are never
  // read that far): `waiting` is the highest of their bounds, and they are all pushed if it ever leads.
  const unscored = new BoundHeap();
  let admitAll = false;
  let waiting = Number.NEGATIVE_INFINITY;
  /**
   * A person's bound given what the essential lists gave them (`partial`): with the set-aside lists'
   * most, and only when that could reach the threshold with what their own value maxima let those
   * lists add (most people reached fall short at the first).
   */
  const offer = (slot: number, partial: number, prior: number): void => {
    const loose = partial + asideMost + prior;
    const bound = withSlack(loose < threshold ? loose : partial + asideBound.of(index, slot) + prior);
    const admitted = admitAll || bound >= threshold;
    // whether they were scored (or excluded) is asked last: most people reached are neither admitted
    // nor the highest waiting, and the question is a random access
    if ((admitted || bound > waiting) && s.scored[slot] !== epoch) {
      if (admitted) unscored.push(slot, bound);
      else waiting = bound;
    }
  };
  // people the essential lists did not reach, bucket by bucket: `next` is the first bucket not read yet
  let next = 0;
  /** Neither scored (or excluded) nor reached by the lists read: bounded as holding nothing they read. */
  const unreached = (slot: number): boolean => s.scored[slot] !== epoch && foundAt(slot) < 0;
  const offerBucket = (b: number): void => {
    for (const slot of priors.bucket(b)) if (unreached(slot)) offer(slot, 0, priors.boundOf(slot));
  };
  const offerReached = (): void => {
    for (let i = 0; i < found; i++) {
      offer(s.found[i] as number, s.partial[i] as number, s.prior[i] as number);
    }
    for (const slot of extra) if (unreached(slot)) offer(slot, 0, priors.boundOf(slot));
  };
  offerReached();
  // the most anyone in buckets `next` and after can score: their ceiling plus what the set-aside lists
  // can add to the bucket's value maxima (ceilings fall bucket by bucket: the scan stops early)
  let frontierAt = -1;
  let frontierBound = Number.NEGATIVE_INFINITY;
  const frontier = (): number => {
    // with no list set aside every list was read: someone they did not reach holds nothing the question
    // looks up, so is no candidate (a question few people can answer would otherwise try everyone)
    if (aside === 0 || next >= priors.bucketCount) return Number.NEGATIVE_INFINITY;
    if (frontierAt !== next) {
      let best = Number.NEGATIVE_INFINITY;
      for (let b = next; b < priors.bucketCount && priors.ceilingFrom(b) + asideMost > best; b++) {
        best = Math.max(best, priors.ceilingFrom(b) + asideBound.of(priors, b));
      }
      frontierAt = next;
      frontierBound = withSlack(best);
    }
    return frontierBound;
  };

  // 4. the threshold algorithm (bounds below the floor are as good as none: nobody there is ranked)
  for (;;) {
    const best = scored.peek();
    const reachable = Math.max(unscored.peekBound(), frontier(), waiting);
    const top = reachable < floor ? Number.NEGATIVE_INFINITY : reachable;
    if (best && best.score > top) {
      if (best.score < floor) return;
      yield scored.pop() as Scored;
      continue;
    }
    if (top === Number.NEGATIVE_INFINITY) return;
    if (waiting === top) {
      // read deeper than the threshold: everyone waiting is pushed (again, for those pushed already: scored once)
      admitAll = true;
      waiting = Number.NEGATIVE_INFINITY;
      offerReached();
      for (let b = 0; b < next; b++) offerBucket(b);
      continue;
    }
    if (unscored.peekBound() >= frontier()) {
      score(unscored.pop());
      continue;
    }
    offerBucket(next++);
  }
}

/** The best `k` candidates: exactly `index.rank(input).slice(0, k)`, reading the ranking only that far. */
export function topK(index: PeopleIndex, input: RankInput, k: number, stats?: TopStats): Scored[] {
  const best: Scored[] = [];
  if (k < 1) return best;
  for (const candidate of ranking(index, input, stats, k)) {
    best.push(candidate);
    if (best.length === k) break;
  }
  return best;
}

function scratch(index: PeopleIndex): Scratch {
  let s = scratchOf.get(index);
  const n = index.slotCount;
  if (!s || s.at.length < n || s.epoch >= 0x7ffffff0) {
    const length = Math.max(1024, n * 2);
    s = { at: new Int32Array(length), found: new Int32Array(length), partial: new Float64Array(length), prior: new Float64Array(length), scored: new Int32Array(length), epoch: 0 };
    scratchOf.set(index, s);
  }
  return s;
}
