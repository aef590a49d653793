/**
 * quantizeMx / dequantizeMx: the OCP Microscaling (MX v1.0) block formats MXFP8, MXFP6, MXFP4 and
 * MXINT8, bit for bit as the standard's rule. They validate, allocate and call the kernels: MXFP4
 * in blocks of 32 along the last axis through `kernelsFor(fn, backend)` (WebAssembly SIMD or the
 * reference), everything else ../kernels/mx.ts on every backend; see MX_FORMATS for the element
 * types.
 */

import { kernelsForOptions } from "../backend.js";
import {
  MX_BLOCK_SIZE,
  MX_FORMAT_NAMES,
  MX_FORMATS,
  MX_ROUNDINGS,
  type MxFormat,
  type MxFormatInfo,
  type MxRounding,
} from "../dtypes/mx.js";
import {
  dequantizeMx as dequantizeKernel,
  type MxLayout,
  quantizeMx as quantizeKernel,
} from "../kernels/mx.js";
import { packLowFirst } from "../kernels/nibbles.js";
import type { Tensor, TensorLike } from "../tensor.js";
import {
  checkAxis,
  checkRank,
  checkRecord,
  checkStored,
  required,
  shown,
} from "../validate/blocks.js";
import { rangeError } from "../validate/errors.js";
import { checkBoolean, checkInteger, checkName, checkOptions } from "../validate/options.js";
import { outputArray } from "../validate/output.js";
import type { Backend, Threads } from "../validate/params.js";
import { checkShape, toFloat32 } from "../validate/tensor.js";

/** A tensor in an MX format: one E8M0 scale per block of `blockSize` values along `axis`. */
export interface MxTensor {
  readonly format: MxFormat;
  /** The shape of the float tensor it stands for. */
  readonly shape: readonly number[];
  /** The axis the blocks run along, in [0, rank). */
  readonly axis: number;
  /** Values per block along the axis (the standard's 32 by default); the last block may be shorter. */
  readonly blockSize: number;
  /**
   * float8e8m0 codes, one per block: the shape with the axis dimension replaced by
   * ceil(dim / blockSize), row-major. Code c is 2^(c - 127); 0xFF (a block with NaN or ±Infinity) NaN.
   */
  readonly scales: Uint8Array;
  /**
   * The element codes in row-major order, one per value (the format's bits in the low bits; mxint8:
   * the two's-complement byte of k), or with `packed` (mxfp4 only) two a byte, the first in the low
   * nibble (OCP's and `packCodes`' order), an odd tail's high nibble 0.
   */
  readonly codes: Uint8Array;
  readonly packed: boolean;
}

export interface QuantizeMxOptions {
  /** The axis blocks run along, negative from the end: -1 (the default), 0, or any other. */
  readonly axis?: number;
  /** Element rounding: `"even"` (the default: ties to the even code) or `"away"` (ties away from 0). */
  readonly rounding?: MxRounding;
  /** Values per block, a positive integer: 32 (the standard's) by default. */
  readonly blockSize?: number;
  /** mxfp4 only: store the codes two a byte (see {@link MxTensor.codes}). Default false. */
  readonly pack?: boolean;
  /** The shape of `x` when it is flat (a typed array). */
  readonly shape?: readonly number[];
  /**
   * Where to write the element codes: a Uint8Array of one byte a value (ceil(n / 2) bytes with
   * `pack`). An array from `allocate` is written in place. The scales are always a new array.
   */
  readonly out?: Uint8Array;
  /**
   * Which kernels run mxfp4 in blocks of 32 along the last axis: `"auto"` (the default:
   * WebAssembly SIMD where it loads), `"fast"` or `"reference"`; the same bits on each. The other
   * formats and layouts always run the reference kernels.
   */
  readonly backend?: Backend;
  /** `"auto"` (default: all cores from 2^18 values on for tensors in the kernels' memory) or a thread count; same bits. */
  readonly threads?: Threads;
}

export interface DequantizeMxOptions {
  /** Where to write the values: a Float32Array of exactly the tensor's size. */
  readonly out?: Float32Array;
  /** As {@link QuantizeMxOptions.backend}. */
  readonly backend?: Backend;
  /** `"auto"` (default: all cores from 2^18 values on for tensors in the kernels' memory) or a thread count; same bits. */
  readonly threads?: Threads;
}

const MX_FIELDS = ["format", "shape", "axis", "blockSize", "scales", "codes", "packed"];

function layoutOf(shape: readonly number[], axis: number, blockSize: number): MxLayout {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return { outer, dim: shape[axis] as number, inner, blockSize };
}

