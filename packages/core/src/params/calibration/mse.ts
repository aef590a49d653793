import { checkOptions } from "../../validate/options.js";
import { type Histogram, requireNonzero } from "./histogram.js";
import {
  integerOption,
  LEVEL_KEYS,
  type LevelOptions,
  optionsObject,
  resolveLevels,
} from "./levels.js";

export interface MseRangeOptions extends LevelOptions {
  /** First candidate edge index, an integer in [1, bins]. Default 1 (every positive edge). */
  readonly start?: number;
  /** Step between candidate edge indices, an integer ≥ 1. Default 1. */
  readonly stride?: number;
}

/**
 * Kernel: S(k) = Σ_j count_j · d_j², the MSE of clipping at edge k in units of (w / (2·qmax))²:
 * with c_j = (j + 1/2)·w and s = k·w / qmax, c_j / s = (2j+1)·qmax / (2k) exactly, so
 *   q_j = min(roundHalfEven((2j+1)·qmax / (2k)), qmax)   (integer division with remainder, no float step)
 *   d_j = (2j+1)·qmax − 2k·q_j = (c_j − q_j·s) · 2·qmax / w.
 * Every d_j is exact while (2·bins+1)·qmax < 2^53; the sum is exact while it stays below 2^53.
 */
export function mseObjective(counts: Float64Array, k: number, qmax: number): number {
  const den = 2 * k;
  let sum = 0;
  for (let j = 0; j < counts.length; j++) {
    const count = counts[j];
    // Stryker disable next-line ConditionalExpression: a zero count adds 0 · d² = 0 anyway
    if (count === 0) continue;
    const num = (2 * j + 1) * qmax;
    let q = Math.floor(num / den);
    const twice = 2 * (num - q * den);
    // Stryker disable next-line EqualityOperator,ConditionalExpression,ArithmeticOperator: at a tie both neighbours are half a step away, so d² is the same whichever way it rounds
    if (twice > den || (twice === den && q % 2 === 1)) q += 1;
    // Stryker disable next-line EqualityOperator: q = qmax set to qmax changes nothing
    if (q > qmax) q = qmax;
    const d = num - den * q;
    sum += count * d * d;
  }
  return sum;
}

/**
 * The clipping threshold minimising the expected squared error of symmetric fake quantization over the
 * histogram, each bin standing for its centre.
 *
 * Formula: amax = argmin over candidates a = k·w of
 *   MSE(a) = Σ_j count_j · (c_j − fq_a(c_j))²,  c_j = (j + 1/2)·w,
 *   fq_a(v) = clamp(roundHalfEven(v / s), qmin, qmax) · s,  s = a / qmax,
 * with qmax = 2^(bits-1) − 1 signed (127 for int8), 2^bits − 1 unsigned. As |x| ≥ 0, the clamp at qmin
 * never acts. Candidates: k = start, start + stride, … ≤ bins (edges, the top edge included).
 * Arithmetic: exact, not float. v / s = (2j+1)·qmax / (2k) is rounded (ties to even) by integer division,
 * and MSE(a) = (w / (2·qmax))² · Σ_j count_j · ((2j+1)·qmax − 2k·q_j)², so the search compares the
 * integer sums — exact while each stays below 2^53 (beyond, float64 rounds them). Ties therefore go,
 * exactly, to the smallest amax (the first minimum, as `np.argmin`).
 * Deviations from pytorch-quantization's `_compute_amax_mse`: it tries bin centres `centers[i]` for
 * i in [start_bin = 128, bins − 1) (the top bin excluded) and evaluates the MSE in float32 with
 * scale = qmax / amax; here the candidates are edges from 1 on and the MSE is exact.
 *
 * @throws {TypeError} `hist` not a Histogram; an option of the wrong type, or `dtype` with `bits`/`unsigned`.
 * @throws {RangeError} `hist` empty or all zeros; `bits` not in [2, 32], an unknown `dtype`, `start` not in
 * [1, bins], `stride` < 1.
 * @example
 * const h = Histogram.fromCounts([40, 30, 20, 5, 3, 1, 0, 1], 1);
 * mseRange(h, { bits: 2 }); // => 2
 */
export function mseRange(hist: Histogram, options?: MseRangeOptions): number {
  const fn = "mseRange";
  return searchMse(
    fn,
    hist,
    checkOptions(fn, "options", options, [...LEVEL_KEYS, "start", "stride"]),
  );
}

/** mseRange reporting errors as `fn`. Internal: shared with `calibrate`. */
export function searchMse(fn: string, hist: Histogram, options?: MseRangeOptions): number {
  const h = requireNonzero(fn, hist);
  const o = optionsObject(fn, options);
  const { qmax } = resolveLevels(fn, o);
  const start = integerOption(
    fn,
    "options.start",
    o.start,
    1,
    1,
    h.bins,
    " (the histogram's bin count)",
  );
  const stride = integerOption(fn, "options.stride", o.stride, 1, 1, Number.MAX_SAFE_INTEGER);
  const counts = h.counts;
  let best = start;
  let bestMse = Number.POSITIVE_INFINITY;
  for (let k = start; k <= h.bins; k += stride) {
    const mse = mseObjective(counts, k, qmax);
    if (mse < bestMse) {
      bestMse = mse;
      best = k;
    }
  }
  return best * h.width;
}
