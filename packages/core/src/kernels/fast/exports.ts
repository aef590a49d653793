/**
 * The exports of the compiled module (assembly/kernels.ts has each one's contract). Pointers are
 * byte offsets into its memory; `torch` is SEMANTICS_ONNX or SEMANTICS_PYTORCH and `kind` a
 * storage kind of ./abi.ts. The quantize exports return 1 when some input value was NaN, else 0.
 */
export interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  bufferBase(): number;
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
  fakeQuantizeTensor(
    torch: number,
    src: number,
    dst: number,
    n: number,
    scale: number,
    zp: number,
    qmin: number,
    qmax: number,
  ): number;
  quantizeInt4Packed(
    torch: number,
    src: number,
    dst: number,
    n: number,
    scale: number,
    zp: number,
    qmin: number,
    qmax: number,
  ): number;
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
}
