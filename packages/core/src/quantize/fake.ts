import { kernelsForOptions } from "../backend.js";
import { fakeQuantizeNudgedTensor } from "../kernels/reference.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { checkNoNaN, rangeError, typeError } from "../validate/errors.js";
import { checkBoolean, checkInteger, checkOptions } from "../validate/options.js";
import { outputArray } from "../validate/output.js";
import { checkSemantics, type QuantParams, resolveParams } from "../validate/params.js";
import { toFloat32 } from "../validate/tensor.js";
import { type CodecOptions, dequantizeResolved, quantizeResolved } from "./quantize.js";

/** Options of {@link fakeQuantize}. */
export interface FakeQuantizeOptions extends CodecOptions {
  /** Where to write the values: a Float32Array with one element per input value (may be x itself). */
  readonly out?: Float32Array;
}

/**
 * Quantizes and dequantizes in one step: the float32 values the integer codes stand for, as a
 * quantization-aware training graph sees them. `fakeQuantize(x, p)` equals
 * `dequantize(quantize(x, p))` bit for bit, with the same semantics (`"onnx"` by default); per
 * tensor it runs as one pass without storing the codes.
 *
 * @throws {TypeError} and {RangeError} as {@link quantize}.
 * @example
 * fakeQuantize([0.26, -1], { dtype: "int8", scale: 0.5 }).data
 * // => Float32Array [ 0.5, -1 ]
 */
export function fakeQuantize(
  x: TensorLike,
  params: QuantParams,
  options?: FakeQuantizeOptions,
): Tensor<Float32Array> {
  const fn = "fakeQuantize";
  const o = checkOptions(fn, "options", options, [
    "semantics",
    "shape",
    "backend",
    "threads",
    "out",
  ]);
  const semantics = checkSemantics(fn, o.semantics);
  const kernels = kernelsForOptions(fn, o);
  const input = toFloat32(fn, "x", x, o.shape);
  const resolved = resolveParams(fn, params, input.shape, semantics);
  const { format, scales, zeroPoints } = resolved;
  const out = outputArray(fn, o.out, Float32Array, input.data.length);
  // Stryker disable next-line ConditionalExpression: per tensor, the codes path gives the same bits (and NaN error); the one-pass kernel is only faster
  if (resolved.layout !== undefined) {
    const codes = new format.storage(input.data.length);
    quantizeResolved(fn, kernels, semantics, input.data, resolved, codes);
    dequantizeResolved(kernels, semantics, codes, resolved, out);
    return { data: out, shape: input.shape };
  }
  const scale = scales[0] as number;
  const nan = kernels.fakeQuantizeTensor(
    semantics,
    input.data,
    scale,
    zeroPoints[0] as number,
    format.min,
    format.max,
    out,
  );
  checkNoNaN(fn, nan);
  return { data: out, shape: input.shape };
}

export interface NudgedOptions {
  /** Default -6, as TensorFlow. Must be <= 0. */
  readonly min?: number;
  /** Default 6. Must be >= 0 and > min. */
  readonly max?: number;
  /** 2 to 16; default 8. */
  readonly numBits?: number;
  /** Use codes [1, 2^bits - 1] instead of [0, 2^bits - 1]. */
  readonly narrowRange?: boolean;
}

/** The range TensorFlow actually quantizes to: [min, max] moved so that 0 is a level. */
export interface NudgedRange {
  readonly nudgedMin: number;
  readonly nudgedMax: number;
  readonly scale: number;
  readonly zeroPoint: number;
}

/**
 * TensorFlow's nudging (`Nudge` in fake_quant_ops_functor.h), in float32: with
 * `s = (max - min) / (qmax - qmin)`, the zero point `qmin - min / s` is rounded half away from zero
 * (and clamped to [qmin, qmax]), then the range is moved to `[(qmin - zp) s, (qmax - zp) s]`, so
 * that 0 is exactly a level. qmin is 1 with `narrowRange`, else 0; qmax is 2^numBits - 1.
 *
 * @throws {RangeError} unless min <= 0 <= max, min < max, both finite, and numBits in [2, 16].
 * @example
 * nudgedRange({ min: -0.1, max: 63.65 })
 * // => { nudgedMin: 0, nudgedMax: 63.75, scale: 0.25, zeroPoint: 0 }
 */
