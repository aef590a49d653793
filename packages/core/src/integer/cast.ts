/** ONNX Cast from float to the sub-byte integers: rounding, then wrapping (not saturation). */
import { PACKED_INTEGER_DTYPES, type PackedIntegerDType } from "../dtypes/table.js";
import * as kernel from "../kernels/integer.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError } from "../validate/errors.js";
import { float32BitsOf } from "../validate/floats.js";

/**
 * Casts values to int2, uint2, int4 or uint4 as ONNX Cast does: round to the nearest integer (ties
 * to even), then keep its low bits in two's complement: out-of-range values wrap around, they do
 * NOT saturate (int4: 8 -> -8, 9 -> -7, -9 -> 7, 16 -> 0; uint4: -1 -> 15). For saturation, use
 * {@link quantize} with scale 1.
 *
 * ONNX's Cast leaves float-to-integer out of range undefined; its int4 and int2 notes define
 * rounding to nearest even and truncating to the low bits, which its backend test vectors (all
 * integers, -9 to 15) follow, and so do onnxruntime and ml_dtypes there. Between integers they
 * differ: onnxruntime 1.30 rounds ties away from zero (2.5 -> 3, -8.5 -> -9 -> 7), ml_dtypes 0.5.4
 * truncates toward zero (1.5 -> 1, -7.5 -> -7). Values are read as float32 first (float64 inputs
 * rounded to float32); every finite float32 has an answer (the low bits of its rounded value,
 * exactly).
 *
 * @param values - number[], Float32Array or Float64Array
 * @param dtype - "int2" | "uint2" | "int4" | "uint4"
 * @returns an Int8Array (int2, int4) or a Uint8Array (uint2, uint4), one value per element
 *   (`packCodes` packs them as ONNX stores them)
 * @throws {TypeError} for `values` not an array or Float32Array/Float64Array, an entry not a
 *   number, or `dtype` not a string
 * @throws {RangeError} for an unknown `dtype`, or NaN or ±Infinity in `values` (no integer)
 * @example
 * castWrapping([-9, -8, 7, 8, 9, 15, 16, 2.5, 3.5], "int4")
 * // => Int8Array [ 7, -8, 7, -8, -7, -1, 0, 2, 4 ]
 * @example
 * castWrapping([-1, 3, 4, 5], "uint2")
 * // => Uint8Array [ 3, 3, 0, 1 ]
 */
export function castWrapping(
  values: readonly number[] | Float32Array | Float64Array,
  dtype: "int2" | "int4",
): Int8Array;
export function castWrapping(
  values: readonly number[] | Float32Array | Float64Array,
  dtype: "uint2" | "uint4",
): Uint8Array;
export function castWrapping(
  values: readonly number[] | Float32Array | Float64Array,
  dtype: PackedIntegerDType,
): Int8Array | Uint8Array;
export function castWrapping(
  values: readonly number[] | Float32Array | Float64Array,
  dtype: PackedIntegerDType,
): Int8Array | Uint8Array {
  const fn = "castWrapping";
  const format = checkDType(fn, "dtype", dtype, PACKED_INTEGER_DTYPES);
  const bits = float32BitsOf(fn, values);
  const x = new Float32Array(bits.buffer, bits.byteOffset, bits.length);
  const out = new format.storage(x.length) as Int8Array | Uint8Array;
  const bad = kernel.castWrapping(x, format.bits, format.signed, out);
  if (bad >= 0) {
    const expected = "a finite number (NaN and ±Infinity have no integer)";
    throw rangeError(fn, `values[${bad}]`, expected, x[bad]);
  }
  return out;
}
