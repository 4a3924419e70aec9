/**
 * Checked index access. With `noUncheckedIndexedAccess`, `xs[i]` is `T | undefined`; code that
 * knows the index is in range used to cast (`xs[i] as number`), which hides a broken invariant
 * as a silent `undefined`. {@link at} says what it knows and fails loudly when it is wrong.
 */

/** An index outside an array that code relied on being inside: a bug, never bad input. */
export class IndexRangeError extends RangeError {
  override readonly name = 'IndexRangeError'
}

/**
 * `xs[i]`, for an index the caller knows to be in range. Throws {@link IndexRangeError} (an
 * internal error naming the index and the length) when it is not.
 */
export function at<T>(xs: ArrayLike<T>, i: number): T {
  const v = xs[i]
  if (v === undefined && !(Number.isInteger(i) && i >= 0 && i < xs.length))
    throw new IndexRangeError(`internal error: index ${i} is outside 0..${xs.length - 1}`)
  return v as T
}
