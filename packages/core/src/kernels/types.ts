/**
 * The kernel contract: the one set of hot loops that every backend implements in full (the
 * reference in ./reference.ts, the WebAssembly SIMD path in ./fast/kernels.ts), both checked with
 * `satisfies Kernels`. The public functions know the backends through this interface only.
 *
 * Kernels trust their inputs (the public functions validate and allocate): scales are positive
 * finite float32 values, zero points and bounds integers of the storage type, `out` long enough.
 * Parameters come in one order: semantics first, `out` last. Every quantize kernel returns the index
 * of the first NaN in `x` (NaN has no integer code), or -1; after a NaN, `out` is unspecified.
 */
import type { BnbFormat } from "../dtypes/bnb.js";
import type { MxRounding } from "../dtypes/mx.js";
import type { IntegerArray, Semantics } from "../dtypes/table.js";
import type { ParamLayout } from "../tensor.js";

/** The half-precision float formats that have an array codec on every backend. */
export type HalfDType = "float16" | "bfloat16";

/**
 * The per-tensor quantize kernels' one signature (quantizeTensor, fakeQuantizeTensor,
 * quantizeInt4Packed): they differ only in what `out` holds.
 */
type QuantizeTensorKernel<Out> = (
  semantics: Semantics,
  x: Float32Array,
  scale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: Out,
) => number;

export interface Kernels {
  readonly name: "fast" | "reference";
  /** Per tensor: `q = saturate(rint(x / s) + zp)` (ONNX) or PyTorch's `quantize_val`. */
  quantizeTensor: QuantizeTensorKernel<IntegerArray>;
  /** Per tensor: `x = fround(q - zp) * s` (ONNX) or `(fround(q) - fround(zp)) * s` (PyTorch). */
  dequantizeTensor(
    semantics: Semantics,
    q: ArrayLike<number>,
    scale: number,
    zeroPoint: number,
    out: Float32Array,
  ): void;
  /** Per axis or per block: the per-tensor formulas with each element's parameters (`layout`). */
  quantizeLayout(
    semantics: Semantics,
    x: Float32Array,
    scales: Float32Array,
    zeroPoints: Int32Array,
    layout: ParamLayout,
    qmin: number,
    qmax: number,
    out: IntegerArray,
  ): number;
  dequantizeLayout(
    semantics: Semantics,
    q: ArrayLike<number>,
    scales: Float32Array,
    zeroPoints: Int32Array,
    layout: ParamLayout,
    out: Float32Array,
  ): void;
  /** Quantize then dequantize in one pass, without storing the codes. */
  fakeQuantizeTensor: QuantizeTensorKernel<Float32Array>;
  /** int4/uint4 codes packed two per byte (the first in the low nibble, an odd tail's high nibble 0). */
  quantizeInt4Packed: QuantizeTensorKernel<Uint8Array>;
  /** float32 to float16 / bfloat16 bits: nearest, ties to even, overflow to ±Infinity. */
  encodeHalf(dtype: HalfDType, x: Float32Array, out: Uint16Array): void;
  /** float16 / bfloat16 bits to float32, exactly. */
  decodeHalf(dtype: HalfDType, bits: Uint16Array, out: Float32Array): void;

  // The block formats: the bits of ggml's scalar reference code (kernels/ggml/), of the OCP MX
  // rule (kernels/mx.ts) and of bitsandbytes' default backend (kernels/bnb.ts). The ggml
  // quantizers read `x.length / blockSize` blocks (32, or 256 for the _K types) and write them back
  // to back to `out`; they return -1, or the index of the first block that holds NaN or ±Infinity
  // or that the format cannot store (GGML_TYPES[t].storable); `out` is then unspecified.

  /** ggml q8_0 (`quantize_row_q8_0_ref`): 34 bytes a block of 32. */
  quantizeQ8_0(x: Float32Array, out: Uint8Array): number;
  /** ggml `dequantize_row_q8_0`: `out.length / 32` blocks. */
  dequantizeQ8_0(q: Uint8Array, out: Float32Array): void;
  /** ggml q4_0: 18 bytes a block of 32. */
  quantizeQ4_0(x: Float32Array, out: Uint8Array): number;
  dequantizeQ4_0(q: Uint8Array, out: Float32Array): void;
  /** ggml q4_K: 144 bytes a super-block of 256. */
  quantizeQ4_K(x: Float32Array, out: Uint8Array): number;
  dequantizeQ4_K(q: Uint8Array, out: Float32Array): void;
  /** ggml q6_K: 210 bytes a super-block of 256. */
  quantizeQ6_K(x: Float32Array, out: Uint8Array): number;
  dequantizeQ6_K(q: Uint8Array, out: Float32Array): void;
  /**
   * OCP MXFP4 on blocks of 32 consecutive values (`x.length` a multiple of 32): the E8M0 scale
   * codes to `scales`, the float4e2m1 codes to `codes`, one a byte or with `packed` two a byte
   * (the first in the low nibble). Any input: a block holding NaN or ±Infinity gets scale 0xFF.
   */
  quantizeMxfp4(
    rounding: MxRounding,
    x: Float32Array,
    scales: Uint8Array,
    codes: Uint8Array,
    packed: boolean,
  ): void;
  /** OCP MXFP4 of blocks of 32 consecutive values: element · 2^(scale - 127), NaN for 0xFF. */
  dequantizeMxfp4(scales: Uint8Array, codes: Uint8Array, packed: boolean, out: Float32Array): void;
  /**
   * bitsandbytes' quantize_4bit (NF4 or FP4) over blocks of `blockSize` of the flat `x`, the last
   * block possibly shorter: codes one a byte to `codes` and two a byte to `packed` (the first in
   * the high nibble, an odd tail's low nibble the code of 0), the absmax of each block to
   * `absmax`. Returns -1, or the index of the first value that is NaN or ±Infinity (the outputs
   * are then unspecified).
   */
  quantize4bit(
    format: BnbFormat,
    x: Float32Array,
    blockSize: number,
    codes: Uint8Array,
    packed: Uint8Array,
    absmax: Float32Array,
  ): number;
  /** bitsandbytes' dequantize_4bit: table[code] · absmax of the block, for `out.length` values. */
  dequantize4bit(
    format: BnbFormat,
    packed: Uint8Array,
    absmax: Float32Array,
    blockSize: number,
    out: Float32Array,
  ): void;
}
