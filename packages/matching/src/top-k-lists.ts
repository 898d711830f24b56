import type { BoundLookup } from './bound-lookup.js';
import { HELD_MAXIMA, type HeldMaxima } from './held.js';
import type { PostingList } from './posting-list.js';
import { BUCKET_SIZE, type PriorTable } from './prior-table.js';

// The question's posting lists as the pruned ranking (top-k.ts) reads them: grouped by list, which of
// them to set aside (MaxScore's non-essential lists), and what the set-aside ones can add to a score.

/**
 * What a person the essential lists do not reach costs, in postings scanned, when their bucket's
 * bound reaches the threshold: bounding them, and scoring in full the share whose bound stays above
 * it (a search in every list of the question: ~20 us at 1M people against ~70 ns a posting read).
 * Measured in one run (bench/README.md): at 10, when a ranking skips most of the best people (a busy
 * moment's budgets), every list was set aside and thousands were scored for want of reading 100k
 * postings (decide p99 75 ms at 10k people); at 100, 1M people read 220k postings a question for
 * 150 scored (p50 28 ms); at 30, 125k and 200 (18 ms), and 13-16 ms p99 at 10k.
 */
const SCORE_COST = 30;

/** Which part of a posting list a group reads: a list with an impact tier (posting-list.ts) is read as two. */
export enum ListPart {
  /** a list with no tier */
  Whole,
  /** a list's impact tier (its `tier.top`: few postings, the highest values; they are the list's too) */
  Top,
  /** the rest of a tiered list: its postings in the tier are skipped, the others add at most what the cuts give */
  Rest,
}

/** A question's lookups that read one posting list (or part of it), and what it can add to anyone's score at most. */
export interface ListGroup {
  list: PostingList;
  part: ListPart;
  lookups: BoundLookup[];
  /** per lookup: what one unit of log1p(value x scale) adds to the score (the weights of its features times its coefficients) */
  gains: number[];
  /** at least what the group adds to anyone's score */
  most: number;
}

/** The question's lookups grouped by the list they read (a tiered list in two parts), with what each group can add at most. */
export function groupByList(lookups: readonly BoundLookup[], weights: Float64Array): ListGroup[] {
  const groups = new Map<PostingList, ListGroup>();
  const join = (lookup: BoundLookup, gain: number, list: PostingList, part: ListPart): void => {
    let group = groups.get(list);
    if (!group) groups.set(list, (group = { list, part, lookups: [], gains: [], most: 0 }));
    group.lookups.push(lookup);
    group.gains.push(gain);
    // log1p grows with the value: the largest value gives the most (a negative gain adds at most 0); the
    // rest of a tiered list holds less than its cut
    const largest = Math.min(list.max[lookup.offset] as number, part === ListPart.Rest ? (list.tier?.cut[lookup.offset] as number) : Number.POSITIVE_INFINITY);
    group.most += Math.max(0, gain) * Math.log1p(largest * lookup.scale);
  };
  for (const lookup of lookups) {
    const { list } = lookup;
    if (!list || list.size === 0) continue;
    let gain = 0;
    for (let t = 0; t < lookup.features.length; t++) gain += (weights[lookup.features[t] as number] as number) * (lookup.coefficients[t] as number);
    const { tier } = list;
    join(lookup, gain, list, tier ? ListPart.Rest : ListPart.Whole);
    if (tier && tier.top.size > 0) join(lookup, gain, tier.top, ListPart.Top);
  }
  return [...groups.values()];
}

/** What set-aside lookups can add for someone whose value maxima (held.ts) are known: per kind, its gains x log1p(maximum x its largest scale), at most `most`. */
export class AsideBound {
  private readonly gain = new Float64Array(HELD_MAXIMA);
  private readonly scale = new Float64Array(HELD_MAXIMA);
  most = 0;

  add(group: ListGroup): void {
    group.lookups.forEach((lookup, j) => {
      this.gain[lookup.held] = (this.gain[lookup.held] as number) + Math.max(0, group.gains[j] as number);
      this.scale[lookup.held] = Math.max(this.scale[lookup.held] as number, lookup.scale);
    });
    this.most += group.most;
  }

  /**
   * For anyone at place `at` of `maxima`: a person (PeopleIndex) or everyone in a prior bucket
   * (PriorTable). A weighted mean of log1p terms is at most its largest, and each lookup's value is at
   * most the kind's maximum.
   */
  of(maxima: HeldMaxima, at: number): number {
    let sum = 0;
    for (let h = 0; h < HELD_MAXIMA; h++) {
      const gain = this.gain[h] as number;
      if (gain > 0) sum += gain * Math.log1p(maxima.maximumOf(at, h) * (this.scale[h] as number));
    }
    return Math.min(sum, this.most);
  }
}

/** Buckets sampled per candidate split when estimating how many people the frontier would offer. */
const SAMPLED_BUCKETS = 48;

/**
 * How many of the groups (sorted by postings per bound, most first) to set aside: the prefix that
 * minimises postings read plus people to bound, estimated with the threshold: the buckets whose
 * ceiling plus what the set-aside lists can add to their value maxima reaches it (sampled). None
 * without a threshold.
 */
export function chooseAside(groups: readonly ListGroup[], threshold: number, priors: PriorTable): number {
  if (threshold === Number.NEGATIVE_INFINITY) return 0;
  let reading = groups.reduce((n, g) => n + g.list.size, 0);
  const bound = new AsideBound();
  let bestCost = Infinity;
  let best = 0;
  for (let aside = 0; aside <= groups.length; aside++) {
    // buckets whose ceiling plus everything set aside reaches the threshold (ceilings are non-increasing) ...
    let lo = 0;
    let hi = priors.bucketCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (priors.ceilingFrom(mid) + bound.most >= threshold) lo = mid + 1;
      else hi = mid;
    }
    // ... of which those whose value maxima let the set-aside lists add enough (a sample of them)
    const step = Math.max(1, Math.ceil(lo / SAMPLED_BUCKETS));
    let reached = 0;
    for (let b = 0; b < lo; b += step) if (priors.ceilingFrom(b) + bound.of(priors, b) >= threshold) reached += step;
    const cost = reading + SCORE_COST * Math.min(reached, lo) * BUCKET_SIZE;
    if (cost < bestCost) {
      bestCost = cost;
      best = aside;
    }
    if (aside < groups.length) {
      const group = groups[aside] as ListGroup;
      reading -= group.list.size;
      bound.add(group);
    }
  }
  return best;
}
