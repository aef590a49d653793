/**
 * The fast kernels: the JS side of the WebAssembly SIMD module (assembly/kernels.ts).
 *
 * Each kernel has the signature of its reference twin in ../reference.ts and gives the same bits.
 * It streams the user's typed array through a fixed working buffer in WebAssembly memory: copy a
 * chunk in (`TypedArray.prototype.set` from a subarray), run the SIMD loop, copy the chunk out.
 * WebAssembly memory never grows with the tensor: it holds four buffers of `chunkSize` elements
 * (input, output, and per-element scales and zero points for the per-axis and blocked layouts).
 *
 * NaN: every quantize kernel returns the index of the first NaN in `x`, or -1 (the contract of the
 * reference kernels). The SIMD loops OR a NaN mask as they go and return a flag per chunk; only a
 * chunk that reports NaN is scanned again, for the index, and the kernel returns at once (the
 * output is then unspecified). The input buffer's lanes past a chunk's end, which the loops read
 * in whole vectors, are zeroed before each call so that stale values cannot report a NaN.
 *
 * Where the SIMD loop's preconditions do not hold (int32 codes, a scale that is not a positive
 * finite float32, a zero point or bounds outside the storage type, a code array that is not a typed
 * array), a kernel calls its reference twin instead, so it is exact for every input it accepts.
 */
import type { IntegerArray } from "../../dtypes/table.js";
import type { ParamLayout } from "../reference.js";
import * as reference from "../reference.js";

const fround = Math.fround;

/**
 * The exports of the compiled module (see assembly/kernels.ts for each one's contract). The quantize
 * exports return 1 when some input value was NaN, else 0.
 */
export interface KernelExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  bufferBase(): number;
  quantizeOnnx(
    kind: number,
    src: number,
    dst: number,
    n: number,
    s: number,
    zp: number,
    qmin: number,
    qmax: number,
  ): number;
  quantizeTorch(
    kind: number,
    src: number,
    dst: number,
    n: number,
    inv: number,
    zp: number,
    qmin: number,
    qmax: number,
  ): number;
  quantizeRows(
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
  quantizeElems(
    torch: number,
    kind: number,
    src: number,
    dst: number,
    n: number,
    ps: number,
    pz: number,
    qmin: number,
    qmax: number,
  ): number;
  fakeQuantize(
    torch: number,
    src: number,
    dst: number,
    n: number,
    s: number,
    inv: number,
    zp: number,
    qmin: number,
    qmax: number,
  ): number;
  quantizePacked4(
    torch: number,
    src: number,
    dst: number,
    n: number,
    s: number,
    zp: number,
    qmin: number,
    qmax: number,
  ): number;
  dequantize(kind: number, src: number, dst: number, n: number, s: number, zp: number): void;
  dequantizeRows(
    kind: number,
    src: number,
    dst: number,
    rows: number,
    len: number,
    scales: number,
    zps: number,
  ): void;
  dequantizeElems(kind: number, src: number, dst: number, n: number, ps: number, pz: number): void;
  encodeHalf(bf: number, src: number, dst: number, n: number): void;
  decodeHalf(bf: number, src: number, dst: number, n: number): void;
}

