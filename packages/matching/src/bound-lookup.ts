import type { PostingList } from './posting-list.js';

/** A lookup tied to the index: its key's postings, which of their values it reads, what it adds where. */
export interface BoundLookup {
  list: PostingList | undefined;
  /** the value's place in a posting (always below list.width: lookups of values a key cannot hold are dropped) */
  offset: number;
  scale: number;
  features: number[];
  coefficients: number[];
  /** which of a person's value maxima (held.ts) bounds the values it reads */
  held: number;
}
