/** What a quantized tensor costs in storage: its codes and the parameters stored beside them. */
import { INTEGER_FORMATS, isIntegerDType } from "../dtypes/table.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkInteger, checkKeys, checkOptions } from "../validate/options.js";

/** The keys of a tensor `quantize` returns. */
const TENSOR_KEYS = [
  "dtype",
  "data",
  "shape",
  "scale",
  "zeroPoint",
  "axis",
  "blockSize",
  "semantics",
];

/** Options of {@link bitsPerWeight}. */
export interface BitsPerWeightOptions {
  /** Bits of one stored scale: 32 (float32, ONNX's usual) by default; 16 for float16 scales (GGUF). */
  readonly scaleBits?: number;
}

/** The parts of a quantized tensor that take storage, as `quantize` returns it. */
export interface StoredCodes {
  readonly dtype: string;
  readonly data: ArrayLike<number>;
  readonly scale: number | ArrayLike<number>;
  readonly zeroPoint: number | ArrayLike<number>;
}

function countOf(fn: string, arg: string, value: unknown): ArrayLike<number> {
  if (typeof value === "number") return [value];
  const bigInts = value instanceof BigInt64Array || value instanceof BigUint64Array;
  if (
    Array.isArray(value) ||
    (ArrayBuffer.isView(value) && !(value instanceof DataView) && !bigInts)
  ) {
    return value as ArrayLike<number>;
  }
  throw typeError(fn, arg, "a number or an array of numbers", value);
}

/**
 * Bits of storage per value of a quantized tensor, the parameters included:
 * `(n · bits + scales · scaleBits + zeroPoints · bits) / n` for n codes of a `bits`-wide dtype.
 * Zero points count only when one of them is not 0: a tensor whose zero points are all 0
 * (symmetric, signed) need not store them. Per tensor that is `bits + scaleBits / n`; per block
 * of B values, about `bits + scaleBits / B`.
 *
 * @throws {TypeError} when `q` is not a quantized tensor (`{ dtype, data, scale, zeroPoint }`), or
 *   `options` not an object.
 * @throws {RangeError} for an unknown dtype or key of `q`, an empty tensor, or `scaleBits` not an
 *   integer in [1, 64].
 * @example
 * bitsPerWeight(quantize([1, 2, 3, 4], { dtype: "int4", scale: 0.5 }))
 * // => 12
 * @example
 * bitsPerWeight(quantize([1, 2, 3, 4], { dtype: "uint8", scale: 0.1, zeroPoint: 3 }), { scaleBits: 16 })
 * // => 14
 */
export function bitsPerWeight(q: StoredCodes, options?: BitsPerWeightOptions): number {
  const fn = "bitsPerWeight";
  if (typeof q !== "object" || q === null) {
    throw typeError(fn, "q", "a quantized tensor { dtype, data, scale, zeroPoint }", q);
  }
  checkKeys(fn, "q", q, TENSOR_KEYS);
  const o = checkOptions(fn, "options", options, ["scaleBits"]);
  const scaleBits = checkInteger(fn, "options.scaleBits", o.scaleBits, 32, 1, 64);
  if (!isIntegerDType(q.dtype)) {
    const expected = "an integer dtype";
    if (typeof q.dtype !== "string") throw typeError(fn, "q.dtype", expected, q.dtype);
    throw rangeError(fn, "q.dtype", expected, q.dtype);
  }
  const bits = INTEGER_FORMATS[q.dtype].bits;
  const n = countOf(fn, "q.data", q.data).length;
  if (n === 0) throw rangeError(fn, "q.data", "a non-empty tensor", q.data, "an empty tensor");
  const scales = countOf(fn, "q.scale", q.scale).length;
  const zeroPoints = countOf(fn, "q.zeroPoint", q.zeroPoint);
  const stored = Array.from(zeroPoints).some((z) => z !== 0) ? zeroPoints.length : 0;
  return (n * bits + scales * scaleBits + stored * bits) / n;
}
