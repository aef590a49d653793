/**
 * Error metrics between an original tensor `x` and its reconstruction `y` (the dequantized
 * values). Inputs are read as float32, as the tensors they measure; every sum is in float64.
 */
import type { TensorLike } from "../tensor.js";
import { rangeError } from "../validate/errors.js";
import { toFloat64 } from "../validate/tensor.js";

type Pair = [Float64Array, Float64Array];

/**
 * A float64 copy of `data` with each value rounded to float32, in a plain loop
 * (`Float64Array.from(data, Math.fround)` gives the same values some 50 times slower in V8).
 */
function roundedToFloat32(data: Float64Array): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = Math.fround(data[i] as number);
  return out;
}

/** A tensor's values as float32 values in float64 (a Float32Array is widened exactly). */
function float32Values(fn: string, arg: string, value: TensorLike): Float64Array {
  if (value instanceof Float32Array) return new Float64Array(value);
  return roundedToFloat32(toFloat64(fn, arg, value).data);
}

function readPair(fn: string, x: TensorLike, y: TensorLike): Pair {
  const a = float32Values(fn, "x", x);
  const b = float32Values(fn, "y", y);
  if (a.length !== b.length) {
    throw rangeError(fn, "y", `${a.length} values, as many as 'x'`, y, `${b.length} values`);
  }
  for (const [arg, data] of [
    ["x", a],
    ["y", b],
  ] as const) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]))
        throw rangeError(fn, `${arg}[${i}]`, "a finite number", data[i]);
    }
  }
  return [a, b];
}

function readNonEmpty(fn: string, x: TensorLike, y: TensorLike): Pair {
  const pair = readPair(fn, x, y);
  if (pair[0].length === 0) throw rangeError(fn, "x", "a non-empty tensor", x, "an empty tensor");
  return pair;
}

/**
 * Absolute error per element, `|y - x|`.
 * @throws {RangeError} when x and y differ in length or hold NaN or ±Infinity.
 * @example
 * absoluteError([-10, 0, 10], [-9.960784912109375, 0, 9.960784912109375])
 * // => Float64Array [ 0.039215087890625, 0, 0.039215087890625 ]
 */
export function absoluteError(x: TensorLike, y: TensorLike): Float64Array {
  const [a, b] = readPair("absoluteError", x, y);
  return a.map((v, i) => Math.abs((b[i] as number) - v));
}

/**
 * Signed error per element, `y - x`: positive where the reconstruction lies above the original.
 * @throws {RangeError} when x and y differ in length or hold NaN or ±Infinity.
 * @example
 * signedError([-10, 0, 10], [-9.960784912109375, 0, 9.960784912109375])
 * // => Float64Array [ 0.039215087890625, 0, -0.039215087890625 ]
 */
export function signedError(x: TensorLike, y: TensorLike): Float64Array {
  const [a, b] = readPair("signedError", x, y);
  return a.map((v, i) => (b[i] as number) - v);
}

/**
 * Absolute percentage error per element, `100 · |y - x| / |x|`, and 0 where x = 0.
 *
 * The denominator is |x|, not x: dividing by x makes the error of every negative input negative
 * (the source post printed -0.3922 for x = -10), and an error is a distance, never below zero.
 * Where x = 0 the ratio is undefined; 0 is returned there, so exact zeros (which every scheme with
 * an exact zero point reproduces) do not turn the whole tensor's summary into Infinity or NaN.
 *
 * @throws {RangeError} when x and y differ in length or hold NaN or ±Infinity.
 * @example
 * absolutePercentageError([-10, 0, 10], [-9.960784912109375, 0, 9.960784912109375])
 * // => Float64Array [ 0.39215087890625, 0, 0.39215087890625 ]
 */
export function absolutePercentageError(x: TensorLike, y: TensorLike): Float64Array {
  const [a, b] = readPair("absolutePercentageError", x, y);
  return a.map((v, i) => (v === 0 ? 0 : (100 * Math.abs((b[i] as number) - v)) / Math.abs(v)));
}

function sumOf(values: Float64Array, f: (v: number, i: number) => number): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += f(values[i] as number, i);
  return s;
}

// The summary metrics of a validated, non-empty pair, in float64.
const mse = ([a, b]: Pair) => sumOf(a, (v, i) => ((b[i] as number) - v) ** 2) / a.length;
const meanAbs = ([a, b]: Pair) => sumOf(a, (v, i) => Math.abs((b[i] as number) - v)) / a.length;

function maxAbs([a, b]: Pair): number {
  let max = 0;
  for (let i = 0; i < a.length; i++)
    max = Math.max(max, Math.abs((b[i] as number) - (a[i] as number)));
  return max;
}

