export type { CodeTable, CodeTablesOptions } from "./code-tables.js";
export { codeTables } from "./code-tables.js";
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
export type { LayerDamage, LayerSensitivityOptions } from "./layer-sensitivity.js";
export { layerSensitivity } from "./layer-sensitivity.js";
export type { MappingCurveOptions } from "./mapping-curve.js";
export { MAX_CURVE_LEVELS, mappingCurve } from "./mapping-curve.js";
export type { OriginalVsDequantizedOptions } from "./original-vs-dequantized.js";
export { originalVsDequantized } from "./original-vs-dequantized.js";
export type { PackedBytesOptions, PackedRow } from "./packed-bytes.js";
export { packedBytes } from "./packed-bytes.js";
export type { QualityPoint, QualitySeries, QualityVsBitsOptions } from "./quality-vs-bits.js";
export { qualityVsBits } from "./quality-vs-bits.js";
export type { QuantizationGridOptions } from "./quantization-grid.js";
export { MAX_DRAWN_LEVELS, quantizationGrid } from "./quantization-grid.js";
export { COLORS, SERIES_COLORS } from "./theme.js";
export type { Figure } from "./types.js";
export type { ZeroPointTermBarsOptions } from "./zero-point-term-bars.js";
export { zeroPointTermBars } from "./zero-point-term-bars.js";
