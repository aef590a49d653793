/**
 * The figure builders' own argument checks: the arrays a figure draws, labels, titles and choices.
 * They write core's one error template (`@quantlab/core/validate`):
 * `histogramWithLevels(): argument 'values' must be a non-empty array; received an array of length 0.`
 * Options, semantics and quantization parameters are read by core's own readers (figures/grid.ts).
 */
import { checkKeys, describe, rangeError, typeError } from "@quantlab/core/validate";

/** The numeric arrays the builders accept: plain arrays and any numeric typed array. */
export type NumericArray = ArrayLike<number>;

function isNumericArray(value: unknown): value is NumericArray {
  if (Array.isArray(value)) return true;
  return (
    ArrayBuffer.isView(value) &&
    !(value instanceof DataView) &&
    !(value instanceof BigInt64Array) &&
    !(value instanceof BigUint64Array)
  );
}

/**
 * Checks that `value` is a non-empty array of numbers that are finite as float32 (core reads them
 * as float32, as the tensors they stand for) and copies it into a plain `number[]`.
 */
export function finiteArray(fn: string, arg: string, value: unknown): number[] {
  if (!isNumericArray(value)) throw typeError(fn, arg, "an array or typed array of numbers", value);
  if (value.length === 0) throw rangeError(fn, arg, "a non-empty array", value);
  const out = new Array<number>(value.length);
  for (let i = 0; i < value.length; i++) {
    const v = value[i] as unknown;
    if (typeof v !== "number") {
      throw typeError(fn, arg, "an array of numbers", v);
    }
    if (!Number.isFinite(Math.fround(v))) {
      const note = Number.isFinite(v) ? " (Infinity as float32)" : "";
      throw rangeError(
        fn,
        arg,
        "an array of finite numbers",
        v,
        `${describe(v)} at index ${i}${note}`,
      );
    }
    out[i] = v;
  }
  return out;
}

/** Checks that `value` has the same length as the array named `otherArg`. */
export function sameLength(
  fn: string,
  arg: string,
  value: ArrayLike<unknown>,
  otherArg: string,
  length: number,
): void {
  if (value.length !== length) {
    throw rangeError(fn, arg, `of the same length as '${otherArg}' (${length})`, value);
  }
}

/**
 * Checks that `value` is a non-empty array (a figure's series, rows, panels) and returns it.
 * `expected` is what the TypeError asks for ("an array of { name, codes }"); with `most`, the
 * length is at most `most.count` and the RangeError asks for "an array of 1 to 8 series".
 */
export function nonEmptyArray<T>(
  fn: string,
  arg: string,
  value: readonly T[] | undefined,
  expected: string,
  most?: { count: number; noun: string },
): readonly T[] {
  if (!Array.isArray(value)) throw typeError(fn, arg, expected, value);
  if (most === undefined) {
    if (value.length === 0) throw rangeError(fn, arg, "a non-empty array", value);
  } else if (value.length === 0 || value.length > most.count) {
    throw rangeError(fn, arg, `an array of 1 to ${most.count} ${most.noun}`, value);
  }
  return value;
}

/** Checks a finite number > 0 (a pixel ratio). */
export function positiveNumber(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number") throw typeError(fn, arg, "a finite number > 0", value);
  if (!Number.isFinite(value) || value <= 0)
    throw rangeError(fn, arg, "a finite number > 0", value);
  return value;
}

/** Checks a finite number (any sign). */
export function finiteNumber(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number") throw typeError(fn, arg, "a finite number", value);
  if (!Number.isFinite(value)) throw rangeError(fn, arg, "a finite number", value);
  return value;
}

/** Checks an optional array of strings of a given length (labels for the elements). */
export function labelsArray(
  fn: string,
  arg: string,
  value: unknown,
  length: number,
  otherArg: string,
): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw typeError(fn, arg, "an array of strings", value);
  for (let i = 0; i < value.length; i++) {
    if (typeof value[i] !== "string") {
      throw typeError(fn, arg, "an array of strings", value[i]);
    }
  }
  sameLength(fn, arg, value, otherArg, length);
  return value.slice() as string[];
}

/** Checks an optional string option (a title). */
export function optionalString(fn: string, arg: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw typeError(fn, arg, "a string", value);
  return value;
}

/** Checks that `value` is one of `choices`. */
export function oneOf<T extends string>(
  fn: string,
  arg: string,
  value: unknown,
  choices: readonly T[],
): T {
  const expected = choices.map((c) => JSON.stringify(c)).join(" or ");
  if (typeof value !== "string") throw typeError(fn, arg, expected, value);
  if (!(choices as readonly string[]).includes(value)) throw rangeError(fn, arg, expected, value);
  return value as T;
}

/**
 * Checks that `value` is a plain options object (required, unlike core's optional `checkOptions`)
 * whose keys are all among `known`: a misspelled or retired key is an error, never ignored.
 */
export function optionsObject(
  fn: string,
  arg: string,
  value: unknown,
  known?: readonly string[],
): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw typeError(fn, arg, "an options object", value);
  }
  if (known !== undefined) checkKeys(fn, arg, value, known);
  return value as Record<string, unknown>;
}
