import { rangeError, typeError } from "../../validate/errors.js";
import { checkOptions } from "../../validate/options.js";
import { integerOption } from "./levels.js";

/** TensorRT's and pytorch-quantization's default bin count. */
export const DEFAULT_BINS = 2048;

/** The largest bin count a histogram accepts (2^24). */
export const MAX_BINS = 2 ** 24;

/** Values a histogram observes: float32 or float64 data, or an array of numbers. */
export type HistogramInput = Float32Array | Float64Array | readonly number[];

export interface HistogramOptions {
  /** Number of bins, an integer in [1, 2^24]. Default 2048 (TensorRT's). */
  readonly bins?: number;
}

/** |x| must stay below 2^1023 so that the top edge (at most 2·max|x|) is finite. */
const LIMIT = 2 ** 1023;

/**
 * Kernel: merges bins pairwise in place (bin j of the result is old bins 2j and 2j+1); the caller
 * doubles the width. Exact: the counts are integers and the edges of the merged bins are old edges.
 */
export function mergePairs(counts: Float64Array): void {
  const n = counts.length;
  for (let j = 0; j < n; j++) {
    const a = 2 * j < n ? counts[2 * j] : 0;
    const b = 2 * j + 1 < n ? counts[2 * j + 1] : 0;
    counts[j] = a + b;
  }
}

/** Kernel: adds each |x| to bin floor(|x| / width); the caller guarantees |x| < counts.length * width. */
export function binAbs(counts: Float64Array, width: number, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    counts[Math.floor(Math.abs(values[i]) / width)] += 1;
  }
}

/** The smallest power of two `w` with `bins * w > m` (for 0 < m < 2^1023). */
function initialWidth(m: number, bins: number): number {
  let w = 2 ** Math.max(-1074, Math.floor(Math.log2(m / bins)));
  while (bins * w <= m) w *= 2;
  while (w > Number.MIN_VALUE && bins * (w / 2) > m) w /= 2;
  return w;
}

function isPowerOfTwo(w: number): boolean {
  return Number.isFinite(w) && w > 0 && 2 ** Math.round(Math.log2(w)) === w;
}

/**
 * A histogram of |x| over batches, the one type the calibration methods read (TensorRT and
 * pytorch-quantization calibrate on |x|: every range it yields is symmetric, [-amax, amax]).
 *
 * Bins: `bins` bins of equal width `w`, bin k = [k·w, (k+1)·w), edges k·w for k = 0..bins. A value goes
 * to bin floor(|x| / w). The width is always a power of two (2^e), so edges, bin indices and
 * re-binning are exact in float64. The first nonzero value fixes w as the smallest power of two with
 * bins·w > max|x| (the data then fills more than half of the range); until then w = 0 and zeros are
 * counted in bin 0. When a batch holds |x| ≥ bins·w, w doubles (bins 2j and 2j+1 merge into bin j) until
 * bins·w > |x|: the result equals binning every value observed so far at the new width, count for count.
 * pytorch-quantization instead appends bins of the old width (the bin count grows); TensorRT fixes the
 * range after the first batch. Here the bin count never changes, and old counts are never approximated.
 *
 * Values are read as float64 (float32 inputs are exact). ±0 count as 0 in bin 0.
 *
 * @example
 * const h = new Histogram({ bins: 4 });
 * h.observe([0.5, -1.5, 3]);
 * [h.width, Array.from(h.counts), h.total, h.max]; // => [1, [1, 1, 0, 1], 3, 3]
 * h.observe([6]); // 6 ≥ 4·1: the width doubles to 2 and bins pair up
 * [h.width, Array.from(h.counts)]; // => [2, [2, 1, 0, 1]]
 */
export class Histogram {
  /** Number of bins; fixed for the histogram's life. */
  readonly bins: number;
  #counts: Float64Array;
  #width = 0;
  #total = 0;
  #max = 0;

  /**
   * An empty histogram of `bins` bins (default 2048).
   * @throws {TypeError} `options` not an object, or `bins` not a number.
   * @throws {RangeError} `bins` not an integer in [1, 2^24].
   */
  constructor(options?: HistogramOptions) {
    const o = checkOptions("Histogram", "options", options, ["bins"]);
    this.bins = integerOption("Histogram", "options.bins", o.bins, DEFAULT_BINS, 1, MAX_BINS);
    this.#counts = new Float64Array(this.bins);
  }

