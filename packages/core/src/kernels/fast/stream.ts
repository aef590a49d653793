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

/** What streamLayout does with a chunk: each returns true when the chunk held a NaN. */
export interface LayoutSteps {
  copyIn(off: number, m: number): void;
  copyOut(off: number, m: number): void;
  /** `rows` rows of `len` values, their parameters in the parameter buffers. */
  rows(rows: number, len: number): boolean;
  /** `m` values that share parameter `p`. */
  tensor(m: number, p: number): boolean;
  /** `m` values, each with its parameters in the parameter buffers. */
  elements(m: number): boolean;
}

/**
 * Streams a layout: rows with one parameter each (whole rows per chunk, or pieces of a row longer
 * than a chunk), or per-element parameters. Stops at the first chunk that held a NaN and returns
 * its first element and length; else undefined.
 */
export function streamLayout(
  b: Buffers,
  layout: ParamLayout,
  scales: Float32Array,
  zeroPoints: Int32Array,
  n: number,
  steps: LayoutSteps,
): readonly [number, number] | undefined {
  const C = b.chunkSize;
  const rows = rowsOf(layout);
  if (rows !== undefined && rows.len <= C) {
    const perChunk = Math.floor(C / rows.len);
    for (let r0 = 0; r0 < rows.rows; r0 += perChunk) {
      const k = Math.min(perChunk, rows.rows - r0);
      for (let j = 0; j < k; j++) {
        const p = rows.param(r0 + j);
        b.paramScales[j] = scales[p] as number;
        b.paramZps[j] = zeroPoints[p] as number;
      }
      steps.copyIn(r0 * rows.len, k * rows.len);
      if (steps.rows(k, rows.len)) return [r0 * rows.len, k * rows.len];
      steps.copyOut(r0 * rows.len, k * rows.len);
    }
    return undefined;
  }
  if (rows !== undefined) {
    for (let r = 0; r < rows.rows; r++) {
      const p = rows.param(r);
      for (let off = 0; off < rows.len; off += C) {
        const m = Math.min(C, rows.len - off);
        steps.copyIn(r * rows.len + off, m);
        if (steps.tensor(m, p)) return [r * rows.len + off, m];
        steps.copyOut(r * rows.len + off, m);
      }
    }
    return undefined;
  }
  const flat = normalized(layout);
  for (let off = 0; off < n; off += C) {
    const m = Math.min(C, n - off);
    fillParams(b, flat, scales, zeroPoints, off, m);
    steps.copyIn(off, m);
    if (steps.elements(m)) return [off, m];
    steps.copyOut(off, m);
  }
  return undefined;
}

/** Index of the first NaN in x[from, to), or -1 (the slow path, after a chunk reported NaN). */
export function firstNaN(x: Float32Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (Number.isNaN(x[i])) return i;
  return -1;
}
