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
import type { IntegerArray, Semantics } from "../dtypes/table.js";
import type { ParamLayout } from "../tensor.js";

/** The half-precision float formats that have an array codec on every backend. */
export type HalfDType = "float16" | "bfloat16";

export interface Kernels {
  readonly name: "fast" | "reference";
  /** Per tensor: `q = saturate(rint(x / s) + zp)` (ONNX) or PyTorch's `quantize_val`. */
  quantizeTensor(
    semantics: Semantics,
    x: Float32Array,
    scale: number,
    zeroPoint: number,
    qmin: number,
    qmax: number,
    out: IntegerArray,
  ): number;
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
  fakeQuantizeTensor(
    semantics: Semantics,
    x: Float32Array,
    scale: number,
    zeroPoint: number,
    qmin: number,
    qmax: number,
    out: Float32Array,
  ): number;
  /** int4/uint4 codes packed two per byte (the first in the low nibble, an odd tail's high nibble 0). */
  quantizeInt4Packed(
    semantics: Semantics,
    x: Float32Array,
    scale: number,
    zeroPoint: number,
    qmin: number,
    qmax: number,
    out: Uint8Array,
  ): number;
  /** float32 to float16 / bfloat16 bits: nearest, ties to even, overflow to ±Infinity. */
  encodeHalf(dtype: HalfDType, x: Float32Array, out: Uint16Array): void;
  /** float16 / bfloat16 bits to float32, exactly. */
  decodeHalf(dtype: HalfDType, bits: Uint16Array, out: Float32Array): void;
}