function scaleCount(layout: MxLayout): number {
  return layout.outer * Math.ceil(layout.dim / layout.blockSize) * layout.inner;
}

/** Whether the Kernels' MXFP4 members take it: blocks of 32 consecutive values, none short. */
function mxfp4Rows(info: MxFormatInfo, layout: MxLayout): boolean {
  return (
    info.name === "mxfp4" &&
    layout.inner === 1 &&
    layout.blockSize === MX_BLOCK_SIZE &&
    layout.dim % MX_BLOCK_SIZE === 0
  );
}

function checkPack(fn: string, arg: string, value: unknown, info: MxFormatInfo): boolean {
  const pack = checkBoolean(fn, arg, value, false);
  if (pack && info.elementBits !== 4) {
    throw rangeError(
      fn,
      arg,
      `false for ${info.name} (only mxfp4's 4-bit codes pack two a byte)`,
      value,
    );
  }
  return pack;
}

/**
 * Quantizes a float tensor to an OCP MX format: blocks of `blockSize` (32) consecutive values
 * along `axis` share a power-of-two scale, each value an element code.
 *
 * Per block: amax = max |x|; shared = floor(log2 amax) - emax (exact: the float32 exponent, a
 * subnormal's true exponent; emax is 8, 15, 4, 2, 2, 0 for mxfp8e4m3, mxfp8e5m2, mxfp6e3m2,
 * mxfp6e2m3, mxfp4, mxint8), raised to -127 if lower (an all-zero block gets -127); the scale code
 * is shared + 127. Each element is x / 2^shared (exact) rounded to the element's grid, ties to the
 * even code (`rounding: "even"`) or away from zero (`"away"`), a magnitude past the element's
 * largest (448, 57344, 28, 7.5, 6) becoming it; mxint8 stores k = round(64 · x / 2^shared) clamped
 * to [-127, 127]. The sign of zero is kept (mxint8 has no -0). A block holding NaN or ±Infinity gets
 * scale 0xFF (NaN, as the standard says) and element codes 0. The last block along the axis may be
 * shorter. microxcaling's Python emulation differs on a few edge blocks (an amax a few ulps below a
 * power of two, a value just under half a step); see the package README. mxfp4 in blocks of 32
 * along the last axis (its length a multiple of 32) runs on `options.backend`'s kernels
 * (WebAssembly SIMD by default where it loads; the same bits); the rest on the reference kernels.
 *
 * @throws {TypeError} when `format` or `options.rounding` is not a string, `x` is not a tensor,
 *   `options` is not an object, `options.axis` or `options.blockSize` is not a number,
 *   `options.pack` is not a boolean, `options.out` is not a Uint8Array, or `options.backend` is
 *   not a string.
 * @throws {RangeError} when `format`, `options.rounding` or `options.backend` is not one of the
 *   names, `options` has an unknown key, `x` is a scalar, the axis is out of range, `blockSize` is
 *   not a positive integer, `pack` is true for a format other than mxfp4, or `options.out` has the
 *   wrong length.
 *
 * @example
 * const q = quantizeMx([[0.5, -1, 3, 6.5]], "mxfp4");
 * [Array.from(q.scales), Array.from(q.codes)]
 * // => [[127], [1, 10, 5, 7]]
 */
