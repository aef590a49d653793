/**
 * Streaming a tensor through WebAssembly memory: the module cannot read JavaScript memory, so each
 * kernel copies a chunk into a fixed working buffer, runs the SIMD loop, and copies the chunk out.
 * Memory never grows with the tensor: four buffers of `chunkSize` elements (input, output, and the
 * per-element scales and zero points of the per-axis and blocked layouts), each with slack after it
 * for the loops' whole-vector overshoot. The block formats' kernels (./blocks.ts) use the same four
 * buffers, holding at least MIN_BLOCK_CAPACITY values each (bitsandbytes' largest block).
 */
import type { IntegerArray } from "../../dtypes/table.js";
import type { ParamLayout } from "../../tensor.js";
import { WIDEST_GROUP } from "./abi.js";
import type { KernelExports } from "./exports.js";

/** Bytes after each buffer that a kernel may write past `n` (it works in groups of up to 32 values). */
const SLACK = 256;
/** Rows of at least this many values go through the row kernels; shorter ones through per-element parameters. */
const MIN_ROW = 16;
/** The fewest float32 each buffer holds: 4096, bitsandbytes' largest block (a chunk may be smaller). */
export const MIN_BLOCK_CAPACITY = 4096;

/** The working buffers of one module instance, as byte offsets and typed views. */
export interface Buffers {
  readonly chunkSize: number;
  /** float32 values each buffer holds: max(chunkSize, MIN_BLOCK_CAPACITY), then its slack. */
  readonly capacity: number;
  /** Byte offsets of the input, output, scales and zero-point buffers. */
  readonly IN: number;
  readonly OUT: number;
  readonly PS: number;
  readonly PZ: number;
  readonly memoryBytes: number;
  readonly inCodes: readonly IntegerArray[];
  readonly outCodes: readonly IntegerArray[];
  readonly inU16: Uint16Array;
  readonly outU16: Uint16Array;
  readonly outU8: Uint8Array;
  readonly inF32: Float32Array;
  readonly outF32: Float32Array;
  readonly paramScales: Float32Array;
  readonly paramZps: Int32Array;
  /** Copies x[off, off + m) into the input buffer and zeroes the lanes after it. */
  loadInput(x: Float32Array, off: number, m: number): void;
}

/** Lays out the buffers after the module's static data; grows its memory once, to fit them. */
export function createBuffers(ex: KernelExports, chunkSize: number): Buffers {
  const C = chunkSize;
  const capacity = Math.max(C, MIN_BLOCK_CAPACITY);
  const bufferBytes = capacity * 4 + SLACK;
  const IN = ex.bufferBase();
  const OUT = IN + bufferBytes;
  const PS = OUT + bufferBytes;
  const PZ = PS + bufferBytes;
  const end = PZ + bufferBytes;
  const have = ex.memory.buffer.byteLength;
  if (end > have) ex.memory.grow(Math.ceil((end - have) / 65536));
  const buf = ex.memory.buffer;
  const inF32 = new Float32Array(buf, IN, C);
  const inPadded = new Float32Array(buf, IN, C + SLACK / 4);
  const views = (at: number): IntegerArray[] => [
    new Int8Array(buf, at, C),
    new Uint8Array(buf, at, C),
    new Int16Array(buf, at, C),
    new Uint16Array(buf, at, C),
  ];
  const inCodes = views(IN);
  const outCodes = views(OUT);
  return {
    chunkSize: C,
    capacity,
    IN,
    OUT,
    PS,
    PZ,
    memoryBytes: buf.byteLength,
    inCodes,
    outCodes,
    inU16: inCodes[3] as Uint16Array,
    outU16: outCodes[3] as Uint16Array,
    outU8: outCodes[1] as Uint8Array,
    inF32,
    outF32: new Float32Array(buf, OUT, C),
    paramScales: new Float32Array(buf, PS, C),
    paramZps: new Int32Array(buf, PZ, C),
    loadInput(x, off, m) {
      inF32.set(m === x.length ? x : x.subarray(off, off + m));
      // Stale lanes past the chunk must not report a NaN that is not there.
      inPadded.fill(0, m, m + WIDEST_GROUP);
    },
  };
}

