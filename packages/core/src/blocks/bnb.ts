/**
 * quantizeBnb / dequantizeBnb: bitsandbytes' 4-bit formats NF4 and FP4, with optional double
 * quantization, bit for bit as its default (torch) backend. They validate, allocate and call the
 * kernels: the 4-bit codes through `kernelsFor(fn, backend)` (WebAssembly SIMD or the reference),
 * the double quantization of the absmax values ../kernels/bnb.ts; see BNB_FORMATS and BNB_TABLES
 * for the tables.
 */

import { kernelsForOptions } from "../backend.js";
import {
  BNB_BLOCK_SIZE,
  BNB_BLOCK_SIZES,
  BNB_NESTED_BLOCK_SIZE,
  type BnbFormat,
} from "../dtypes/bnb.js";
import { dequantizeNested, quantizeNested } from "../kernels/bnb.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { checkRecord, checkStored, nonFinite, required } from "../validate/blocks.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkBoolean, checkName, checkOptions } from "../validate/options.js";
import { outputArray } from "../validate/output.js";
import type { Backend, Threads } from "../validate/params.js";
import { checkShape, toFloat32 } from "../validate/tensor.js";

/** The double quantization of the absmax values: a float32 absmax per 256 of them, and an offset. */
export interface BnbNested {
  /** One float32 per 256 absmax codes (the last group may be shorter). */
  readonly absmax: Float32Array;
  /** The mean of the absmax values, subtracted before quantizing them. */
  readonly offset: number;
  /** Always 256, the block size bitsandbytes uses for the absmax values. */
  readonly blockSize: number;
}

/** What a bitsandbytes 4-bit tensor stores, and what dequantizeBnb reads. */
export interface BnbPacked {
  readonly format: BnbFormat;
  /** The shape of the float tensor it stands for; blocks run over its row-major values. */
  readonly shape: readonly number[];
  /** Values per block: 64 by default; bitsandbytes allows 32, 64, ..., 4096. */
  readonly blockSize: number;
  /**
   * The codes two a byte, the first in the HIGH nibble (bitsandbytes' order, the opposite of
   * `packCodes` and NVFP4); an odd tail's low nibble is the code of 0 (nf4: 7, fp4: 0).
   */
  readonly packed: Uint8Array;
  /**
   * Per block: its absmax as float32, or with double quantization (`nested` not null) its
   * dynamic8 code (a Uint8Array).
   */
  readonly absmax: Float32Array | Uint8Array;
  /** The double quantization of `absmax`, or null. */
  readonly nested: BnbNested | null;
}

/** A bitsandbytes 4-bit tensor as quantizeBnb returns it: what it stores, and its codes one a byte. */
export interface BnbTensor extends BnbPacked {
  /** The 4-bit codes one per value, row-major (what `packed` holds; not read back). */
  readonly codes: Uint8Array;
}

export interface QuantizeBnbOptions {
  /** Values per block: 64 (the default), or 32, 128, 256, 512, 1024, 2048, 4096. */
  readonly blockSize?: number;
  /** Quantize the absmax values too (bitsandbytes' `compress_statistics`, QLoRA's double quantization). */
  readonly doubleQuant?: boolean;
  /** The shape of `x` when it is flat (a typed array). */
  readonly shape?: readonly number[];
  /**
   * Where to write the codes: `packed`, a Uint8Array of ceil(n / 2) bytes, and `codes`, one of n
   * (either or both; the other is a new array). Arrays from `allocate` are written in place. The
   * absmax values are always a new array. When a value is NaN or ±Infinity, the error comes after
   * the blocks before it may have been written.
   */
  readonly out?: { readonly packed?: Uint8Array; readonly codes?: Uint8Array };
  /**
   * Which kernels run the 4-bit codes: `"auto"` (the default: WebAssembly SIMD where it loads),
   * `"fast"` or `"reference"`; the same bits on each.
   */
  readonly backend?: Backend;
  /** `"auto"` (default: all cores from 2^18 values on for tensors in the kernels' memory) or a thread count; same bits. */
  readonly threads?: Threads;
}

export interface DequantizeBnbOptions {
  /** Where to write the values: a Float32Array of exactly the tensor's size. */
  readonly out?: Float32Array;
  /** As {@link QuantizeBnbOptions.backend}. */
  readonly backend?: Backend;
  /** `"auto"` (default: all cores from 2^18 values on for tensors in the kernels' memory) or a thread count; same bits. */
  readonly threads?: Threads;
}

/** The fields of a BnbTensor; `codes` is allowed and not read. */
const BNB_FIELDS = ["format", "shape", "blockSize", "packed", "absmax", "nested", "codes"];
const NESTED_FIELDS = ["absmax", "offset", "blockSize"];

