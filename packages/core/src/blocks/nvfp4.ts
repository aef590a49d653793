/**
 * quantizeNvfp4 / dequantizeNvfp4: NVIDIA's NVFP4, bit for bit as torchao's recipe. They
 * validate, allocate and call ../kernels/nvfp4.ts; see NVFP4 for the constants.
 */
import { NVFP4 } from "../dtypes/nvfp4.js";
import { packLowFirst } from "../kernels/nibbles.js";
import {
  dequantizeNvfp4 as dequantizeKernel,
  nvfp4GlobalScale,
  quantizeNvfp4 as quantizeKernel,
} from "../kernels/nvfp4.js";
import type { Tensor, TensorLike } from "../tensor.js";
import {
  checkFinite,
  checkRank,
  checkRecord,
  checkStored,
  required,
  shown,
} from "../validate/blocks.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkOptions } from "../validate/options.js";
import { outputArray } from "../validate/output.js";
import { checkShape, toFloat32 } from "../validate/tensor.js";

/** What NVFP4 stores, and what dequantizeNvfp4 reads. */
export interface Nvfp4Packed {
  /** The shape of the float tensor it stands for; the last dimension a multiple of 16. */
  readonly shape: readonly number[];
  /** The float32 tensor scale, amax / 2688: a decode-side factor. */
  readonly globalScale: number;
  /** float8e4m3fn codes, one per 16 values along the last axis (shape [..., last / 16]). */
  readonly scales: Uint8Array;
  /** The float4e2m1 codes two a byte, the first in the low nibble (torchao's `pack_uint4`). */
  readonly packed: Uint8Array;
}

/** An NVFP4 tensor as quantizeNvfp4 returns it: what it stores, and its codes one a byte. */
export interface Nvfp4Tensor extends Nvfp4Packed {
  /** The float4e2m1 codes one per value, row-major (what `packed` holds; not read back). */
  readonly codes: Uint8Array;
}

export interface QuantizeNvfp4Options {
  /** The shape of `x` when it is flat (a typed array); its last dimension is the blocks' axis. */
  readonly shape?: readonly number[];
}

export interface DequantizeNvfp4Options {
  /** Where to write the values: a Float32Array of exactly the tensor's size. */
  readonly out?: Float32Array;
}

/** The fields of an Nvfp4Tensor; `codes` is allowed and not read. */
const NVFP4_FIELDS = ["shape", "globalScale", "scales", "packed", "codes"];

/** The number of blocks of a shape whose last dimension must be a multiple of 16. */
function blocksOf(fn: string, arg: string, shape: readonly number[]): number {
  checkRank(fn, arg, shape);
  const last = shape[shape.length - 1] as number;
  if (last % NVFP4.blockSize !== 0) {
    throw rangeError(
      fn,
      arg,
      `a shape whose last dimension is a multiple of ${NVFP4.blockSize} (the NVFP4 block size)`,
      shape,
      shown(shape),
    );
  }
  return shape.reduce((a, b) => a * b, 1) / NVFP4.blockSize;
}

function amaxOf(data: Float32Array): number {
  let m = 0;
  for (const v of data) m = Math.max(m, Math.abs(v));
  return m;
}

/** The shortest decimal that reads back to the same float32. */
function short(v: number): string {
  for (let digits = 1; digits < 9; digits++) {
    const s = Number(v.toPrecision(digits));
    if (Math.fround(s) === v) return String(s);
  }
  return String(Number(v.toPrecision(9)));
}

/**
 * Quantizes a float tensor to NVFP4, as torchao's `nvfp4_quantize` with its per-tensor scale:
 * float4e2m1 elements, a float8e4m3fn scale per 16 values along the last axis, one float32 scale.
 *
 * Each step one float32 operation: g = amax / 2688 over the whole tensor (`globalScale`); per
 * block, s = (max |x| / 6) / g clamped to [2^-6, 448] and cast to e4m3 (ties to even: the scale
 * code, S its value); r = (1 / g) / S; each code is the e2m1 cast (ties to even, the sign of zero
 * kept) of x · r clamped to [-6, 6]. `packed` holds the codes two a byte, the first in the low
 * nibble. (PyTorch on CUDA and NVIDIA's own kernels order some of these operations differently and
 * can land an ulp away: see the package README.)
 *
 * @throws {TypeError} when `x` is not a tensor or `options` is not an object.
 * @throws {RangeError} when `options` has an unknown key, `x` is a scalar, its last dimension is not
 *   a multiple of 16, a value is NaN or ±Infinity (NVFP4 has no code for them), every value is 0
 *   (g would be 0), or g is so small that (1 / g) / S overflows float32 for a block (amax below
 *   about 8e-36, or below about 5e-34 with a block of zeros or of tiny values: the tensor scale
 *   underflows).
 *
 * @example
 * const q = quantizeNvfp4([Array.from({ length: 16 }, (_, i) => i - 4)]);
 * [q.globalScale, q.scales[0], Array.from(q.codes.subarray(0, 6)), q.packed[0]]
 * // => [0.004092262126505375, 126, [12, 11, 10, 9, 0, 1], 188]
 */
