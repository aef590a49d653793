import { rangeError } from "../../validate/errors.js";
import { checkBoolean, checkOptions } from "../../validate/options.js";
import { type Histogram, requireNonzero } from "./histogram.js";
import {
  integerOption,
  LEVEL_KEYS,
  type LevelOptions,
  optionsObject,
  resolveLevels,
} from "./levels.js";

export interface EntropyRangeOptions extends LevelOptions {
  /** First candidate edge index, an integer in [1, bins]. Default nquant = 2^(bits-1+unsigned) (128 for int8). */
  readonly start?: number;
  /** Step between candidate edge indices, an integer ≥ 1. Default 1. */
  readonly stride?: number;
  /**
   * Use bin 0 as observed. Default false: as pytorch-quantization does (`bins[0] = bins[1]`), bin 0's
   * count is replaced by bin 1's before the search, to discount the spike of exact zeros after ReLU.
   * Ignored for a one-bin histogram.
   */
  readonly keepFirstBin?: boolean;
}

/**
 * Kernel: KL(P‖Q) for the candidate "clip at edge i" of `bins` (natural log; float64).
 *   P_j = bins_j for j < i − 1,  P_{i−1} = bins_{i−1} + Σ_{j≥i} bins_j   (outliers folded into the last bin)
 *   level(j) = floor(j·nquant / i);  Q_j = 0 if bins_j = 0, else (Σ bins over the nonzero j' of the level)
 *   / (number of nonzero j' of the level)      (Q from bins_0..bins_{i−1}, outliers not folded)
 *   KL = Σ_{P_j > 0} p_j·ln(p_j / q_j),  p = P / ΣP,  q = Q / ΣQ;  +∞ if some P_j > 0 has Q_j = 0, or ΣQ = 0.
 * `total` = Σ bins. A level is a run of consecutive bins, so one pass per run needs no scratch space.
 */
export function klDivergence(bins: Float64Array, total: number, i: number, nquant: number): number {
  // With nquant ≥ i every bin is its own level either way; min keeps j·n below 2^48, exact.
  const n = Math.min(nquant, i);
  let sumQ = 0;
  for (let j = 0; j < i; j++) sumQ += bins[j];
  if (sumQ === 0) return Number.POSITIVE_INFINITY;
  const outliers = total - sumQ;
  let kl = 0;
  let a = 0;
  while (a < i) {
    const level = Math.floor((a * n) / i);
    let b = a;
    let levelSum = 0;
    let nonzero = 0;
    for (; b < i && Math.floor((b * n) / i) === level; b++) {
      if (bins[b] !== 0) {
        levelSum += bins[b];
        nonzero += 1;
      }
    }
    for (let j = a; j < b; j++) {
      const pj = j === i - 1 ? bins[j] + outliers : bins[j];
      if (pj === 0) continue;
      if (bins[j] === 0) return Number.POSITIVE_INFINITY;
      const p = pj / total;
      const q = levelSum / nonzero / sumQ;
      kl += p * Math.log(p / q);
    }
    a = b;
  }
  return kl;
}

/**
 * TensorRT's entropy calibration: the clipping threshold whose int-quantized histogram loses the least
 * information, KL(P‖Q) (Migacz, "8-bit Inference with TensorRT", GTC 2017; pytorch-quantization's
 * `_compute_amax_entropy`, followed step by step).
 *
 * Formula: bins = the counts, with bins_0 := bins_1 unless `keepFirstBin`. For each candidate edge index
 * i = start, start + stride, … ≤ bins.length (default start = nquant = 2^(bits−1+unsigned), 128 for int8):
 * P = bins_0..bins_{i−1} with Σ_{j≥i} bins_j added to P_{i−1}; Q = bins_0..bins_{i−1} merged into nquant
 * levels (bin j in level floor(j·nquant/i), as `np.digitize` over `linspace(0, i, nquant+1)` does) and
 * expanded back, each level's sum spread evenly over its nonzero bins (zero bins stay zero); both
 * normalized; KL = Σ p_j ln(p_j/q_j) (scipy's `entropy`), in float64 summed in bin order. amax = i·w for
 * the minimal KL, ties going to the LARGEST i (the reference's last argmin); ties are decided on the
 * float64 values, so two candidates equal in exact arithmetic may be told apart by rounding (so may the
 * reference's, whose sums are pairwise). As in the reference there is no smoothing: a candidate whose
 * last bin is empty while values lie beyond it has KL = +∞. Deviation: where Q is empty (all of bins_0..
 * bins_{i−1} zero) the reference gets NaN; here KL = +∞. If every KL is +∞ the largest candidate wins.
 *
 * @throws {TypeError} `hist` not a Histogram; an option of the wrong type, or `dtype` with `bits`/`unsigned`.
 * @throws {RangeError} `hist` empty or all zeros, or with fewer than nquant bins when `start` is not given;
 * `bits` not in [2, 32], an unknown `dtype`, `start` not in [1, bins], `stride` < 1.
 * @example
 * const h = Histogram.fromCounts([9, 9, 7, 6, 4, 3, 2, 2, 1, 0, 0, 1], 1);
 * entropyRange(h, { bits: 3 }); // => 9
 */
export function entropyRange(hist: Histogram, options?: EntropyRangeOptions): number {
  const fn = "entropyRange";
  const keys = [...LEVEL_KEYS, "start", "stride", "keepFirstBin"];
  return searchEntropy(fn, hist, checkOptions(fn, "options", options, keys));
}

/** entropyRange reporting errors as `fn`. Internal: shared with `calibrate`. */
export function searchEntropy(
  fn: string,
  hist: Histogram,
  options?: EntropyRangeOptions,
  histArg = "hist",
): number {
  const h = requireNonzero(fn, hist);
  const o = optionsObject(fn, options);
  const { nquant } = resolveLevels(fn, o);
  if (o.start === undefined && nquant > h.bins) {
    const expected = `a Histogram of at least ${nquant} bins (nquant = 2^(bits-1+unsigned), the default options.start)`;
    throw rangeError(fn, histArg, expected, hist, `a Histogram of ${h.bins} bins`);
  }
  const start = integerOption(
    fn,
    "options.start",
    o.start,
    nquant,
    1,
    h.bins,
    " (the histogram's bin count)",
  );
  const stride = integerOption(fn, "options.stride", o.stride, 1, 1, Number.MAX_SAFE_INTEGER);
  const keep = checkBoolean(fn, "options.keepFirstBin", o.keepFirstBin, false);
  const bins = h.counts;
  if (!keep && bins.length > 1) bins[0] = bins[1];
  let total = 0;
  for (let j = 0; j < bins.length; j++) total += bins[j];
  let best = start;
  let bestKl = Number.POSITIVE_INFINITY;
  for (let i = start; i <= bins.length; i += stride) {
    const kl = klDivergence(bins, total, i, nquant);
    if (kl <= bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best * h.width;
}
