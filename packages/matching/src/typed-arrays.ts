type TypedArray = Float64Array | Int32Array | Uint32Array;

/** A copy of a typed array at `length` (at least its own), the new places filled with `fill`. */
export function grown<T extends TypedArray>(from: T, length: number, fill = 0): T {
  const next = new (from.constructor as new (n: number) => T)(length);
  next.set(from);
  if (fill !== 0) next.fill(fill, from.length);
  return next;
}