export function quantizeNvfp4(x: TensorLike, options?: QuantizeNvfp4Options): Nvfp4Tensor {
  const fn = "quantizeNvfp4";
  const o = checkOptions(fn, "options", options, ["shape"]);
  const input = toFloat32(fn, "x", x, o.shape);
  const blocks = blocksOf(fn, o.shape === undefined ? "x" : "options.shape", input.shape);
  checkFinite(fn, "x", input.data, "NVFP4");
  const g = nvfp4GlobalScale(input.data);
  const size = input.data.length;
  if (g === 0 && size > 0) {
    const all = g === 0 && input.data.every((v) => v === 0);
    throw rangeError(
      fn,
      "x",
      "a tensor with a nonzero value (NVFP4's tensor scale amax / 2688 must not be 0)",
      x,
      all ? "all values 0" : "an amax so small that amax / 2688 rounds to 0",
    );
  }
  const scales = new Uint8Array(blocks);
  const codes = outputArray(fn, undefined, Uint8Array, size);
  const bad = quantizeKernel(input.data, g, scales, codes);
  if (bad >= 0) {
    const last = input.shape[input.shape.length - 1] as number;
    const perRow = last / NVFP4.blockSize;
    const column = (bad % perRow) * NVFP4.blockSize;
    throw rangeError(
      fn,
      "x",
      "a tensor whose scales NVFP4 can hold: (1 / g) / S finite in float32 for every block, g = amax / 2688 the tensor scale and S the block's e4m3 scale",
      x,
      `g = ${short(g)} (amax ${short(amaxOf(input.data))}), infinite for block ${bad % perRow} of row ${Math.floor(bad / perRow)} (columns ${column}..${column + NVFP4.blockSize - 1})`,
    );
  }
  const packed = new Uint8Array(size / 2);
  packLowFirst(codes, packed);
  return { shape: [...input.shape], globalScale: g, scales, codes, packed };
}

/**
 * Decodes an NVFP4 tensor to float32, as torchao's `NVFP4Tensor.dequantize`: value = e2m1(code) ·
 * (globalScale · e4m3(scale)), the product in parentheses rounded to float32 first. Reads
 * `packed`, not `codes`. Any bytes decode (an e4m3 NaN scale gives NaN values).
 *
 * @throws {TypeError} when `t` is not a `{ shape, globalScale, scales, packed }` record with an
 *   array shape, a number and Uint8Arrays, or `options.out` is not a Float32Array.
 * @throws {RangeError} when the shape is not one of at least one dimension whose last is a multiple
 *   of 16, `t.scales` or `t.packed` does not hold exactly what the shape needs (a truncated
 *   buffer), or `options.out` has the wrong length.
 *
 * @example
 * const q = quantizeNvfp4([Array.from({ length: 16 }, (_, i) => i - 4)]);
 * Array.from(dequantizeNvfp4(q).data.subarray(0, 6))
 * // => [-3.6666669845581055, -2.750000238418579, -1.8333334922790527, -0.9166667461395264, 0, 0.9166667461395264]
 */
export function dequantizeNvfp4(
  t: Nvfp4Packed,
  options?: DequantizeNvfp4Options,
): Tensor<Float32Array> {
  const fn = "dequantizeNvfp4";
  checkRecord(fn, "t", t, NVFP4_FIELDS, "NVFP4 tensor");
  const o = checkOptions(fn, "options", options, ["out"]);
  const shape = checkShape(fn, "t.shape", t.shape);
  const blocks = blocksOf(fn, "t.shape", shape);
  const g = required(fn, "t.globalScale", t.globalScale, "a number");
  if (typeof g !== "number") throw typeError(fn, "t.globalScale", "a number", g);
  const scales = checkStored(
    fn,
    "t.scales",
    t.scales,
    Uint8Array,
    blocks,
    `one float8e4m3fn code per 16 values of shape ${shown(shape)}`,
  );
  const size = blocks * NVFP4.blockSize;
  const packed = checkStored(
    fn,
    "t.packed",
    t.packed,
    Uint8Array,
    size / 2,
    `two float4e2m1 codes a byte for shape ${shown(shape)}`,
  );
  const out = outputArray(fn, o.out, Float32Array, size);
  dequantizeKernel(Math.fround(g), scales, packed, out);
  return { data: out, shape };
}
