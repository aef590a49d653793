import { rangeError, typeError, withArticle } from "./errors.js";

/** The most elements a typed array holds (V8: 2^32). Larger results are refused up front. */
export const MAX_ELEMENTS = 2 ** 32;

/** Checks a caller's output array (argument `arg`, `options.out` by default), or allocates one. */
export function outputArray<T extends ArrayLike<number>>(
  fn: string,
  out: unknown,
  Storage: new (length: number) => T,
  length: number,
  arg = "options.out",
): T {
  if (out === undefined) {
    if (length > MAX_ELEMENTS) {
      throw rangeError(
        fn,
        "x",
        `at most 2^32 elements (a typed array's limit)`,
        length,
        `${length} elements`,
      );
    }
    return new Storage(length);
  }
  if (!(out instanceof Storage)) {
    throw typeError(fn, arg, `${withArticle(Storage.name)} of length ${length}`, out);
  }
  if (out.length !== length) {
    throw rangeError(fn, arg, `${withArticle(Storage.name)} of length ${length}`, out);
  }
  return out;
}
