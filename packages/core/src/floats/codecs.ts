/**
 * The float codecs: values to the bit patterns of float16, bfloat16 and the OCP 8-bit formats
 * float8 e4m3fn and e5m2 as ONNX defines them (Cast, opset 19+), and back. The arithmetic is in
 * ../kernels/floats.ts, driven by the format's row of FLOAT_FORMATS.
 */

import { kernelsForOptions } from "../backend.js";
import {
  FLOAT_DTYPES,
  type FloatDType,
  type FloatFormat,
  type FloatStorage,
  type RoundMode,
} from "../dtypes/table.js";
import { type CastRule, decodeFloats, encodeFloats, roundFloats } from "../kernels/floats.js";
import type { HalfDType } from "../kernels/types.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";
import { codesOf, float32BitsOf } from "../validate/floats.js";
import { checkBoolean, checkOptions } from "../validate/options.js";
import { outputArray } from "../validate/output.js";
import type { Backend, Threads } from "../validate/params.js";

export interface EncodeFloatOptions {
  /**
   * float8 only, default true (ONNX's default). true: values beyond the largest finite value,
   * infinities included, become ±maxFinite. false: they become NaN (e4m3fn) or ±Infinity (e5m2).
   */
  saturate?: boolean;
  /** float8e8m0 only (ONNX Cast's `round_mode`): `"up"` (default, as ONNX), `"down"` or `"nearest"`. */
  roundMode?: RoundMode;
  /** float16 and bfloat16: `"auto"` (default) uses the WebAssembly SIMD codec where it loads. */
  backend?: Backend;
  /** `"auto"` (default) or a thread count, as {@link quantize}'s option; same bits. */
  threads?: Threads;
  /** Where to write the codes: the format's storage array, one element per value. */
  out?: Uint16Array | Uint8Array;
}

const ROUND_MODES: readonly RoundMode[] = ["up", "down", "nearest"];

/**
 * Validates `options` (keys 'saturate', 'roundMode', 'backend', 'out') and the values against the
 * format (NaN where it has no code, negative values for the unsigned e8m0); returns the cast rule.
 */
function castRule(fn: string, format: FloatFormat, bits: Uint32Array, options: unknown): CastRule {
  const o = checkOptions(fn, "options", options as EncodeFloatOptions | undefined, [
    "saturate",
    "roundMode",
    "backend",
    "threads",
    "out",
  ]);
  const saturate = checkBoolean(fn, "options.saturate", o.saturate, true);
  if (o.saturate !== undefined && !format.saturates) {
    throw rangeError(
      fn,
      "options.saturate",
      `undefined for ${format.name} (only float8 formats saturate)`,
      o.saturate,
    );
  }
  let roundMode: RoundMode = "up";
  if (o.roundMode !== undefined) {
    if (format.signed) {
      throw rangeError(
        fn,
        "options.roundMode",
        `undefined for ${format.name} (float8e8m0 only)`,
        o.roundMode,
      );
    }
    if (!ROUND_MODES.includes(o.roundMode)) {
      const names = 'one of "up", "down", "nearest"';
      if (typeof o.roundMode !== "string")
        throw typeError(fn, "options.roundMode", names, o.roundMode);
      throw rangeError(fn, "options.roundMode", names, o.roundMode);
    }
    roundMode = o.roundMode;
  }
  const value = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  if (format.nanCode === null || !format.signed) {
    for (let i = 0; i < value.length; i++) {
      const v = value[i] as number;
      if (format.nanCode === null && Number.isNaN(v)) {
        throw rangeError(
          fn,
          `values[${i}]`,
          `a number, not NaN (${format.name} has no NaN code)`,
          v,
        );
      }
      if (!format.signed && v < 0) {
        throw rangeError(fn, `values[${i}]`, `a value >= 0 (${format.name} has no sign)`, v);
      }
    }
  }
  return { saturate, roundMode };
}

/**
 * Encodes values as bit patterns of a low-precision float format.
 *
 * `code[i] = round_dtype(fround(values[i]))`: each value is first rounded to float32 (Float64Array and
 * number[] entries, ties to even; this is the golden `cast` op, whose input is float32), then to the
 * format from its float32 bit pattern: nearest, ties to even, subnormals kept, one rounding only.
 * float16 / bfloat16: overflow gives ±Infinity. float8: see `saturate`. Every NaN gives the format's
 * NaN code (0x7E00, 0x7FC0, 0x7F, 0x7F): JavaScript does not carry a NaN's sign reliably, so it is
 * dropped. An empty input gives an empty output.
 *
 * @param dtype - "float16" | "bfloat16" | "float8e4m3fn" | "float8e5m2"
 * @param values - number[], Float32Array or Float64Array
 * @param options - `saturate` (float8 only, default true as in ONNX): values beyond the largest finite
 *   value, infinities included, become ±448 (e4m3fn) / ±57344 (e5m2); with `saturate: false` they
 *   become NaN (e4m3fn: 0x7F, 0xFF when negative) or ±Infinity (e5m2). "Beyond" means after rounding:
 *   e4m3fn overflows for |x| > 464, e5m2 for |x| >= 61440 (the ties go to the even code).
 * @returns Uint16Array (float16, bfloat16) or Uint8Array (float8) of codes.
 * @throws {TypeError} `dtype` not a string, `values` not an array or Float32Array/Float64Array, an
 *   entry not a number, `options` not an object, `options.saturate` not a boolean.
 * @throws {RangeError} unknown `dtype`, unknown option key, `saturate` given for float16/bfloat16.
 *
 * @example
 * encodeFloat("float16", [1, 65504, 1e5, NaN])
 * // => Uint16Array [ 15360, 31743, 31744, 32256 ]
 * @example
 * encodeFloat("float8e4m3fn", [448, 464, 500], { saturate: false })
 * // => Uint8Array [ 126, 126, 127 ]
 */
