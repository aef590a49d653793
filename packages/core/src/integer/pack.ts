/**
 * Packing codes narrower than a byte in ONNX order: int2 / uint2 four per byte, int4 / uint4 and
 * float4e2m1 codes two per byte, the first in the lowest bits, a short last byte padded with 0
 * (ONNX's `INT2` / `INT4` / `FLOAT4E2M1` tensors, `numpy_helper.pack_int4`).
 */
import {
  FLOAT_FORMATS,
  INT4_DTYPES,
  INTEGER_FORMATS,
  type Int4DType,
  isIntegerDType,
  PACKED_DTYPES,
  type PackedDType,
} from "../dtypes/table.js";
import * as kernel from "../kernels/integer.js";
import { rangeError, typeError } from "../validate/errors.js";

function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
}

/** Bits, range and signedness of a packable format (float4e2m1: its codes, 0..15). */
function packedFormat(fn: string, dtype: unknown, allowed: readonly PackedDType[]) {
  const names = `one of ${allowed.map((d) => `"${d}"`).join(", ")}`;
  if (typeof dtype !== "string") throw typeError(fn, "dtype", names, dtype);
  if (!(allowed as readonly string[]).includes(dtype)) throw rangeError(fn, "dtype", names, dtype);
  const d = dtype as PackedDType;
  if (isIntegerDType(d)) {
    const { bits, min, max, signed } = INTEGER_FORMATS[d];
    return { name: d, bits, min, max, signed, what: `an integer in [${min}, ${max}] (${d})` };
  }
  const bits = FLOAT_FORMATS[d].bits;
  return {
    name: d,
    bits,
    min: 0,
    max: 2 ** bits - 1,
    signed: false,
    what: `a code in [0, ${2 ** bits - 1}] (${d})`,
  };
}

function pack(
  fn: string,
  values: ArrayLike<number>,
  dtype: unknown,
  allowed: readonly PackedDType[],
): Uint8Array {
  const format = packedFormat(fn, dtype, allowed);
  if (!isArrayLike(values))
    throw typeError(fn, "values", "an array or a typed array of integers", values);
  const n = values.length;
  const read = new Int32Array(n); // read once
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== "number") throw typeError(fn, `values[${i}]`, "a number", v);
    if (!Number.isInteger(v) || v < format.min || v > format.max) {
      throw rangeError(fn, `values[${i}]`, format.what, v);
    }
    read[i] = v;
  }
  const out = new Uint8Array(Math.ceil((n * format.bits) / 8));
  kernel.packBits(read, n, format.bits, out);
  return out;
}

function unpack(
  fn: string,
  bytes: Uint8Array,
  dtype: unknown,
  length: number,
  allowed: readonly PackedDType[],
): Int8Array | Uint8Array {
  const format = packedFormat(fn, dtype, allowed);
  if (!(bytes instanceof Uint8Array)) throw typeError(fn, "bytes", "a Uint8Array", bytes);
  if (typeof length !== "number") throw typeError(fn, "length", "a number", length);
  const perByte = 8 / format.bits;
  const most = bytes.length * perByte;
  const least = bytes.length === 0 ? 0 : most - perByte + 1;
  const fits =
    least === most
      ? `${most}`
      : most - least === 1
        ? `${least} or ${most}`
        : `an integer in [${least}, ${most}]`;
  if (!Number.isInteger(length) || length < least || length > most) {
    throw rangeError(
      fn,
      "length",
      `${fits} for ${bytes.length} byte${bytes.length === 1 ? "" : "s"}`,
      length,
    );
  }
  const used = length - (bytes.length - 1) * perByte; // codes in the last byte
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: a guard only: with no bytes (bytes[-1] is undefined) or a full last byte (byte >> 8) the shift is 0
  if (bytes.length > 0 && used < perByte && bytes[bytes.length - 1] >> (used * format.bits) !== 0) {
    const last = bytes.length - 1;
    const byte = bytes[last] as number;
    throw rangeError(
      fn,
      `bytes[${last}]`,
      `a byte with 0 in its unused high bits (padding after length ${length})`,
      byte,
      `${byte} (0x${byte.toString(16).padStart(2, "0")})`,
    );
  }
  const out = format.signed ? new Int8Array(length) : new Uint8Array(length);
  kernel.unpackBits(bytes, length, format.bits, format.signed, out);
  return out;
}

/**
 * Packs codes narrower than a byte, ONNX order: int2 / uint2 four per byte (bits 0-1, 2-3, 4-5,
 * 6-7), int4 / uint4 and float4e2m1 two per byte (the first in the low nibble), a short last byte
 * padded with 0. Signed values are stored in two's complement. No rounding: the values must already
 * be codes in range.
 *
 * @throws {TypeError} if `values` is not an array or a numeric typed array, an element is not a
 *   number, or `dtype` is not a string
 * @throws {RangeError} if an element is not an integer in the dtype's range (the message names its
 *   index), or `dtype` is not one of "int2", "uint2", "int4", "uint4", "float4e2m1"
 * @example
 * packCodes([-1, 0, 1, -2, 1], "int2");
 * // => Uint8Array [ 147, 1 ]
 */
export function packCodes(values: ArrayLike<number>, dtype: PackedDType): Uint8Array {
  return pack("packCodes", values, dtype, PACKED_DTYPES);
}

/**
 * Unpacks `length` codes packed by {@link packCodes}. The unused high bits of a short last byte are
 * padding and must be 0: anything else means `length` or `bytes` is wrong, so it is an error.
 *
 * @returns an Int8Array for int2 and int4, a Uint8Array otherwise
 * @throws {TypeError} if `bytes` is not a Uint8Array, `length` not a number, `dtype` not a string
 * @throws {RangeError} if `length` does not fit `bytes`, padding bits are not 0, or `dtype` is unknown
 * @example
 * unpackCodes(new Uint8Array([147, 1]), "int2", 5);
 * // => Int8Array [ -1, 0, 1, -2, 1 ]
 */
export function unpackCodes(
  bytes: Uint8Array,
  dtype: PackedDType,
  length: number,
): Int8Array | Uint8Array {
  return unpack("unpackCodes", bytes, dtype, length, PACKED_DTYPES);
}

/**
 * Packs int4 or uint4 values two per byte, ONNX order: the int4 case of {@link packCodes}.
 *
 * `byte[i] = (v[2i] & 0xF) | ((v[2i+1] & 0xF) << 4)`: the first value in the low nibble, int4 in
 * two's complement, and with an odd count the last byte's high nibble is 0.
 *
 * @throws {TypeError} and {RangeError} as {@link packCodes}, for int4 and uint4 only.
 * @example
 * packInt4([7, -5, -1], "int4");
 * // => Uint8Array [ 183, 15 ]
 */
export function packInt4(values: ArrayLike<number>, dtype: Int4DType): Uint8Array {
  return pack("packInt4", values, dtype, INT4_DTYPES);
}

/**
 * Unpacks `length` int4 or uint4 values packed two per byte: the int4 case of {@link unpackCodes}.
 *
 * @throws {TypeError} and {RangeError} as {@link unpackCodes}, for int4 and uint4 only.
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
  return unpack("unpackInt4", bytes, dtype, length, INT4_DTYPES);
}
