export type { BitFieldsOptions } from "./bit-fields.js";
export { bitFields, FIELD_COLORS } from "./bit-fields.js";
export type { BitsAgainstErrorOptions, FormatPoint } from "./bits-against-error.js";
export { bitsAgainstError } from "./bits-against-error.js";
export type {
  BitsPerWeightChartOptions,
  BitsPerWeightPoint,
  BitsPerWeightSeries,
} from "./bits-per-weight-chart.js";
export { bitsPerWeightChart } from "./bits-per-weight-chart.js";
export type { ChannelRangesOptions } from "./channel-ranges.js";
export { channelRanges } from "./channel-ranges.js";
export type { ClipChoice, ClipSweepOptions } from "./clip-sweep.js";
export { clipSweep } from "./clip-sweep.js";
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
export type { FloatNumberLineOptions } from "./float-number-line.js";
export { floatNumberLine } from "./float-number-line.js";
export type { HeatmapOptions, HeatmapPanel } from "./heatmap.js";
export { heatmap } from "./heatmap.js";
export type { HistogramWithLevelsOptions } from "./histogram-with-levels.js";
export { histogramWithLevels } from "./histogram-with-levels.js";
export type { LayerDamage, LayerSensitivityOptions } from "./layer-sensitivity.js";
export { layerSensitivity } from "./layer-sensitivity.js";
export type { LineChartOptions, LineSeries } from "./line-chart.js";
export { lineChart } from "./line-chart.js";
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
export type { StorageBarsOptions, StorageField, StorageRow } from "./storage-bars.js";
export { storageBars } from "./storage-bars.js";
export { COLORS, SERIES_COLORS } from "./theme.js";
export type { Figure } from "./types.js";
export type { ValueSpacingOptions } from "./value-spacing.js";
export { valueSpacing } from "./value-spacing.js";
export type { ZeroPointTermBarsOptions } from "./zero-point-term-bars.js";
export { zeroPointTermBars } from "./zero-point-term-bars.js";
