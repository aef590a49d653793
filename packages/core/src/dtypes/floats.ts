/**
 * Low-precision float formats: float16 (IEEE 754 binary16), bfloat16, and the OCP 8-bit formats
 * float8 e4m3fn and e5m2 as ONNX defines them (Cast, opset 19+).
 *
 * Why our own codec and no library: Node 20 has no `Math.f16round`, and we want exactness under our
 * control (integer operations on the float32 bit pattern, one rounding, ties to even), the same code
 * in the WebAssembly port later, and no dependency. `@petamoriken/float16` exists and is well kept,
 * but it covers float16 only.
 *
 * Encoding always starts from a float32 bit pattern, read through a shared Float32Array/Uint32Array
 * view, and rounds once from there: no float64 arithmetic, no intermediate format, no double rounding.
 */

import { type Backend, kernelsFor } from "../kernels/select.js";
import { rangeError, typeError } from "../validate/errors.js";
import { outputArray } from "../validate/output.js";
import type { FloatDType } from "./table.js";

export type { FloatDType } from "./table.js";

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

/** Every low-precision float format, the single source of truth for its fields, range and storage. */
export const FLOAT_FORMATS: Readonly<Record<FloatDType, FloatFormat>> = Object.freeze({
  float16: Object.freeze({
    name: "float16",
    bits: 16,
    exponentBits: 5,
    mantissaBits: 10,
    bias: 15,
    maxFinite: 65504,
    minNormal: 6.103515625e-5, // 2^-14
    minSubnormal: 2 ** -24, // 5.960464477539063e-8
    hasInfinity: true,
    infinityCode: 0x7c00,
    maxFiniteCode: 0x7bff,
    nanCode: 0x7e00,
    saturates: false,
    storage: Uint16Array,
  }),
  bfloat16: Object.freeze({
    name: "bfloat16",
    bits: 16,
    exponentBits: 8,
    mantissaBits: 7,
    bias: 127,
    maxFinite: (2 - 2 ** -7) * 2 ** 127, // 3.3895313892515355e38
    minNormal: 1.1754943508222875e-38, // 2^-126
    minSubnormal: 9.183549615799121e-41, // 2^-133
    hasInfinity: true,
    infinityCode: 0x7f80,
    maxFiniteCode: 0x7f7f,
    nanCode: 0x7fc0,
    saturates: false,
    storage: Uint16Array,
  }),
  float8e4m3fn: Object.freeze({
    name: "float8e4m3fn",
    bits: 8,
    exponentBits: 4,
    mantissaBits: 3,
    bias: 7,
    maxFinite: 448,
    minNormal: 0.015625, // 2^-6
    minSubnormal: 0.001953125, // 2^-9
    hasInfinity: false,
    infinityCode: null,
    maxFiniteCode: 0x7e,
    nanCode: 0x7f,
    saturates: true,
    storage: Uint8Array,
  }),
  float8e5m2: Object.freeze({
    name: "float8e5m2",
    bits: 8,
    exponentBits: 5,
    mantissaBits: 2,
    bias: 15,
    maxFinite: 57344,
    minNormal: 6.103515625e-5, // 2^-14
    minSubnormal: 1.52587890625e-5, // 2^-16
    hasInfinity: true,
    infinityCode: 0x7c,
    maxFiniteCode: 0x7b,
    nanCode: 0x7f,
    saturates: true,
    storage: Uint8Array,
  }),
} satisfies Record<FloatDType, FloatFormat>);

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

export interface EncodeFloatOptions {
  /**
   * float8 only, default true (ONNX's default). true: values beyond the largest finite value,
   * infinities included, become ±maxFinite. false: they become NaN (e4m3fn) or ±Infinity (e5m2).
   */
  saturate?: boolean;
  /** float16 and bfloat16: `"auto"` (default) uses the WebAssembly SIMD codec where it loads. */
  backend?: Backend;
  /** Where to write the codes: the format's storage array, one element per value. */
  out?: Uint16Array | Uint8Array;
}

// ---------------------------------------------------------------------------------------------
// Bit-level helpers. One shared scratch view: a float32 and its bit pattern.

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The float32 bit pattern of `x` after rounding it to float32 (ties to even). */
function float32Bits(x: number): number {
  F32[0] = x;
  return U32[0];
}

function float32FromBits(bits: number): number {
  U32[0] = bits;
  return F32[0];
}

