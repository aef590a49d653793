export type { GgufArray, GgufArrayItems, GgufFile, GgufTensor, GgufValue } from "./model.js";
export type { ReadGgufOptions } from "./read.js";
export { GGUF_DEFAULT_ALIGNMENT, readGguf } from "./read.js";
export type { GgufTensorType, GgufValueType } from "./types.js";
export { GGUF_TENSOR_TYPES, GGUF_VALUE_TYPES } from "./types.js";
export type { GgufTensorInput, GgufValueInput, WriteGgufInput } from "./write.js";
export { writeGguf } from "./write.js";