/** One parameter per row: `rows` rows of `len` values; row r's parameter index is `param(r)`. */
interface Rows {
  readonly rows: number;
  readonly len: number;
  param(r: number): number;
}

/** A layout as uniform rows with one parameter each, where that is worth it. */
function rowsOf(layout: ParamLayout): Rows | undefined {
  const { outer, dim, inner, blockSize, outerStride, axisStride, innerStride } = layout;
  if (innerStride === 0 && inner >= MIN_ROW) {
    return {
      rows: outer * dim,
      len: inner,
      param: (r) => {
        const o = Math.floor(r / dim);
        return o * outerStride + Math.floor((r - o * dim) / blockSize) * axisStride;
      },
    };
  }
  if (inner === 1 && blockSize >= MIN_ROW && dim % blockSize === 0) {
    const blocks = dim / blockSize;
    return {
      rows: outer * blocks,
      len: blockSize,
      param: (r) => {
        const o = Math.floor(r / blocks);
        return o * outerStride + (r - o * blocks) * axisStride;
      },
    };
  }
  return undefined;
}

/** A per-axis layout along the last axis is per-element parameters along contiguous rows. */
function normalized(layout: ParamLayout): ParamLayout {
  const { outer, dim, inner, blockSize, outerStride, axisStride } = layout;
  if (inner === 1 && blockSize === 1) {
    return {
      outer,
      dim: 1,
      inner: dim,
      blockSize: 1,
      outerStride,
      axisStride: 0,
      innerStride: axisStride,
    };
  }
  return layout;
}

/** Fills the per-element parameter buffers for elements [e0, e0 + m) of a layout. */
function fillParams(
  b: Buffers,
  layout: ParamLayout,
  scales: Float32Array,
  zeroPoints: Int32Array,
  e0: number,
  m: number,
): void {
  const { dim, inner, blockSize, outerStride, axisStride, innerStride } = layout;
  const { paramScales, paramZps } = b;
  let e = e0;
  const end = e0 + m;
  while (e < end) {
    const r = Math.floor(e / inner);
    const i = e - r * inner;
    const len = Math.min(inner - i, end - e);
    const o = Math.floor(r / dim);
    const base = o * outerStride + Math.floor((r - o * dim) / blockSize) * axisStride;
    const j = e - e0;
    if (innerStride === 0) {
      const s = scales[base] as number;
      const z = zeroPoints[base] as number;
      if (len < 16) {
        // (a short run: a loop beats fill()'s call overhead)
        for (let k = 0; k < len; k++) {
          paramScales[j + k] = s;
          paramZps[j + k] = z;
        }
      } else {
        paramScales.fill(s, j, j + len);
        paramZps.fill(z, j, j + len);
      }
    } else if (innerStride === 1 && len >= 16) {
      paramScales.set(scales.subarray(base + i, base + i + len), j);
      paramZps.set(zeroPoints.subarray(base + i, base + i + len), j);
    } else {
      for (let k = 0; k < len; k++) {
        const p = base + (i + k) * innerStride;
        paramScales[j + k] = scales[p] as number;
        paramZps[j + k] = zeroPoints[p] as number;
      }
    }
    e += len;
  }
}

/**
 * What streamLayout does with a chunk. The kernels read at `src` and write at `dst`: the working
 * buffers, or the tensor itself where it is in the module's memory. Each returns true when the
 * values it read held a NaN.
 */
export interface LayoutSteps {
  copyIn(off: number, m: number): void;
  copyOut(off: number, m: number): void;
  /** `rows` rows of `len` values, their parameters in the parameter buffers. */
  rows(src: number, dst: number, rows: number, len: number): boolean;
  /** `m` values that share parameter `p`. */
  tensor(src: number, dst: number, m: number, p: number): boolean;
  /** `m` values, each with its parameters in the parameter buffers. */
  elements(src: number, dst: number, m: number): boolean;
}

