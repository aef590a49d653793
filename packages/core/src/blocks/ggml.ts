/**
 * quantizeGgml / dequantizeGgml: ggml's block formats (GGUF's q8_0 ... q8_K), byte for byte as
 * ggml's scalar reference code writes them. They validate, allocate and call the kernels: q8_0,
 * q4_0, q4_K and q6_K through `kernelsFor(fn, backend)` (the WebAssembly SIMD ones or the
 * reference), the other types their reference kernels (../kernels/ggml/) on every backend; see
 * GGML_TYPES for the layouts.
 */

import { kernelsForOptions } from "../backend.js";
import {
  GGML_TYPE_NAMES,
  GGML_TYPES,
  type GgmlType,
  type GgmlTypeInfo,
  isGgmlType,
} from "../dtypes/ggml.js";
import { GGML_KERNELS, type GgmlKernels } from "../kernels/ggml/index.js";
import type { Kernels } from "../kernels/types.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { describe, rangeError, typeError } from "../validate/errors.js";
import { checkOptions } from "../validate/options.js";
import { MAX_ELEMENTS, outputArray } from "../validate/output.js";
import type { Backend, Threads } from "../validate/params.js";
import { sizeOf, toFloat32 } from "../validate/tensor.js";

/** A tensor in a ggml block format: its rows' blocks back to back, rows one after another. */
export interface GgmlTensor {
  readonly type: GgmlType;
  /** The shape of the float tensor it stands for: rows are every dimension but the last. */
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

export interface QuantizeGgmlOptions {
  /** The shape of `x` when it is flat (a typed array): the last dimension is the row. */
  readonly shape?: readonly number[];
  /** Where to write the bytes: a Uint8Array of exactly the tensor's size. */
  readonly out?: Uint8Array;
  /**
   * Which kernels run q8_0, q4_0, q4_K and q6_K: `"auto"` (the default: WebAssembly SIMD where it
   * loads), `"fast"` or `"reference"`; the same bytes on each. The other types always run their
   * reference kernels.
   */
  readonly backend?: Backend;
  /** `"auto"` (default: all cores from 2^18 values on for tensors in the kernels' memory) or a thread count; same bits. */
  readonly threads?: Threads;
}

export interface DequantizeGgmlOptions {
  /** Where to write the values: a Float32Array of exactly the tensor's size. */
  readonly out?: Float32Array;
  /** As {@link QuantizeGgmlOptions.backend}. */
  readonly backend?: Backend;
  /** `"auto"` (default: all cores from 2^18 values on for tensors in the kernels' memory) or a thread count; same bits. */
  readonly threads?: Threads;
}

/**
 * The types with a kernel pair in Kernels (both backends), and the pair. The quantizers there
 * also report a block holding NaN or ±Infinity, so the input is scanned only when one fails.
 */
const KERNEL_PAIRS: Partial<Record<GgmlType, (k: Kernels) => GgmlKernels>> = {
  q8_0: (k) => ({ quantize: k.quantizeQ8_0, dequantize: k.dequantizeQ8_0 }),
  q4_0: (k) => ({ quantize: k.quantizeQ4_0, dequantize: k.dequantizeQ4_0 }),
  q4_K: (k) => ({ quantize: k.quantizeQ4_K, dequantize: k.dequantizeQ4_K }),
  q6_K: (k) => ({ quantize: k.quantizeQ6_K, dequantize: k.dequantizeQ6_K }),
};

/** Throws at the first value of `data` that is NaN or ±Infinity. */
function checkFiniteForGgml(fn: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw rangeError(
        fn,
        `x[${i}]`,
        "a finite number (ggml's result for NaN and ±Infinity is undefined)",
        data[i],
      );
    }
  }
}

function checkType(fn: string, arg: string, value: unknown): GgmlTypeInfo {
  if (!isGgmlType(value)) {
    throw typeError(fn, arg, `one of ${GGML_TYPE_NAMES.map((t) => `"${t}"`).join(", ")}`, value);
  }
  return GGML_TYPES[value];
}

