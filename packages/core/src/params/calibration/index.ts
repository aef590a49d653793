export {
  type CalibrateOptions,
  type Calibration,
  type CalibrationMethod,
  calibrate,
} from "./calibrate.js";
export { type EntropyRangeOptions, entropyRange } from "./entropy.js";
export {
  DEFAULT_BINS,
  Histogram,
  type HistogramInput,
  type HistogramOptions,
} from "./histogram.js";
export type { LevelOptions } from "./levels.js";
export { type MseRangeOptions, mseRange } from "./mse.js";
export { percentileRange } from "./percentile.js";
