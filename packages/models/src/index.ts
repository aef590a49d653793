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
