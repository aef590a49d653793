/**
 * The float codecs' kernels: float32 bit patterns to the codes of a low-precision float format and
 * back, read from the format's row of FLOAT_FORMATS (mantissa bits, bias, special codes). No
 * validation, no allocation (the public functions are in src/floats/).
 *
 * Encoding starts from a float32 bit pattern, read through a shared Float32Array/Uint32Array view,
 * and rounds once from there: no float64 arithmetic, no intermediate format, no double rounding.
 * Why our own codec and no library: Node 20 has no `Math.f16round`, and we want exactness under our
 * control, the same rules in the WebAssembly port, and no dependency.
 */
import { FLOAT_FORMATS, type FloatFormat, type RoundMode } from "../dtypes/table.js";

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
function roundMagnitude(abs: number, mantissaBits: number, bias: number, away = false): number {
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
  if (rest > half || (rest === half && (away || (code & 1) === 1))) code += 1;
  return code;
}

/** Decodes a finite magnitude code (sign cleared) to its value. Exact: every such value is a float32. */
function decodeMagnitude(code: number, mantissaBits: number, bias: number, unit: number): number {
  const e = code >>> mantissaBits;
  const m = code & ((1 << mantissaBits) - 1);
  if (e === 0) return m * unit; // subnormal: m * 2^(1 - bias - mantissaBits), exact
  return float32FromBits(((e - bias + 127) << 23) | (m << (23 - mantissaBits)));
}

/**
 * The code of a float32 bit pattern in format `f`: nearest, ties to even (or away from zero with
 * `away`), subnormals kept. NaN gives the format's NaN code, its sign dropped (a format without NaN
 * gets 0: the public functions refuse NaN there first). Past the largest finite value after
 * rounding, and ±Infinity: ±maxFinite with `saturate` (the formats that saturate) and always for
 * the formats without specials; else ±Infinity, or the NaN code where the format has none. Formats
 * without -0 (fnuz) give 0 for -0 and for negatives that round to 0. (float8e8m0: see encodeExponent.)
 */
export function encodeBits(f: FloatFormat, bits: number, saturate: boolean, away = false): number {
  const sign = (bits >>> (32 - f.bits)) & (1 << (f.bits - 1));
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return f.nanCode ?? 0;
  const clamps = (saturate && f.saturates) || f.specials === "finite";
  const overflow = sign | (clamps ? f.maxFiniteCode : (f.infinityCode ?? (f.nanCode as number)));
  if (abs === 0x7f800000) return overflow;
  const code = roundMagnitude(abs, f.mantissaBits, f.bias, away);
  if (code > f.maxFiniteCode) return overflow;
  return code === 0 && !f.negativeZero ? 0 : sign | code;
}

/**
 * The float8e8m0 code of a positive float32 bit pattern (ONNX Cast's `round_mode`): `"up"` the
 * smallest code >= x, `"down"` the largest <= x, `"nearest"` by linear distance (a tie 1.5·2^k goes
 * up). NaN gives 0xFF. Beyond 2^127 (Infinity included) 0xFE with `saturate`, else 0xFF; below
 * 2^-127 (0 included) 0x00 with `saturate`, else 0xFF. Exact for float32 subnormals (their true
 * exponent). Negative inputs are not values of the format: the public functions refuse them.
 */
export function encodeExponent(bits: number, roundMode: RoundMode, saturate: boolean): number {
  const abs = bits & 0x7fffffff;
  if (abs > 0x7f800000) return 0xff;
  if (abs === 0x7f800000) return saturate ? 0xfe : 0xff;
  if (abs === 0) return saturate ? 0x00 : 0xff;
  const e = abs >>> 23;
  const fraction = abs & 0x7fffff;
  // x = significand · 2^(k - width): k = floor(log2 x); `rest` the bits below the leading one.
  let k: number;
  let rest: number;
  let width: number;
  if (e > 0) {
    k = e - 127;
    rest = fraction;
    width = 23;
  } else {
    const lead = 31 - Math.clz32(fraction);
    k = lead - 149;
    rest = fraction & ((1 << lead) - 1);
    width = lead;
  }
  const up =
    roundMode === "up"
      ? rest !== 0
      : roundMode === "nearest" && width > 0 && rest >= 2 ** (width - 1);
  const code = k + (up ? 1 : 0) + 127;
  if (code > 0xfe) return saturate ? 0xfe : 0xff;
  if (code < 0) return saturate ? 0x00 : 0xff;
  return code;
}

