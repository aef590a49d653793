/**
 * Requantization as gemmlowp and TFLite do it: an int32 accumulator times a real multiplier
 * M = S_in1 * S_in2 / S_out, in fixed point (a Q0.31 significand and a power-of-two shift), then
 * the output zero point, then saturation to 8 bits.
 *
 * Convention (TFLite's `QuantizeMultiplier`): M ~ multiplier * 2^(shift - 31), multiplier an int32
 * in [2^30, 2^31) and `shift` in [-31, 30]; shift > 0 is a left shift of the accumulator,
 * shift < 0 a rounding right shift of the product.
 *
 * Exactness without BigInt: the 64-bit product acc * multiplier needs up to 62 bits, more than the
 * 53 of a double. `srdhm` never forms it: it splits acc into 16-bit halves,
 * acc * multiplier = hi * 2^16 + lo with hi = (acc >> 16) * multiplier (|hi| <= 2^46) and
 * lo = (acc & 0xFFFF) * multiplier (|lo| < 2^47), both exact doubles, then splits hi again at 2^15
 * so that the division by 2^31 only ever sees doubles below 2^48. The tests check it against a
 * BigInt transcription of gemmlowp's C++.
 */

import { INT8_DTYPES, INTEGER_FORMATS, type Int8DType } from "../dtypes/table.js";
import type { QuantizedMultiplier } from "../kernels/integer.js";
import * as kernel from "../kernels/integer.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkKeys, checkOptions } from "../validate/options.js";

export type { QuantizedMultiplier };

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** The largest real multiplier's exclusive bound: above it `shift` would exceed 30. */
const MAX_REAL_MULTIPLIER = 2 ** 30 - 0.25;

// ---------------------------------------------------------------------------------------------
// Kernels: int32 in, int32 out, no validation.

// ---------------------------------------------------------------------------------------------
// Validation helpers.

function checkInteger(
  fn: string,
  arg: string,
  value: unknown,
  min: number,
  max: number,
  what = "",
): number {
  if (typeof value !== "number") throw typeError(fn, arg, "a number", value);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(fn, arg, `an integer in [${min}, ${max}]${what}`, value);
  }
  return value;
}

function checkInt32(fn: string, arg: string, value: unknown): number {
  return checkInteger(fn, arg, value, INT32_MIN, INT32_MAX, " (int32)");
}

function checkShift(fn: string, arg: string, value: unknown): number {
  return checkInteger(fn, arg, value, -31, 30);
}

function checkRealMultiplier(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number") throw typeError(fn, arg, "a number", value);
  if (!(value > 0 && value < MAX_REAL_MULTIPLIER)) {
    throw rangeError(
      fn,
      arg,
      "a finite number > 0 and < 1073741823.75 (2^30 - 1/4, so that shift <= 30)",
      value,
    );
  }
  return value;
}

function shiftOverflow(fn: string, acc: number, shift: number): RangeError {
  return new RangeError(
    `${fn}(): accumulator ${acc} shifted left by ${shift} leaves the int32 range ` +
      `[${INT32_MIN}, ${INT32_MAX}] (TFLite computes x * (1 << shift) in int32, undefined on overflow).`,
  );
}

// ---------------------------------------------------------------------------------------------
// Public API.

/**
 * Splits a real multiplier into a Q0.31 significand and a power-of-two shift, as TFLite's
 * `QuantizeMultiplier`.
 *
 * `realMultiplier = q * 2^shift` with q in [0.5, 1) (frexp), `multiplier = round(q * 2^31)` rounded
 * half away from zero, so `realMultiplier ~ multiplier * 2^(shift - 31)` with a relative error at
 * most 2^-31. When rounding gives 2^31 (q within 2^-32 of 1), it becomes 2^30 and shift + 1, so
 * `multiplier` is always in [2^30, 2^31). Like TFLite, multipliers so small that shift < -31 (below
 * about 2^-32) are flushed to `{ multiplier: 0, shift: 0 }`, which requantizes everything to the zero
 * point. Multipliers >= 1 give shift > 0 (a left shift of the accumulator), up to shift 30.
 *
 * @param realMultiplier - M = S_in1 * S_in2 / S_out, a finite number in (0, 2^30 - 1/4)
 * @returns `{ multiplier, shift }`
 * @throws {TypeError} if `realMultiplier` is not a number
 * @throws {RangeError} if `realMultiplier` is not finite, <= 0, or so large that shift > 30
 * @example
 * quantizeMultiplier(0.75);
 * // => { multiplier: 1610612736, shift: 0 }
 */