/**
 * Rounds a finite float32 magnitude (bit pattern, sign cleared) to the magnitude code of a format
 * with `mantissaBits` and `bias`, ties to even, ignoring the format's top: a result above the largest
 * finite code means overflow, for the caller to handle. A carry out of the mantissa moves to the next
 * exponent (largest subnormal -> smallest normal, ..., largest finite -> overflow) by plain addition.
 */
function roundMagnitude(abs: number, mantissaBits: number, bias: number): number {
  const e = abs >>> 23;
  const fraction = abs & 0x7fffff;
  let code: number;
  let shift: number;
  let rest: number;
  if (e - 127 >= 1 - bias) {
    // Normal in the target: keep the exponent, drop 23 - mantissaBits fraction bits.
    shift = 23 - mantissaBits;
    code = ((e - 127 + bias) << mantissaBits) | (fraction >>> shift);
    rest = fraction & ((1 << shift) - 1);
  } else {
    // Subnormal (or zero) in the target: code = significand * 2^(e_eff - 150) / 2^(1 - bias - mantissaBits).
    const significand = e === 0 ? fraction : fraction | 0x800000;
    shift = 151 - bias - mantissaBits - (e === 0 ? 1 : e);
    if (shift > 24) return 0; // below half the smallest subnormal: significand < 2^24 <= 2^(shift - 1)
    code = significand >>> shift;
    rest = significand & ((1 << shift) - 1);
  }
  const half = 1 << (shift - 1);
  if (rest > half || (rest === half && (code & 1) === 1)) code += 1;
  return code;
}

/** Decodes a finite magnitude code (sign cleared) to its value. Exact: every such value is a float32. */
function decodeMagnitude(code: number, mantissaBits: number, bias: number, unit: number): number {
  const e = code >>> mantissaBits;
  const m = code & ((1 << mantissaBits) - 1);
  if (e === 0) return m * unit; // subnormal: m * 2^(1 - bias - mantissaBits), exact
  return float32FromBits(((e - bias + 127) << 23) | (m << (23 - mantissaBits)));
}

// ---------------------------------------------------------------------------------------------
// Codes from float32 bit patterns (internal kernels: no validation, no allocation).

function float16FromFloat32Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return 0x7e00; // NaN
  if (abs === 0x7f800000) return sign | 0x7c00;
  const code = roundMagnitude(abs, 10, 15);
  return sign | Math.min(code, 0x7c00); // |x| >= 65520 overflows to Infinity
}

function bfloat16FromFloat32Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return 0x7fc0; // NaN
  if (abs === 0x7f800000) return sign | 0x7f80;
  const code = roundMagnitude(abs, 7, 127);
  return sign | Math.min(code, 0x7f80);
}

function float8e4m3fnFromFloat32Bits(bits: number, saturate: boolean): number {
  const sign = (bits >>> 24) & 0x80;
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return 0x7f; // NaN
  // Infinity, or a value that rounds (ties to even) above 448, i.e. |x| > 464.
  if (abs === 0x7f800000) return sign | (saturate ? 0x7e : 0x7f);
  const code = roundMagnitude(abs, 3, 7);
  if (code > 0x7e) return sign | (saturate ? 0x7e : 0x7f);
  return sign | code;
}

function float8e5m2FromFloat32Bits(bits: number, saturate: boolean): number {
  const sign = (bits >>> 24) & 0x80;
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return 0x7f; // NaN
  // Infinity, or a value that rounds (ties to even) above 57344, i.e. |x| >= 61440.
  if (abs === 0x7f800000) return sign | (saturate ? 0x7b : 0x7c);
  const code = roundMagnitude(abs, 2, 15);
  if (code > 0x7b) return sign | (saturate ? 0x7b : 0x7c);
  return sign | code;
}

// ---------------------------------------------------------------------------------------------
// Public scalar kernels (the fast path: no validation).

const FLOAT16_UNIT = 2 ** -24;
const BFLOAT16_UNIT = 2 ** -133;
const E4M3_UNIT = 2 ** -9;
const E5M2_UNIT = 2 ** -16;

/**
 * Encodes one value as float16 (IEEE binary16) bits.
 *
 * `x` is first rounded to float32, then to float16 from its float32 bit pattern: round to nearest,
 * ties to even; subnormals kept; |x| >= 65520 becomes ±Infinity; NaN becomes 0x7E00. No validation.
 * Below: 1 is 0x3C00; 65520, halfway between 65504 (0x7BFF) and 65536, goes to the even code
 * 0x7C00, Infinity.
 *
 * @example
 * float32ToFloat16Bits(1)
 * // => 15360
 * @example
 * float32ToFloat16Bits(65520)
 * // => 31744
 */