/** The fast kernels: the reference kernels' signatures, plus codecs, fake quantize and packed int4. */
export interface FastKernels {
  /** Elements per chunk streamed through WebAssembly memory. */
  readonly chunkSize: number;
  /** Bytes of WebAssembly memory the module holds (fixed: it does not grow with the tensors). */
  readonly memoryBytes: number;
  readonly quantizeOnnxTensor: typeof reference.quantizeOnnxTensor;
  readonly quantizePytorchTensor: typeof reference.quantizePytorchTensor;
  readonly dequantizeOnnxTensor: typeof reference.dequantizeOnnxTensor;
  readonly dequantizePytorchTensor: typeof reference.dequantizePytorchTensor;
  readonly quantizeLayout: typeof reference.quantizeLayout;
  readonly dequantizeLayout: typeof reference.dequantizeLayout;
  /**
   * Fake quantize in one pass, ONNX semantics: `out = fround(fround(q - zp) * s)` with
   * `q = saturate(rint(fround(x / s)) + zp)` (PyTorch's quantize step with `pytorch`). Returns
   * the index of the first NaN in `x` (then `out` is unspecified), or -1.
   */
  fakeQuantizeTensor(
    x: Float32Array,
    scale: number,
    zeroPoint: number,
    qmin: number,
    qmax: number,
    out: Float32Array,
    pytorch?: boolean,
  ): number;
  /**
   * Quantize to 4-bit codes in [qmin, qmax] (int4: -8..7, uint4: 0..15) packed two per byte, the
   * first in the low nibble, an odd tail's high nibble 0. `out` holds `ceil(x.length / 2)` bytes.
   * Returns the index of the first NaN in `x` (then `out` is unspecified), or -1.
   */
  quantizeInt4PackedTensor(
    x: Float32Array,
    scale: number,
    zeroPoint: number,
    qmin: number,
    qmax: number,
    out: Uint8Array,
    pytorch?: boolean,
  ): number;
  /** float32 to float16 bits: nearest, ties to even; subnormals kept; overflow to ±Inf; NaN to 0x7E00. */
  encodeFloat16(x: Float32Array, out: Uint16Array): void;
  /** float16 bits to float32 (exact); every NaN code to the float32 NaN 0x7FC00000. */
  decodeFloat16(bits: Uint16Array, out: Float32Array): void;
  /** float32 to bfloat16 bits: nearest, ties to even; overflow to ±Inf; NaN to 0x7FC0. */
  encodeBfloat16(x: Float32Array, out: Uint16Array): void;
  /** bfloat16 bits to float32 (`h << 16`); every NaN code to 0x7FC00000. */
  decodeBfloat16(bits: Uint16Array, out: Float32Array): void;
}

/** Bytes after each buffer that a kernel may write past `n` (it works in groups of up to 32 values). */
const SLACK = 256;
/**
 * Input lanes zeroed after a chunk's last value: the widest group (32 values, packed int4), which
 * also covers the overshoot of the last row of quantizeRows (under 16 values).
 */
const PAD = 32;
/** Rows of at least this many values go through the row kernels; shorter ones through per-element parameters. */
const MIN_ROW = 16;

const KIND_RANGE: readonly (readonly [number, number])[] = [
  [-128, 127],
  [0, 255],
  [-32768, 32767],
  [0, 65535],
];

/** Storage kind of a code array (the numbering of assembly/kernels.ts), or -1 for the reference. */
function kindOf(a: unknown): number {
  if (a instanceof Int8Array) return 0;
  if (a instanceof Uint8Array) return 1;
  if (a instanceof Int16Array) return 2;
  if (a instanceof Uint16Array) return 3;
  return -1;
}

/** Index of the first NaN in x[from, to), or -1 (the slow path, after a chunk reported NaN). */
function firstNaN(x: Float32Array, from: number, to: number): number {
  for (let i = from; i < to; i++) if (Number.isNaN(x[i])) return i;
  return -1;
}

function isScale(s: number): boolean {
  return s > 0 && s < Number.POSITIVE_INFINITY && fround(s) === s;
}

/** Bounds inside the storage kind's range and a zero point the float32 path handles exactly. */
function boundsFit(kind: number, zeroPoint: number, qmin: number, qmax: number): boolean {
  const range = KIND_RANGE[kind] as readonly [number, number];
  return (
    Number.isInteger(qmin) &&
    Number.isInteger(qmax) &&
    qmin >= range[0] &&
    qmax <= range[1] &&
    qmin <= qmax &&
    Number.isInteger(zeroPoint) &&
    Math.abs(zeroPoint) <= 65535
  );
}

