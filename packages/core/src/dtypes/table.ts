/**
 * The one table of every element format: integer and low-precision float, with the bits, range,
 * special codes and storage array that the validators, kernels and codecs read. Nothing in
 * `dtypes/` imports anything outside it.
 */

/** Which framework's arithmetic to reproduce. See the package README for the exact formulas. */
export type Semantics = "onnx" | "pytorch";

export const SEMANTICS: readonly Semantics[] = ["onnx", "pytorch"];

/**
 * Integer formats the core quantizes to. int2, uint2, int4 and uint4 hold one value per element
 * (`packCodes` packs them four or two per byte).
 */
export type IntegerDType =
  | "int2"
  | "uint2"
  | "int4"
  | "uint4"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32";

/** Low-precision float formats, stored as bit patterns (one code per element). */
export type FloatDType =
  | "float16"
  | "bfloat16"
  | "float8e4m3fn"
  | "float8e5m2"
  | "float8e4m3fnuz"
  | "float8e5m2fnuz"
  | "float8e8m0"
  | "float6e2m3"
  | "float6e3m2"
  | "float4e2m1";

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
  int2: integer("int2", 2, true, Int8Array),
  uint2: integer("uint2", 2, false, Uint8Array),
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

/** The integer formats narrower than a byte: the targets of `castWrapping`. */
export const PACKED_INTEGER_DTYPES = [
  "int2",
  "uint2",
  "int4",
  "uint4",
] as const satisfies readonly IntegerDType[];
export type PackedIntegerDType = (typeof PACKED_INTEGER_DTYPES)[number];

/** The formats narrower than a byte, which `packCodes` packs (8 / bits codes per byte). */
export const PACKED_DTYPES = [...PACKED_INTEGER_DTYPES, "float4e2m1" satisfies FloatDType] as const;
export type PackedDType = (typeof PACKED_DTYPES)[number];

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

/**
 * How a float format spends its special codes:
 * - `"ieee"`: the all-ones exponent holds ±Infinity (mantissa 0) and NaN (float16, bfloat16, e5m2);
 * - `"fn"`: finite, only the all-ones code is NaN (OCP e4m3fn);
 * - `"fnuz"`: finite, no -0: 0x80 (the negative zero's code) is the only NaN (e4m3fnuz, e5m2fnuz);
 * - `"finite"`: every code a number, no NaN and no Infinity (float6, float4);
 * - `"exponent"`: 8 exponent bits, no sign, no mantissa: 2^(c - 127), 0xFF NaN (e8m0).
 */
export type FloatSpecials = "ieee" | "fn" | "fnuz" | "finite" | "exponent";

/** One low-precision float format: its fields, its range, its special codes and its storage. */
export interface FloatFormat {
  readonly name: FloatDType;
  /** Width of one code in bits (sign included). */
  readonly bits: number;
  readonly exponentBits: number;
  readonly mantissaBits: number;
  /** Exponent bias: a normal code with biased exponent `e` and mantissa `m` is `(1 + m / 2^mantissaBits) * 2^(e - bias)`. */
  readonly bias: number;
  readonly specials: FloatSpecials;
  /** Whether codes carry a sign bit (the top bit). */
  readonly signed: boolean;
  /** Whether -0 has a code of its own. */
  readonly negativeZero: boolean;
  /** Largest finite value. */
  readonly maxFinite: number;
  /** Smallest positive normal value, `2^(1 - bias)` (e8m0: its smallest value 2^-127). */
  readonly minNormal: number;
  /** Smallest positive value: a subnormal `2^(1 - bias - mantissaBits)` (e8m0: 2^-127). */
  readonly minSubnormal: number;
  readonly hasInfinity: boolean;
  /** Code of +Infinity, or null for formats without infinities. */
  readonly infinityCode: number | null;
  /** Code of the largest finite value (its negative is `maxFiniteCode | signBit`). */
  readonly maxFiniteCode: number;
  /** The NaN code the encoders write for every NaN input, or null where there is none. */
  readonly nanCode: number | null;
  /** Whether the `saturate` option applies (ONNX: the float8 formats). */
  readonly saturates: boolean;
  /** The typed array that stores codes. */
  readonly storage: Uint16ArrayConstructor | Uint8ArrayConstructor;
}

