/**
 * HQQ (Badri & Shaji 2023, "Half-Quadratic Quantization of Large Machine Learning Models"): no
 * calibration data; the zero point of each group is optimized against an lp-norm (p < 1) of the
 * weight's own quantization error by half-quadratic splitting, as ONNX Runtime's
 * `HQQWeightOnlyQuantizer` (`onnxruntime.quantization.matmul_nbits_quantizer`, from the official
 * implementation) does it, in float32.
 */

import type { QuantizedTensor } from "@quantlab/core";
import { checkBoolean } from "@quantlab/core/validate";
import { codeDType, quantizedWeight, rint } from "./grid.js";
import { type Matrix, readInteger, readMatrix, readNumber, readOptions } from "./matrix.js";

/** Options of {@link hqq}. */
export interface HqqOptions {
  /** Bits per code, 2 to 8 (default 4). */
  readonly bits?: number;
  /** Inputs per group along a row (default 64, ORT's `quantize_internal` default). */
  readonly groupSize?: number;
  /** The p of the lp-norm (default 0.7). */
  readonly lpNorm?: number;
  /** The penalty's start (default 10) and growth per iteration (default 1.01). */
  readonly beta?: number;
  readonly kappa?: number;
  /** At most this many iterations (default 20); they stop early when the mean error grows. */
  readonly iterations?: number;
  /** Optimize the zero points (default true); false leaves the min-max grid. */
  readonly optimize?: boolean;
  /**
   * Round the optimized zero points to integers and requantize, so that the result is core's
   * `QuantizedTensor` (ORT keeps them as floats, for MatMulNBits). Default false.
   */
  readonly integerZeroPoint?: boolean;
}

/** {@link hqq}'s result: uint codes with a float scale and zero point per group. */
export interface HqqResult {
  readonly shape: readonly [number, number];
  readonly bits: number;
  readonly groupSize: number;
  /** Codes in [0, 2^bits − 1], `[out, in]`. */
  readonly codes: Uint8Array;
  /** Per group `[out, groups]`: the step (ORT's stored `scales`, `1 / inverse scale`). */
  readonly scale: Float32Array;
  /** Per group `[out, groups]`: the zero point, a float (integers with `integerZeroPoint`). */
  readonly zero: Float32Array;
  /** `(q − zero) · scale` in float32, `[out, in]`. */
  readonly dequantized: Float32Array;
  /** With `integerZeroPoint`: core's QuantizedTensor (`dequantize(tensor)` gives `dequantized`). */
  readonly tensor?: QuantizedTensor;
  readonly report: {
    /** Iterations run, and the mean |w − ŵ| over the weight before each zero-point update. */
    readonly iterations: number;
    readonly errors: readonly number[];
  };
}

const HQQ_KEYS = [
  "bits",
  "groupSize",
  "lpNorm",
  "beta",
  "kappa",
  "iterations",
  "optimize",
  "integerZeroPoint",
];

const f = Math.fround;

/**
 * HQQ of a weight `[out, in]`, groups of `groupSize` consecutive inputs of a row, asymmetric
 * `bits`-bit codes. ORT's `quantize_internal` + `optimize_weights`, every step in float32:
 *
 * - per group: `inv = min((2^bits − 1) / (max − min), 2e4)` (1 when max = min), computed as torch
 *   computes a number over a tensor, `fround(fround(1 / (max − min)) · (2^bits − 1))`, and
 *   `zero = rint(−min · inv)`;
 * - each iteration, for the whole weight: `q = clamp(rint(w·inv + zero), 0, 2^bits − 1)`,
 *   `ŵ = (q − zero) / inv`, `e = shrink(w − ŵ)` with the lp shrinkage
 *   `sign(x)·relu(|x| − β⁻¹·(|x| + 1e-8)^(p−1))`, then `zero = mean(q − (w − e)·inv)` per group
 *   and `β ← κβ`; it stops after the iteration whose mean |w − ŵ| (before its update) did not
 *   improve, keeping that update, as ORT does;
 * - codes `clamp(rint(w·inv + zero))`, stored scale `1 / inv`.
 *
 * Means are summed in float64 and rounded to float32 (torch sums float32 in its own order: the
 * zero points may differ from ORT's in the last bits; see the package README for the measured
 * margin). A partial last group (in not a multiple of groupSize) holds its own values; ORT pads
 * the row with zeros instead.
 *
 * @throws {TypeError} for a weight that is not a matrix, or options of the wrong type.
 * @throws {RangeError} for NaN or ±Infinity in the weight, or options out of range.
 * @example
 * const w = { data: [-1, -0.2, 0.1, 0.3, 0.5, 0.6, 0.8, 1], shape: [1, 8] };
 * const q = hqq(w, { bits: 2, groupSize: 8 });
 * Array.from(q.codes) // => [0, 2, 2, 2, 3, 3, 3, 3]
 */
