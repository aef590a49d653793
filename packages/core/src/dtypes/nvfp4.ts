/**
 * NVIDIA's NVFP4: float4e2m1 elements, a float8e4m3fn scale per 16 values along the last axis, and
 * a float32 scale for the whole tensor. The constants of torchao's recipe, the single source of
 * truth for the kernel (../kernels/nvfp4.ts) and the public functions (../blocks/nvfp4.ts).
 */

/** What NVFP4 is: its block, its element and scale types, and the constants of its recipe. */
export interface Nvfp4Info {
  /** Values per block scale: 16, along the last axis. */
  readonly blockSize: 16;
  readonly element: "float4e2m1";
  readonly scale: "float8e4m3fn";
  /** The tensor scale's type. */
  readonly tensorScale: "float32";
  /** `globalScale = amax / 2688`, 2688 = 448 · 6: the largest e4m3 scale times the largest e2m1 value. */
  readonly globalDivisor: 2688;
  /** Block scales are clamped to [2^-6, 448] before their cast to e4m3: never an e4m3 subnormal. */
  readonly minScale: number;
  readonly maxScale: 448;
  /** 4 bits a value plus an 8-bit scale per 16: 4.5 (the tensor scale aside). */
  readonly bitsPerWeight: number;
  readonly layout: string;
  readonly oracle: string;
}

/**
 * NVFP4's block size, types and recipe constants.
 *
 * @example
 * [NVFP4.blockSize, NVFP4.globalDivisor, NVFP4.minScale, NVFP4.bitsPerWeight]
 * // => [16, 2688, 0.015625, 4.5]
 */
export const NVFP4: Nvfp4Info = Object.freeze({
  blockSize: 16,
  element: "float4e2m1",
  scale: "float8e4m3fn",
  tensorScale: "float32",
  globalDivisor: 2688,
  minScale: 2 ** -6,
  maxScale: 448,
  bitsPerWeight: 4 + 8 / 16,
  layout:
    "globalScale float32; scales: one float8e4m3fn code per 16 values of a row; packed: two float4e2m1 codes a byte, the first in the low nibble; value = e2m1 · (globalScale · e4m3)",
  oracle:
    "pytorch/ao 36027d82 torchao/prototype/mx_formats/nvfp4_tensor.py: per_tensor_amax_to_scale, nvfp4_quantize, NVFP4Tensor.dequantize",
});
