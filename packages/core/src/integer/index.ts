/**
 * Integer arithmetic: int4 packing, ONNX Cast to the sub-byte integers, MatMulInteger and
 * QLinearMatMul, gemmlowp/TFLite requantization.
 */
export { castWrapping } from "./cast.js";
export {
  type Int8Matrix,
  type Int32Matrix,
  type MatmulIntegerOptions,
  matmulInteger,
} from "./matmul.js";
export {
  PACKING_ORDERS,
  type PackingLayout,
  type PackingOrder,
  packingLayout,
  packNibbles,
  unpackNibbles,
} from "./nibbles.js";
export { packCodes, packInt4, unpackCodes, unpackInt4 } from "./pack.js";
export {
  type QLinearOutput,
  type QuantizedOperand,
  qlinearMatMul,
} from "./qlinear.js";
export {
  multiplyByQuantizedMultiplier,
  type QuantizedMultiplier,
  quantizeMultiplier,
  type RequantizeOptions,
  requantize,
  requantizeFloat,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from "./requantize.js";
export {
  qlinearMultiplier,
  type RequantizeFloat32Options,
  requantizeFloat32,
} from "./requantize-float32.js";
export { type ZeroPointTerms, zeroPointTerms } from "./zero-point-terms.js";
