import { rangeError, typeError } from "../../validate/errors.js";
import { type Histogram, requireNonzero } from "./histogram.js";

/**
 * Kernel: the smallest k in 1..counts.length with 100·(count_0 + … + count_{k-1}) ≥ target
 * (counts.length if none).
 */
export function percentileEdgeIndex(counts: Float64Array, target: number): number {
  let cumulative = 0;
  // Stryker disable next-line EqualityOperator: the loop returns by k = length - 1 (100 · total >= percentile · total), so k = length is never reached
  for (let k = 0; k < counts.length; k++) {
    cumulative += counts[k];
    if (100 * cumulative >= target) return k + 1;
  }
  return counts.length;
}

/**
 * The percentile clipping threshold: the smallest bin edge with at least `percentile`% of the observed
 * |x| below it.
 *
 * Formula: amax = k·w, k the smallest index in 1..bins with 100·Σ_{j<k} count_j ≥ percentile·total
 * (float64; the counts sum exactly, `percentile·total` is one rounded product). That is the UPPER edge
 * of the bin in which the cumulative count first reaches percentile% — every value in that bin is kept.
 * Deviation: pytorch-quantization's `_compute_amax_percentile` returns `edges[searchsorted(cdf, p/100)]`,
 * the LOWER edge of that same bin (one bin lower, clipping the whole bin).
 *
 * @param percentile A number in (0, 100] (TensorRT's default is 99.99).
 * @throws {TypeError} `hist` not a Histogram; `percentile` not a number.
 * @throws {RangeError} `hist` empty or all zeros; `percentile` not in (0, 100].
 * @example
 * const h = Histogram.fromCounts([50, 30, 15, 4, 1], 1);
 * [percentileRange(h, 50), percentileRange(h, 95), percentileRange(h, 99.5)]; // => [1, 3, 5]
 */
export function percentileRange(hist: Histogram, percentile: number): number {
  return searchPercentile("percentileRange", hist, percentile);
}

/** percentileRange reporting errors as `fn`. Internal: shared with `calibrate`. */
export function searchPercentile(
  fn: string,
  hist: Histogram,
  percentile: number,
  arg = "percentile",
): number {
  const h = requireNonzero(fn, hist);
  if (typeof percentile !== "number") throw typeError(fn, arg, "a number in (0, 100]", percentile);
  if (!(percentile > 0 && percentile <= 100))
    throw rangeError(fn, arg, "a number in (0, 100]", percentile);
  return percentileEdgeIndex(h.counts, percentile * h.total) * h.width;
}
