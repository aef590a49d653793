/**
 * Cross-layer equalization and bias correction (Nagel, van Baalen, Blankevoort, Welling 2019,
 * "Data-Free Quantization Through Weight Equalization and Bias Correction"). Two layers with a
 * ReLU between them compute the same function when output channel i of the first is divided by
 * `s_i > 0` and input channel i of the second multiplied by it (`relu(x / s) = relu(x) / s`).
 * Choosing `s_i` so that both see the same range per channel makes the weights fit one
 * per-tensor grid much better; bias correction then removes the mean shift that rounding leaves.
 */
import { rangeError } from "@quantlab/core/validate";
import {
  type Matrix,
  readInteger,
  readMatrix,
  readNumber,
  readOptions,
  readQuantized,
  readVector,
} from "./matrix.js";

/** A dense (or convolution, flattened to `[out, in·taps]`) layer: weight and optional bias. */
export interface Layer {
  readonly weight: Matrix;
  readonly bias?: ArrayLike<number>;
}

/** A layer as {@link equalize} returns it: float32 weight `[out, in]` and bias. */
export interface EqualizedLayer {
  readonly weight: { readonly data: Float32Array; readonly shape: readonly [number, number] };
  readonly bias?: Float32Array;
}

/** Options of {@link equalize}. */
export interface EqualizeOptions {
  /**
   * Columns of the second weight per channel of the first layer's output (default 1; a
   * convolution `[out, channels, k]` flattened to `[out, channels·k]` has k).
   */
  readonly span?: number;
}

/**
 * Equalizes one pair of layers with a ReLU (or any positively homogeneous function) between
 * them: with `r1_i = max_c |W1[i, c]|` and `r2_i = max |W2[:, i·span .. (i+1)·span)|`,
 * `s_i = sqrt(r1_i / r2_i)` (1 where either range is 0), `W1[i, :] /= s_i`, `b1[i] /= s_i`,
 * `W2[:, i·span + t] *= s_i`. Afterwards both ranges are `sqrt(r1_i · r2_i)`. Float32 results,
 * the scales float32.
 *
 * @throws {TypeError} for weights that are not matrices, or bad options.
 * @throws {RangeError} when the second weight's inputs are not `span` times the first's outputs,
 *   the bias has the wrong length, or a value is NaN or ±Infinity.
 * @example
 * const first = { weight: { data: [4, 0, 0, 1], shape: [2, 2] }, bias: [2, 1] };
 * const second = { weight: { data: [1, 4], shape: [1, 2] } };
 * const { scales } = equalize(first, second);
 * Array.from(scales) // => [2, 0.5]
 */
export function equalize(
  first: Layer,
  second: Layer,
  options?: EqualizeOptions,
): { first: EqualizedLayer; second: EqualizedLayer; scales: Float32Array } {
  const fn = "equalize";
  const o = readOptions<EqualizeOptions>(fn, "options", options, ["span"]);
  const span = readInteger(fn, "options.span", o.span, 1, 2 ** 31, 1);
  const w1 = readMatrix(fn, "first.weight", first?.weight);
  const w2 = readMatrix(fn, "second.weight", second?.weight, {
    cols: w1.rows * span,
    why: `${span} per output channel of first.weight [${w1.rows}, ${w1.cols}]`,
  });
  const b1 =
    first.bias === undefined
      ? undefined
      : readVector(fn, "first.bias", first.bias, w1.rows, "one per output of first.weight");
  const b2 =
    second.bias === undefined
      ? undefined
      : readVector(fn, "second.bias", second.bias, w2.rows, "one per output of second.weight");
  const m = w1.rows;
  const scales = new Float32Array(m);
  const r2 = new Float64Array(m);
  for (let o2 = 0; o2 < w2.rows; o2++)
    for (let c = 0; c < w2.cols; c++) {
      const i = Math.floor(c / span);
      r2[i] = Math.max(r2[i] as number, Math.abs(w2.data[o2 * w2.cols + c] as number));
    }
  for (let i = 0; i < m; i++) {
    let r1 = 0;
    for (let c = 0; c < w1.cols; c++)
      r1 = Math.max(r1, Math.abs(w1.data[i * w1.cols + c] as number));
    const r = r2[i] as number;
    scales[i] = r1 > 0 && r > 0 ? Math.sqrt(r1 / r) : 1;
  }
  const out1 = new Float32Array(w1.rows * w1.cols);
  for (let i = 0; i < m; i++)
    for (let c = 0; c < w1.cols; c++)
      out1[i * w1.cols + c] = (w1.data[i * w1.cols + c] as number) / (scales[i] as number);
  const out2 = new Float32Array(w2.rows * w2.cols);
  for (let o2 = 0; o2 < w2.rows; o2++)
    for (let c = 0; c < w2.cols; c++)
      out2[o2 * w2.cols + c] =
        (w2.data[o2 * w2.cols + c] as number) * (scales[Math.floor(c / span)] as number);
  return {
    first: {
      weight: { data: out1, shape: [w1.rows, w1.cols] },
      ...(b1 ? { bias: Float32Array.from(b1, (v, i) => v / (scales[i] as number)) } : {}),
    },
    second: {
      weight: { data: out2, shape: [w2.rows, w2.cols] },
      ...(b2 ? { bias: Float32Array.from(b2) } : {}),
    },
    scales,
  };
}