export function quantizeMx(x: TensorLike, format: MxFormat, options?: QuantizeMxOptions): MxTensor {
  const fn = "quantizeMx";
  const info = MX_FORMATS[checkName(fn, "format", format, MX_FORMAT_NAMES)];
  const o = checkOptions(fn, "options", options, [
    "axis",
    "rounding",
    "blockSize",
    "pack",
    "shape",
    "out",
    "backend",
    "threads",
  ]);
  const kernels = kernelsForOptions(fn, o);
  const input = toFloat32(fn, "x", x, o.shape);
  checkRank(fn, o.shape === undefined ? "x" : "options.shape", input.shape);
  const axis = checkAxis(fn, "options.axis", o.axis, input.shape.length, -1);
  const rounding =
    o.rounding === undefined ? "even" : checkName(fn, "options.rounding", o.rounding, MX_ROUNDINGS);
  const blockSize = checkInteger(
    fn,
    "options.blockSize",
    o.blockSize,
    MX_BLOCK_SIZE,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const pack = checkPack(fn, "options.pack", o.pack, info);
  const layout = layoutOf(input.shape, axis, blockSize);
  const n = input.data.length;
  const stored = outputArray(fn, o.out, Uint8Array, pack ? Math.ceil(n / 2) : n);
  const scales = new Uint8Array(scaleCount(layout));
  if (mxfp4Rows(info, layout)) {
    kernels.quantizeMxfp4(rounding, input.data, scales, stored, pack);
  } else if (pack) {
    const codes = outputArray(fn, undefined, Uint8Array, n);
    quantizeKernel(info, rounding, input.data, layout, scales, codes);
    packLowFirst(codes, stored);
  } else {
    quantizeKernel(info, rounding, input.data, layout, scales, stored);
  }
  return {
    format: info.name,
    shape: [...input.shape],
    axis,
    blockSize,
    scales,
    codes: stored,
    packed: pack,
  };
}

/**
 * Decodes an MX tensor to float32: value = element · 2^(scale - 127), rounded once to float32
 * (exact for whatever quantizeMx writes), NaN throughout a block whose scale is 0xFF. Any scale
 * byte decodes; element codes that are NaN or ±Infinity (mxfp8's) decode to what float32 gives.
 *
 * mxfp4 in blocks of 32 along the last axis runs on `options.backend`'s kernels, as in quantizeMx.
 *
 * @throws {TypeError} when `t` is not an MX tensor record (`format` a name, `shape` an array,
 *   `axis` and `blockSize` numbers, `packed` a boolean, `scales` and `codes` Uint8Arrays),
 *   `options.out` is not a Float32Array, or `options.backend` is not a string.
 * @throws {RangeError} when `t.format` or `options.backend` is unknown, the shape is not one of at
 *   least one dimension,
 *   the axis or block size is out of range, `packed` is set for a format other than mxfp4,
 *   `t.scales` or `t.codes` does not hold exactly what the shape needs (a truncated buffer), an
 *   element code does not fit the format's bits, a packed odd tail's padding nibble is not 0, or
 *   `options.out` has the wrong length.
 *
 * @example
 * const q = quantizeMx([[0.5, -1, 3, 6.5]], "mxfp4");
 * Array.from(dequantizeMx(q).data)
 * // => [0.5, -1, 3, 6]
 */
export function dequantizeMx(t: MxTensor, options?: DequantizeMxOptions): Tensor<Float32Array> {
  const fn = "dequantizeMx";
  checkRecord(fn, "t", t, MX_FIELDS, "MX tensor");
  const info = MX_FORMATS[checkName(fn, "t.format", t.format, MX_FORMAT_NAMES)];
  const o = checkOptions(fn, "options", options, ["out", "backend", "threads"]);
  const kernels = kernelsForOptions(fn, o);
  const shape = checkShape(fn, "t.shape", t.shape);
  checkRank(fn, "t.shape", shape);
  const axis = checkAxis(
    fn,
    "t.axis",
    required(fn, "t.axis", t.axis, "an integer"),
    shape.length,
    -1,
  );
  const blockSize = checkInteger(
    fn,
    "t.blockSize",
    required(fn, "t.blockSize", t.blockSize, "an integer ≥ 1"),
    MX_BLOCK_SIZE,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const packed = checkPack(fn, "t.packed", required(fn, "t.packed", t.packed, "a boolean"), info);
  const layout = layoutOf(shape, axis, blockSize);
  const size = layout.outer * layout.dim * layout.inner;
  const where = `for shape ${shown(shape)}, axis ${axis}, blocks of ${blockSize}`;
  const scales = checkStored(
    fn,
    "t.scales",
    t.scales,
    Uint8Array,
    scaleCount(layout),
    `one float8e8m0 code per block ${where}`,
  );
  const codes = checkStored(
    fn,
    "t.codes",
    t.codes,
    Uint8Array,
    packed ? Math.ceil(size / 2) : size,
    packed
      ? `two ${info.name} codes a byte for shape ${shown(shape)}`
      : `one ${info.name} code per value of shape ${shown(shape)}`,
  );
  if (packed) {
    if (size % 2 === 1 && (codes[codes.length - 1] as number) >> 4 !== 0) {
      const byte = codes[codes.length - 1] as number;
      throw rangeError(
        fn,
        `t.codes[${codes.length - 1}]`,
        `a byte with 0 in its high nibble (padding after ${size} codes)`,
        byte,
        `${byte} (0x${byte.toString(16).padStart(2, "0")})`,
      );
    }
  } else if (info.elementBits < 8) {
    const top = 2 ** info.elementBits - 1;
    for (let i = 0; i < codes.length; i++) {
      if ((codes[i] as number) > top) {
        throw rangeError(fn, `t.codes[${i}]`, `a ${info.element} code in [0, ${top}]`, codes[i]);
      }
    }
  }
  const out = outputArray(fn, o.out, Float32Array, size);
  if (mxfp4Rows(info, layout)) kernels.dequantizeMxfp4(scales, codes, packed, out);
  else dequantizeKernel(info, layout, scales, codes, packed, out);
  return { data: out, shape };
}
