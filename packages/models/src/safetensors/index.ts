export type {
  ReadSafetensorsOptions,
  SafetensorsDType,
  SafetensorsFile,
  SafetensorsTensor,
} from "./read.js";
export { readSafetensors, SAFETENSORS_DTYPES } from "./read.js";
export type { SafetensorsTensorInput, WriteSafetensorsInput } from "./write.js";
export { writeSafetensors } from "./write.js";
