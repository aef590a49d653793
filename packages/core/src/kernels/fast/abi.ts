// The numbers both sides of the WebAssembly boundary agree on. assembly/kernels.ts imports this
// file too (it is valid AssemblyScript: constants only), and scripts/build-wasm.mjs hashes it.

/** Storage kind of a code array: the `kind` argument of the quantize and dequantize exports. */
export const KIND_INT8 = 0;
export const KIND_UINT8 = 1;
export const KIND_INT16 = 2;
export const KIND_UINT16 = 3;

/** The `torch` flag of the quantize exports: ONNX's arithmetic (0) or PyTorch's (1). */
export const SEMANTICS_ONNX = 0;
export const SEMANTICS_PYTORCH = 1;

/** The `bf` flag of the half-precision codecs: float16 (0) or bfloat16 (1). */
export const HALF_FLOAT16 = 0;
export const HALF_BFLOAT16 = 1;

/** Values per loop iteration of the widest kernel (packed int4): the input lanes zeroed past a chunk. */
export const WIDEST_GROUP = 32;