export function nudgedRange(options?: NudgedOptions): NudgedRange {
  const { nudgedMin, nudgedMax, scale, zeroPoint } = nudge("nudgedRange", options);
  return { nudgedMin, nudgedMax, scale, zeroPoint };
}

function nudge(
  fn: string,
  options: NudgedOptions | undefined,
): NudgedRange & { inverseScale: number } {
  const o = checkOptions(fn, "options", options, ["min", "max", "numBits", "narrowRange"]);
  for (const key of ["min", "max"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "number") {
      throw typeError(fn, `options.${key}`, "a number", o[key]);
    }
  }
  const fround = Math.fround;
  const min = fround(o.min ?? -6);
  const max = fround(o.max ?? 6);
  const numBits = checkInteger(fn, "options.numBits", o.numBits, 8, 2, 16);
  const narrowRange = checkBoolean(fn, "options.narrowRange", o.narrowRange, false);
  if (!(min <= 0) || !Number.isFinite(min))
    throw rangeError(fn, "options.min", "a finite number <= 0", o.min);
  if (!(max >= 0) || !Number.isFinite(max))
    throw rangeError(fn, "options.max", "a finite number >= 0", o.max);
  if (!(min < max)) throw rangeError(fn, "options.max", `> min (${min})`, o.max);
  const qmin = narrowRange ? 1 : 0;
  const qmax = 2 ** numBits - 1;
  const scale = fround(fround(max - min) / (qmax - qmin));
  const inverseScale = fround((qmax - qmin) / fround(max - min));
  const zeroFromMin = fround(qmin - fround(min / scale));
  // TensorFlow's clamps: min <= 0 < s makes zeroFromMin >= qmin; it passes qmax when s is a
  // subnormal rounded far down.
  const zeroPoint =
    // Stryker disable next-line ConditionalExpression,EqualityOperator: zeroFromMin < qmin never holds (min <= 0 < s); at qmin both branches give qmin
    zeroFromMin < qmin
      ? qmin
      : // Stryker disable next-line EqualityOperator: at zeroFromMin = qmax both branches give qmax
        zeroFromMin > qmax
        ? qmax
        : Math.sign(zeroFromMin) * Math.round(Math.abs(zeroFromMin));
  return {
    nudgedMin: fround((qmin - zeroPoint) * scale),
    nudgedMax: fround((qmax - zeroPoint) * scale),
    scale,
    zeroPoint,
    inverseScale,
  };
}

/**
 * TensorFlow's `fake_quant_with_min_max_args`: clamps x to the nudged range (see {@link nudgedRange})
 * and rounds it to the nearest level, ties upward (`floor(v + 0.5)`), in float32. Zero is always
 * exactly representable. NaN propagates as NaN, as in TensorFlow.
 *
 * @throws {RangeError} for a bad range or bit width (see {@link nudgedRange}).
 * @example
 * fakeQuantizeNudged([-10.1, -9.9, -9.75, 53.8], { min: -10, max: 53.75 }).data
 * // => Float32Array [ -10, -10, -9.75, 53.75 ]
 */
export function fakeQuantizeNudged(
  x: TensorLike,
  options?: NudgedOptions,
): Tensor<Float32Array> & NudgedRange {
  const fn = "fakeQuantizeNudged";
  const input = toFloat32(fn, "x", x);
  const range = nudge(fn, options);
  const out = new Float32Array(input.data.length);
  const quantZero = Math.floor(
    Math.fround(Math.fround(-range.nudgedMin * range.inverseScale) + 0.5),
  );
  fakeQuantizeNudgedTensor(
    input.data,
    range.nudgedMin,
    range.nudgedMax,
    range.scale,
    range.inverseScale,
    quantZero,
    out,
  );
  const { nudgedMin, nudgedMax, scale, zeroPoint } = range;
  return { data: out, shape: input.shape, nudgedMin, nudgedMax, scale, zeroPoint };
}
