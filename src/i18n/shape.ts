// The type one language's texts must have: the English catalogue's shape, with every string widened.

/**
 * Mirrors `T` (the English texts, written `as const`-free): strings stay strings, functions keep their
 * parameters, nested groups recurse. A translation that misses a key or a parameter does not compile.
 */
export type TextsShape<T> = {
  readonly [K in keyof T]: T[K] extends string
    ? string
    : T[K] extends (...args: infer A) => string
      ? (...args: A) => string
      : TextsShape<T[K]>
}
