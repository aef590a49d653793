/**
 * int4 / uint4 packing in ONNX order: two values per byte, the first in the low nibble, an odd
 * tail padded with 0 in the high nibble (ONNX's `INT4` / `UINT4` tensors, `numpy_helper.pack_int4`).
 */
import { INT4_DTYPES, INTEGER_FORMATS, type Int4DType } from "../dtypes/table.js";
import * as kernel from "../kernels/integer.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/**
 * Packs int4 or uint4 values two per byte, ONNX order.
 *
 * `byte[i] = (v[2i] & 0xF) | ((v[2i+1] & 0xF) << 4)`: the first value in the low nibble, int4 in
 * two's complement, and with an odd count the last byte's high nibble is 0. No rounding: the values
 * must already be integers in range.
 *
 * @param values - the values, one per element: an array or a typed array of integers in
 *   [-8, 7] (int4) or [0, 15] (uint4)
 * @param dtype - `"int4"` or `"uint4"`
 * @returns `ceil(values.length / 2)` bytes
 * @throws {TypeError} if `values` is not an array or a numeric typed array, an element is not a
 *   number, or `dtype` is not a string
 * @throws {RangeError} if an element is not an integer in the dtype's range (the message names its
 *   index and value), or `dtype` is not `"int4"` or `"uint4"`
 * @example
 * packInt4([7, -5, -1], "int4");
 * // => Uint8Array [ 183, 15 ]
 */
export function packInt4(values: ArrayLike<number>, dtype: Int4DType): Uint8Array {
  const fn = "packInt4";
  checkDType(fn, "dtype", dtype, INT4_DTYPES);
  if (!isArrayLike(values))
    throw typeError(fn, "values", "an array or a typed array of integers", values);
  const { min, max } = INTEGER_FORMATS[dtype];
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number") throw typeError(fn, `values[${i}]`, "a number", v);
    if (!Number.isInteger(v) || v < min || v > max) {
      throw rangeError(fn, `values[${i}]`, `an integer in [${min}, ${max}] (${dtype})`, v);
    }
  }
  const out = new Uint8Array((n + 1) >> 1);
  kernel.packInt4(values, n, out);
  return out;
}

/**
 * Unpacks `length` int4 or uint4 values from bytes packed two per byte, ONNX order (the inverse of
 * `packInt4`).
 *
 * `v[i] = (bytes[i >> 1] >> 4 * (i & 1)) & 0xF`, sign-extended from 4 bits for int4. When `length`
 * is odd the last byte's high nibble is padding and must be 0: a non-zero padding nibble means
 * `length` or `bytes` is wrong, so it is an error rather than ignored.
 *
 * @param bytes - the packed bytes
 * @param dtype - `"int4"` (returns an Int8Array) or `"uint4"` (returns a Uint8Array)
 * @param length - the number of values: `2 * bytes.length` or `2 * bytes.length - 1`
 * @throws {TypeError} if `bytes` is not a Uint8Array, `length` is not a number, or `dtype` is not
 *   a string
 * @throws {RangeError} if `length` is not an integer that fits `bytes` as above, the padding nibble
 *   of an odd `length` is not 0, or `dtype` is not `"int4"` or `"uint4"`
 * @example
 * unpackInt4(new Uint8Array([183, 15]), "int4", 3);
 * // => Int8Array [ 7, -5, -1 ]
 */
export function unpackInt4(bytes: Uint8Array, dtype: "int4", length: number): Int8Array;
export function unpackInt4(bytes: Uint8Array, dtype: "uint4", length: number): Uint8Array;
export function unpackInt4(
  bytes: Uint8Array,
  dtype: Int4DType,
  length: number,
): Int8Array | Uint8Array;
export function unpackInt4(
  bytes: Uint8Array,
  dtype: Int4DType,
  length: number,
): Int8Array | Uint8Array {
  const fn = "unpackInt4";
  checkDType(fn, "dtype", dtype, INT4_DTYPES);
  if (!(bytes instanceof Uint8Array)) throw typeError(fn, "bytes", "a Uint8Array", bytes);
  if (typeof length !== "number") throw typeError(fn, "length", "a number", length);
  const full = 2 * bytes.length;
  const fits = bytes.length === 0 ? "0" : `${full - 1} or ${full}`;
  if (!Number.isInteger(length) || (length !== full && length !== full - 1) || length < 0) {
    throw rangeError(
      fn,
      "length",
      `${fits} for ${bytes.length} byte${bytes.length === 1 ? "" : "s"}`,
      length,
    );
  }
  if (length !== full && bytes[bytes.length - 1] >> 4 !== 0) {
    const last = bytes.length - 1;
    const byte = bytes[last];
    throw rangeError(
      fn,
      `bytes[${last}]`,
      `a byte with 0 in its high nibble (padding after an odd length ${length})`,
      byte,
      `${byte} (0x${byte.toString(16).padStart(2, "0")})`,
    );
  }
  const out = new INTEGER_FORMATS[dtype].storage(length) as Int8Array | Uint8Array;
  kernel.unpackInt4(bytes, length, dtype === "int4", out);
  return out;
}
