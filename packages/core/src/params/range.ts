import type { IntegerDType, IntegerFormat } from "../dtypes/table.js";
import { roundHalfEven } from "../kernels/rounding.js";
import type { TensorLike } from "../tensor.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkBoolean, checkOptions } from "../validate/options.js";
import { toFloat32 } from "../validate/tensor.js";

/** `"symmetric"`: zero maps to the middle code. `"affine"`: the range [min, max] fills every code. */
export type Scheme = "symmetric" | "affine";

/** Per-tensor parameters computed from data. */
export interface TensorParams {
  readonly dtype: IntegerDType;
  readonly scale: number;
  readonly zeroPoint: number;
}

export interface RangeOptions {
  readonly dtype?: IntegerDType;
  readonly scheme?: Scheme;
  /** Use one bit less of range, as PyTorch's `reduce_range` (int8 [-64, 63], uint8 [0, 127]). */
  readonly reduceRange?: boolean;
  /** Symmetric signed only: drop the most negative code, e.g. int8 [-127, 127]. */
  readonly restricted?: boolean;
}

/** PyTorch's observer epsilon, `torch.finfo(torch.float32).eps`: the smallest scale it returns. */
export const OBSERVER_EPS = 2 ** -23;

/** The codes a scheme may use: the dtype's range, reduced or restricted as asked. */
export function codeRange(
  fn: string,
  format: IntegerFormat,
  options: Pick<RangeOptions, "reduceRange" | "restricted">,
): [number, number] {
  let { min, max } = format;
  const reduceRange = checkBoolean(fn, "options.reduceRange", options.reduceRange, false);
  const restricted = checkBoolean(fn, "options.restricted", options.restricted, false);
  if (reduceRange && format.bits !== 8) {
    // PyTorch reduces the range of its 8-bit observers only (for fbgemm's 8-bit kernels); for other
    // widths it ignores the flag, which quantlab refuses to do silently.
    throw rangeError(
      fn,
      "options.reduceRange",
      `false for ${format.name} (it applies to 8-bit dtypes)`,
      true,
    );
  }
  if (reduceRange) {
    min = format.signed ? -(2 ** (format.bits - 2)) : 0;
    max = format.signed ? 2 ** (format.bits - 2) - 1 : 2 ** (format.bits - 1) - 1;
  }
  if (restricted) {
    if (!format.signed) {
      throw rangeError(fn, "options.restricted", `false for the unsigned ${format.name}`, true);
    }
    min = -max;
  }
  return [min, max];
}

/**
 * Scale and zero point for the range [min, max], exactly as PyTorch's observers compute them
 * (`_calculate_qparams`), in float32:
 * - the range is first widened to include 0: `lo = min(min, 0)`, `hi = max(max, 0)`;
 * - symmetric: `s = max(|lo|, hi) / ((qmax - qmin) / 2)`, `zp = 0` (signed) or the middle code
 *   `2^(bits-1)` (unsigned, 128 for uint8, as PyTorch);
 * - affine: `s = (hi - lo) / (qmax - qmin)`, `zp = clamp(qmin - rint(lo / s), qmin, qmax)`;
 * - `s` is at least {@link OBSERVER_EPS}.
 *
 * @throws {RangeError} when min or max is not finite, or min > max.
 * @example
 * qparamsFromRange(-1, 3, { dtype: "uint8", scheme: "affine" })
 * // => { dtype: "uint8", scale: 0.01568627543747425, zeroPoint: 64 }
 */
export function qparamsFromRange(min: number, max: number, options?: RangeOptions): TensorParams {
  const fn = "qparamsFromRange";
  checkBound(fn, "min", min);
  checkBound(fn, "max", max);
  if (min > max) throw rangeError(fn, "max", `>= min (${min})`, max);
  const o = checkOptions(fn, "options", options, ["dtype", "scheme", "reduceRange", "restricted"]);
  const format = checkDType(fn, "options.dtype", o.dtype ?? "int8");
  const scheme = checkScheme(fn, o.scheme ?? "affine");
  const [qmin, qmax] = codeRange(fn, format, o);
  return rangeToParams(format, scheme, qmin, qmax, Math.fround(min), Math.fround(max));
}

/** The formulas of {@link qparamsFromRange}, without validation. */
export function rangeToParams(
  format: IntegerFormat,
  scheme: Scheme,
  qmin: number,
  qmax: number,
  min: number,
  max: number,
): TensorParams {
  const fround = Math.fround;
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (scheme === "symmetric") {
    const amax = Math.max(-lo, hi);
    const scale = Math.max(fround(amax / fround((qmax - qmin) / 2)), OBSERVER_EPS);
    const zeroPoint = format.signed ? 0 : 2 ** (format.bits - 1);
    return { dtype: format.name, scale, zeroPoint };
  }
  const scale = Math.max(fround(fround(hi - lo) / (qmax - qmin)), OBSERVER_EPS);
  const zeroPoint = qmin - roundHalfEven(fround(lo / scale));
  return {
    dtype: format.name,
    scale,
    zeroPoint: Math.min(Math.max(zeroPoint, qmin), qmax),
  };
}

