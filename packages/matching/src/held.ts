/**
 * A person's value maxima, by kind of value: at least every value of that kind they hold. Kinds:
 * 0 expertise of question words and tags, 1 recent, 2 expertise of answer words, 3 tagRecent. A
 * bound on what a looked-up list can add to a person's score (top-k.ts), kept per person by the
 * index and per prior bucket by the PriorTable.
 */
export const HELD_MAXIMA = 4;

/** Which kind a value is: its place in a posting (offset) of a list of `width` values. */
export const heldOf = (offset: number, width: number): number => (offset === 0 ? (width === 1 ? 2 : 0) : offset === 1 ? 1 : 3);

/** Whatever keeps value maxima by place: a person's (PeopleIndex, by slot) or a prior bucket's (PriorTable, by bucket). */
export interface HeldMaxima {
  /** At least every value of kind `held` at place `at`. */
  maximumOf(at: number, held: number): number;
}
