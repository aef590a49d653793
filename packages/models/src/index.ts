export type {
  ModelFile,
  ModelFormat,
  StoredQuantization,
  StoredTensor,
} from "./model.js";
export { ModelFileError } from "./model.js";
