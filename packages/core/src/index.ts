// @quantlab/core: the public API. This file only re-exports; the unstable kernel internals are in
// the second entry "@quantlab/core/kernels", the error helpers in "@quantlab/core/validate".

export type {
  BnbNested,
  BnbPacked,
  BnbTensor,
  DequantizeBnbOptions,
  QuantizeBnbOptions,
} from "./blocks/bnb.js";
export { dequantizeBnb, quantizeBnb } from "./blocks/bnb.js";
export type { DequantizeGgmlOptions, GgmlTensor, QuantizeGgmlOptions } from "./blocks/ggml.js";
export { dequantizeGgml, quantizeGgml } from "./blocks/ggml.js";
export type { DequantizeMxOptions, MxTensor, QuantizeMxOptions } from "./blocks/mx.js";
export { dequantizeMx, quantizeMx } from "./blocks/mx.js";
export type {
  DequantizeNvfp4Options,
  Nvfp4Packed,
  Nvfp4Tensor,
  QuantizeNvfp4Options,
} from "./blocks/nvfp4.js";
export { dequantizeNvfp4, quantizeNvfp4 } from "./blocks/nvfp4.js";
export type { BlockStorage, StoredField } from "./blocks/storage.js";
export { blockStorage, ggmlBlockFields } from "./blocks/storage.js";
export type { BnbFormat, BnbFormatInfo } from "./dtypes/bnb.js";
export {
  BNB_BLOCK_SIZES,
  BNB_FORMATS,
  BNB_TABLES,
  isBnbFormat,
} from "./dtypes/bnb.js";
export type { GgmlType, GgmlTypeInfo } from "./dtypes/ggml.js";
export { GGML_TYPES, isGgmlType } from "./dtypes/ggml.js";
export type { MxFormat, MxFormatInfo, MxRounding } from "./dtypes/mx.js";
export { isMxFormat, MX_FORMATS } from "./dtypes/mx.js";
export type { Nvfp4Info } from "./dtypes/nvfp4.js";
export { NVFP4 } from "./dtypes/nvfp4.js";
export type {
  FloatDType,
  FloatFormat,
  FloatPrecision,
  FloatStorage,
  Int4DType,
  Int8DType,
  IntegerArray,
  IntegerArrayConstructor,
  IntegerDType,
  IntegerFormat,
  PackedDType,
  PackedIntegerDType,
  QuantDType,
  QuantFloatDType,
  RoundMode,
  Semantics,
} from "./dtypes/table.js";
export {
  FLOAT_DTYPES,
  FLOAT_FORMATS,
  FLOAT_PRECISIONS,
  INT4_DTYPES,
  INT8_DTYPES,
  INTEGER_DTYPES,
  INTEGER_FORMATS,
  isFloatDType,
  isIntegerDType,
  PACKED_DTYPES,
  PACKED_INTEGER_DTYPES,
  QUANT_DTYPES,
  QUANT_FLOAT_DTYPES,
  SEMANTICS,
} from "./dtypes/table.js";
export type { EncodeFloatOptions } from "./floats/codecs.js";
export { decodeFloat, encodeFloat, roundToFloat } from "./floats/codecs.js";
export type { FormatName, FormatSummary } from "./floats/formats.js";
export { formatSummary, roundToFormat } from "./floats/formats.js";
export type { BitField, BitLayout, BitPattern } from "./floats/layout.js";
export { bitLayout, bitPattern } from "./floats/layout.js";
export { representableValues } from "./floats/values.js";
export type {
  Int8Matrix,
  Int32Matrix,
  MatmulIntegerOptions,
  PackingLayout,
  PackingOrder,
  QLinearOutput,
  QuantizedMultiplier,
  QuantizedOperand,
  RequantizeFloat32Options,
  RequantizeOptions,
  ZeroPointTerms,
} from "./integer/index.js";
export {
  castWrapping,
  matmulInteger,
  multiplyByQuantizedMultiplier,
  PACKING_ORDERS,
  packCodes,
  packInt4,
  packingLayout,
  packNibbles,
  qlinearMatMul,
  qlinearMultiplier,
  quantizeMultiplier,
  requantize,
  requantizeFloat,
  requantizeFloat32,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  unpackCodes,
  unpackInt4,
  unpackNibbles,
  zeroPointTerms,
} from "./integer/index.js";
export type { ThreadSupport } from "./kernels/fast/threads.js";
export {
  bfloat16BitsToFloat32,
  float8e4m3fnBitsToFloat32,
  float8e5m2BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat8e4m3fnBits,
  float32ToFloat8e5m2Bits,
  float32ToFloat16Bits,
} from "./kernels/floats.js";
export { roundHalfEven } from "./kernels/rounding.js";
export { activeBackend } from "./kernels/select.js";
export type { AllocateDType } from "./memory/allocate.js";
export { allocate, dispose, isAllocated, threadSupport } from "./memory/allocate.js";
export type { BitsPerWeightOptions, StoredCodes } from "./metrics/bits.js";
export { bitsPerWeight } from "./metrics/bits.js";
export * from "./metrics/metrics.js";
export * from "./params/calibration/index.js";
export type { Granularity, GranularOptions, GranularParams } from "./params/granular.js";
export { GRANULARITIES, granularParams } from "./params/granular.js";
export type { MovingAverageOptions, ObservedParams, ObserverOptions } from "./params/observers.js";
export { MinMaxObserver, MovingAverageMinMaxObserver } from "./params/observers.js";
export type { RangeOptions, Scheme, TensorParams } from "./params/range.js";
export {
  affineParams,
  extent,
  minMaxScaling,
  OBSERVER_EPS,
  qparamsFromRange,
  symmetricParams,
} from "./params/range.js";
export type { DynamicQuantizeOptions } from "./quantize/dynamic.js";
export { dynamicQuantizeLinear } from "./quantize/dynamic.js";
export type { FakeQuantizeOptions, NudgedOptions, NudgedRange } from "./quantize/fake.js";
export { fakeQuantize, fakeQuantizeNudged, nudgedRange } from "./quantize/fake.js";
export type { PackedTensor, QuantizePackedOptions } from "./quantize/packed.js";
export { dequantizePacked, quantizePacked } from "./quantize/packed.js";
export type {
  CodecOptions,
  DequantizeOptions,
  QuantizedTensor,
  QuantizeOptions,
} from "./quantize/quantize.js";
export { dequantize, quantize } from "./quantize/quantize.js";
export type { QuantizeTrace } from "./quantize/trace.js";
export { traceQuantize } from "./quantize/trace.js";
export { seededNormal, seededRandom } from "./random.js";
export type {
  MatrixLike,
  NestedArray,
  NumericArray,
  ParamLayout,
  Tensor,
  TensorLike,
} from "./tensor.js";
export type { Backend, QuantParams, Threads } from "./validate/params.js";
export { BACKENDS } from "./validate/params.js";