export function hqq(weight: Matrix, options?: HqqOptions): HqqResult {
  const fn = "hqq";
  const w = readMatrix(fn, "weight", weight);
  const o = readOptions<HqqOptions>(fn, "options", options, HQQ_KEYS);
  const bits = readInteger(fn, "options.bits", o.bits, 2, 8, 4);
  const groupSize = Math.min(
    readInteger(fn, "options.groupSize", o.groupSize, 1, 2 ** 31, 64),
    w.cols,
  );
  const lpNorm = readNumber(fn, "options.lpNorm", o.lpNorm, 1e-6, 1, 0.7);
  let beta = readNumber(fn, "options.beta", o.beta, 1e-12, 1e12, 10);
  const kappa = readNumber(fn, "options.kappa", o.kappa, 1, 1e6, 1.01);
  const iterations = readInteger(fn, "options.iterations", o.iterations, 0, 100000, 20);
  const optimize = checkBoolean(fn, "options.optimize", o.optimize, true);
  const integerZeroPoint = checkBoolean(fn, "options.integerZeroPoint", o.integerZeroPoint, false);
  const { rows, cols } = w;
  const groups = Math.ceil(cols / groupSize);
  const maxq = 2 ** bits - 1;
  const data = Float32Array.from(w.data);
  const inv = new Float32Array(rows * groups);
  const zero = new Float32Array(rows * groups);
  const groupOf = (c: number) => Math.floor(c / groupSize);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groups; g++) {
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let c = g * groupSize; c < Math.min(cols, (g + 1) * groupSize); c++) {
        const v = data[r * cols + c] as number;
        if (v < min) min = v;
        if (v > max) max = v;
      }
      // ORT writes `max_v / (max - min)`: torch computes a scalar over a tensor as
      // `reciprocal(t) * scalar`, two float32 roundings (a division would differ by an ulp).
      const range = f(max - min);
      const s = Math.min(f(f(1 / (range === 0 ? maxq : range)) * maxq), 2e4);
      inv[r * groups + g] = s;
      zero[r * groups + g] = rint(f(-min * s));
    }
  }
  const codeAt = (at: number, r: number, c: number) => {
    const g = r * groups + groupOf(c);
    const q = rint(f(f((data[at] as number) * (inv[g] as number)) + (zero[g] as number)));
    return q < 0 ? 0 : Math.min(q, maxq);
  };
  const errors: number[] = [];
  if (optimize) {
    const shrinkPower = f(lpNorm - 1);
    const eps = f(1e-8);
    const sums = new Float64Array(rows * groups);
    const counts = new Float64Array(rows * groups);
    let best = 1e4;
    for (let it = 0; it < iterations; it++) {
      sums.fill(0);
      counts.fill(0);
      const t = f(1 / beta);
      let total = 0;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < cols; c++) {
          const at = r * cols + c;
          const g = r * groups + groupOf(c);
          const s = inv[g] as number;
          const z = zero[g] as number;
          const x = data[at] as number;
          const q = codeAt(at, r, c);
          const wr = f(f(q - z) / s);
          const diff = f(x - wr);
          total += Math.abs(diff);
          const ax = Math.abs(diff);
          const shrunk = Math.max(f(ax - f(t * f(f(ax + eps) ** shrinkPower))), 0);
          const we = diff < 0 ? -shrunk : diff > 0 ? shrunk : 0;
          sums[g] = (sums[g] as number) + f(q - f(f(x - we) * s));
          counts[g] = (counts[g] as number) + 1;
        }
      }
      for (let g = 0; g < sums.length; g++)
        zero[g] = f((sums[g] as number) / (counts[g] as number));
      beta *= kappa;
      const error = f(total / (rows * cols));
      errors.push(error);
      if (error < best) best = error;
      else break;
    }
  }
  if (integerZeroPoint)
    for (let g = 0; g < zero.length; g++)
      zero[g] = Math.min(maxq, Math.max(0, rint(zero[g] as number)));
  const codes = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) codes[r * cols + c] = codeAt(r * cols + c, r, c);
  const scale = new Float32Array(rows * groups);
  for (let g = 0; g < scale.length; g++) scale[g] = f(1 / (inv[g] as number));
  const dequantized = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const g = r * groups + groupOf(c);
      dequantized[r * cols + c] = f(
        f((codes[r * cols + c] as number) - (zero[g] as number)) * (scale[g] as number),
      );
    }
  }
  let tensor: QuantizedTensor | undefined;
  if (integerZeroPoint) {
    const grid = {
      bits,
      maxq,
      groupSize,
      groups,
      rowStride: groups,
      perTensor: false,
      symmetric: false,
      dtype: codeDType(bits),
    };
    const q = quantizedWeight(grid, codes, scale, Int32Array.from(zero), rows, cols);
    // The same values: core's ONNX dequantize is fround(fround(q − zp) · scale) too.
    tensor = q.tensor;
  }
  return {
    shape: [rows, cols],
    bits,
    groupSize,
    codes,
    scale,
    zero,
    dequantized,
    ...(tensor ? { tensor } : {}),
    report: { iterations: errors.length, errors },
  };
}