export function quantizeMultiplier(realMultiplier: number): QuantizedMultiplier {
  return kernel.quantizeMultiplier(
    checkRealMultiplier("quantizeMultiplier", "realMultiplier", realMultiplier),
  );
}

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul: the high 32 bits of 2ab, i.e. a * b / 2^31.
 *
 * Rounding: to nearest, ties up (toward +Infinity), as gemmlowp's nudge and C++'s truncating
 * division give: 5 * 2^30 / 2^31 = 2.5 -> 3 and -2.5 -> -2. a = b = -2^31 (2ab = 2^63, out of
 * int64) saturates to 2^31 - 1.
 *
 * @param a - an int32
 * @param b - an int32
 * @throws {TypeError} if `a` or `b` is not a number
 * @throws {RangeError} if `a` or `b` is not an int32 integer
 * @example
 * saturatingRoundingDoublingHighMul(-5, 2 ** 30);
 * // => -2
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  const fn = "saturatingRoundingDoublingHighMul";
  return kernel.saturatingRoundingDoublingHighMul(checkInt32(fn, "a", a), checkInt32(fn, "b", b));
}

/**
 * gemmlowp's RoundingDivideByPOT: x / 2^exponent, rounded to nearest, ties away from zero.
 *
 * `floor(x / 2^e) + (x mod 2^e > ((2^e - 1) >> 1) + (x < 0 ? 1 : 0) ? 1 : 0)`: -5 / 2 = -2.5 -> -3,
 * 5 / 2 = 2.5 -> 3.
 *
 * @param x - an int32
 * @param exponent - an integer in [0, 31]
 * @throws {TypeError} if an argument is not a number
 * @throws {RangeError} if `x` is not an int32 integer or `exponent` not an integer in [0, 31]
 * @example
 * roundingDivideByPOT(-5, 1);
 * // => -3
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const fn = "roundingDivideByPOT";
  return kernel.roundingDivideByPOT(
    checkInt32(fn, "x", x),
    checkInteger(fn, "exponent", exponent, 0, 31),
  );
}

/**
 * Multiplies an int32 accumulator by a fixed-point multiplier, exactly as TFLite's reference
 * `MultiplyByQuantizedMultiplier` (the default, double-rounding one).
 *
 * `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(acc * 2^left, multiplier), right)` with
 * left = max(shift, 0) and right = max(-shift, 0): approximately acc * multiplier * 2^(shift - 31).
 * Two roundings: ties up in the high multiply, then ties away from zero in the shift.
 *
 * @param acc - an int32 accumulator
 * @param multiplier - an int32, normally from `quantizeMultiplier` (in [2^30, 2^31), or 0)
 * @param shift - an integer in [-31, 30]
 * @throws {TypeError} if an argument is not a number
 * @throws {RangeError} if `acc` or `multiplier` is not an int32 integer, `shift` not an integer in
 *   [-31, 30], or `acc * 2^shift` leaves the int32 range for shift > 0 (TFLite's int32 product
 *   would overflow there; it is not wrapped)
 * @example
 * // 1000 * 0.75 / 8 = 93.75: 1610612736 is 0.75 * 2^31, shift -3 divides by 8
 * multiplyByQuantizedMultiplier(1000, 1610612736, -3);
 * // => 94
 */
export function multiplyByQuantizedMultiplier(
  acc: number,
  multiplier: number,
  shift: number,
): number {
  const fn = "multiplyByQuantizedMultiplier";
  checkInt32(fn, "acc", acc);
  checkInt32(fn, "multiplier", multiplier);
  checkShift(fn, "shift", shift);
  const x = acc * 2 ** Math.max(shift, 0);
  if (x < INT32_MIN || x > INT32_MAX) throw shiftOverflow(fn, acc, shift);
  return kernel.roundingDivideByPOT(
    kernel.saturatingRoundingDoublingHighMul(x, multiplier),
    Math.max(-shift, 0),
  );
}