/** The parameters of a layout all fit the SIMD path (and their reciprocals are finite for PyTorch). */
function layoutParamsFit(
  pytorch: boolean,
  scales: Float32Array,
  zeroPoints: Int32Array,
  kind: number,
  qmin: number,
  qmax: number,
): boolean {
  for (let i = 0; i < scales.length; i++) {
    const s = scales[i] as number;
    if (!(s > 0 && s < Number.POSITIVE_INFINITY)) return false;
    if (pytorch && fround(1 / s) === Number.POSITIVE_INFINITY) return false;
  }
  for (let i = 0; i < zeroPoints.length; i++) {
    if (!boundsFit(kind, zeroPoints[i] as number, qmin, qmax)) return false;
  }
  return true;
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

/** Builds the fast kernels on an instantiated module. Grows its memory once, to fit the buffers. */
export function createFastKernels(ex: KernelExports, chunkSize: number): FastKernels {
  if (!Number.isInteger(chunkSize) || chunkSize < 64 || chunkSize % 64 !== 0) {
    throw new RangeError(
      `createFastKernels(): chunkSize must be a positive multiple of 64; received ${chunkSize}.`,
    );
  }
  const C = chunkSize;
  const bufferBytes = C * 4 + SLACK;
  const IN = ex.bufferBase();
  const OUT = IN + bufferBytes;
  const PS = OUT + bufferBytes;
  const PZ = PS + bufferBytes;
  const end = PZ + bufferBytes;
  const have = ex.memory.buffer.byteLength;
  if (end > have) ex.memory.grow(Math.ceil((end - have) / 65536));
  const buf = ex.memory.buffer;

  const inF32 = new Float32Array(buf, IN, C);
  /** The input buffer with its slack, for zeroing the lanes past a chunk. */
  const inPadded = new Float32Array(buf, IN, C + SLACK / 4);

  /** Copies x[off, off + m) into the input buffer and zeroes the PAD lanes after it. */
  function loadInput(x: Float32Array, off: number, m: number): void {
    inF32.set(m === x.length ? x : x.subarray(off, off + m));
    inPadded.fill(0, m, m + PAD);
  }
  const inCodes: IntegerArray[] = [
    new Int8Array(buf, IN, C),
    new Uint8Array(buf, IN, C),
    new Int16Array(buf, IN, C),
    new Uint16Array(buf, IN, C),
  ];
  const outCodes: IntegerArray[] = [
    new Int8Array(buf, OUT, C),
    new Uint8Array(buf, OUT, C),
    new Int16Array(buf, OUT, C),
    new Uint16Array(buf, OUT, C),
  ];
  const inU16 = inCodes[3] as Uint16Array;
  const outU16 = outCodes[3] as Uint16Array;
  const outU8 = outCodes[1] as Uint8Array;
  const outF32 = new Float32Array(buf, OUT, C);
  const paramScales = new Float32Array(buf, PS, C);
  const paramZps = new Int32Array(buf, PZ, C);

  function quantizeTensor(
    torch: boolean,
    x: Float32Array,
    scale: number,
    zeroPoint: number,
    qmin: number,
    qmax: number,
    out: IntegerArray,
  ): number {
    const kind = kindOf(out);
    const s = torch ? fround(1 / scale) : scale;
    if (
      kind < 0 ||
      !isScale(scale) ||
      !isScale(s) ||
      !boundsFit(kind, zeroPoint, qmin, qmax) ||
      out.length < x.length
    ) {
      const kernel = torch ? reference.quantizePytorchTensor : reference.quantizeOnnxTensor;
      return kernel(x, scale, zeroPoint, qmin, qmax, out);
    }
    const op = torch ? ex.quantizeTorch : ex.quantizeOnnx;
    const codes = outCodes[kind] as IntegerArray;
    const n = x.length;
    for (let off = 0; off < n; off += C) {
      const m = n - off < C ? n - off : C;
      loadInput(x, off, m);
      if (op(kind, IN, OUT, m, s, zeroPoint, qmin, qmax)) return firstNaN(x, off, off + m);
      out.set(m === C ? codes : codes.subarray(0, m), off);
    }
    return -1;
  }

  function dequantizeTensor(
    q: ArrayLike<number>,
    scale: number,
    zeroPoint: number,
    out: Float32Array,
    torch: boolean,
  ): void {
    const kind = kindOf(q);
    if (
      kind < 0 ||
      !isScale(scale) ||
      !Number.isInteger(zeroPoint) ||
      Math.abs(zeroPoint) > 65535 ||
      out.length < q.length
    ) {
      const kernel = torch ? reference.dequantizePytorchTensor : reference.dequantizeOnnxTensor;
      kernel(q, scale, zeroPoint, out);
      return;
    }
    const codes = q as IntegerArray;
    const view = inCodes[kind] as IntegerArray;
    const n = codes.length;
    for (let off = 0; off < n; off += C) {
      const m = n - off < C ? n - off : C;
      view.set(codes.subarray(off, off + m));
      ex.dequantize(kind, IN, OUT, m, scale, zeroPoint);
      out.set(m === C ? outF32 : outF32.subarray(0, m), off);
    }
  }

  /** Fills the per-element parameter buffers for elements [e0, e0 + m) of a layout. */
  function fillParams(
    layout: ParamLayout,
    scales: Float32Array,
    zeroPoints: Int32Array,
    e0: number,
    m: number,
  ): void {
    const { dim, inner, blockSize, outerStride, axisStride, innerStride } = layout;
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
   * Streams a layout: rows with one parameter each (whole rows per chunk, or pieces of a row longer
   * than a chunk), or per-element parameters. `run*` call the kernels on the buffers and return
   * true when the chunk held a NaN (the dequantize kernels never do); then streaming stops and
   * the chunk's first element and length are returned, else undefined.
   */
  function streamLayout(
    layout: ParamLayout,
    scales: Float32Array,
    zeroPoints: Int32Array,
    n: number,
    copyIn: (off: number, m: number) => void,
    copyOut: (off: number, m: number) => void,
    runRows: (rows: number, len: number) => boolean,
    runTensor: (m: number, p: number) => boolean,
    runElems: (m: number) => boolean,
  ): readonly [number, number] | undefined {
    const rows = rowsOf(layout);
    if (rows !== undefined && rows.len <= C) {
      const perChunk = Math.floor(C / rows.len);
      for (let r0 = 0; r0 < rows.rows; r0 += perChunk) {
        const k = Math.min(perChunk, rows.rows - r0);
        for (let j = 0; j < k; j++) {
          const p = rows.param(r0 + j);
          paramScales[j] = scales[p] as number;
          paramZps[j] = zeroPoints[p] as number;
        }
        copyIn(r0 * rows.len, k * rows.len);
        if (runRows(k, rows.len)) return [r0 * rows.len, k * rows.len];
        copyOut(r0 * rows.len, k * rows.len);
      }
      return undefined;
    }
    if (rows !== undefined) {
      for (let r = 0; r < rows.rows; r++) {
        const p = rows.param(r);
        for (let off = 0; off < rows.len; off += C) {
          const m = Math.min(C, rows.len - off);
          copyIn(r * rows.len + off, m);
          if (runTensor(m, p)) return [r * rows.len + off, m];
          copyOut(r * rows.len + off, m);
        }
      }
      return undefined;
    }
    const flat = normalized(layout);
    for (let off = 0; off < n; off += C) {
      const m = Math.min(C, n - off);
      fillParams(flat, scales, zeroPoints, off, m);
      copyIn(off, m);
      if (runElems(m)) return [off, m];
      copyOut(off, m);
    }
    return undefined;
  }

  const quantizeLayout: typeof reference.quantizeLayout = (
    pytorch,
    x,
    scales,
    zeroPoints,
    layout,
    qmin,
    qmax,
    out,
  ) => {
    const kind = kindOf(out);
    if (
      kind < 0 ||
      out.length < x.length ||
      !layoutParamsFit(pytorch, scales, zeroPoints, kind, qmin, qmax)
    ) {
      return reference.quantizeLayout(pytorch, x, scales, zeroPoints, layout, qmin, qmax, out);
    }
    const torch = pytorch ? 1 : 0;
    const codes = outCodes[kind] as IntegerArray;
    const nan = streamLayout(
      layout,
      scales,
      zeroPoints,
      x.length,
      (off, m) => loadInput(x, off, m),
      (off, m) => out.set(m === C ? codes : codes.subarray(0, m), off),
      (rows, len) => ex.quantizeRows(torch, kind, IN, OUT, rows, len, PS, PZ, qmin, qmax) !== 0,
      (m, p) => {
        const s = scales[p] as number;
        const zp = zeroPoints[p] as number;
        const flag = pytorch
          ? ex.quantizeTorch(kind, IN, OUT, m, fround(1 / s), zp, qmin, qmax)
          : ex.quantizeOnnx(kind, IN, OUT, m, s, zp, qmin, qmax);
        return flag !== 0;
      },
      (m) => ex.quantizeElems(torch, kind, IN, OUT, m, PS, PZ, qmin, qmax) !== 0,
    );
    return nan === undefined ? -1 : firstNaN(x, nan[0], nan[0] + nan[1]);
  };

  const dequantizeLayout: typeof reference.dequantizeLayout = (
    pytorch,
    q,
    scales,
    zeroPoints,
    layout,
    out,
  ) => {
    const kind = kindOf(q);
    if (
      kind < 0 ||
      out.length < q.length ||
      !layoutParamsFit(
        false,
        scales,
        zeroPoints,
        kind,
        KIND_RANGE[kind]?.[0] ?? 0,
        KIND_RANGE[kind]?.[1] ?? 0,
      )
    ) {
      reference.dequantizeLayout(pytorch, q, scales, zeroPoints, layout, out);
      return;
    }
    const codes = q as IntegerArray;
    const view = inCodes[kind] as IntegerArray;
    streamLayout(
      layout,
      scales,
      zeroPoints,
      codes.length,
      (off, m) => view.set(codes.subarray(off, off + m)),
      (off, m) => out.set(m === C ? outF32 : outF32.subarray(0, m), off),
      (rows, len) => {
        ex.dequantizeRows(kind, IN, OUT, rows, len, PS, PZ);
        return false;
      },
      (m, p) => {
        ex.dequantize(kind, IN, OUT, m, scales[p] as number, zeroPoints[p] as number);
        return false;
      },
      (m) => {
        ex.dequantizeElems(kind, IN, OUT, m, PS, PZ);
        return false;
      },
    );
  };

  function fakeQuantizeTensor(
    x: Float32Array,
    scale: number,
    zeroPoint: number,
    qmin: number,
    qmax: number,
    out: Float32Array,
    pytorch = false,
  ): number {
    const inv = fround(1 / scale);
    const fits =
      Number.isInteger(qmin) &&
      Number.isInteger(qmax) &&
      qmin >= -32768 &&
      qmax <= 65535 &&
      qmin <= qmax;
    if (
      !isScale(scale) ||
      !isScale(inv) ||
      !fits ||
      !Number.isInteger(zeroPoint) ||
      Math.abs(zeroPoint) > 65535
    ) {
      const codes = new Int32Array(x.length);
      const kernel = pytorch ? reference.quantizePytorchTensor : reference.quantizeOnnxTensor;
      const nan = kernel(x, scale, zeroPoint, qmin, qmax, codes);
      if (nan >= 0) return nan;
      reference.dequantizeOnnxTensor(codes, scale, zeroPoint, out);
      return -1;
    }
    const torch = pytorch ? 1 : 0;
    const n = x.length;
    for (let off = 0; off < n; off += C) {
      const m = n - off < C ? n - off : C;
      loadInput(x, off, m);
      if (ex.fakeQuantize(torch, IN, OUT, m, scale, inv, zeroPoint, qmin, qmax))
        return firstNaN(x, off, off + m);
      out.set(m === C ? outF32 : outF32.subarray(0, m), off);
    }
    return -1;
  }

  function quantizeInt4PackedTensor(
    x: Float32Array,
    scale: number,
    zeroPoint: number,
    qmin: number,
    qmax: number,
    out: Uint8Array,
    pytorch = false,
  ): number {
    const n = x.length;
    const inv = fround(1 / scale);
    const s = pytorch ? inv : scale;
    if (
      !isScale(scale) ||
      !isScale(s) ||
      !boundsFit(0, zeroPoint, qmin, qmax) ||
      qmin < -8 ||
      qmax > 15
    ) {
      const codes = new Int32Array(n);
      const kernel = pytorch ? reference.quantizePytorchTensor : reference.quantizeOnnxTensor;
      const nan = kernel(x, scale, zeroPoint, qmin, qmax, codes);
      if (nan >= 0) return nan;
      for (let i = 0; i < n; i += 2) {
        out[i >> 1] =
          ((codes[i] as number) & 0xf) | (i + 1 < n ? ((codes[i + 1] as number) & 0xf) << 4 : 0);
      }
      return -1;
    }
    const torch = pytorch ? 1 : 0;
    for (let off = 0; off < n; off += C) {
      const m = n - off < C ? n - off : C;
      loadInput(x, off, m);
      if (ex.quantizePacked4(torch, IN, OUT, m, s, zeroPoint, qmin, qmax))
        return firstNaN(x, off, off + m);
      const bytes = (m + 1) >> 1;
      out.set(outU8.subarray(0, bytes), off >> 1);
      if (m & 1) out[(off >> 1) + bytes - 1] = (out[(off >> 1) + bytes - 1] as number) & 0x0f;
    }
    return -1;
  }

  function encode(bf: number, x: Float32Array, out: Uint16Array): void {
    const n = Math.min(x.length, out.length);
    for (let off = 0; off < n; off += C) {
      const m = n - off < C ? n - off : C;
      inF32.set(x.subarray(off, off + m));
      ex.encodeHalf(bf, IN, OUT, m);
      out.set(m === C ? outU16 : outU16.subarray(0, m), off);
    }
  }

  function decode(bf: number, bits: Uint16Array, out: Float32Array): void {
    const n = Math.min(bits.length, out.length);
    for (let off = 0; off < n; off += C) {
      const m = n - off < C ? n - off : C;
      inU16.set(bits.subarray(off, off + m));
      ex.decodeHalf(bf, IN, OUT, m);
      out.set(m === C ? outF32 : outF32.subarray(0, m), off);
    }
  }

  return Object.freeze({
    chunkSize: C,
    memoryBytes: buf.byteLength,
    quantizeOnnxTensor: (x, scale, zeroPoint, qmin, qmax, out) =>
      quantizeTensor(false, x, scale, zeroPoint, qmin, qmax, out),
    quantizePytorchTensor: (x, scale, zeroPoint, qmin, qmax, out) =>
      quantizeTensor(true, x, scale, zeroPoint, qmin, qmax, out),
    dequantizeOnnxTensor: (q, scale, zeroPoint, out) =>
      dequantizeTensor(q, scale, zeroPoint, out, false),
    dequantizePytorchTensor: (q, scale, zeroPoint, out) =>
      dequantizeTensor(q, scale, zeroPoint, out, true),
    quantizeLayout,
    dequantizeLayout,
    fakeQuantizeTensor,
    quantizeInt4PackedTensor,
    encodeFloat16: (x, out) => encode(0, x, out),
    decodeFloat16: (bits, out) => decode(0, bits, out),
    encodeBfloat16: (x, out) => encode(1, x, out),
    decodeBfloat16: (bits, out) => decode(1, bits, out),
  } satisfies FastKernels);
}
