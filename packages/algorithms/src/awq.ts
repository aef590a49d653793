/**
 * AWQ (Lin, Tang, Tang, Yang, Dang, Gan, Han 2023, "AWQ: Activation-aware Weight Quantization for
 * LLM Compression and Acceleration"): scale each input channel of a weight up by how large its
 * activations are, so that rounding hurts the salient channels less, then round to nearest; the
 * inverse scales go into the layer's input (the previous op).
 */
import { dequantizeGgml, type GgmlTensor, type GgmlType, quantizeGgml } from "@quantlab/core";
import { rangeError } from "@quantlab/core/validate";
import { OutputError } from "./error.js";
import {
  GRID_KEYS,
  type GridCodes,
  type GridOptions,
  type QuantizedWeight,
  quantizedWeight,
  readGrid,
  roundToGridCodes,
} from "./grid.js";
import { type Matrix, readCalibration, readInteger, readMatrix, readOptions } from "./matrix.js";

/** Options of {@link awq}. */
export interface AwqOptions extends GridOptions {
  /** Exponents tried: α = i / grid for i = 0 .. grid − 1, as llm-awq's `n_grid` (default 20). */
  readonly grid?: number;
  /**
   * Round the scaled weight to this ggml block format (core's `quantizeGgml`) instead of the
   * integer grid of `bits` / `groupSize`; the row length must be a multiple of its block size.
   */
  readonly ggml?: GgmlType;
  /** Called after each exponent with the ones done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** {@link awq}'s result. */
export interface AwqResult {
  /** Per input channel `s`: the weight's column j was multiplied by `s[j]`; divide input j by it. */
  readonly scales: Float32Array;
  /** The exponent chosen (0: plain round-to-nearest won). */
  readonly alpha: number;
  /** `W · diag(s)`, float32 `[out, in]`: what is quantized. */
  readonly scaledWeight: Float32Array;
  /** The scaled weight on the integer grid (undefined with `ggml`). */
  readonly quantized?: QuantizedWeight;
  /** The scaled weight in the ggml block format (with `ggml`). */
  readonly ggml?: GgmlTensor;
  /** `Q(W · diag(s)) · diag(s)⁻¹`, float32 `[out, in]`: the weight the layer computes with. */
  readonly effective: Float32Array;
  readonly report: {
    readonly alphas: readonly number[];
    /** Relative output error `||XWᵀ − X Ŵᵀ||² / ||XWᵀ||²` at each exponent (the first is RTN's). */
    readonly errors: readonly number[];
  };
}

const AWQ_KEYS = [...GRID_KEYS, "grid", "ggml", "onProgress"];

/**
 * AWQ's scale search for one layer `W` `[out, in]` with calibration inputs `X` `[samples, in]`:
 *
 * - `x̄ⱼ = mean |Xⱼ|` over the samples;
 * - for α = 0, 1/grid, ..., (grid−1)/grid: `s = max(x̄^α, 1e-4)`, normalized by
 *   `sqrt(max(s) · min(s))` (llm-awq's `auto_scale`), then the output error
 *   `||X Wᵀ − (X / s) Q(W · s)ᵀ||²` with Q round-to-nearest on the grid;
 * - the α of least error wins (α = 0 is s = 1, plain RTN, so AWQ never does worse than RTN on
 *   the calibration set).
 *
 * Scales and the scaled weight are float32; errors float64. llm-awq's weight clipping search
 * (`auto_clip`) is not part of this function.
 *
 * @throws {TypeError} for a weight or calibration that is not a matrix, or bad options.
 * @throws {RangeError} for a calibration without the weight's inputs, NaN or ±Infinity in either,
 *   or a row length that the ggml format's block size does not divide.
 * @example
 * const w = { data: [0.9, -0.05, 0.4, 0.02], shape: [1, 4] };
 * const x = { data: [0.1, 5, 0.2, 4, -0.1, 6, 0.1, -5], shape: [2, 4] };
 * awq(w, x, { bits: 2 }).alpha > 0 // => true
 */
export function awq(weight: Matrix, calibration: Matrix, options?: AwqOptions): AwqResult {
  const fn = "awq";
  const w = readMatrix(fn, "weight", weight);
  const x = readCalibration(fn, calibration, w);
  const o = readOptions<AwqOptions>(fn, "options", options, AWQ_KEYS);
  const grid = readGrid(fn, o, w.cols);
  const points = readInteger(fn, "options.grid", o.grid, 1, 1000, 20);
  if (o.ggml !== undefined) {
    // quantizeGgml validates the type name and the row length; call it once up front for the message.
    quantizeGgml(new Float32Array(w.cols), o.ggml, { shape: [1, w.cols] });
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== "function")
    throw rangeError(fn, "options.onProgress", "a function or undefined", o.onProgress);
  const { rows, cols } = w;
  const mean = new Float64Array(cols);
  for (let s = 0; s < x.rows; s++)
    for (let j = 0; j < cols; j++)
      mean[j] = (mean[j] as number) + Math.abs(x.data[s * cols + j] as number);
  for (let j = 0; j < cols; j++) mean[j] = (mean[j] as number) / x.rows;
  const meter = new OutputError(x);
  const energy = meter.squared(Float64Array.from(w.data), rows);

  const candidate = (alpha: number) => {
    const s = new Float32Array(cols);
    let max = 0;
    let min = Number.POSITIVE_INFINITY;
    for (let j = 0; j < cols; j++) {
      const v = Math.max((mean[j] as number) ** alpha, 1e-4);
      s[j] = v;
      if (v > max) max = v;
      if (v < min) min = v;
    }
    const norm = Math.sqrt(max * min);
    for (let j = 0; j < cols; j++) s[j] = (s[j] as number) / norm;
    const scaled = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < cols; j++)
        scaled[r * cols + j] = (w.data[r * cols + j] as number) * (s[j] as number);
    let quantized: GridCodes | undefined;
    let ggml: GgmlTensor | undefined;
    let dq: Float32Array;
    if (o.ggml !== undefined) {
      ggml = quantizeGgml(scaled, o.ggml, { shape: [rows, cols] });
      dq = dequantizeGgml(ggml).data;
    } else {
      quantized = roundToGridCodes(fn, grid, scaled, rows, cols);
      dq = quantized.values;
    }
    const effective = new Float32Array(rows * cols);
    const d = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < cols; j++) {
        const at = r * cols + j;
        effective[at] = (dq[at] as number) / (s[j] as number);
        d[at] = (w.data[at] as number) - (effective[at] as number);
      }
    }
    const error = energy > 0 ? meter.squared(d, rows) / energy : meter.squared(d, rows);
    return { s, scaled, quantized, ggml, effective, error };
  };

  const alphas: number[] = [];
  const errors: number[] = [];
  let best: (ReturnType<typeof candidate> & { alpha: number }) | undefined;
  for (let i = 0; i < points; i++) {
    const alpha = i / points;
    const c = candidate(alpha);
    alphas.push(alpha);
    errors.push(c.error);
    if (best === undefined || c.error < best.error) best = { ...c, alpha };
    o.onProgress?.(i + 1, points);
  }
  const b = best as NonNullable<typeof best>;
  return {
    scales: b.s,
    alpha: b.alpha,
    scaledWeight: b.scaled,
    ...(b.quantized
      ? {
          quantized: quantizedWeight(
            grid,
            b.quantized.codes,
            b.quantized.scale,
            b.quantized.zero,
            rows,
            cols,
          ),
        }
      : {}),
    ...(b.ggml ? { ggml: b.ggml } : {}),
    effective: b.effective,
    report: { alphas, errors },
  };
}
