/**
 * The fast kernels: the JavaScript side of the WebAssembly SIMD module (assembly/kernels.ts), one
 * wrapper per member of Kernels, each streaming its arrays through the module's buffers (./stream.ts)
 * and giving the reference's bits; the block formats' members are in ./blocks.ts.
 *
 * NaN: the SIMD loops OR a NaN mask as they go and return a flag per chunk; only a chunk that
 * reports NaN is scanned again, for the index, and the kernel returns at once.
 *
 * One input the SIMD loops do not take, and which goes to the reference kernels instead: int32
 * codes (and code arrays that are not 8- or 16-bit typed arrays). (A PyTorch scale whose float32
 * reciprocal overflows never reaches a kernel: the public functions refuse it.)
 */
import type { IntegerArray, Semantics } from "../../dtypes/table.js";
import { referenceKernels } from "../reference.js";
import type { HalfDType, Kernels } from "../types.js";
import {
  HALF_BFLOAT16,
  HALF_FLOAT16,
  KIND_INT8,
  KIND_INT16,
  KIND_UINT8,
  KIND_UINT16,
  SEMANTICS_ONNX,
  SEMANTICS_PYTORCH,
} from "./abi.js";
import { createBlockKernels } from "./blocks.js";
import type { KernelExports } from "./exports.js";
import { type Buffers, createBuffers, firstNaN, streamLayout } from "./stream.js";

/** The fast backend's kernels, and what they hold in WebAssembly memory. */
export interface FastKernels extends Kernels {
  readonly name: "fast";
  /** Elements per chunk streamed through WebAssembly memory. */
  readonly chunkSize: number;
  /** Bytes of WebAssembly memory the module holds (fixed: it does not grow with the tensors). */
  readonly memoryBytes: number;
}

/** Storage kind of a code array (./abi.ts), or -1 where only the reference kernels take it. */
function kindOf(a: unknown): number {
  if (a instanceof Int8Array) return KIND_INT8;
  if (a instanceof Uint8Array) return KIND_UINT8;
  if (a instanceof Int16Array) return KIND_INT16;
  if (a instanceof Uint16Array) return KIND_UINT16;
  return -1;
}

const flag = (semantics: Semantics) =>
  semantics === "pytorch" ? SEMANTICS_PYTORCH : SEMANTICS_ONNX;

