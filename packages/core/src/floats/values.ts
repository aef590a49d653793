/** Every value a low-precision float format can hold, read from its decoder. */
import { FLOAT_DTYPES, type FloatDType } from "../dtypes/table.js";
import { checkDType } from "../validate/dtype.js";
import { decodeFloat } from "./codecs.js";

/**
 * The finite values ≥ 0 of a low-precision float format, ascending, each once (+0 stands for both
 * zeros): `decodeFloat` of every code without the sign bit, NaN and ±Infinity left out. The
 * subnormals are the values in (0, `minNormal`) of the format's row in `FLOAT_FORMATS`.
 *
 * @throws {TypeError} when `dtype` is not a string.
 * @throws {RangeError} when it names no low-precision float format.
 * @example
 * representableValues("float4e2m1")
 * // => Float32Array [ 0, 0.5, 1, 1.5, 2, 3, 4, 6 ]
 */
export function representableValues(dtype: FloatDType): Float32Array {
  const format = checkDType("representableValues", "dtype", dtype, FLOAT_DTYPES);
  const count = 2 ** (format.bits - (format.signed ? 1 : 0));
  const codes = Uint32Array.from({ length: count }, (_, c) => c);
  const decoded = decodeFloat(format.name, codes);
  // Codes without the sign bit decode in ascending order, each value once: no sort, no dedupe.
  return Float32Array.from(decoded.filter((v) => Number.isFinite(v)));
}