export function float32ToFloat16Bits(x: number): number {
  return float16FromFloat32Bits(float32Bits(x));
}

/**
 * Decodes float16 bits to the value they store (exact in float32).
 *
 * `(-1)^s * 2^(e - 15) * (1 + m / 1024)` for normal codes, `(-1)^s * m * 2^-24` for subnormals,
 * ±Infinity for exponent 31 and m = 0, NaN otherwise. `h` must be an integer in [0, 65535]
 * (not checked).
 *
 * @example
 * float16BitsToFloat32(0x7bff)
 * // => 65504
 */
export function float16BitsToFloat32(h: number): number {
  const sign = h & 0x8000;
  const magnitude = h & 0x7fff;
  if (magnitude >= 0x7c00) {
    if (magnitude > 0x7c00) return Number.NaN;
    return sign ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  const value = decodeMagnitude(magnitude, 10, 15, FLOAT16_UNIT);
  return sign ? -value : value;
}

/**
 * Encodes one value as bfloat16 bits (the top 16 bits of float32, rounded).
 *
 * `x` is first rounded to float32, then its low 16 bits are rounded off: nearest, ties to even
 * (torch and ONNX's `float32_to_bfloat16`); values that round past the largest finite become
 * ±Infinity; NaN becomes 0x7FC0. No validation. Below: 1 is 0x3F80; 70000 becomes 0x4789,
 * which stores 70144.
 *
 * @example
 * float32ToBfloat16Bits(1)
 * // => 16256
 * @example
 * float32ToBfloat16Bits(70000)
 * // => 18313
 */
export function float32ToBfloat16Bits(x: number): number {
  return bfloat16FromFloat32Bits(float32Bits(x));
}

/**
 * Decodes bfloat16 bits to the value they store: the float32 whose bit pattern is `h << 16`
 * (NaN for every NaN code). `h` must be an integer in [0, 65535] (not checked).
 *
 * @example
 * bfloat16BitsToFloat32(0x4789)
 * // => 70144
 */
export function bfloat16BitsToFloat32(h: number): number {
  const sign = h & 0x8000;
  const magnitude = h & 0x7fff;
  if (magnitude >= 0x7f80) {
    if (magnitude > 0x7f80) return Number.NaN;
    return sign ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  const value = decodeMagnitude(magnitude, 7, 127, BFLOAT16_UNIT);
  return sign ? -value : value;
}

/**
 * Encodes one value as float8 e4m3fn bits (OCP / ONNX: bias 7, no infinities, NaN = 0x7F / 0xFF).
 *
 * `x` is first rounded to float32, then to e4m3fn: nearest, ties to even, subnormals kept. Values
 * that round above 448 (|x| > 464) and ±Infinity become ±448 when `saturate` (default true, as in
 * ONNX), NaN (0x7F, or 0xFF when negative) otherwise. A NaN input becomes 0x7F. No validation.
 * Below: 1000 becomes 0x7E (448) when saturating, 0x7F (NaN) when not.
 *
 * Overflow follows ONNX's reference Cast (ml_dtypes: round to nearest even, then anything above 448
 * is NaN) and ONNX's Cast table. onnxruntime's CPU conversion differs for saturate=false on
 * 480 <= |x| < 496, which it truncates to ±448; with saturate=true all agree.
 *
 * @example
 * float32ToFloat8e4m3fnBits(1000)
 * // => 126
 * @example
 * float32ToFloat8e4m3fnBits(1000, false)
 * // => 127
 */
export function float32ToFloat8e4m3fnBits(x: number, saturate = true): number {
  return float8e4m3fnFromFloat32Bits(float32Bits(x), saturate);
}

/**
 * Decodes float8 e4m3fn bits: `(-1)^s * 2^(e - 7) * (1 + m / 8)`, subnormals `(-1)^s * m * 2^-9`,
 * and NaN for 0x7F and 0xFF. `c` must be an integer in [0, 255] (not checked).
 *
 * @example
 * float8e4m3fnBitsToFloat32(0x7e)
 * // => 448
 */
export function float8e4m3fnBitsToFloat32(c: number): number {
  const sign = c & 0x80;
  const magnitude = c & 0x7f;
  if (magnitude === 0x7f) return Number.NaN;
  const value = decodeMagnitude(magnitude, 3, 7, E4M3_UNIT);
  return sign ? -value : value;
}

/**
 * Encodes one value as float8 e5m2 bits (OCP / ONNX: bias 15, ±Infinity = 0x7C / 0xFC, NaN = 0x7D..0x7F).
 *
 * `x` is first rounded to float32, then to e5m2: nearest, ties to even, subnormals kept. Values that
 * round above 57344 (|x| >= 61440) and ±Infinity become ±57344 when `saturate` (default true, as in
 * ONNX), ±Infinity otherwise. A NaN input becomes 0x7F. No validation.
 * Below: Infinity becomes 0x7B (57344) when saturating, 0x7C (Infinity) when not.
 *
 * @example
 * float32ToFloat8e5m2Bits(Infinity)
 * // => 123
 * @example
 * float32ToFloat8e5m2Bits(Infinity, false)
 * // => 124
 */
export function float32ToFloat8e5m2Bits(x: number, saturate = true): number {
  return float8e5m2FromFloat32Bits(float32Bits(x), saturate);
}

/**
 * Decodes float8 e5m2 bits: `(-1)^s * 2^(e - 15) * (1 + m / 4)`, subnormals `(-1)^s * m * 2^-16`,
 * ±Infinity for 0x7C / 0xFC, NaN for 0x7D..0x7F and 0xFD..0xFF. `c` must be an integer in [0, 255]
 * (not checked).
 *
 * @example
 * float8e5m2BitsToFloat32(0x7b)
 * // => 57344
 */
export function float8e5m2BitsToFloat32(c: number): number {
  const sign = c & 0x80;
  const magnitude = c & 0x7f;
  if (magnitude >= 0x7c) {
    if (magnitude > 0x7c) return Number.NaN;
    return sign ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  const value = decodeMagnitude(magnitude, 2, 15, E5M2_UNIT);
  return sign ? -value : value;
}

// ---------------------------------------------------------------------------------------------
// Array kernels: plain loops over typed arrays, no validation, no allocation.

interface FloatCodec {
  /** Code of a float32 bit pattern. `saturate` is ignored by formats that do not saturate. */
  readonly encode: (bits: number, saturate: boolean) => number;
  readonly decode: (code: number) => number;
}

const CODECS: Readonly<Record<FloatDType, FloatCodec>> = Object.freeze({
  float16: { encode: float16FromFloat32Bits, decode: float16BitsToFloat32 },
  bfloat16: { encode: bfloat16FromFloat32Bits, decode: bfloat16BitsToFloat32 },
  float8e4m3fn: {
    encode: float8e4m3fnFromFloat32Bits,
    decode: float8e4m3fnBitsToFloat32,
  },
  float8e5m2: {
    encode: float8e5m2FromFloat32Bits,
    decode: float8e5m2BitsToFloat32,
  },
});

type CodeArray = Uint16Array | Uint8Array;
type CodeInput = ArrayLike<number>;

function encodeKernel(
  codec: FloatCodec,
  src: Uint32Array,
  out: CodeArray,
  saturate: boolean,
): void {
  const encode = codec.encode;
  for (let i = 0; i < src.length; i++) out[i] = encode(src[i], saturate);
}

function decodeKernel(codec: FloatCodec, src: CodeInput, out: Float32Array): void {
  const decode = codec.decode;
  for (let i = 0; i < src.length; i++) out[i] = decode(src[i]);
}

function roundKernel(
  codec: FloatCodec,
  src: Uint32Array,
  out: Float32Array,
  saturate: boolean,
): void {
  const { encode, decode } = codec;
  for (let i = 0; i < src.length; i++) out[i] = decode(encode(src[i], saturate));
}

// ---------------------------------------------------------------------------------------------
// Validation.

const DTYPE_LIST = 'one of "float16", "bfloat16", "float8e4m3fn", "float8e5m2"';

function floatFormat(fn: string, dtype: unknown): FloatFormat {
  if (typeof dtype !== "string") throw typeError(fn, "dtype", DTYPE_LIST, dtype);
  if (!isFloatDType(dtype)) throw rangeError(fn, "dtype", DTYPE_LIST, dtype);
  return FLOAT_FORMATS[dtype];
}

/** Validates `options` and returns the effective `saturate` flag. */
function saturateOption(fn: string, format: FloatFormat, options: unknown): boolean {
  if (options === undefined) return true;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw typeError(fn, "options", "an object or undefined", options);
  }
  for (const key of Object.keys(options)) {
    if (key !== "saturate" && key !== "backend" && key !== "out") {
      throw rangeError(
        fn,
        "options",
        "an object with no keys but 'saturate', 'backend' and 'out'",
        options,
        `an object with key ${JSON.stringify(key)}`,
      );
    }
  }
  const saturate = (options as EncodeFloatOptions).saturate;
  if (saturate === undefined) return true;
  if (typeof saturate !== "boolean") {
    throw typeError(fn, "options.saturate", "a boolean or undefined", saturate);
  }
  if (!format.saturates) {
    throw rangeError(
      fn,
      "options.saturate",
      `undefined for ${format.name} (only float8 formats saturate)`,
      saturate,
    );
  }
  return saturate;
}

/**
 * Validates `values` and returns their float32 bit patterns: a view on a Float32Array's own buffer
 * (no copy, NaN payloads untouched), or, for number[] and Float64Array, a new array of the values
 * rounded to float32 (ties to even).
 */
function float32BitsOf(fn: string, values: unknown): Uint32Array {
  if (values instanceof Float32Array) {
    return new Uint32Array(values.buffer, values.byteOffset, values.length);
  }
  if (values instanceof Float64Array) {
    return new Uint32Array(new Float32Array(values).buffer);
  }
  if (!Array.isArray(values)) {
    throw typeError(fn, "values", "an array of numbers, a Float32Array or a Float64Array", values);
  }
  const rounded = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v: unknown = values[i];
    if (typeof v !== "number") throw typeError(fn, `values[${i}]`, "a number", v);
    rounded[i] = v;
  }
  return new Uint32Array(rounded.buffer);
}

function isIntegerTypedArray(value: unknown): value is CodeInput {
  return (
    value instanceof Uint8Array ||
    value instanceof Uint8ClampedArray ||
    value instanceof Uint16Array ||
    value instanceof Uint32Array ||
    value instanceof Int8Array ||
    value instanceof Int16Array ||
    value instanceof Int32Array
  );
}

function codesOf(fn: string, format: FloatFormat, bits: unknown): CodeInput {
  const max = 2 ** format.bits - 1;
  const expected = `an integer in [0, ${max}]`;
  if (bits instanceof format.storage) return bits;
  if (isIntegerTypedArray(bits)) {
    for (let i = 0; i < bits.length; i++) {
      const v = bits[i];
      if (v < 0 || v > max) throw rangeError(fn, `bits[${i}]`, expected, v);
    }
    return bits;
  }
  if (!Array.isArray(bits)) {
    throw typeError(fn, "bits", "an array of integers or an integer typed array", bits);
  }
  for (let i = 0; i < bits.length; i++) {
    const v: unknown = bits[i];
    if (typeof v !== "number") throw typeError(fn, `bits[${i}]`, expected, v);
    if (!Number.isInteger(v) || v < 0 || v > max) throw rangeError(fn, `bits[${i}]`, expected, v);
  }
  return bits as number[];
}

// ---------------------------------------------------------------------------------------------
// Public array functions.

/**
 * Encodes values as bit patterns of a low-precision float format.
 *
 * `code[i] = round_dtype(fround(values[i]))`: each value is first rounded to float32 (Float64Array and
 * number[] entries, ties to even; this is the golden `cast` op, whose input is float32), then to the
 * format from its float32 bit pattern: nearest, ties to even, subnormals kept, one rounding only.
 * float16 / bfloat16: overflow gives ±Infinity. float8: see `saturate`. Every NaN gives the format's
 * NaN code (0x7E00, 0x7FC0, 0x7F, 0x7F): JavaScript does not carry a NaN's sign reliably, so it is
 * dropped. An empty input gives an empty output.
 *
 * @param dtype - "float16" | "bfloat16" | "float8e4m3fn" | "float8e5m2"
 * @param values - number[], Float32Array or Float64Array
 * @param options - `saturate` (float8 only, default true as in ONNX): values beyond the largest finite
 *   value, infinities included, become ±448 (e4m3fn) / ±57344 (e5m2); with `saturate: false` they
 *   become NaN (e4m3fn: 0x7F, 0xFF when negative) or ±Infinity (e5m2). "Beyond" means after rounding:
 *   e4m3fn overflows for |x| > 464, e5m2 for |x| >= 61440 (the ties go to the even code).
 * @returns Uint16Array (float16, bfloat16) or Uint8Array (float8) of codes.
 * @throws {TypeError} `dtype` not a string, `values` not an array or Float32Array/Float64Array, an
 *   entry not a number, `options` not an object, `options.saturate` not a boolean.
 * @throws {RangeError} unknown `dtype`, unknown option key, `saturate` given for float16/bfloat16.
 *
 * @example
 * encodeFloat("float16", [1, 65504, 1e5, NaN])
 * // => Uint16Array [ 15360, 31743, 31744, 32256 ]
 * @example
 * encodeFloat("float8e4m3fn", [448, 464, 500], { saturate: false })
 * // => Uint8Array [ 126, 126, 127 ]
 */
export function encodeFloat<D extends FloatDType>(
  dtype: D,
  values: readonly number[] | Float32Array | Float64Array,
  options?: EncodeFloatOptions,
): FloatStorage<D> {
  const fn = "encodeFloat";
  const format = floatFormat(fn, dtype);
  const src = float32BitsOf(fn, values);
  const saturate = saturateOption(fn, format, options);
  const Storage = format.storage as new (n: number) => Uint16Array | Uint8Array;
  const out = outputArray(fn, options?.out, Storage, src.length);
  const kernels = kernelsFor(fn, options?.backend);
  if (kernels.encodeHalf !== undefined && isHalf(format.name)) {
    const values32 = new Float32Array(src.buffer, src.byteOffset, src.length);
    kernels.encodeHalf(format.name, values32, out as Uint16Array);
  } else {
    encodeKernel(CODECS[format.name], src, out, saturate);
  }
  return out as FloatStorage<D>;
}

/**
 * Decodes bit patterns of a low-precision float format to float32 values (exact: every finite code
 * is a float32).
 *
 * Normal codes `(-1)^s * 2^(e - bias) * (1 + m / 2^mantissaBits)`, subnormals
 * `(-1)^s * m * 2^(1 - bias - mantissaBits)`, ±0, ±Infinity and NaN as the format defines them
 * (e4m3fn: NaN = 0x7F, 0xFF, no infinity; e5m2: ±Infinity = 0x7C, 0xFC, NaN = 0x7D..0x7F, 0xFD..0xFF).
 * No rounding happens.
 *
 * @param bits - codes: an array of integers or an integer typed array, each in [0, 2^bits - 1].
 * @throws {TypeError} `dtype` not a string, `bits` not an array or integer typed array, an entry not
 *   a number.
 * @throws {RangeError} unknown `dtype`; an entry that is not an integer in range (the message names
 *   its index).
 *
 * @example
 * decodeFloat("float8e5m2", [0x7b, 0x7c, 0x7f, 0x80])
 * // => Float32Array [ 57344, Infinity, NaN, -0 ]
 */
export function decodeFloat(
  dtype: FloatDType,
  bits: ArrayLike<number>,
  options: { backend?: Backend; out?: Float32Array } = {},
): Float32Array {
  const fn = "decodeFloat";
  const format = floatFormat(fn, dtype);
  const codes = codesOf(fn, format, bits);
  const out = outputArray(fn, options.out, Float32Array, codes.length);
  const kernels = kernelsFor(fn, options.backend);
  if (kernels.decodeHalf !== undefined && isHalf(format.name)) {
    kernels.decodeHalf(
      format.name,
      codes instanceof Uint16Array ? codes : Uint16Array.from(codes),
      out,
    );
  } else {
    decodeKernel(CODECS[format.name], codes, out);
  }
  return out;
}

function isHalf(name: FloatDType): name is "float16" | "bfloat16" {
  return name === "float16" || name === "bfloat16";
}

/**
 * Rounds values to a low-precision float format and returns what the format stores, as float32:
 * `decodeFloat(dtype, encodeFloat(dtype, values, options))` in one pass.
 *
 * Same rounding, inputs, options and errors as `encodeFloat`; NaN stays NaN.
 *
 * @throws {TypeError} as `encodeFloat`.
 * @throws {RangeError} as `encodeFloat`.
 *
 * @example
 * roundToFloat("bfloat16", [1.00390625, 1.01171875, 70000])
 * // => Float32Array [ 1, 1.015625, 70144 ]
 */
export function roundToFloat(
  dtype: FloatDType,
  values: readonly number[] | Float32Array | Float64Array,
  options?: EncodeFloatOptions,
): Float32Array {
  const fn = "roundToFloat";
  const format = floatFormat(fn, dtype);
  const src = float32BitsOf(fn, values);
  const saturate = saturateOption(fn, format, options);
  const out = new Float32Array(src.length);
  roundKernel(CODECS[format.name], src, out, saturate);
  return out;
}