/** Builds the fast kernels on an instantiated module. */
export function createFastKernels(ex: KernelExports, chunkSize: number): FastKernels {
  if (!Number.isInteger(chunkSize) || chunkSize < 64 || chunkSize % 64 !== 0) {
    throw new RangeError(
      `createFastKernels(): chunkSize must be a positive multiple of 64; received ${chunkSize}.`,
    );
  }
  const b: Buffers = createBuffers(ex, chunkSize);
  const { IN, OUT, PS, PZ } = b;
  const C = chunkSize;

  /** Runs `step` on each chunk of x; returns the first NaN's index, or -1. */
  function streamInput(
    x: Float32Array,
    step: (m: number) => number,
    copyOut: (off: number, m: number) => void,
  ): number {
    const n = x.length;
    for (let off = 0; off < n; off += C) {
      const m = n - off < C ? n - off : C;
      b.loadInput(x, off, m);
      if (step(m)) return firstNaN(x, off, off + m);
      copyOut(off, m);
    }
    return -1;
  }

  const quantizeTensor: Kernels["quantizeTensor"] = (
    semantics,
    x,
    scale,
    zeroPoint,
    qmin,
    qmax,
    out,
  ) => {
    const kind = kindOf(out);
    if (kind < 0) {
      return referenceKernels.quantizeTensor(semantics, x, scale, zeroPoint, qmin, qmax, out);
    }
    const torch = flag(semantics);
    const codes = b.outCodes[kind] as IntegerArray;
    return streamInput(
      x,
      (m) => ex.quantizeTensor(torch, kind, IN, OUT, m, scale, zeroPoint, qmin, qmax),
      (off, m) => out.set(m === C ? codes : codes.subarray(0, m), off),
    );
  };

  const dequantizeTensor: Kernels["dequantizeTensor"] = (semantics, q, scale, zeroPoint, out) => {
    const kind = kindOf(q);
    if (kind < 0) {
      referenceKernels.dequantizeTensor(semantics, q, scale, zeroPoint, out);
      return;
    }
    // q - zp is exact in float32 for 8- and 16-bit codes: the two semantics agree here.
    const codes = q as IntegerArray;
    const view = b.inCodes[kind] as IntegerArray;
    for (let off = 0; off < codes.length; off += C) {
      const m = codes.length - off < C ? codes.length - off : C;
      view.set(codes.subarray(off, off + m));
      ex.dequantizeTensor(kind, IN, OUT, m, scale, zeroPoint);
      out.set(m === C ? b.outF32 : b.outF32.subarray(0, m), off);
    }
  };

  const quantizeLayout: Kernels["quantizeLayout"] = (
    semantics,
    x,
    scales,
    zeroPoints,
    layout,
    qmin,
    qmax,
    out,
  ) => {
    const kind = kindOf(out);
    if (kind < 0) {
      return referenceKernels.quantizeLayout(
        semantics,
        x,
        scales,
        zeroPoints,
        layout,
        qmin,
        qmax,
        out,
      );
    }
    const torch = flag(semantics);
    const codes = b.outCodes[kind] as IntegerArray;
    const nan = streamLayout(b, layout, scales, zeroPoints, x.length, {
      copyIn: (off, m) => b.loadInput(x, off, m),
      copyOut: (off, m) => out.set(m === C ? codes : codes.subarray(0, m), off),
      rows: (rows, len) =>
        ex.quantizeLayoutRows(torch, kind, IN, OUT, rows, len, PS, PZ, qmin, qmax) !== 0,
      tensor: (m, p) =>
        ex.quantizeTensor(
          torch,
          kind,
          IN,
          OUT,
          m,
          scales[p] as number,
          zeroPoints[p] as number,
          qmin,
          qmax,
        ) !== 0,
      elements: (m) => ex.quantizeLayoutElems(torch, kind, IN, OUT, m, PS, PZ, qmin, qmax) !== 0,
    });
    return nan === undefined ? -1 : firstNaN(x, nan[0], nan[0] + nan[1]);
  };

  const dequantizeLayout: Kernels["dequantizeLayout"] = (
    semantics,
    q,
    scales,
    zeroPoints,
    layout,
    out,
  ) => {
    const kind = kindOf(q);
    if (kind < 0) {
      referenceKernels.dequantizeLayout(semantics, q, scales, zeroPoints, layout, out);
      return;
    }
    const codes = q as IntegerArray;
    const view = b.inCodes[kind] as IntegerArray;
    streamLayout(b, layout, scales, zeroPoints, codes.length, {
      copyIn: (off, m) => view.set(codes.subarray(off, off + m)),
      copyOut: (off, m) => out.set(m === C ? b.outF32 : b.outF32.subarray(0, m), off),
      rows: (rows, len) => {
        ex.dequantizeLayoutRows(kind, IN, OUT, rows, len, PS, PZ);
        return false;
      },
      tensor: (m, p) => {
        ex.dequantizeTensor(kind, IN, OUT, m, scales[p] as number, zeroPoints[p] as number);
        return false;
      },
      elements: (m) => {
        ex.dequantizeLayoutElems(kind, IN, OUT, m, PS, PZ);
        return false;
      },
    });
  };

  const fakeQuantizeTensor: Kernels["fakeQuantizeTensor"] = (
    semantics,
    x,
    scale,
    zeroPoint,
    qmin,
    qmax,
    out,
  ) => {
    // The loop clamps in float32 with 16-bit bounds: int32 codes go to the reference.
    if (qmin < -32768 || qmax > 65535) {
      return referenceKernels.fakeQuantizeTensor(semantics, x, scale, zeroPoint, qmin, qmax, out);
    }
    const torch = flag(semantics);
    return streamInput(
      x,
      (m) => ex.fakeQuantizeTensor(torch, IN, OUT, m, scale, zeroPoint, qmin, qmax),
      (off, m) => out.set(m === C ? b.outF32 : b.outF32.subarray(0, m), off),
    );
  };

  const quantizeInt4Packed: Kernels["quantizeInt4Packed"] = (
    semantics,
    x,
    scale,
    zeroPoint,
    qmin,
    qmax,
    out,
  ) => {
    const torch = flag(semantics);
    return streamInput(
      x,
      (m) => ex.quantizeInt4Packed(torch, IN, OUT, m, scale, zeroPoint, qmin, qmax),
      (off, m) => {
        const bytes = (m + 1) >> 1;
        const at = off >> 1;
        out.set(b.outU8.subarray(0, bytes), at);
        // An odd tail: the loop packed a zeroed lane's code into the high nibble.
        if (m & 1) out[at + bytes - 1] = (out[at + bytes - 1] as number) & 0x0f;
      },
    );
  };

  const half = (dtype: HalfDType) => (dtype === "bfloat16" ? HALF_BFLOAT16 : HALF_FLOAT16);

  const encodeHalf: Kernels["encodeHalf"] = (dtype, x, out) => {
    const bf = half(dtype);
    for (let off = 0; off < x.length; off += C) {
      const m = x.length - off < C ? x.length - off : C;
      b.inF32.set(x.subarray(off, off + m));
      ex.encodeHalf(bf, IN, OUT, m);
      out.set(m === C ? b.outU16 : b.outU16.subarray(0, m), off);
    }
  };

  const decodeHalf: Kernels["decodeHalf"] = (dtype, bits, out) => {
    const bf = half(dtype);
    for (let off = 0; off < bits.length; off += C) {
      const m = bits.length - off < C ? bits.length - off : C;
      b.inU16.set(bits.subarray(off, off + m));
      ex.decodeHalf(bf, IN, OUT, m);
      out.set(m === C ? b.outF32 : b.outF32.subarray(0, m), off);
    }
  };

  return Object.freeze({
    name: "fast",
    chunkSize: C,
    memoryBytes: b.memoryBytes,
    quantizeTensor,
    dequantizeTensor,
    quantizeLayout,
    dequantizeLayout,
    fakeQuantizeTensor,
    quantizeInt4Packed,
    encodeHalf,
    decodeHalf,
    ...createBlockKernels(ex, b),
  } as const satisfies FastKernels);
}
