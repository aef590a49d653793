/**
 * What the block formats' public functions (MX, NVFP4, bitsandbytes) check alike: an axis, a
 * tensor of at least one dimension, finite values, and the typed arrays of a stored tensor, whose
 * lengths follow from its shape (a truncated buffer is an error).
 */
import { describe, rangeError, typeError } from "./errors.js";
import { checkKeys } from "./options.js";

/** An axis of a tensor of `rank` >= 1, negative counting from the end: returned in [0, rank). */
export function checkAxis(
  fn: string,
  arg: string,
  value: unknown,
  rank: number,
  fallback: number,
): number {
  const axis = value === undefined ? fallback : value;
  const expected = `an integer in [${-rank}, ${rank - 1}]`;
  if (typeof axis !== "number") throw typeError(fn, arg, expected, axis);
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw rangeError(fn, arg, expected, axis);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Throws unless `shape` has at least one dimension (blocks run along an axis). */
export function checkRank(fn: string, arg: string, shape: readonly number[]): void {
  if (shape.length === 0) {
    throw rangeError(
      fn,
      arg,
      "a tensor of at least one dimension (blocks run along an axis)",
      shape,
      "a scalar (shape [])",
    );
  }
}

/** Throws at the first value that is NaN or ±Infinity, saying the format has no code for it. */
export function checkFinite(fn: string, arg: string, data: Float32Array, format: string): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v - v !== 0) throw nonFinite(fn, arg, i, v, format);
  }
}

/** The error for value `i` of `arg`, `v` (NaN or ±Infinity), which `format` has no code for. */
export function nonFinite(
  fn: string,
  arg: string,
  i: number,
  v: number,
  format: string,
): RangeError {
  return rangeError(
    fn,
    `${arg}[${i}]`,
    `a finite number (${format} has no code for NaN or ±Infinity)`,
    v,
  );
}

/** A stored array: an instance of `Storage` of exactly `length` elements (`what` says why). */
export function checkStored<T extends Uint8Array | Float32Array>(
  fn: string,
  arg: string,
  value: unknown,
  Storage: new (length: number) => T,
  length: number,
  what: string,
): T {
  const expected = `a ${Storage.name} of length ${length} (${what})`;
  if (!(value instanceof Storage)) throw typeError(fn, arg, expected, value);
  if (value.length !== length) throw rangeError(fn, arg, expected, value, describe(value));
  return value;
}

/**
 * A stored tensor argument: an object (not null, not an array) whose keys are all among `fields`
 * (`what` names the kind of tensor in the message).
 */
export function checkRecord(
  fn: string,
  arg: string,
  value: unknown,
  fields: readonly string[],
  what: string,
): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw typeError(fn, arg, `a { ${fields.join(", ")} } ${what}`, value);
  }
  checkKeys(fn, arg, value, fields);
}

/** `[2, 64]`, for messages. */
export function shown(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** A field a stored tensor must have: a TypeError when it is missing. */
export function required<T>(fn: string, arg: string, value: T | undefined, expected: string): T {
  if (value === undefined) throw typeError(fn, arg, expected, value);
  return value;
}
