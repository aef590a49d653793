import { rangeError, typeError } from "../../validate/errors.js";
import { checkOptions } from "../../validate/options.js";
import { searchEntropy } from "./entropy.js";
import { DEFAULT_BINS, Histogram, type HistogramInput, MAX_BINS, readValues } from "./histogram.js";
import { integerOption, LEVEL_KEYS, type LevelOptions, resolveLevels } from "./levels.js";
import { searchMse } from "./mse.js";
import { searchPercentile } from "./percentile.js";

/** How `calibrate` picks amax. */
export type CalibrationMethod = "minmax" | "percentile" | "mse" | "entropy";

const METHODS: readonly CalibrationMethod[] = ["minmax", "percentile", "mse", "entropy"];

/** Which of the optional settings each method reads; any other one given is an error. */
const READS: Record<CalibrationMethod, readonly string[]> = {
  minmax: [],
  percentile: ["percentile"],
  mse: ["start", "stride"],
  entropy: ["start", "stride", "keepFirstBin"],
};

export interface CalibrateOptions extends LevelOptions {
  readonly method: CalibrationMethod;
  /** Bin count when raw values are given (default 2048); not allowed with a Histogram. */
  readonly bins?: number;
  /** `percentile` only: in (0, 100], default 99.99 (TensorRT's). */
  readonly percentile?: number;
  /** `mse`, `entropy`: first candidate edge index (defaults: 1 for mse, nquant for entropy). */
  readonly start?: number;
  /** `mse`, `entropy`: step between candidate edge indices, default 1. */
  readonly stride?: number;
  /** `entropy` only: see `entropyRange`. */
  readonly keepFirstBin?: boolean;
}

/** A symmetric calibration: range [-amax, amax], zero point 0, `scale = amax / qmax` in float32. */
export interface Calibration {
  readonly amax: number;
  readonly scale: number;
}

/**
 * Calibrates a symmetric per-tensor scale from raw values or a Histogram of |x|.
 *
 * amax by method: `minmax` max|x| (a Histogram's `max`); `percentile` → `percentileRange`;
 * `mse` → `mseRange`; `entropy` → `entropyRange` (raw values are first observed into a
 * `new Histogram({ bins })`). Then amax := fround(amax) and scale = fround(amax / qmax), the correctly
 * rounded float32 quotient (float64 division then fround is exact for float32 operands), with
 * qmax = 2^(bits−1) − 1 signed — 127 for int8, TensorRT's restricted range [-127, 127] — or
 * 2^bits − 1 unsigned (255 for uint8). dtype defaults to int8.
 *
 * @throws {TypeError} `data` or an entry of the wrong kind; `options` not an object; an unknown-typed or
 * inapplicable option (e.g. `percentile` with method "mse", `bins` with a Histogram).
 * @throws {RangeError} an entry NaN, ±Infinity or |x| ≥ 2^1023; `data` empty or all zeros; an unknown
 * method or dtype; an option out of range; an amax whose float32 scale is 0 or not finite.
 * @example
 * calibrate([0.5, -2, 1.25, 3.5], { method: "minmax" }); // => { amax: 3.5, scale: 0.027559055015444756 }
 * calibrate(Histogram.fromCounts([50, 30, 15, 4, 1], 1), { method: "percentile", percentile: 95 });
 * // => { amax: 3, scale: 0.023622047156095505 }
 */
export function calibrate(
  data: HistogramInput | Histogram,
  options: CalibrateOptions,
): Calibration {
  const fn = "calibrate";
  if (options === undefined) throw typeError(fn, "options", "an object with a method", options);
  const o = checkOptions(fn, "options", options, [
    ...LEVEL_KEYS,
    "method",
    "bins",
    "percentile",
    "start",
    "stride",
    "keepFirstBin",
  ]);
  const method = o.method;
  if (typeof method !== "string")
    throw typeError(fn, "options.method", `one of ${METHODS.join(", ")}`, method);
  if (!METHODS.includes(method))
    throw rangeError(fn, "options.method", `one of ${METHODS.join(", ")}`, method);
  for (const key of ["percentile", "start", "stride", "keepFirstBin"] as const) {
    if (o[key] !== undefined && !READS[method].includes(key)) {
      throw typeError(
        fn,
        `options.${key}`,
        `undefined with method ${JSON.stringify(method)}`,
        o[key],
      );
    }
  }
  const { qmax } = resolveLevels(fn, o);
  let hist: Histogram;
  if (data instanceof Histogram) {
    if (o.bins !== undefined)
      throw typeError(fn, "options.bins", "undefined when data is a Histogram", o.bins);
    hist = data;
  } else {
    const { data: values } = readValues(fn, "data", data);
    const bins = integerOption(fn, "options.bins", o.bins, DEFAULT_BINS, 1, MAX_BINS);
    hist = new Histogram({ bins }).observe(values);
  }
  if (hist.total === 0 || hist.width === 0) {
    const received = hist.total === 0 ? "no values" : `${hist.total} values, all 0`;
    throw rangeError(fn, "data", "a batch with at least one nonzero value", data, received);
  }
  let raw: number;
  switch (method) {
    case "minmax":
      raw = hist.max;
      break;
    case "percentile":
      raw = searchPercentile(fn, hist, o.percentile ?? 99.99, "options.percentile");
      break;
    case "mse":
      raw = searchMse(fn, hist, o);
      break;
    case "entropy":
      raw = searchEntropy(fn, hist, o, "data");
      break;
  }
  const amax = Math.fround(raw);
  const scale = Math.fround(amax / qmax);
  if (!(scale > 0 && scale < Number.POSITIVE_INFINITY)) {
    throw rangeError(
      fn,
      "data",
      "a range whose scale amax / qmax is a finite float32 > 0",
      data,
      `amax ${raw} (scale ${scale})`,
    );
  }
  return { amax, scale };
}