function checkBound(fn: string, arg: string, value: unknown): void {
  if (typeof value !== "number") throw typeError(fn, arg, "a number", value);
  if (!Number.isFinite(value)) throw rangeError(fn, arg, "a finite number", value);
}

export function checkScheme(fn: string, value: unknown): Scheme {
  if (value !== "symmetric" && value !== "affine") {
    const expected = 'one of "symmetric", "affine"';
    if (typeof value !== "string") throw typeError(fn, "options.scheme", expected, value);
    throw rangeError(fn, "options.scheme", expected, value);
  }
  return value;
}

/**
 * The smallest and largest of `values`, NaN passed over: `[Infinity, -Infinity]` when there is no
 * other value. No validation (a plain loop: the figures and the per-tensor range use it).
 *
 * @example
 * extent([3, -1, NaN, 2])
 * // => [-1, 3]
 */
export function extent(values: ArrayLike<number>): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}

/** Minimum and maximum of float32 data; rejects empty tensors, NaN and infinities. */
export function finiteExtent(fn: string, arg: string, data: Float32Array): [number, number] {
  if (data.length === 0) throw rangeError(fn, arg, "a non-empty tensor", data, "an empty tensor");
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) throw rangeError(fn, `${arg}[${i}]`, "a finite number", v);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/**
 * The source post's "simple scaling": `s = (max(x) - min(x)) / (qmax - qmin)` in float32 and
 * zero point 0. The range is not widened to include 0, so data not centred on zero clips: for
 * x in [2, 10] and int8, s = 8/255 and 10 / s = 318.75 saturates to 127.
 *
 * @throws {RangeError} for an empty tensor, NaN or ±Infinity in `x`, or max(x) = min(x) (scale 0).
 * @example
 * minMaxScaling([-10, -5, 0, 5, 10])
 * // => { dtype: "int8", scale: 0.0784313753247261, zeroPoint: 0 }
 */
export function minMaxScaling(x: TensorLike, options?: { dtype?: IntegerDType }): TensorParams {
  const fn = "minMaxScaling";
  const o = checkOptions(fn, "options", options, ["dtype"]);
  const format = checkDType(fn, "options.dtype", o.dtype ?? "int8");
  const [min, max] = finiteExtent(fn, "x", toFloat32(fn, "x", x).data);
  const scale = Math.fround(Math.fround(max - min) / (format.max - format.min));
  if (scale === 0) throw rangeError(fn, "x", "values with max(x) > min(x)", x, `all values ${min}`);
  return { dtype: format.name, scale, zeroPoint: 0 };
}

/**
 * Symmetric parameters from data, as PyTorch's MinMaxObserver with `qscheme=per_tensor_symmetric`:
 * `s = max(|min(x, 0)|, max(x, 0)) / ((qmax - qmin) / 2)`, zero point 0 (signed) or 128 (uint8).
 * With `restricted: true` (int8 [-127, 127]) the divisor is 127, so +amax and -amax both land
 * exactly on a code.
 *
 * @throws {RangeError} for an empty tensor, NaN or ±Infinity in `x`, or `restricted` with an
 *   unsigned dtype.
 * @example
 * symmetricParams([-10, -5, 0, 5, 10], { restricted: true })
 * // => { dtype: "int8", scale: 0.07874015718698502, zeroPoint: 0 }
 */
export function symmetricParams(
  x: TensorLike,
  options?: Omit<RangeOptions, "scheme">,
): TensorParams {
  const fn = "symmetricParams";
  const o = checkOptions(fn, "options", options, ["dtype", "reduceRange", "restricted"]);
  return paramsFromData(fn, x, { ...o, scheme: "symmetric" });
}

/**
 * Affine parameters from data, as PyTorch's MinMaxObserver with `qscheme=per_tensor_affine`:
 * `s = (max(x, 0) - min(x, 0)) / (qmax - qmin)`, `zp = qmin - rint(min(x, 0) / s)`. Zero is
 * always exactly representable: it is the code `zp`.
 *
 * @throws {RangeError} for an empty tensor, NaN or ±Infinity in `x`.
 * @example
 * affineParams([0, 1, 2, 6], { dtype: "uint8" })
 * // => { dtype: "uint8", scale: 0.0235294122248888, zeroPoint: 0 }
 */
export function affineParams(
  x: TensorLike,
  options?: Omit<RangeOptions, "scheme" | "restricted">,
): TensorParams {
  const fn = "affineParams";
  const o = checkOptions(fn, "options", options, ["dtype", "reduceRange"]);
  return paramsFromData(fn, x, { ...o, scheme: "affine" });
}

function paramsFromData(fn: string, x: TensorLike, options: RangeOptions): TensorParams {
  const format = checkDType(fn, "options.dtype", options.dtype ?? "int8");
  const [qmin, qmax] = codeRange(fn, format, options);
  const [min, max] = finiteExtent(fn, "x", toFloat32(fn, "x", x).data);
  return rangeToParams(format, options.scheme as Scheme, qmin, qmax, min, max);
}
