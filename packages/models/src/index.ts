export type {
  GgufArray,
  GgufArrayItems,
  GgufFile,
  GgufTensor,
  GgufTensorInput,
  GgufTensorType,
  GgufValue,
  GgufValueInput,
  GgufValueType,
  ReadGgufOptions,
  WriteGgufInput,
} from "./gguf/index.js";
export {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_TENSOR_TYPES,
  GGUF_VALUE_TYPES,
  readGguf,
  writeGguf,
} from "./gguf/index.js";
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
export type { FoldBatchNormOptions, FoldedBatchNorm, FoldedOnnx } from "./onnx/fold.js";
export { foldBatchNormOnnx } from "./onnx/fold.js";
export type { OnnxLayer } from "./onnx/layers.js";
export { onnxLayers, scaleLayerInputs, withGraphOutputs } from "./onnx/layers.js";
export type { OpsetUpgrade } from "./onnx/opset.js";
export { upgradeOnnxOpset } from "./onnx/opset.js";
export type {
  ActivationParams,
  OnnxQuantizationPlan,
  OnnxWeightCodes,
  OnnxWeightJob,
  QuantizedOnnx,
  QuantizedWeightReport,
  QuantizeOnnxOptions,
  WeightDType,
} from "./onnx/quantize.js";
export { planOnnxQuantization, quantizeOnnx, quantizeOnnxWeight } from "./onnx/quantize.js";
export type { OnnxMetadata, OnnxValueInfo, ReadOnnxOptions } from "./onnx/read.js";
export { readOnnx } from "./onnx/read.js";
export type { ExternalDataResolver } from "./onnx/tensor.js";
export type { ReadModelOptions } from "./read.js";
export { readModel, sniffFormat } from "./read.js";
export type {
  ReadSafetensorsOptions,
  SafetensorsDType,
  SafetensorsFile,
  SafetensorsTensor,
  SafetensorsTensorInput,
  WriteSafetensorsInput,
} from "./safetensors/index.js";
export { readSafetensors, SAFETENSORS_DTYPES, writeSafetensors } from "./safetensors/index.js";
export type { ReadTfjsOptions, TfjsDType, TfjsFile, TfjsTensor } from "./tfjs/index.js";
export { readTfjs } from "./tfjs/index.js";
