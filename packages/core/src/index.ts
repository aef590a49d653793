export type { EncodeFloatOptions, FloatFormat, FloatStorage } from "./dtypes/floats.js";
export {
  bfloat16BitsToFloat32,
  decodeFloat,
  encodeFloat,
  FLOAT_DTYPES,
  FLOAT_FORMATS,
  float8e4m3fnBitsToFloat32,
  float8e5m2BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat8e4m3fnBits,
  float32ToFloat8e5m2Bits,
  float32ToFloat16Bits,
  isFloatDType,
  roundToFloat,
} from "./dtypes/floats.js";
export type { FormatName, FormatSummary } from "./dtypes/formats.js";
export { formatSummary, roundToFormat } from "./dtypes/formats.js";
export type {
  FloatDType,
  IntegerArray,
  IntegerArrayConstructor,
  IntegerDType,
  IntegerFormat,
} from "./dtypes/table.js";
export { INTEGER_DTYPES, INTEGER_FORMATS, isIntegerDType } from "./dtypes/table.js";
export type {
  DequantizeGgmlOptions,
  GgmlTensor,
  GgmlType,
  GgmlTypeInfo,
  QuantizeGgmlOptions,
} from "./ggml/index.js";
export { dequantizeGgml, GGML_TYPES, isGgmlType, quantizeGgml } from "./ggml/index.js";
export type {
  Int4DType,
  Int8DType,
  Int8Matrix,
  Int32Matrix,
  MatmulIntegerOptions,
  QuantizedMultiplier,
  RequantizeDType,
  RequantizeOptions,
} from "./integer/index.js";
export {
  matmulInteger,
  multiplyByQuantizedMultiplier,
  packInt4,
  quantizeMultiplier,
  requantize,
  requantizeFloat,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  unpackInt4,
} from "./integer/index.js";
export type { FastKernels, LoadFastKernelsOptions, WebAssemblyLike } from "./kernels/fast/index.js";
export { DEFAULT_CHUNK_SIZE, hasWasmSimd, loadFastKernels } from "./kernels/fast/index.js";
export { roundHalfEven } from "./kernels/rounding.js";
export type { Backend } from "./kernels/select.js";
export { activeBackend, BACKENDS } from "./kernels/select.js";
export * from "./metrics/metrics.js";
export * from "./params/calibration/index.js";
export type { MovingAverageOptions, ObservedParams, ObserverOptions } from "./params/observers.js";
export {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
} from "./params/observers.js";
export type { RangeOptions, Scheme, TensorParams } from "./params/range.js";
export {
  affineParams,
  minMaxScaling,
  OBSERVER_EPS,
  qparamsFromRange,
  symmetricParams,
} from "./params/range.js";
export type { NudgedOptions, NudgedRange } from "./quantize/fake.js";
export { fakeQuantize, fakeQuantizeNudged, nudgedRange } from "./quantize/fake.js";
export type { PackedTensor, QuantizePackedOptions } from "./quantize/packed.js";
export { dequantizePacked, quantizePacked } from "./quantize/packed.js";
export type { QuantParams, Semantics } from "./quantize/params.js";
export { SEMANTICS } from "./quantize/params.js";
export type {
  DequantizeOptions,
  QuantizeCallOptions,
  QuantizedTensor,
  QuantizeOptions,
} from "./quantize/quantize.js";
export { dequantize, quantize } from "./quantize/quantize.js";
export type { QuantizeTrace } from "./quantize/trace.js";
export { traceQuantize } from "./quantize/trace.js";
export type { MatrixLike, NestedArray, NumericArray, Tensor, TensorLike } from "./tensor.js";
