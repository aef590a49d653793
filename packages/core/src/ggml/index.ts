export type { DequantizeGgmlOptions, GgmlTensor, QuantizeGgmlOptions } from "./quantize.js";
export { dequantizeGgml, quantizeGgml } from "./quantize.js";
export type { GgmlType, GgmlTypeInfo } from "./types.js";
export { GGML_TYPES, isGgmlType } from "./types.js";