  /**
   * A histogram from given counts (bin k = [k·width, (k+1)·width)); its `max` is the upper edge of the
   * last non-empty bin (0 if every count is 0), an upper bound of the data it stands for.
   * @throws {TypeError} `counts` not an array or typed array, an entry or `width` not a number.
   * @throws {RangeError} length not in [1, 2^24], an entry not a non-negative safe integer, `width` not a
   * finite power of two.
   * @example
   * const h = Histogram.fromCounts([3, 0, 1], 0.5);
   * [h.total, h.max, Array.from(h.edges())]; // => [4, 1.5, [0, 0.5, 1, 1.5]]
   */
  static fromCounts(counts: ArrayLike<number>, width: number): Histogram {
    const fn = "Histogram.fromCounts";
    if (!Array.isArray(counts) && !(ArrayBuffer.isView(counts) && !(counts instanceof DataView))) {
      throw typeError(fn, "counts", "an array or a typed array of counts", counts);
    }
    const n = counts.length;
    if (n < 1 || n > MAX_BINS) {
      throw rangeError(fn, "counts", `of length in [1, ${MAX_BINS}]`, counts);
    }
    let total = 0;
    let last = -1;
    for (let k = 0; k < n; k++) {
      const c = counts[k];
      if (typeof c !== "number") throw typeError(fn, `counts[${k}]`, "a number", c);
      if (!Number.isSafeInteger(c) || c < 0) {
        throw rangeError(fn, `counts[${k}]`, "a non-negative safe integer", c);
      }
      total += c;
      if (c > 0) last = k;
    }
    if (typeof width !== "number") throw typeError(fn, "width", "a number", width);
    if (!isPowerOfTwo(width)) throw rangeError(fn, "width", "a finite power of two (2^e)", width);
    const h = new Histogram({ bins: n });
    h.#counts.set(counts);
    h.#width = width;
    h.#total = total;
    h.#max = (last + 1) * width;
    return h;
  }

  /** Bin width, a power of two; 0 until the first nonzero value. */
  get width(): number {
    return this.#width;
  }

  /** Number of values observed (the sum of the counts). */
  get total(): number {
    return this.#total;
  }

  /** The largest |x| observed, exactly (0 before any nonzero value). */
  get max(): number {
    return this.#max;
  }

  /** A copy of the counts, one per bin. */
  get counts(): Float64Array {
    return this.#counts.slice();
  }

  /** The bins + 1 edges k·width, k = 0..bins (all 0 while the width is 0). */
  edges(): Float64Array {
    const e = new Float64Array(this.bins + 1);
    for (let k = 0; k <= this.bins; k++) e[k] = k * this.#width;
    return e;
  }

  /**
   * Adds a batch: each |x| to bin floor(|x| / width), widening first (doubling the width, bins merging
   * pairwise) while max|x| ≥ bins·width. The batch is validated whole before any count changes; an empty
   * batch changes nothing. Returns the histogram.
   * @throws {TypeError} `values` not a Float32Array, Float64Array or array; an entry not a number.
   * @throws {RangeError} an entry NaN, ±Infinity or with |x| ≥ 2^1023 (a calibration range must be finite).
   * @example
   * new Histogram({ bins: 8 }).observe(new Float32Array([1, -2, 0])).width; // => 0.5
   */
  observe(values: HistogramInput): this {
    // Read once: a getter or a Proxy cannot hand back one value to the check and another to the bins.
    const { data, max: m } = readValues("Histogram.observe", "values", values);
    if (m > 0) {
      if (this.#width === 0) {
        this.#width = initialWidth(m, this.bins);
      } else {
        while (this.bins * this.#width <= m) {
          mergePairs(this.#counts);
          this.#width *= 2;
        }
      }
      binAbs(this.#counts, this.#width, data);
    } else {
      this.#counts[0] += data.length;
    }
    this.#total += data.length;
    if (m > this.#max) this.#max = m;
    return this;
  }
}

/**
 * Reads a batch (Float32Array, Float64Array or array of finite numbers with |x| < 2^1023) once,
 * into a Float64Array, and returns it with max|x| (0 for an empty batch). Internal: shared by
 * `observe` and `calibrate`.
 */
export function readValues(
  fn: string,
  arg: string,
  values: unknown,
): { data: Float64Array; max: number } {
  if (
    !(values instanceof Float32Array) &&
    !(values instanceof Float64Array) &&
    !Array.isArray(values)
  ) {
    throw typeError(fn, arg, "a Float32Array, a Float64Array or an array of numbers", values);
  }
  const data = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < data.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== "number") throw typeError(fn, `${arg}[${i}]`, "a number", v);
    const a = Math.abs(v);
    if (!(a < LIMIT)) throw rangeError(fn, `${arg}[${i}]`, "a finite number with |x| < 2^1023", v);
    if (a > m) m = a;
    data[i] = v;
  }
  return { data, max: m };
}

/** Throws unless `hist` is a Histogram holding a nonzero value (width > 0 and total > 0). */
export function requireNonzero(fn: string, hist: unknown): Histogram {
  if (!(hist instanceof Histogram)) throw typeError(fn, "hist", "a Histogram", hist);
  if (hist.total === 0 || hist.width === 0) {
    const received =
      hist.total === 0 ? "an empty Histogram" : `a Histogram of ${hist.total} values, all 0`;
    throw rangeError(fn, "hist", "a Histogram holding a nonzero value", hist, received);
  }
  return hist;
}
