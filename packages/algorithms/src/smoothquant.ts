/**
 * SmoothQuant (Xiao, Lin, Seznec, Wu, Demouth, Han 2022, "SmoothQuant: Accurate and Efficient
 * Post-Training Quantization for Large Language Models"): divide each input channel of a layer's
 * activations by `s_j` and multiply the weight's column by it, so that activation outliers move
 * into the weights, which quantize per output channel, before W8A8 quantization.
 */
import { rangeError } from "@quantlab/core/validate";
import { type Matrix, readCalibration, readMatrix, readNumber, readOptions } from "./matrix.js";

/** Options of {@link smoothQuant}. */
export interface SmoothQuantOptions {
  /** Migration strength α in [0, 1] (default 0.5, the paper's). */
  readonly alpha?: number;
}

/** {@link smoothQuant}'s result. */
export interface SmoothQuantResult {
  /** `s_j` per input channel: divide the layer's input j by it (fold it into the previous op). */
  readonly scales: Float32Array;
  /** `W · diag(s)`, float32 `[out, in]`. */
  readonly smoothedWeight: Float32Array;
  /** `max |X_j|` over the calibration samples, per input channel. */
  readonly activationMax: Float32Array;
  /** `max |W_j|` over the output channels, per input channel. */
  readonly weightMax: Float32Array;
}

/**
 * SmoothQuant's scales for one layer `W` `[out, in]` from calibration inputs `X` `[samples, in]`:
 * `s_j = max|X_j|^α / max|W_j|^(1−α)`, both maxima clamped below at 1e-5 and `s_j` too, as the
 * reference implementation (`smoothquant/smooth.py`) does; float32 scales.
 *
 * @throws {TypeError} for a weight or calibration that is not a matrix, or bad options.
 * @throws {RangeError} for a calibration without the weight's inputs, NaN or ±Infinity, or α
 *   outside [0, 1].
 * @example
 * const w = { data: [1, 1, 1, 1], shape: [2, 2] };
 * const x = { data: [1, 16, -1, 4], shape: [2, 2] };
 * Array.from(smoothQuant(w, x).scales) // => [1, 4]
 */
export function smoothQuant(
  weight: Matrix,
  calibration: Matrix,
  options?: SmoothQuantOptions,
): SmoothQuantResult {
  const fn = "smoothQuant";
  const w = readMatrix(fn, "weight", weight);
  const x = readCalibration(fn, calibration, w);
  const o = readOptions<SmoothQuantOptions>(fn, "options", options, ["alpha"]);
  const alpha = readNumber(fn, "options.alpha", o.alpha, 0, 1, 0.5);
  const { rows, cols } = w;
  const activationMax = new Float32Array(cols);
  for (let s = 0; s < x.rows; s++)
    for (let j = 0; j < cols; j++)
      activationMax[j] = Math.max(
        activationMax[j] as number,
        Math.abs(x.data[s * cols + j] as number),
      );
  const weightMax = new Float32Array(cols);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++)
      weightMax[j] = Math.max(weightMax[j] as number, Math.abs(w.data[r * cols + j] as number));
  const scales = new Float32Array(cols);
  for (let j = 0; j < cols; j++) {
    const a = Math.max(activationMax[j] as number, 1e-5);
    const b = Math.max(weightMax[j] as number, 1e-5);
    scales[j] = Math.max(a ** alpha / b ** (1 - alpha), 1e-5);
    if (!(Number.isFinite(scales[j] as number) && (scales[j] as number) > 0))
      throw rangeError(
        fn,
        "calibration",
        "activations whose scales are finite float32",
        undefined,
        `s[${j}] = ${scales[j]}`,
      );
  }
  const smoothedWeight = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < cols; j++)
      smoothedWeight[r * cols + j] = (w.data[r * cols + j] as number) * (scales[j] as number);
  return { scales, smoothedWeight, activationMax, weightMax };
}
