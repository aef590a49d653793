/**
 * Requantization as onnxruntime computes it: a float32 multiplier (a_scale · b_scale / y_scale,
 * each step in float32) and a float32 product rounded half to even. gemmlowp and TFLite use a
 * fixed-point multiplier instead (`requantize`); the two differ by one code near half-integers.
 */
import { INT8_DTYPES, type Int8DType } from "../dtypes/table.js";
import * as kernel from "../kernels/requantize-float32.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkOptions } from "../validate/options.js";

/** Options of {@link requantizeFloat32}. */
export interface RequantizeFloat32Options {
  /**
   * The real multiplier, rounded to float32: one for every accumulator, or one per column, the
   * accumulators then being rows of `multiplier.length` (a per-channel weight scale).
   */
  readonly multiplier: number | ArrayLike<number>;
  /** Added after rounding; an integer in the dtype's range. */
  readonly outputZeroPoint: number;
  /** `"int8"` (default) or `"uint8"`. */
  readonly dtype?: Int8DType;
}

const MULTIPLIER = "a finite number whose float32 is > 0";

function checkScale(fn: string, arg: string, value: unknown): number {
  if (typeof value !== "number") throw typeError(fn, arg, MULTIPLIER, value);
  const v = Math.fround(value);
  if (!(v > 0 && v < Number.POSITIVE_INFINITY)) throw rangeError(fn, arg, MULTIPLIER, value);
  return v;
}

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return (
    Array.isArray(value) ||
    (ArrayBuffer.isView(value) &&
      !(value instanceof DataView) &&
      !(value instanceof BigInt64Array) &&
      !(value instanceof BigUint64Array))
  );
}

/** Reads one scale, or a non-empty array of them, as float32. */
function readScales(fn: string, arg: string, value: unknown): Float32Array {
  if (typeof value === "number") return Float32Array.of(checkScale(fn, arg, value));
  if (!isArrayLike(value)) {
    throw typeError(fn, arg, `${MULTIPLIER}, or a non-empty array of them`, value);
  }
  if (value.length === 0) throw rangeError(fn, arg, "a non-empty array", value);
  const out = new Float32Array(value.length);
  for (let i = 0; i < value.length; i++) out[i] = checkScale(fn, `${arg}[${i}]`, value[i]);
  return out;
}

/**
 * The requantization multiplier of onnxruntime's QLinearMatMul: `aScale · bScale / yScale` with
 * every step in float32, `fround(fround(aScale · bScale) / yScale)`, the order its kernel uses.
 *
 * With a per-column `bScale` (an array: one weight scale per output channel) it returns one
 * multiplier per column. A float64 `aScale · bScale / yScale` can differ from it in the last bit
 * of the float32, and then, for an accumulator whose product lies near a half-integer, by one code.
 *
 * @param aScale - the scale of the input `a`, a finite number > 0 (rounded to float32)
 * @param bScale - the scale of `b`: one, or one per column
 * @param yScale - the scale of the output
 * @throws {TypeError} if a scale is not a number (or `bScale` not a number or an array)
 * @throws {RangeError} if a scale is not finite and > 0 as a float32, or `bScale` is empty
 * @example
 * qlinearMultiplier(0.5, [0.25, 0.125], 2);
 * // => Float32Array [ 0.0625, 0.03125 ]
 */
export function qlinearMultiplier(aScale: number, bScale: number, yScale: number): number;
export function qlinearMultiplier(
  aScale: number,
  bScale: ArrayLike<number>,
  yScale: number,
): Float32Array;
export function qlinearMultiplier(
  aScale: number,
  bScale: number | ArrayLike<number>,
  yScale: number,
): number | Float32Array;
export function qlinearMultiplier(
  aScale: number,
  bScale: number | ArrayLike<number>,
  yScale: number,
): number | Float32Array {
  const fn = "qlinearMultiplier";
  const a = checkScale(fn, "aScale", aScale);
  const b = readScales(fn, "bScale", bScale);
  const y = checkScale(fn, "yScale", yScale);
  const out = b.map((s) => Math.fround(Math.fround(a * s) / y));
  return typeof bScale === "number" ? (out[0] as number) : out;
}

