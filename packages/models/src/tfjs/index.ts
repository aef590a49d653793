export type { ReadTfjsOptions, TfjsDType, TfjsFile, TfjsTensor } from "./read.js";
export { readTfjs } from "./read.js";