/** Options of `requantize`: the multiplier (fixed-point or real, exactly one), the output format. */
export type RequantizeOptions = (
  | {
      readonly multiplier: QuantizedMultiplier;
      readonly realMultiplier?: undefined;
    }
  | { readonly realMultiplier: number; readonly multiplier?: undefined }
) & {
  /** Added after the fixed-point multiply; an integer in the dtype's range. */
  readonly outputZeroPoint: number;
  /** `"int8"` (default) or `"uint8"`. */
  readonly dtype?: Int8DType;
  /** Clamp bounds (a fused activation), integers in the dtype's range; default the dtype's. */
  readonly min?: number;
  readonly max?: number;
};

/**
 * Requantizes int32 accumulators to int8 or uint8 in fixed point, as TFLite's integer kernels do.
 *
 * `q[i] = clamp(multiplyByQuantizedMultiplier(acc[i], multiplier, shift) + outputZeroPoint, min, max)`:
 * the zero point is added after the fixed-point multiply and its rounding (see
 * `multiplyByQuantizedMultiplier`), then the result saturates to [min, max] (default the dtype's
 * range). Give either `multiplier` (a `{ multiplier, shift }` from `quantizeMultiplier`) or
 * `realMultiplier` (then converted with `quantizeMultiplier`). The zero-point sum is exact (TFLite
 * adds in int32).
 *
 * @param acc - the int32 accumulators, e.g. `matmulInteger(...).data`
 * @param options - `{ multiplier | realMultiplier, outputZeroPoint, dtype?, min?, max? }`
 * @returns an Int8Array (int8) or a Uint8Array (uint8) of `acc.length`
 * @throws {TypeError} if `acc` is not an Int32Array, `options` is not an object, gives both or
 *   neither of `multiplier` and `realMultiplier`, or a value is of the wrong type
 * @throws {RangeError} if the multiplier, shift, real multiplier, zero point, dtype, min or max is out
 *   of range, min > max, or a left shift (shift > 0) takes an accumulator out of int32
 * @example
 * requantize(new Int32Array([-1000, 0, 1000, 100000]), { realMultiplier: 0.0375, outputZeroPoint: -3 });
 * // => Int8Array [ -41, -3, 35, 127 ]
 */
export function requantize(
  acc: Int32Array,
  options: RequantizeOptions & { readonly dtype: "uint8" },
): Uint8Array;
export function requantize(
  acc: Int32Array,
  options: RequantizeOptions & { readonly dtype?: "int8" },
): Int8Array;
export function requantize(acc: Int32Array, options: RequantizeOptions): Int8Array | Uint8Array;
export function requantize(acc: Int32Array, options: RequantizeOptions): Int8Array | Uint8Array {
  const fn = "requantize";
  if (!(acc instanceof Int32Array)) throw typeError(fn, "acc", "an Int32Array", acc);
  if (options === undefined) {
    throw typeError(
      fn,
      "options",
      "an object { multiplier | realMultiplier, outputZeroPoint, ... }",
      options,
    );
  }
  checkOptions(fn, "options", options, [
    "multiplier",
    "realMultiplier",
    "outputZeroPoint",
    "dtype",
    "min",
    "max",
  ]);
  const hasFixed = options.multiplier !== undefined;
  const hasReal = options.realMultiplier !== undefined;
  if (hasFixed === hasReal) {
    throw typeError(
      fn,
      "options",
      "an object with exactly one of 'multiplier' and 'realMultiplier'",
      options,
    );
  }
  let fixed: QuantizedMultiplier;
  if (hasFixed) {
    const m: unknown = options.multiplier;
    if (typeof m !== "object" || m === null) {
      throw typeError(fn, "options.multiplier", "an object { multiplier, shift }", m);
    }
    checkKeys(fn, "options.multiplier", m, ["multiplier", "shift"]);
    const { multiplier, shift } = m as {
      multiplier?: unknown;
      shift?: unknown;
    };
    fixed = {
      multiplier: checkInt32(fn, "options.multiplier.multiplier", multiplier),
      shift: checkShift(fn, "options.multiplier.shift", shift),
    };
  } else {
    fixed = kernel.quantizeMultiplier(
      checkRealMultiplier(fn, "options.realMultiplier", options.realMultiplier),
    );
  }
  const dtype =
    options.dtype === undefined
      ? "int8"
      : checkDType(fn, "options.dtype", options.dtype, INT8_DTYPES).name;
  const format = INTEGER_FORMATS[dtype];
  const zeroPoint = checkInteger(
    fn,
    "options.outputZeroPoint",
    options.outputZeroPoint,
    format.min,
    format.max,
    ` (${dtype})`,
  );
  const min =
    options.min === undefined
      ? format.min
      : checkInteger(fn, "options.min", options.min, format.min, format.max, ` (${dtype})`);
  const max =
    options.max === undefined
      ? format.max
      : checkInteger(fn, "options.max", options.max, min, format.max, ` (${dtype}, >= min)`);

  const out = new format.storage(acc.length) as Int8Array | Uint8Array;
  const bad = kernel.requantize(acc, fixed.multiplier, fixed.shift, zeroPoint, min, max, out);
  if (bad >= 0) throw shiftOverflow(fn, acc[bad], fixed.shift);
  return out;
}

