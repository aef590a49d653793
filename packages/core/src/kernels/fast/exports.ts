/**
 * The exports of the compiled module (assembly/kernels.ts has each one's contract). Pointers are
 * byte offsets into its memory; `torch` is SEMANTICS_ONNX or SEMANTICS_PYTORCH and `kind` a
 * storage kind of ./abi.ts. The quantize exports return 1 when some input value was NaN, else 0.
 */
export interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  bufferBase(): number;
  /** Points this instance's block-kernel scratch at `base` (SCRATCH_BYTES, 16-byte aligned). */
  useScratch(base: number): void;
  quantizeTensor(
    torch: number,
    kind: number,
    src: number,
    dst: number,
    n: number,
    scale: number,
    zp: number,
    qmin: number,
    qmax: number,
  ): number;
  quantizeLayoutRows(
    torch: number,
    kind: number,
    src: number,
    dst: number,
    rows: number,
    len: number,
    scales: number,
    zps: number,
    qmin: number,
    qmax: number,
  ): number;
  quantizeLayoutElems(
    torch: number,
    kind: number,
    src: number,
    dst: number,
    n: number,
    scales: number,
    zps: number,
    qmin: number,
    qmax: number,
  ): number;
  fakeQuantizeTensor: OneKindQuantizeExport;
  quantizeInt4Packed: OneKindQuantizeExport;
  dequantizeTensor(
    kind: number,
    src: number,
    dst: number,
    n: number,
    scale: number,
    zp: number,
  ): void;
  dequantizeLayoutRows(
    kind: number,
    src: number,
    dst: number,
    rows: number,
    len: number,
    scales: number,
    zps: number,
  ): void;
  dequantizeLayoutElems(
    kind: number,
    src: number,
    dst: number,
    n: number,
    scales: number,
    zps: number,
  ): void;
  encodeHalf(bf: number, src: number, dst: number, n: number): void;
  decodeHalf(bf: number, src: number, dst: number, n: number): void;
  // The block formats (assembly/blocks.ts): `blocks` whole blocks at `src` to `dst`. The
  // quantizers return -1, or the first block (0-based, in this call) they cannot store or that
  // holds NaN or ±Infinity.
  quantizeQ8_0(src: number, dst: number, blocks: number): number;
  dequantizeQ8_0(src: number, dst: number, blocks: number): void;
  quantizeQ4_0(src: number, dst: number, blocks: number): number;
  dequantizeQ4_0(src: number, dst: number, blocks: number): void;
  quantizeQ4_K(src: number, dst: number, blocks: number): number;
  dequantizeQ4_K(src: number, dst: number, blocks: number): void;
  quantizeQ6_K(src: number, dst: number, blocks: number): number;
  dequantizeQ6_K(src: number, dst: number, blocks: number): void;
  /** `away` 1 for ties away from zero, 0 for ties to the even code; `packed` 1 for two codes a byte. */
  quantizeMxfp4(
    away: number,
    src: number,
    scales: number,
    codes: number,
    blocks: number,
    packed: number,
  ): void;
  dequantizeMxfp4(scales: number, codes: number, dst: number, blocks: number, packed: number): void;
  /** Returns 1 when some value was NaN or ±Infinity, else 0. */
  quantize4bit(
    src: number,
    blocks: number,
    blockSize: number,
    book: number,
    codes: number,
    packed: number,
    absmax: number,
  ): number;
  dequantize4bit(
    packed: number,
    absmax: number,
    blocks: number,
    blockSize: number,
    table: number,
    dst: number,
  ): void;
}

/** The per-tensor quantizers with no `kind` argument: their output has one (float32, packed int4). */
type OneKindQuantizeExport = (
  torch: number,
  src: number,
  dst: number,
  n: number,
  scale: number,
  zp: number,
  qmin: number,
  qmax: number,
) => number;