/**
 * Where the input and output of a layout kernel are in the module's memory: a byte offset, or -1
 * where that side streams, and the bytes of one element on each side.
 */
export interface Placement {
  readonly src: number;
  readonly dst: number;
  readonly inWidth: number;
  readonly outWidth: number;
}

const roundUp = (m: number, g: number) => Math.ceil(m / g) * g;

/**
 * Streams a layout: rows with one parameter each (whole rows per chunk, or pieces of a row longer
 * than a chunk), or per-element parameters. The sides that `place` puts in the module's memory are
 * read and written there, without a copy, wherever the kernel's whole-vector overshoot stays
 * inside the tensor; the other calls (the tensor's last values) stream. Stops at the first call
 * that read a NaN and returns its first element: the first NaN of the tensor is there or after it
 * (an in-place call's overshoot reads the next values); else undefined.
 */
export function streamLayout(
  b: Buffers,
  layout: ParamLayout,
  scales: Float32Array,
  zeroPoints: Int32Array,
  n: number,
  steps: LayoutSteps,
  place?: Placement,
): number | undefined {
  const C = b.chunkSize;
  const ps = place?.src ?? -1;
  const pd = place?.dst ?? -1;
  /** Runs `kernel` on values [off, off + m), which it touches up to `reach`. */
  const run = (
    off: number,
    m: number,
    reach: number,
    kernel: (src: number, dst: number) => boolean,
  ) => {
    const inside = reach <= n;
    const src = inside && ps >= 0 ? ps + off * (place as Placement).inWidth : -1;
    const dst = inside && pd >= 0 ? pd + off * (place as Placement).outWidth : -1;
    if (src < 0) steps.copyIn(off, m);
    if (kernel(src < 0 ? b.IN : src, dst < 0 ? b.OUT : dst)) return true;
    if (dst < 0) steps.copyOut(off, m);
    return false;
  };
  const rows = rowsOf(layout);
  if (rows !== undefined && rows.len <= C) {
    const { len } = rows;
    const perChunk = Math.floor(C / len);
    for (let r0 = 0; r0 < rows.rows; r0 += perChunk) {
      const k = Math.min(perChunk, rows.rows - r0);
      for (let j = 0; j < k; j++) {
        const p = rows.param(r0 + j);
        b.paramScales[j] = scales[p] as number;
        b.paramZps[j] = zeroPoints[p] as number;
      }
      const reach = (r0 + k - 1) * len + roundUp(len, WIDEST_GROUP);
      if (run(r0 * len, k * len, reach, (src, dst) => steps.rows(src, dst, k, len)))
        return r0 * len;
    }
    return undefined;
  }
  if (rows !== undefined) {
    for (let r = 0; r < rows.rows; r++) {
      const p = rows.param(r);
      for (let off = r * rows.len; off < (r + 1) * rows.len; off += C) {
        const m = Math.min(C, (r + 1) * rows.len - off);
        if (
          run(off, m, off + roundUp(m, WIDEST_GROUP), (src, dst) => steps.tensor(src, dst, m, p))
        ) {
          return off;
        }
      }
    }
    return undefined;
  }
  const flat = normalized(layout);
  for (let off = 0; off < n; off += C) {
    const m = Math.min(C, n - off);
    fillParams(b, flat, scales, zeroPoints, off, m);
    if (run(off, m, off + roundUp(m, WIDEST_GROUP), (src, dst) => steps.elements(src, dst, m))) {
      return off;
    }
  }
  return undefined;
}

/** Index of the first NaN in x[from, to), or -1 (the slow path, after a chunk reported NaN). */
export function firstNaN(x: Float32Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (Number.isNaN(x[i])) return i;
  return -1;
}
