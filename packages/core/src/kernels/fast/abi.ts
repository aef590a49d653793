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

/**
 * The bitsandbytes codebook the JS side writes for `quantize4bit`: 15 float32 midpoints of the
 * sorted table at its start, then at this byte offset the 16 codes of the sorted values.
 */
export const BNB_BOOK_ORDER = 64;

/** The value table of `dequantize4bit`: four planes of 16 bytes (byte k of each float32), this far apart. */
export const BNB_TABLE_PLANE = 16;

/** Bytes of the scratch region each instance of the block kernels needs (`useScratch`). */
export const SCRATCH_BYTES = 6144;