/**
 * The float reference of `requantize`: rounds the real product in float64, no fixed point.
 *
 * `q[i] = clamp(rint(acc[i] * realMultiplier) + outputZeroPoint, dtype min, dtype max)`, the product
 * a float64 multiply (one rounding, exact when the product needs 53 bits or fewer), `rint` ties to
 * even. It differs from `requantize` by at most 1 whenever |acc[i] * realMultiplier| < 2^30 (each
 * is within 1 of the exact product, the float one within 1/2), for three reasons:
 * - ties: float 2.5 -> 2, -1.5 -> -2, -2.5 -> -2, while the fixed point rounds 5 * 0.5 -> 3 and
 *   -3 * 0.5 -> -1 (high multiply, ties up) and -10 * 0.25 -> -3 (shift, ties away from zero);
 * - double rounding: 1 * 0.375 is 0 here but 1 in fixed point (the high multiply gives
 *   round(0.75) = 1, then 1 / 2 = 0.5 rounds away to 1);
 * - the multiplier's own rounding to 31 bits (relative error up to 2^-31), visible for large
 *   accumulators.
 *
 * @param acc - the int32 accumulators
 * @param realMultiplier - a finite number > 0
 * @param outputZeroPoint - an integer in the dtype's range
 * @param dtype - `"int8"` (default) or `"uint8"`
 * @throws {TypeError} if `acc` is not an Int32Array or another argument is of the wrong type
 * @throws {RangeError} if `realMultiplier` is not finite and > 0, the zero point is out of range or
 *   `dtype` is not `"int8"` or `"uint8"`
 * @example
 * requantizeFloat(new Int32Array([5, -3, -10]), 0.5, 0);
 * // => Int8Array [ 2, -2, -5 ]
 */
export function requantizeFloat(
  acc: Int32Array,
  realMultiplier: number,
  outputZeroPoint: number,
  dtype: "uint8",
): Uint8Array;
export function requantizeFloat(
  acc: Int32Array,
  realMultiplier: number,
  outputZeroPoint: number,
  dtype?: "int8",
): Int8Array;
export function requantizeFloat(
  acc: Int32Array,
  realMultiplier: number,
  outputZeroPoint: number,
  dtype?: Int8DType,
): Int8Array | Uint8Array;
export function requantizeFloat(
  acc: Int32Array,
  realMultiplier: number,
  outputZeroPoint: number,
  dtype: Int8DType = "int8",
): Int8Array | Uint8Array {
  const fn = "requantizeFloat";
  if (!(acc instanceof Int32Array)) throw typeError(fn, "acc", "an Int32Array", acc);
  if (typeof realMultiplier !== "number")
    throw typeError(fn, "realMultiplier", "a number", realMultiplier);
  if (!(realMultiplier > 0 && realMultiplier < Number.POSITIVE_INFINITY)) {
    throw rangeError(fn, "realMultiplier", "a finite number > 0", realMultiplier);
  }
  const format = checkDType(fn, "dtype", dtype, INT8_DTYPES);
  checkInteger(fn, "outputZeroPoint", outputZeroPoint, format.min, format.max, ` (${dtype})`);
  const out = new format.storage(acc.length) as Int8Array | Uint8Array;
  kernel.requantizeFloat(acc, realMultiplier, outputZeroPoint, format.min, format.max, out);
  return out;
}