/** Options of {@link equalizeChain}. */
export interface EqualizeChainOptions {
  /** Sweeps over the pairs at most (default 100). */
  readonly sweeps?: number;
  /** Stop when every scale of a sweep is within this of 1 (default 1e-6). */
  readonly tolerance?: number;
  /** `span` of each pair (layer i and i+1), default 1 each. */
  readonly spans?: readonly number[];
}

/**
 * Equalizes a chain of layers `L0 → relu → L1 → relu → ... → Ln`, pair after pair, sweeping
 * until the scales stop moving (DFQ iterates the same way). Returns the new layers, the product
 * of every pair's scales (`scales[i]`: the channels between layer i and i+1) and the sweeps run.
 *
 * @throws {TypeError} and {RangeError} as {@link equalize}, for the pair at fault.
 * @example
 * const layers = [
 *   { weight: { data: [4, 0, 0, 1], shape: [2, 2] } },
 *   { weight: { data: [1, 4], shape: [1, 2] } },
 * ];
 * Array.from(equalizeChain(layers).scales[0]) // => [2, 0.5]
 */
export function equalizeChain(
  layers: readonly Layer[],
  options?: EqualizeChainOptions,
): { layers: EqualizedLayer[]; scales: Float32Array[]; sweeps: number } {
  const fn = "equalizeChain";
  if (!Array.isArray(layers) || layers.length < 2)
    throw rangeError(fn, "layers", "an array of at least two layers", layers);
  const o = readOptions<EqualizeChainOptions>(fn, "options", options, [
    "sweeps",
    "tolerance",
    "spans",
  ]);
  const sweeps = readInteger(fn, "options.sweeps", o.sweeps, 1, 1e6, 100);
  const tolerance = readNumber(fn, "options.tolerance", o.tolerance, 0, 1, 1e-6);
  const spans = o.spans ?? layers.slice(1).map(() => 1);
  let current: Layer[] = [...layers];
  const total: Float32Array[] = [];
  let run = 0;
  for (; run < sweeps; run++) {
    let moved = 0;
    for (let i = 0; i + 1 < current.length; i++) {
      const r = equalize(current[i] as Layer, current[i + 1] as Layer, { span: spans[i] ?? 1 });
      current[i] = r.first;
      current[i + 1] = r.second;
      const t = total[i] ?? new Float32Array(r.scales.length).fill(1);
      r.scales.forEach((s, j) => {
        t[j] = (t[j] as number) * s;
        moved = Math.max(moved, Math.abs(s - 1));
      });
      total[i] = t;
    }
    if (moved <= tolerance) {
      run++;
      break;
    }
  }
  current = current.map((l) => ({
    weight: {
      data: Float32Array.from(l.weight.data),
      shape: [l.weight.shape[0] as number, l.weight.shape[1] as number],
    },
    ...(l.bias ? { bias: Float32Array.from(l.bias) } : {}),
  }));
  return { layers: current as EqualizedLayer[], scales: total, sweeps: run };
}

/**
 * Bias correction: the bias that gives a quantized layer the float layer's mean output,
 * `b' = b + (W − Ŵ) · E[x]`, with `E[x]` the mean of the layer's input (over calibration samples,
 * or from batch-norm statistics in DFQ's data-free form). Float64 sums, float32 result.
 *
 * @throws {TypeError} and {RangeError} for shapes or values that do not fit.
 * @example
 * const w = { data: [1, 1], shape: [1, 2] };
 * const q = { data: [1, 0.5], shape: [1, 2] };
 * Array.from(correctBias(w, q, [0], [2, 2])) // => [1]
 */
export function correctBias(
  weight: Matrix,
  quantized: Matrix,
  bias: ArrayLike<number> | undefined,
  inputMean: ArrayLike<number>,
): Float32Array {
  const fn = "correctBias";
  const w = readMatrix(fn, "weight", weight);
  const q = readQuantized(fn, quantized, w);
  const b = bias === undefined ? undefined : readVector(fn, "bias", bias, w.rows, "one per output");
  const mean = readVector(fn, "inputMean", inputMean, w.cols, "one per input");
  const out = new Float32Array(w.rows);
  for (let r = 0; r < w.rows; r++) {
    let s = b === undefined ? 0 : (b[r] as number);
    for (let c = 0; c < w.cols; c++)
      s +=
        ((w.data[r * w.cols + c] as number) - (q.data[r * w.cols + c] as number)) *
        (mean[c] as number);
    out[r] = s;
  }
  return out;
}