/** The value of a code of format `f` (exact in float32): ±0, subnormals, normals, ±Infinity, NaN. */
export function decodeCode(f: FloatFormat, code: number): number {
  if (!f.signed) return code === f.nanCode ? Number.NaN : 2 ** (code - f.bias);
  if (code === f.nanCode && f.specials === "fnuz") return Number.NaN;
  const signBit = 1 << (f.bits - 1);
  const magnitude = code & (signBit - 1);
  if (magnitude > f.maxFiniteCode) {
    return magnitude === f.infinityCode
      ? code & signBit
        ? Number.NEGATIVE_INFINITY
        : Number.POSITIVE_INFINITY
      : Number.NaN;
  }
  const value = decodeMagnitude(magnitude, f.mantissaBits, f.bias, f.minSubnormal);
  return code & signBit ? -value : value;
}

/** How the encoders round: `saturate` (the float8 formats), `roundMode` (float8e8m0). */
export interface CastRule {
  readonly saturate: boolean;
  readonly roundMode: RoundMode;
}

/** The code of a float32 bit pattern under a cast rule: encodeBits, or encodeExponent for e8m0. */
export function encodeWith(f: FloatFormat, bits: number, rule: CastRule): number {
  return f.signed
    ? encodeBits(f, bits, rule.saturate)
    : encodeExponent(bits, rule.roundMode, rule.saturate);
}

/** `out[i] = encodeWith(f, bits[i], rule)`. */
export function encodeFloats(
  f: FloatFormat,
  bits: Uint32Array,
  rule: CastRule,
  out: Uint16Array | Uint8Array,
): void {
  for (let i = 0; i < bits.length; i++) out[i] = encodeWith(f, bits[i] as number, rule);
}

/** `out[i] = decodeCode(f, codes[i])`. */
export function decodeFloats(f: FloatFormat, codes: ArrayLike<number>, out: Float32Array): void {
  for (let i = 0; i < codes.length; i++) out[i] = decodeCode(f, codes[i] as number);
}

/** `out[i] = decodeCode(f, encodeWith(f, bits[i], rule))`: what the format stores, in one pass. */
export function roundFloats(
  f: FloatFormat,
  bits: Uint32Array,
  rule: CastRule,
  out: Float32Array,
): void {
  for (let i = 0; i < bits.length; i++)
    out[i] = decodeCode(f, encodeWith(f, bits[i] as number, rule));
}

const HALF_RULE: CastRule = { saturate: false, roundMode: "nearest" };

/** The kernels' half-precision codec (float16 / bfloat16, never saturating): the reference's. */
export function encodeHalf(dtype: "float16" | "bfloat16", x: Float32Array, out: Uint16Array): void {
  encodeFloats(
    FLOAT_FORMATS[dtype],
    new Uint32Array(x.buffer, x.byteOffset, x.length),
    HALF_RULE,
    out,
  );
}

export function decodeHalf(
  dtype: "float16" | "bfloat16",
  bits: Uint16Array,
  out: Float32Array,
): void {
  decodeFloats(FLOAT_FORMATS[dtype], bits, out);
}

// ---------------------------------------------------------------------------------------------
// Scalar codecs (public, no validation).

const FLOAT16 = FLOAT_FORMATS.float16;
const BFLOAT16 = FLOAT_FORMATS.bfloat16;
const E4M3FN = FLOAT_FORMATS.float8e4m3fn;
const E5M2 = FLOAT_FORMATS.float8e5m2;

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
  return encodeBits(FLOAT16, float32Bits(x), false);
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
  return decodeCode(FLOAT16, h);
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
  return encodeBits(BFLOAT16, float32Bits(x), false);
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
  return decodeCode(BFLOAT16, h);
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
  return encodeBits(E4M3FN, float32Bits(x), saturate);
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
  return decodeCode(E4M3FN, c);
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
  return encodeBits(E5M2, float32Bits(x), saturate);
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
  return decodeCode(E5M2, c);
}