export function encodeFloat<D extends FloatDType>(
  dtype: D,
  values: readonly number[] | Float32Array | Float64Array,
  options?: EncodeFloatOptions,
): FloatStorage<D> {
  const fn = "encodeFloat";
  const format = checkDType(fn, "dtype", dtype, FLOAT_DTYPES);
  const src = float32BitsOf(fn, values);
  const rule = castRule(fn, format, src, options);
  const Storage = format.storage as new (n: number) => Uint16Array | Uint8Array;
  const out = outputArray(fn, options?.out, Storage, src.length);
  const kernels = kernelsForOptions(fn, options);
  // Stryker disable next-line ConditionalExpression: the general codec gives the same bits; the kernels' half codec is only faster
  if (isHalf(format.name)) {
    const values32 = new Float32Array(src.buffer, src.byteOffset, src.length);
    kernels.encodeHalf(format.name, values32, out as Uint16Array);
  } else {
    encodeFloats(format, src, rule, out);
  }
  return out as FloatStorage<D>;
}

/**
 * Decodes bit patterns of a low-precision float format to float32 values (exact: every finite code
 * is a float32).
 *
 * Normal codes `(-1)^s * 2^(e - bias) * (1 + m / 2^mantissaBits)`, subnormals
 * `(-1)^s * m * 2^(1 - bias - mantissaBits)`, ±0, ±Infinity and NaN as the format defines them
 * (e4m3fn: NaN = 0x7F, 0xFF, no infinity; e5m2: ±Infinity = 0x7C, 0xFC, NaN = 0x7D..0x7F, 0xFD..0xFF).
 * No rounding happens.
 *
 * @param bits - codes: an array of integers or an integer typed array, each in [0, 2^bits - 1].
 * @throws {TypeError} `dtype` not a string, `bits` not an array or integer typed array, an entry not
 *   a number.
 * @throws {RangeError} unknown `dtype`; an entry that is not an integer in range (the message names
 *   its index).
 *
 * @example
 * decodeFloat("float8e5m2", [0x7b, 0x7c, 0x7f, 0x80])
 * // => Float32Array [ 57344, Infinity, NaN, -0 ]
 */
export function decodeFloat(
  dtype: FloatDType,
  bits: ArrayLike<number>,
  options?: { backend?: Backend; threads?: Threads; out?: Float32Array },
): Float32Array {
  const fn = "decodeFloat";
  const o = checkOptions(fn, "options", options, ["backend", "threads", "out"]);
  const format = checkDType(fn, "dtype", dtype, FLOAT_DTYPES);
  const codes = codesOf(fn, format, bits);
  const out = outputArray(fn, o.out, Float32Array, codes.length);
  const kernels = kernelsForOptions(fn, o);
  // Stryker disable next-line ConditionalExpression: the general codec gives the same bits; the kernels' half codec is only faster
  if (isHalf(format.name)) {
    kernels.decodeHalf(
      format.name,
      codes instanceof Uint16Array ? codes : Uint16Array.from(codes),
      out,
    );
  } else {
    decodeFloats(format, codes, out);
  }
  return out;
}

// Stryker disable all: which path a half format takes (the general codec gives the same bits; the kernels' half codec is only faster)
function isHalf(name: FloatDType): name is HalfDType {
  return name === "float16" || name === "bfloat16";
}
// Stryker restore all

/**
 * Rounds values to a low-precision float format and returns what the format stores, as float32:
 * `decodeFloat(dtype, encodeFloat(dtype, values, options))` in one pass.
 *
 * Same rounding, inputs, options and errors as `encodeFloat`; NaN stays NaN.
 *
 * @throws {TypeError} as `encodeFloat`.
 * @throws {RangeError} as `encodeFloat`.
 *
 * @example
 * roundToFloat("bfloat16", [1.00390625, 1.01171875, 70000])
 * // => Float32Array [ 1, 1.015625, 70144 ]
 */
export function roundToFloat(
  dtype: FloatDType,
  values: readonly number[] | Float32Array | Float64Array,
  options?: EncodeFloatOptions,
): Float32Array {
  const fn = "roundToFloat";
  const format = checkDType(fn, "dtype", dtype, FLOAT_DTYPES);
  const src = float32BitsOf(fn, values);
  const rule = castRule(fn, format, src, options);
  const out = new Float32Array(src.length);
  roundFloats(format, src, rule, out);
  return out;
}