/** The number of blocks of a shape whose last dimension must be a multiple of the block size. */
function blocksOf(fn: string, arg: string, shape: readonly number[], type: GgmlTypeInfo): number {
  const size = sizeOf(fn, arg, shape);
  const cols = shape[shape.length - 1];
  if (cols === undefined || cols % type.blockSize !== 0) {
    const what = arg.endsWith("shape") ? "a shape" : "a tensor";
    throw rangeError(
      fn,
      arg,
      `${what} whose last dimension is a multiple of ${type.blockSize} (the ${type.name} block size)`,
      shape,
      `${what === "a shape" ? "" : "shape "}[${shape.join(", ")}]`,
    );
  }
  return size / type.blockSize;
}

/**
 * Quantizes a float tensor to a ggml block format, producing exactly the bytes of ggml's
 * `quantize_row_<type>_ref` for each row.
 *
 * Rows are every dimension but the last, whose length must be a multiple of the block size (32,
 * or 256 for the `_K` types); a row is its blocks back to back, rows one after another
 * (`GGML_TYPES[type].bytesPerBlock` bytes a block). Input is read as float32. Every step is
 * ggml's float32 arithmetic in ggml's order: `roundf` (ties away from zero) for q8_0, C's
 * truncation of `x * id + 8.5` (q4_0) and its kin for the other 32-value types, ggml's
 * `nearest_int` (ties to even) for iq4_nl and the `_K` types; fp16 fields round to nearest even.
 * An all-zero q4_0 / q5_0 block stores d = -0; an all-zero iq4_nl block, whose nibbles ggml leaves
 * unset, gets nibbles 8 (T[8] = 1) and d = 0.
 *
 * q8_0, q4_0, q4_K and q6_K run on `options.backend`'s kernels (WebAssembly SIMD by default where
 * it loads; the bytes are the same), the other types on their reference kernels.
 *
 * @throws {TypeError} when `type` is not a ggml type name, `x` is not a tensor, `options` is not
 *   an object, `options.out` is not a Uint8Array, or `options.backend` is not a string.
 * @throws {RangeError} when `options.backend` is not "auto", "fast" or "reference", the shape is
 *   not a list of non-negative integers, its last dimension is not a multiple of the block size,
 *   a value is NaN or ±Infinity (ggml's result is undefined there), `options.out` has the wrong
 *   length, or a block is not storable
 *   (`GGML_TYPES[type].storable`): its fp16 scale or min overflows (q8_0 with amax above about
 *   8.32e6, say), its reciprocal scale overflows float32 (a q8_0, q4_0, q4_1, q5_0 or q5_1 block
 *   of tiny nonzero values, amax below about 3.7e-37 for q8_0: ggml would convert an infinity to
 *   an integer), or its sums overflow into a NaN scale (q3_K,
 *   q6_K with |x| beyond about 1e18).
 *
 * @example
 * const q = quantizeGgml(Float32Array.from({ length: 32 }, (_, i) => i - 16), "q4_0");
 * [q.data.length, q.data[0], q.data[1], q.data[2], q.data[3]]
 * // => [18, 0, 64, 128, 145]
 */
export function quantizeGgml(
  x: TensorLike,
  type: GgmlType,
  options?: QuantizeGgmlOptions,
): GgmlTensor {
  const fn = "quantizeGgml";
  const info = checkType(fn, "type", type);
  const o = checkOptions(fn, "options", options, ["shape", "out", "backend", "threads"]);
  const kernels = kernelsForOptions(fn, o);
  const input = toFloat32(fn, "x", x, o.shape);
  const blocks = blocksOf(fn, o.shape === undefined ? "x" : "options.shape", input.shape, info);
  const data = input.data;
  const size = blocks * info.bytesPerBlock;
  const pair = KERNEL_PAIRS[info.name]?.(kernels);
  // NaN and ±Infinity are reported before a bad `out`, as when every type scanned first.
  const outFits =
    o.out === undefined
      ? size <= MAX_ELEMENTS
      : o.out instanceof Uint8Array && o.out.length === size;
  if (pair === undefined || !outFits) checkFiniteForGgml(fn, data);
  const out = outputArray(fn, o.out, Uint8Array, size);
  const bad = (pair ?? GGML_KERNELS[info.name]).quantize(data, out);
  if (bad >= 0) {
    checkFiniteForGgml(fn, data);
    throw notStorable(fn, info, input, bad);
  }
  return { type: info.name, shape: [...input.shape], data: out };
}