function sqnr([a, b]: Pair): number {
  const signal = Math.sqrt(sumOf(a, (v) => v * v));
  const noise = Math.sqrt(sumOf(a, (v, i) => (v - (b[i] as number)) ** 2));
  return 20 * Math.log10(signal / noise);
}

function cosine([a, b]: Pair): number {
  const dot = sumOf(a, (v, i) => v * (b[i] as number));
  return dot / (Math.sqrt(sumOf(a, (v) => v * v)) * Math.sqrt(sumOf(b, (v) => v * v)));
}

/**
 * Mean squared error, `Σ (y - x)² / n`.
 * @throws {RangeError} for an empty tensor, mismatched lengths, NaN or ±Infinity.
 * @example
 * meanSquaredError([1, 2], [1.5, 2])
 * // => 0.125
 */
export function meanSquaredError(x: TensorLike, y: TensorLike): number {
  return mse(readNonEmpty("meanSquaredError", x, y));
}

/**
 * Root mean squared error, `√(Σ (y - x)² / n)`.
 * @throws {RangeError} for an empty tensor, mismatched lengths, NaN or ±Infinity.
 * @example
 * rootMeanSquaredError([1, 2], [1.5, 2.5])
 * // => 0.5
 */
export function rootMeanSquaredError(x: TensorLike, y: TensorLike): number {
  return Math.sqrt(mse(readNonEmpty("rootMeanSquaredError", x, y)));
}

/**
 * Largest absolute error, `max |y - x|`.
 * @throws {RangeError} for an empty tensor, mismatched lengths, NaN or ±Infinity.
 * @example
 * maxAbsoluteError([1, 2, 3], [1.5, 2, 2])
 * // => 1
 */
export function maxAbsoluteError(x: TensorLike, y: TensorLike): number {
  return maxAbs(readNonEmpty("maxAbsoluteError", x, y));
}

/**
 * Mean absolute error, `Σ |y - x| / n`.
 * @throws {RangeError} for an empty tensor, mismatched lengths, NaN or ±Infinity.
 * @example
 * meanAbsoluteError([1, 2, 3], [1.5, 2, 2])
 * // => 0.5
 */
export function meanAbsoluteError(x: TensorLike, y: TensorLike): number {
  return meanAbs(readNonEmpty("meanAbsoluteError", x, y));
}

/**
 * Signal-to-quantization-noise ratio in decibels, `20 · log10(‖x‖ / ‖x - y‖)`. Higher is better;
 * each extra bit adds about 6 dB. Infinity when y = x exactly; NaN when x and the error are both 0.
 * @throws {RangeError} for an empty tensor, mismatched lengths, NaN or ±Infinity.
 * @example
 * sqnrDb([3, 4], [3, 4.5])
 * // => 20
 */
export function sqnrDb(x: TensorLike, y: TensorLike): number {
  return sqnr(readNonEmpty("sqnrDb", x, y));
}

/**
 * Cosine similarity, `x · y / (‖x‖ ‖y‖)`: 1 when y points the same way as x. NaN when either is
 * all zeros (the angle is undefined).
 * @throws {RangeError} for an empty tensor, mismatched lengths, NaN or ±Infinity.
 * @example
 * cosineSimilarity([1, 0], [1, 1])
 * // => 0.7071067811865475
 */
export function cosineSimilarity(x: TensorLike, y: TensorLike): number {
  return cosine(readNonEmpty("cosineSimilarity", x, y));
}

/** Every summary metric at once. */
export interface ErrorSummary {
  readonly mse: number;
  readonly rmse: number;
  readonly maxAbs: number;
  readonly meanAbs: number;
  readonly sqnrDb: number;
  readonly cosine: number;
}

/**
 * All summary metrics of a reconstruction: MSE, RMSE, max and mean absolute error, SQNR (dB) and
 * cosine similarity, as the functions of the same names define them.
 * @throws {RangeError} for an empty tensor, mismatched lengths, NaN or ±Infinity.
 * @example
 * errorSummary([1, 2], [1, 2.5]).maxAbs
 * // => 0.5
 */
export function errorSummary(x: TensorLike, y: TensorLike): ErrorSummary {
  const pair = readNonEmpty("errorSummary", x, y);
  const meanSquared = mse(pair);
  return {
    mse: meanSquared,
    rmse: Math.sqrt(meanSquared),
    maxAbs: maxAbs(pair),
    meanAbs: meanAbs(pair),
    sqnrDb: sqnr(pair),
    cosine: cosine(pair),
  };
}
