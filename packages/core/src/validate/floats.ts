/** Reading the inputs of the float codecs: values as float32 bit patterns, and codes. */
import type { FloatFormat } from "../dtypes/table.js";
import { rangeError, typeError } from "./errors.js";

type CodeInput = ArrayLike<number>;

/**
 * Validates `values` and returns their float32 bit patterns: a view on a Float32Array's own buffer
 * (no copy, NaN payloads untouched), or, for number[] and Float64Array, a new array of the values
 * rounded to float32 (ties to even).
 */
export function float32BitsOf(fn: string, values: unknown): Uint32Array {
  if (values instanceof Float32Array) {
    return new Uint32Array(values.buffer, values.byteOffset, values.length);
  }
  if (values instanceof Float64Array) {
    return new Uint32Array(new Float32Array(values).buffer);
  }
  if (!Array.isArray(values)) {
    throw typeError(fn, "values", "an array of numbers, a Float32Array or a Float64Array", values);
  }
  const rounded = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== "number") throw typeError(fn, `values[${i}]`, "a number", v);
    rounded[i] = v;
  }
  return new Uint32Array(rounded.buffer);
}

function isIntegerTypedArray(value: unknown): value is CodeInput {
  return (
    value instanceof Uint8Array ||
    value instanceof Uint8ClampedArray ||
    value instanceof Uint16Array ||
    value instanceof Uint32Array ||
    value instanceof Int8Array ||
    value instanceof Int16Array ||
    value instanceof Int32Array
  );
}

export function codesOf(fn: string, format: FloatFormat, bits: unknown): CodeInput {
  const max = 2 ** format.bits - 1;
  const expected = `an integer in [0, ${max}]`;
  if (bits instanceof format.storage) return bits;
  if (isIntegerTypedArray(bits)) {
    for (let i = 0; i < bits.length; i++) {
      const v = bits[i];
      if (v < 0 || v > max) throw rangeError(fn, `bits[${i}]`, expected, v);
    }
    return bits;
  }
  if (!Array.isArray(bits)) {
    throw typeError(fn, "bits", "an array of integers or an integer typed array", bits);
  }
  for (let i = 0; i < bits.length; i++) {
    const v: unknown = bits[i];
    if (typeof v !== "number") throw typeError(fn, `bits[${i}]`, expected, v);
    if (!Number.isInteger(v) || v < 0 || v > max) throw rangeError(fn, `bits[${i}]`, expected, v);
  }
  return bits as number[];
}
