export type { BitsAgainstErrorOptions, FormatPoint } from "./bits-against-error.js";
export { bitsAgainstError } from "./bits-against-error.js";
export type {
  CompareErrorsOptions,
  ErrorFigureOptions,
  ErrorKind,
  ErrorPerElementOptions,
  ErrorScheme,
} from "./error-per-element.js";
export { compareErrors, errorPerElement } from "./error-per-element.js";
export type { HistogramWithLevelsOptions } from "./histogram-with-levels.js";
export { histogramWithLevels } from "./histogram-with-levels.js";
export type { MappingCurveOptions } from "./mapping-curve.js";
export { MAX_CURVE_LEVELS, mappingCurve } from "./mapping-curve.js";
export type { OriginalVsDequantizedOptions } from "./original-vs-dequantized.js";
export { originalVsDequantized } from "./original-vs-dequantized.js";
export type { QuantizationGridOptions } from "./quantization-grid.js";
export { MAX_DRAWN_LEVELS, quantizationGrid } from "./quantization-grid.js";
export type { StorageBarsOptions, StorageField, StorageRow } from "./storage-bars.js";
export { storageBars } from "./storage-bars.js";
export { COLORS, SERIES_COLORS } from "./theme.js";
export type { Figure } from "./types.js";
