import { rangeError, typeError, withArticle } from "./errors.js";

/** Checks a caller's output array, or allocates one. */
export function outputArray<T extends ArrayLike<number>>(
  fn: string,
  out: unknown,
  Storage: new (length: number) => T,
  length: number,
): T {
  if (out === undefined) return new Storage(length);
  if (!(out instanceof Storage)) {
    throw typeError(fn, "options.out", `${withArticle(Storage.name)} of length ${length}`, out);
  }
  if (out.length !== length) {
    throw rangeError(fn, "options.out", `${withArticle(Storage.name)} of length ${length}`, out);
  }
  return out;
}