const FORMATS: readonly BnbFormat[] = ["nf4", "fp4"];

function checkBlockSize(fn: string, arg: string, value: unknown): number {
  const blockSize = value === undefined ? BNB_BLOCK_SIZE : value;
  const expected = `one of ${BNB_BLOCK_SIZES.join(", ")} (the block sizes bitsandbytes allows)`;
  if (typeof blockSize !== "number") throw typeError(fn, arg, expected, blockSize);
  if (!BNB_BLOCK_SIZES.includes(blockSize)) throw rangeError(fn, arg, expected, blockSize);
  return blockSize;
}

/**
 * Quantizes a float tensor to bitsandbytes' NF4 or FP4, as `bitsandbytes.functional.quantize_4bit`
 * on its default backend: blocks of `blockSize` (64) over the flattened row-major values, the last
 * block possibly shorter.
 *
 * Per block: absmax = max |x| (a short last block stores max(absmax, 1e-38), 1e-38 as float32);
 * y = x · fround(1 / max(absmax, 1e-38)) in a full block, x / max(absmax, 1e-38) in the last short
 * one, clamped to [-1, 1]; the code is that of the nearest table value (`BNB_TABLES.nf4` or
 * `.fp4`), found through the float32 midpoints of the sorted table: a y on a midpoint takes the
 * lower value (so fp4 gives code 8 to a y in (0, 0.0026] and 0 to one in (-0.0026, 0], both +0).
 * With `doubleQuant`, offset = mean(absmax) (computed in float64, rounded once to float32: torch's
 * float32 mean agrees on bitsandbytes' golden cases), and the float32 differences absmax - offset
 * are quantized by the same two steps in blocks of 256 against `BNB_TABLES.dynamic8` (an empty
 * tensor gets offset 0, where torch's mean of no values is NaN). A block whose
 * absmax is below 1e-38 but not 0 is scaled by 1e38, as bitsandbytes does, and does not round-trip.
 * The 4-bit codes run on `options.backend`'s kernels (WebAssembly SIMD by default where it loads;
 * the same bits).
 *
 * @throws {TypeError} when `format` is not a string, `x` is not a tensor, `options` is not an
 *   object, `options.blockSize` is not a number, `options.doubleQuant` not a boolean,
 *   `options.out` not an object or its arrays not Uint8Arrays, or `options.backend` not a string.
 * @throws {RangeError} when `format` is not "nf4" or "fp4", `options.backend` is not a backend's
 *   name, `options` or `options.out` has an unknown key, the block size is not one bitsandbytes
 *   allows, an array of `options.out` has the wrong length, or a value is NaN or ±Infinity
 *   (bitsandbytes' absmax would be NaN or its codes garbage).
 *
 * @example
 * const q = quantizeBnb([0.5, -1, 0.25, 1], "nf4");
 * [Array.from(q.codes), Array.from(q.packed), Array.from(q.absmax)]
 * // => [[12, 0, 10, 15], [192, 175], [1]]
 */
export function quantizeBnb(
  x: TensorLike,
  format: BnbFormat,
  options?: QuantizeBnbOptions,
): BnbTensor {
  const fn = "quantizeBnb";
  const name = checkName(fn, "format", format, FORMATS);
  const o = checkOptions(fn, "options", options, [
    "blockSize",
    "doubleQuant",
    "shape",
    "out",
    "backend",
    "threads",
  ]);
  const kernels = kernelsForOptions(fn, o);
  const input = toFloat32(fn, "x", x, o.shape);
  const blockSize = checkBlockSize(fn, "options.blockSize", o.blockSize);
  const doubleQuant = checkBoolean(fn, "options.doubleQuant", o.doubleQuant, false);
  const n = input.data.length;
  const blocks = Math.ceil(n / blockSize);
  const out = checkOptions(fn, "options.out", o.out, ["packed", "codes"]);
  const packed = outputArray(fn, out.packed, Uint8Array, Math.ceil(n / 2), "options.out.packed");
  const codes = outputArray(fn, out.codes, Uint8Array, n, "options.out.codes");
  const absmax = new Float32Array(blocks);
  const bad = kernels.quantize4bit(name, input.data, blockSize, codes, packed, absmax);
  if (bad >= 0) throw nonFinite(fn, "x", bad, input.data[bad] as number, name);
  const shape = [...input.shape];
  if (!doubleQuant) return { format: name, shape, blockSize, codes, packed, absmax, nested: null };
  const absmaxCodes = new Uint8Array(blocks);
  const nestedAbsmax = new Float32Array(Math.ceil(blocks / BNB_NESTED_BLOCK_SIZE));
  const offset = quantizeNested(absmax, absmaxCodes, nestedAbsmax);
  const nested = { absmax: nestedAbsmax, offset, blockSize: BNB_NESTED_BLOCK_SIZE };
  return { format: name, shape, blockSize, codes, packed, absmax: absmaxCodes, nested };
}

