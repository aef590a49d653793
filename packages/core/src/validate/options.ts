/**
 * Reading option objects: every public function rejects a key it does not know (naming it, the
 * keys it knows, and the one meant when it is a near miss), and reads flags as booleans only.
 * Nothing given is dropped silently.
 */
import { rangeError, typeError } from "./errors.js";

/** The known key a misspelled one most likely meant: same letters ignoring case and `_`, or one edit away. */
function nearMiss(key: string, known: readonly string[]): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/_/g, "");
  const exact = known.find((k) => plain(k) === plain(key));
  if (exact !== undefined) return exact;
  return known.find((k) => editDistance(plain(k), plain(key)) <= Math.min(2, k.length >> 2 || 1));
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + cost,
      );
    }
    row = next;
  }
  return row[b.length] as number;
}

const listOf = (keys: readonly string[]) => keys.map((k) => `'${k}'`).join(", ");

/**
 * An options argument: `undefined` becomes `{}`; otherwise a plain object (not null, not an array
 * or typed array)
 * whose own keys are all among `known`.
 * @throws {TypeError} when `value` is not an object.
 * @throws {RangeError} when it has a key not in `known`.
 */
export function checkOptions<T extends object>(
  fn: string,
  arg: string,
  value: T | undefined,
  known: readonly string[],
): Partial<T> {
  if (value === undefined) return {};
  if (
    typeof value !== "object" ||
    value === null ||
    Array.isArray(value) ||
    ArrayBuffer.isView(value)
  ) {
    throw typeError(fn, arg, `an object (keys ${listOf(known)}) or undefined`, value);
  }
  checkKeys(fn, arg, value, known);
  return value;
}

/** Throws unless every own key of `value` is among `known`. */
export function checkKeys(fn: string, arg: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const meant = nearMiss(key, known);
    const hint = meant === undefined ? "" : ` (did you mean '${meant}'?)`;
    throw rangeError(
      fn,
      arg,
      `an object with keys among ${listOf(known)}${hint}`,
      value,
      `an object with key ${JSON.stringify(key)}`,
    );
  }
}

/** A flag: `undefined` gives `fallback`; anything but a boolean is a TypeError (no "false" strings). */
export function checkBoolean(fn: string, arg: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw typeError(fn, arg, "a boolean", value);
  return value;
}

/** An optional integer option in [lo, hi], `fallback` when undefined. */
export function checkInteger(
  fn: string,
  arg: string,
  value: unknown,
  fallback: number,
  lo: number,
  hi: number,
  note = "",
): number {
  if (value === undefined) return fallback;
  const expected =
    hi === Number.MAX_SAFE_INTEGER
      ? `an integer ≥ ${lo}${note}`
      : `an integer in [${lo}, ${hi}]${note}`;
  if (typeof value !== "number") throw typeError(fn, arg, expected, value);
  if (!Number.isInteger(value) || value < lo || value > hi)
    throw rangeError(fn, arg, expected, value);
  return value;
}

/** One of `names`: a TypeError for a non-string, a RangeError for another string. */
export function checkName<T extends string>(
  fn: string,
  arg: string,
  value: unknown,
  names: readonly T[],
): T {
  const expected = `one of ${names.map((n) => `"${n}"`).join(", ")}`;
  if (typeof value !== "string") throw typeError(fn, arg, expected, value);
  if (!(names as readonly string[]).includes(value)) throw rangeError(fn, arg, expected, value);
  return value as T;
}
