export { INTEGER_DTYPES, INTEGER_FORMATS, isIntegerDType } from "./dtypes/table.js";
export type { FloatDType, IntegerArray, IntegerDType, IntegerFormat } from "./dtypes/table.js";
export { roundHalfEven } from "./kernels/rounding.js";
export * from "./metrics/metrics.js";
export {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
} from "./params/observers.js";
export type { MovingAverageOptions, ObservedParams, ObserverOptions } from "./params/observers.js";
export {
  affineParams,
  minMaxScaling,
  OBSERVER_EPS,
  qparamsFromRange,
  symmetricParams,
} from "./params/range.js";
export type { RangeOptions, Scheme, TensorParams } from "./params/range.js";
export { SEMANTICS } from "./quantize/params.js";
export type { QuantParams, Semantics } from "./quantize/params.js";
export { dequantize, quantize } from "./quantize/quantize.js";
export type { QuantizedTensor, QuantizeOptions } from "./quantize/quantize.js";
export type { MatrixLike, NestedArray, Tensor, TensorLike } from "./tensor.js";
