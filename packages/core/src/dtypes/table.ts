/**
 * The one table of every element format: integer and low-precision float, with the bits, range,
 * special codes and storage array that the validators, kernels and codecs read. Nothing in
 * `dtypes/` imports anything outside it.
 */

/** Which framework's arithmetic to reproduce. See the package README for the exact formulas. */
export type Semantics = "onnx" | "pytorch";

export const SEMANTICS: readonly Semantics[] = ["onnx", "pytorch"];

/** Integer formats the core quantizes to. int4 and uint4 hold one value per element (see `packInt4`). */
export type IntegerDType = "int4" | "uint4" | "int8" | "uint8" | "int16" | "uint16" | "int32";

/** Low-precision float formats, stored as bit patterns. */
export type FloatDType = "float16" | "bfloat16" | "float8e4m3fn" | "float8e5m2";

export type IntegerArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;

export type IntegerArrayConstructor =
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor;

/** One integer format: its width, its range, and the typed array that stores it. */
export interface IntegerFormat {
  readonly name: IntegerDType;
  readonly bits: number;
  readonly signed: boolean;
  readonly min: number;
  readonly max: number;
  readonly storage: IntegerArrayConstructor;
}

function integer(
  name: IntegerDType,
  bits: number,
  signed: boolean,
  storage: IntegerArrayConstructor,
): IntegerFormat {
  const min = signed ? -(2 ** (bits - 1)) : 0;
  const max = signed ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  return Object.freeze({ name, bits, signed, min, max, storage });
}

/** Every integer format, the single source of truth for bits, range and storage. */
export const INTEGER_FORMATS: Readonly<Record<IntegerDType, IntegerFormat>> = Object.freeze({
  int4: integer("int4", 4, true, Int8Array),
  uint4: integer("uint4", 4, false, Uint8Array),
  int8: integer("int8", 8, true, Int8Array),
  uint8: integer("uint8", 8, false, Uint8Array),
  int16: integer("int16", 16, true, Int16Array),
  uint16: integer("uint16", 16, false, Uint16Array),
  int32: integer("int32", 32, true, Int32Array),
});

export const INTEGER_DTYPES = Object.keys(INTEGER_FORMATS) as readonly IntegerDType[];

/** The 4-bit formats, stored two per byte by `packInt4` and `quantizePacked`. */
export const INT4_DTYPES = ["int4", "uint4"] as const satisfies readonly IntegerDType[];
export type Int4DType = (typeof INT4_DTYPES)[number];

/** The 8-bit formats of `matmulInteger` and `requantize`. */
export const INT8_DTYPES = ["int8", "uint8"] as const satisfies readonly IntegerDType[];
export type Int8DType = (typeof INT8_DTYPES)[number];

/**
 * Whether a value names an integer format of {@link INTEGER_FORMATS}.
 * @example
 * [isIntegerDType("int4"), isIntegerDType("int7")]
 * // => [true, false]
 */
export function isIntegerDType(value: unknown): value is IntegerDType {
  return typeof value === "string" && Object.hasOwn(INTEGER_FORMATS, value);
}

/** One low-precision float format: its fields, its range, its special codes and its storage. */
export interface FloatFormat {
  readonly name: FloatDType;
  /** Width of one code in bits (sign included). */
  readonly bits: number;
  readonly exponentBits: number;
  readonly mantissaBits: number;
  /** Exponent bias: a normal code with biased exponent `e` and mantissa `m` is `(1 + m / 2^mantissaBits) * 2^(e - bias)`. */
  readonly bias: number;
  /** Largest finite value. */
  readonly maxFinite: number;
  /** Smallest positive normal value, `2^(1 - bias)`. */
  readonly minNormal: number;
  /** Smallest positive subnormal value, `2^(1 - bias - mantissaBits)`. */
  readonly minSubnormal: number;
  readonly hasInfinity: boolean;
  /** Code of +Infinity, or null for formats without infinities (e4m3fn). */
  readonly infinityCode: number | null;
  /** Code of the largest finite value (its negative is `maxFiniteCode | signBit`). */
  readonly maxFiniteCode: number;
  /** The NaN code the encoders write for every NaN input. */
  readonly nanCode: number;
  /** Whether the `saturate` option applies (ONNX: float8 formats only). */
  readonly saturates: boolean;
  /** The typed array that stores codes. */
  readonly storage: Uint16ArrayConstructor | Uint8ArrayConstructor;
}

/**
 * A float format from its fields: the range and codes follow from bits, exponent and mantissa
 * widths, the bias and which top codes are special (`top`: IEEE's all-ones exponent for infinities
 * and NaN, or `"fn"`: only the all-ones code is NaN, no infinities).
 */
function float(
  name: FloatDType,
  exponentBits: number,
  mantissaBits: number,
  top: "ieee" | "fn",
  saturates: boolean,
): FloatFormat {
  const bits = 1 + exponentBits + mantissaBits;
  const bias = 2 ** (exponentBits - 1) - 1;
  const magnitudes = 2 ** (bits - 1); // codes 0 .. magnitudes - 1 without the sign
  const infinityCode = top === "ieee" ? (2 ** exponentBits - 1) * 2 ** mantissaBits : null;
  const maxFiniteCode = top === "ieee" ? (infinityCode as number) - 1 : magnitudes - 2;
  const topExponent = Math.floor(maxFiniteCode / 2 ** mantissaBits) - bias;
  const topMantissa = maxFiniteCode % 2 ** mantissaBits;
  return Object.freeze({
    name,
    bits,
    exponentBits,
    mantissaBits,
    bias,
    maxFinite: (1 + topMantissa / 2 ** mantissaBits) * 2 ** topExponent,
    minNormal: 2 ** (1 - bias),
    minSubnormal: 2 ** (1 - bias - mantissaBits),
    hasInfinity: top === "ieee",
    infinityCode,
    maxFiniteCode,
    // The quiet NaN: all-ones exponent with the top mantissa bit (IEEE), or the all-ones code.
    nanCode: top === "ieee" ? (infinityCode as number) | (2 ** (mantissaBits - 1)) : magnitudes - 1,
    saturates,
    storage: bits > 8 ? Uint16Array : Uint8Array,
  });
}

/** Every low-precision float format, the single source of truth for its fields, range and storage. */
export const FLOAT_FORMATS: Readonly<Record<FloatDType, FloatFormat>> = Object.freeze({
  float16: float("float16", 5, 10, "ieee", false),
  bfloat16: float("bfloat16", 8, 7, "ieee", false),
  float8e4m3fn: float("float8e4m3fn", 4, 3, "fn", true),
  // e5m2's quiet NaN is 0x7F in ONNX's reference (not IEEE's 0x7E): the encoders write 0x7F.
  float8e5m2: Object.freeze({ ...float("float8e5m2", 5, 2, "ieee", true), nanCode: 0x7f }),
});

export const FLOAT_DTYPES = Object.keys(FLOAT_FORMATS) as readonly FloatDType[];

/**
 * Whether a value names a low-precision float format of {@link FLOAT_FORMATS}.
 * @example
 * [isFloatDType("bfloat16"), isFloatDType("float32")]
 * // => [true, false]
 */
export function isFloatDType(value: unknown): value is FloatDType {
  return typeof value === "string" && Object.hasOwn(FLOAT_FORMATS, value);
}

/** The typed array that holds codes of format `D`. */
export type FloatStorage<D extends FloatDType> = D extends "float16" | "bfloat16"
  ? Uint16Array
  : Uint8Array;