/**
 * Requantizes int32 accumulators to int8 or uint8 in float32, bit for bit as onnxruntime's CPU
 * kernels (MLAS's `MlasRequantizeOutput`, used by QLinearMatMul and QLinearConv).
 *
 * `q[i] = clamp(rint(fround(fround(acc[i]) · m)), qmin − z, qmax − z) + z`: the accumulator
 * converted to float32 (exact up to 2^24, ties to even beyond), one float32 multiply by the
 * float32 multiplier `m` (`multiplier`, or `multiplier[i mod N]` per column), the bounds
 * `[qmin − z, qmax − z]`, round half to even (the SSE conversion under the default rounding mode),
 * then the zero point `z` added. Each step rounds where float32 does: 2505 times the float32
 * multiplier 0.1 (0.100000001490116) is 250.5000037 exactly, which float32 rounds to 250.5 and
 * then to 250; rounding the exact product (`requantizeFloat`, in float64) gives 251.
 *
 * @param acc - the int32 accumulators, e.g. `matmulInteger(...).data`, row-major [M, N] when the
 *   multiplier is per column
 * @param options - `{ multiplier, outputZeroPoint, dtype? }`; `qlinearMultiplier` makes the
 *   multiplier from the three scales
 * @returns an Int8Array (int8, the default) or a Uint8Array (uint8) of `acc.length`
 * @throws {TypeError} if `acc` is not an Int32Array, `options` not an object, or a value of the
 *   wrong type
 * @throws {RangeError} if a multiplier is not finite and > 0 as a float32, `acc.length` is not a
 *   multiple of the number of multipliers, the zero point is not an integer in the dtype's range,
 *   the dtype is not "int8" or "uint8", or an option key is unknown
 * @example
 * requantizeFloat32(Int32Array.of(25, 35, 2505), { multiplier: 0.1, outputZeroPoint: 0, dtype: "uint8" });
 * // => Uint8Array [ 2, 4, 250 ]
 */
export function requantizeFloat32(
  acc: Int32Array,
  options: RequantizeFloat32Options & { readonly dtype: "uint8" },
): Uint8Array;
export function requantizeFloat32(
  acc: Int32Array,
  options: RequantizeFloat32Options & { readonly dtype?: "int8" },
): Int8Array;
export function requantizeFloat32(
  acc: Int32Array,
  options: RequantizeFloat32Options,
): Int8Array | Uint8Array;
export function requantizeFloat32(
  acc: Int32Array,
  options: RequantizeFloat32Options,
): Int8Array | Uint8Array {
  const fn = "requantizeFloat32";
  if (!(acc instanceof Int32Array)) throw typeError(fn, "acc", "an Int32Array", acc);
  if (options === undefined) {
    throw typeError(fn, "options", "an object { multiplier, outputZeroPoint, dtype? }", options);
  }
  const o = checkOptions(fn, "options", options, ["multiplier", "outputZeroPoint", "dtype"]);
  const multiplier = o.multiplier;
  const zero = o.outputZeroPoint;
  const dtype = o.dtype;
  const multipliers = readScales(fn, "options.multiplier", multiplier);
  if (acc.length % multipliers.length !== 0) {
    throw rangeError(
      fn,
      "options.multiplier",
      `one multiplier, or one per column of acc (a divisor of acc.length ${acc.length})`,
      multiplier,
    );
  }
  const format = checkDType(fn, "options.dtype", dtype ?? "int8", INT8_DTYPES);
  if (typeof zero !== "number") throw typeError(fn, "options.outputZeroPoint", "a number", zero);
  if (!Number.isInteger(zero) || zero < format.min || zero > format.max) {
    throw rangeError(
      fn,
      "options.outputZeroPoint",
      `an integer in [${format.min}, ${format.max}] (${format.name})`,
      zero,
    );
  }
  const out = new format.storage(acc.length) as Int8Array | Uint8Array;
  kernel.requantizeFloat32(acc, multipliers, zero, format.min, format.max, out);
  return out;
}
