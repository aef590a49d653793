// "@quantlab/core/kernels": the kernel contract and both backends, for benchmarks, tests and
// whoever writes a backend. Unstable: it changes with the kernels, without a major version.
export type { KernelExports } from "./fast/exports.js";
export type { FastKernels } from "./fast/kernels.js";
export { createFastKernels } from "./fast/kernels.js";
export type { LoadFastKernelsOptions, WebAssemblyLike } from "./fast/load.js";
export { DEFAULT_CHUNK_SIZE, hasWasmSimd, loadFastKernels } from "./fast/load.js";
export { codeOf, dequantizedValue, paramIndex, referenceKernels } from "./reference.js";
export type { HalfDType, Kernels } from "./types.js";
