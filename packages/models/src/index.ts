export type {
  ModelFile,
  ModelFormat,
  StoredQuantization,
  StoredTensor,
} from "./model.js";
export { ModelFileError } from "./model.js";
export type {
  AttributeValue,
  OnnxModelSpec,
  OnnxNodeSpec,
  OnnxTensorSpec,
  OnnxValueSpec,
  TensorData,
} from "./onnx/build.js";
export { createOnnxModel } from "./onnx/build.js";
export type { CalibrateOnnxOptions, OnnxFeed, OnnxRunner } from "./onnx/calibrate.js";
export { calibrateOnnx } from "./onnx/calibrate.js";
export type { OnnxDType } from "./onnx/dtypes.js";
export { ONNX_DTYPES } from "./onnx/dtypes.js";
export type { OpsetUpgrade } from "./onnx/opset.js";
export { upgradeOnnxOpset } from "./onnx/opset.js";
export type {
  ActivationParams,
  QuantizedOnnx,
  QuantizedWeightReport,
  QuantizeOnnxOptions,
  WeightDType,
} from "./onnx/quantize.js";
export { quantizeOnnx } from "./onnx/quantize.js";
export type { OnnxMetadata, OnnxValueInfo, ReadOnnxOptions } from "./onnx/read.js";
export { readOnnx } from "./onnx/read.js";
export type { ExternalDataResolver } from "./onnx/tensor.js";