/** A float format from its fields: the range and codes follow from the widths, the bias and `specials`. */
function float(
  name: FloatDType,
  exponentBits: number,
  mantissaBits: number,
  specials: FloatSpecials,
  options: { bias?: number; saturates?: boolean } = {},
): FloatFormat {
  const signed = specials !== "exponent";
  const bits = (signed ? 1 : 0) + exponentBits + mantissaBits;
  const bias = options.bias ?? 2 ** (exponentBits - 1) - 1;
  const magnitudes = 2 ** (bits - (signed ? 1 : 0)); // codes 0 .. magnitudes - 1 without the sign
  const infinityCode = specials === "ieee" ? (2 ** exponentBits - 1) * 2 ** mantissaBits : null;
  const maxFiniteCode =
    specials === "ieee"
      ? (infinityCode as number) - 1
      : specials === "fn" || specials === "exponent"
        ? magnitudes - 2
        : magnitudes - 1;
  const topExponent = Math.floor(maxFiniteCode / 2 ** mantissaBits) - bias;
  const topMantissa = maxFiniteCode % 2 ** mantissaBits;
  const nanCode =
    specials === "ieee"
      ? (infinityCode as number) | (2 ** (mantissaBits - 1)) // the quiet NaN
      : specials === "fn" || specials === "exponent"
        ? magnitudes - 1
        : specials === "fnuz"
          ? magnitudes // the sign bit alone: 0x80
          : null;
  const exponentOnly = specials === "exponent";
  return Object.freeze({
    name,
    bits,
    exponentBits,
    mantissaBits,
    bias,
    specials,
    signed,
    negativeZero: signed && specials !== "fnuz",
    maxFinite: (1 + topMantissa / 2 ** mantissaBits) * 2 ** topExponent,
    minNormal: 2 ** ((exponentOnly ? 0 : 1) - bias),
    minSubnormal: 2 ** ((exponentOnly ? 0 : 1) - bias - mantissaBits),
    hasInfinity: specials === "ieee",
    infinityCode,
    maxFiniteCode,
    nanCode,
    saturates: options.saturates ?? false,
    storage: bits > 8 ? Uint16Array : Uint8Array,
  });
}

/** Every low-precision float format, the single source of truth for its fields, range and storage. */
export const FLOAT_FORMATS: Readonly<Record<FloatDType, FloatFormat>> = Object.freeze({
  float16: float("float16", 5, 10, "ieee"),
  bfloat16: float("bfloat16", 8, 7, "ieee"),
  float8e4m3fn: float("float8e4m3fn", 4, 3, "fn", { saturates: true }),
  // e5m2's NaN is written 0x7F, as onnxruntime writes it (ml_dtypes writes IEEE's 0x7E).
  float8e5m2: Object.freeze({
    ...float("float8e5m2", 5, 2, "ieee", { saturates: true }),
    nanCode: 0x7f,
  }),
  float8e4m3fnuz: float("float8e4m3fnuz", 4, 3, "fnuz", { bias: 8, saturates: true }),
  float8e5m2fnuz: float("float8e5m2fnuz", 5, 2, "fnuz", { bias: 16, saturates: true }),
  float8e8m0: float("float8e8m0", 8, 0, "exponent", { saturates: true }),
  float6e2m3: float("float6e2m3", 2, 3, "finite"),
  float6e3m2: float("float6e3m2", 3, 2, "finite"),
  float4e2m1: float("float4e2m1", 2, 1, "finite"),
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

/**
 * The float formats `quantize` and `dequantize` take as `params.dtype` (ONNX QuantizeLinear /
 * DequantizeLinear, opset 19-25): codes in a Uint8Array, one per element.
 */
export const QUANT_FLOAT_DTYPES = [
  "float8e4m3fn",
  "float8e5m2",
  "float8e4m3fnuz",
  "float8e5m2fnuz",
  "float6e2m3",
  "float6e3m2",
  "float4e2m1",
] as const satisfies readonly FloatDType[];
export type QuantFloatDType = (typeof QUANT_FLOAT_DTYPES)[number];

/** Every dtype `quantize` and `dequantize` take: the integer formats, then the float ones. */
export type QuantDType = IntegerDType | QuantFloatDType;
export const QUANT_DTYPES: readonly QuantDType[] = [...INTEGER_DTYPES, ...QUANT_FLOAT_DTYPES];

/**
 * The float formats arithmetic can run in (ONNX QuantizeLinear's `precision`, DequantizeLinear's
 * `output_dtype`): each step is rounded to it. float32 is JavaScript's `Math.fround`.
 */
export type FloatPrecision = "float32" | "float16" | "bfloat16";
export const FLOAT_PRECISIONS: readonly FloatPrecision[] = ["float32", "float16", "bfloat16"];

/** The typed array that holds codes of format `D`. */
export type FloatStorage<D extends FloatDType> = D extends "float16" | "bfloat16"
  ? Uint16Array
  : Uint8Array;

/** How a value rounds to float8e8m0 (ONNX Cast's `round_mode`): up, down, or nearest (ties up). */
export type RoundMode = "up" | "down" | "nearest";