/** A float32 value in at most 9 significant digits. */
function short(v: number): string {
  return describe(Number(v.toPrecision(9)));
}

function notStorable(fn: string, info: GgmlTypeInfo, x: Tensor<Float32Array>, block: number) {
  const cols = x.shape[x.shape.length - 1] as number;
  const perRow = cols / info.blockSize;
  const start = block * info.blockSize;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = start; i < start + info.blockSize; i++) {
    min = Math.min(min, x.data[i] as number);
    max = Math.max(max, x.data[i] as number);
  }
  const column = (block % perRow) * info.blockSize;
  return rangeError(
    fn,
    "x",
    `a tensor whose blocks ${info.name} can store, with ${info.storable}`,
    x,
    `block ${block % perRow} of row ${Math.floor(block / perRow)} (columns ${column}..${
      column + info.blockSize - 1
    }) with values in [${short(min)}, ${short(max)}]`,
  );
}

/**
 * Decodes a tensor in a ggml block format to float32, exactly as ggml's `dequantize_row_<type>`.
 *
 * Value i of a block follows `GGML_TYPES[type].layout`, every product and sum rounded to float32
 * in ggml's order (`(d * sc) * q - dmin * m` for q4_K: the sub-block scale first). fp16 fields
 * widen exactly; any bytes decode (fields holding ±Infinity or NaN give what float32 gives).
 *
 * @throws {TypeError} when `t` is not a `{ type, shape, data }` record with a ggml type name, an
 *   array shape and Uint8Array data, `options.out` is not a Float32Array, or `options.backend`
 *   is not a string.
 * @throws {RangeError} when `options.backend` is not a backend's name, the shape is not a list of
 *   non-negative integers or its last dimension is not a multiple of the block size, `t.data`
 *   does not hold exactly the shape's blocks (truncated, or too long), or `options.out` has the
 *   wrong length.
 *
 * @example
 * const q = quantizeGgml(Float32Array.from({ length: 32 }, (_, i) => i - 16), "q4_0");
 * Array.from(dequantizeGgml(q).data.subarray(0, 4))
 * // => [-16, -14, -14, -12]
 */
export function dequantizeGgml(
  t: GgmlTensor,
  options?: DequantizeGgmlOptions,
): Tensor<Float32Array> {
  const fn = "dequantizeGgml";
  if (typeof t !== "object" || t === null) {
    throw typeError(fn, "t", "a { type, shape, data } ggml tensor", t);
  }
  const info = checkType(fn, "t.type", t.type);
  const o = checkOptions(fn, "options", options, ["out", "backend", "threads"]);
  const kernels = kernelsForOptions(fn, o);
  if (!Array.isArray(t.shape)) {
    throw typeError(fn, "t.shape", "an array of non-negative integers", t.shape);
  }
  const blocks = blocksOf(fn, "t.shape", t.shape, info);
  if (!(t.data instanceof Uint8Array)) {
    throw typeError(fn, "t.data", "a Uint8Array", t.data);
  }
  const bytes = blocks * info.bytesPerBlock;
  if (t.data.length !== bytes) {
    throw rangeError(
      fn,
      "t.data",
      `a Uint8Array of length ${bytes} (${blocks} ${info.name} blocks of ${info.bytesPerBlock} bytes for shape [${t.shape.join(", ")}])`,
      t.data,
    );
  }
  const out = outputArray(fn, o.out, Float32Array, blocks * info.blockSize);
  (KERNEL_PAIRS[info.name]?.(kernels) ?? GGML_KERNELS[info.name]).dequantize(t.data, out);
  return { data: out, shape: [...t.shape] };
}
