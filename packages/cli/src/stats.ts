/** Statistics of a tensor's values, as `quantlab inspect` prints them. */

/** How many standard deviations from the mean make a value an outlier. */
export const OUTLIER_SIGMAS = 6;

/** Statistics of the finite values of a tensor (NaN and ±Infinity are counted apart). */
export interface TensorStats {
  readonly min: number;
  readonly max: number;
  /** max |x|. */
  readonly absmax: number;
  readonly mean: number;
  /** Population standard deviation, sqrt(mean((x - mean)^2)). */
  readonly std: number;
  /** Values with |x - mean| > 6 std (none when std is 0). */
  readonly outliers: number;
  /** outliers / finite values (0 for a tensor of no finite value). */
  readonly outlierShare: number;
  /** NaN and ±Infinity values, left out of every other figure. */
  readonly nonFinite: number;
}

/**
 * min, max, absmax, mean, population std and the share of outliers (|x − mean| > 6σ) of the
 * finite values, in float64, in two passes (the second against the first's mean: no
 * cancellation).
 *
 * @example
 * tensorStats(Float32Array.of(-1, 0, 1, 2)).std; // => 1.118033988749895
 */
export function tensorStats(values: Float32Array): TensorStats {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) continue;
    finite++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (finite === 0) {
    return {
      min: Number.NaN,
      max: Number.NaN,
      absmax: Number.NaN,
      mean: Number.NaN,
      std: Number.NaN,
      outliers: 0,
      outlierShare: 0,
      nonFinite: values.length,
    };
  }
  const mean = sum / finite;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (Number.isFinite(v)) squares += (v - mean) * (v - mean);
  }
  const std = Math.sqrt(squares / finite);
  let outliers = 0;
  if (std > 0) {
    const limit = OUTLIER_SIGMAS * std;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (Number.isFinite(v) && Math.abs(v - mean) > limit) outliers++;
    }
  }
  return {
    min,
    max,
    absmax: Math.max(-min, max),
    mean,
    std,
    outliers,
    outlierShare: outliers / finite,
    nonFinite: values.length - finite,
  };
}
