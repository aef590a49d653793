// @quantlab/algorithms: quantization beyond round-to-nearest. This file only re-exports.

export type { AwqOptions, AwqResult } from "./awq.js";
export { awq } from "./awq.js";
export type {
  EqualizeChainOptions,
  EqualizedLayer,
  EqualizeOptions,
  Layer,
} from "./equalize.js";
export { correctBias, equalize, equalizeChain } from "./equalize.js";
export { layerError } from "./error.js";
export type {
  GptqOptions,
  GptqQuantizerOptions,
  GptqReport,
  GptqResult,
  Hessian,
} from "./gptq.js";
export { gptq, gptqHessian, gptqWithQuantizer, hessian } from "./gptq.js";
export type { GridOptions, QuantizedWeight } from "./grid.js";
export type { HqqOptions, HqqResult } from "./hqq.js";
export { hqq } from "./hqq.js";
export type {
  LayerMethod,
  LayerOptions,
  LayerParams,
  LayerProgress,
  LayerQuantization,
} from "./layer.js";
export { LAYER_METHODS, quantizeLayer } from "./layer.js";
export type { Matrix } from "./matrix.js";
export type { ConvGeometry } from "./patches.js";
export { convOutputSpace, convPatches, convRowCount } from "./patches.js";
export type { FakeQuantizeStep, LsqOptions, LsqStep } from "./qat.js";
export { fakeQuantSte, lsq } from "./qat.js";
export { rtn } from "./rtn.js";
export type { SmoothQuantOptions, SmoothQuantResult } from "./smoothquant.js";
export { smoothQuant } from "./smoothquant.js";