/**
 * Decodes a bitsandbytes 4-bit tensor to float32, as `dequantize_4bit` on its default backend:
 * value = table[code] · absmax of its block, in float32. Double quantized, each absmax is first
 * fround(fround(dynamic8[code] · nested.absmax[block / 256]) + nested.offset). Reads `packed` (the
 * first code in the high nibble; an odd tail's low nibble is ignored), not `codes`. Any bytes decode.
 *
 * @throws {TypeError} when `t` is not a `{ format, shape, blockSize, packed, absmax, nested }`
 *   record of the right types (`absmax` a Float32Array, or a Uint8Array with `nested`;
 *   `nested` null or `{ absmax: Float32Array, offset: number, blockSize: 256 }`), `options.out`
 *   is not a Float32Array, or `options.backend` is not a string.
 * @throws {RangeError} when `t.format` is not "nf4" or "fp4", `options.backend` is not a
 *   backend's name, the block size is not one
 *   bitsandbytes allows, `nested.blockSize` is not 256, `t.packed`, `t.absmax` or
 *   `nested.absmax` does not hold exactly what the shape needs (a truncated buffer), or
 *   `options.out` has the wrong length.
 *
 * @example
 * const q = quantizeBnb([0.5, -1, 0.25, 1], "nf4");
 * Array.from(dequantizeBnb(q).data)
 * // => [0.44070982933044434, -1, 0.24611230194568634, 1]
 */
export function dequantizeBnb(t: BnbPacked, options?: DequantizeBnbOptions): Tensor<Float32Array> {
  const fn = "dequantizeBnb";
  checkRecord(fn, "t", t, BNB_FIELDS, "bitsandbytes tensor");
  const name = checkName(fn, "t.format", t.format, FORMATS);
  const o = checkOptions(fn, "options", options, ["out", "backend", "threads"]);
  const kernels = kernelsForOptions(fn, o);
  const shape = checkShape(fn, "t.shape", t.shape);
  const n = shape.reduce((a, b) => a * b, 1);
  const blockSize = checkBlockSize(
    fn,
    "t.blockSize",
    required(fn, "t.blockSize", t.blockSize, "a number"),
  );
  const blocks = Math.ceil(n / blockSize);
  const where = `for ${n} values in blocks of ${blockSize}`;
  const packed = checkStored(
    fn,
    "t.packed",
    t.packed,
    Uint8Array,
    Math.ceil(n / 2),
    `two ${name} codes a byte ${where}`,
  );
  const nested = required(
    fn,
    "t.nested",
    t.nested,
    "null or a { absmax, offset, blockSize } record",
  );
  let absmax: Float32Array;
  if (nested === null) {
    absmax = checkStored(
      fn,
      "t.absmax",
      t.absmax,
      Float32Array,
      blocks,
      `one float32 absmax per block ${where}`,
    );
  } else {
    checkRecord(fn, "t.nested", nested, NESTED_FIELDS, "record or null");
    if (nested.blockSize !== BNB_NESTED_BLOCK_SIZE) {
      const expected = `${BNB_NESTED_BLOCK_SIZE} (the block size of bitsandbytes' double quantization)`;
      if (typeof nested.blockSize !== "number")
        throw typeError(fn, "t.nested.blockSize", expected, nested.blockSize);
      throw rangeError(fn, "t.nested.blockSize", expected, nested.blockSize);
    }
    if (typeof nested.offset !== "number")
      throw typeError(fn, "t.nested.offset", "a number", nested.offset);
    const codes = checkStored(
      fn,
      "t.absmax",
      t.absmax,
      Uint8Array,
      blocks,
      `one dynamic8 code per block ${where} (double quantized)`,
    );
    const groups = Math.ceil(blocks / BNB_NESTED_BLOCK_SIZE);
    const nestedAbsmax = checkStored(
      fn,
      "t.nested.absmax",
      nested.absmax,
      Float32Array,
      groups,
      `one float32 per 256 of the ${blocks} absmax codes`,
    );
    absmax = new Float32Array(blocks);
    dequantizeNested(codes, nestedAbsmax, Math.fround(nested.offset), absmax);
  }
  const out = outputArray(fn, o.out, Float32Array, n);
  kernels.dequantize4bit(name, packed, absmax, blockSize, out);
  return { data: out, shape };
}
