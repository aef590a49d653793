/**
 * How a number format spends its bits, read from the dtype tables (float64 and float32 included),
 * and the bits one value gets in it: what a drawing of the bit fields shows.
 */
import { FLOAT_FORMATS, INTEGER_FORMATS, isFloatDType, isIntegerDType } from "../dtypes/table.js";
import { quantize } from "../quantize/quantize.js";
import { rangeError, typeError } from "../validate/errors.js";
import { decodeFloat, encodeFloat } from "./codecs.js";
import { type FormatName, IEEE } from "./formats.js";

/** One field of a code, from the top bit down. */
export interface BitField {
  /**
   * `"sign"`: the sign bit of a float, or the two's-complement sign of a signed integer (weight
   * -2^(bits-1)); `"exponent"` and `"mantissa"`: a float's biased exponent and fraction;
   * `"value"`: an integer's other bits.
   */
  readonly name: "sign" | "exponent" | "mantissa" | "value";
  readonly bits: number;
}

/** The fields of a format's codes, from the top bit down, and the float exponent bias. */
export interface BitLayout {
  readonly name: FormatName;
  readonly kind: "float" | "integer";
  readonly bits: number;
  /** Top bit first; empty fields are left out (float8e8m0 has no sign and no mantissa). */
  readonly fields: readonly BitField[];
  /** The exponent bias of a float (`2^(exponentBits-1) - 1` for the IEEE-like ones); 0 for integers. */
  readonly bias: number;
}

/** The bits a value gets in a format, and the value those bits stand for. */
export interface BitPattern {
  /** The code, top bit first, as a string of `bits` characters "0" and "1". */
  readonly bits: string;
  /** What the format stores for the value: the decoded code (an integer code for integer formats). */
  readonly stored: number;
}

const FORMAT_NAMES = '"float64", "float32", a low-precision float dtype or an integer dtype';

function fields(signed: boolean, exponentBits: number, mantissaBits: number): readonly BitField[] {
  const out: BitField[] = [];
  if (signed) out.push({ name: "sign", bits: 1 });
  if (exponentBits > 0) out.push({ name: "exponent", bits: exponentBits });
  if (mantissaBits > 0) out.push({ name: "mantissa", bits: mantissaBits });
  return out;
}

function checkName(fn: string, name: unknown): FormatName {
  if (typeof name !== "string") throw typeError(fn, "name", FORMAT_NAMES, name);
  if (name !== "float64" && name !== "float32" && !isFloatDType(name) && !isIntegerDType(name)) {
    throw rangeError(fn, "name", FORMAT_NAMES, name);
  }
  return name;
}

/**
 * The bit fields of a number format's codes, top bit first: sign, exponent and mantissa for a
 * float (from `FLOAT_FORMATS`, or IEEE 754's binary64 and binary32), sign and value bits for a
 * signed integer, value bits for an unsigned one (from `INTEGER_FORMATS`).
 *
 * @throws {TypeError} when `name` is not a string.
 * @throws {RangeError} when it names no format the core knows.
 * @example
 * bitLayout("float8e4m3fn").fields
 * // => [{ name: "sign", bits: 1 }, { name: "exponent", bits: 4 }, { name: "mantissa", bits: 3 }]
 * @example
 * bitLayout("int8").fields
 * // => [{ name: "sign", bits: 1 }, { name: "value", bits: 7 }]
 */
export function bitLayout(name: FormatName): BitLayout {
  const format = checkName("bitLayout", name);
  if (format === "float64" || format === "float32") {
    const { bits, exponentBits, mantissaBits } = IEEE[format];
    const bias = 2 ** (exponentBits - 1) - 1;
    return {
      name: format,
      kind: "float",
      bits,
      fields: fields(true, exponentBits, mantissaBits),
      bias,
    };
  }
  if (isFloatDType(format)) {
    const f = FLOAT_FORMATS[format];
    return {
      name: format,
      kind: "float",
      bits: f.bits,
      fields: fields(f.signed, f.exponentBits, f.mantissaBits),
      bias: f.bias,
    };
  }
  const f = INTEGER_FORMATS[format];
  const out: BitField[] = f.signed
    ? [
        { name: "sign", bits: 1 },
        { name: "value", bits: f.bits - 1 },
      ]
    : [{ name: "value", bits: f.bits }];
  return { name: format, kind: "integer", bits: f.bits, fields: out, bias: 0 };
}

/**
 * The code a value gets in a number format, as a string of bits (top bit first), with the value
 * the code stands for.
 *
 * Floats round to nearest, ties to even: float64 keeps the value, float32 is `Math.fround`, the
 * low-precision formats encode as `encodeFloat` does (float8 saturating, its default). Integers take
 * the nearest integer, ties to even, saturated to the dtype's range (`quantize` with scale 1),
 * in two's complement when signed.
 *
 * @throws {TypeError} when `name` is not a string or `value` not a number.
 * @throws {RangeError} for an unknown format, NaN where the format has no NaN code (integers,
 *   float6, float4), or a negative value for the unsigned float8e8m0.
 * @example
 * bitPattern("float16", Math.PI)
 * // => { bits: "0100001001001000", stored: 3.140625 }
 * @example
 * bitPattern("int8", -3.5)
 * // => { bits: "11111100", stored: -4 }
 */
export function bitPattern(name: FormatName, value: number): BitPattern {
  const fn = "bitPattern";
  const format = checkName(fn, name);
  if (typeof value !== "number") throw typeError(fn, "value", "a number", value);
  const binary = (code: number | bigint, bits: number) => code.toString(2).padStart(bits, "0");
  if (format === "float64") {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, value);
    return { bits: binary(view.getBigUint64(0), 64), stored: value };
  }
  if (format === "float32") {
    const view = new DataView(new ArrayBuffer(4));
    view.setFloat32(0, value);
    return { bits: binary(view.getUint32(0), 32), stored: view.getFloat32(0) };
  }
  if (isFloatDType(format)) {
    const f = FLOAT_FORMATS[format];
    if (Number.isNaN(value) && f.nanCode === null) {
      throw rangeError(fn, "value", `a number, not NaN (${format} has no NaN code)`, value);
    }
    if (!f.signed && value < 0) {
      throw rangeError(fn, "value", `a value >= 0 (${format} has no sign)`, value);
    }
    const code = encodeFloat(format, [value])[0] as number;
    return { bits: binary(code, f.bits), stored: decodeFloat(format, [code])[0] as number };
  }
  if (Number.isNaN(value)) {
    throw rangeError(fn, "value", `a number, not NaN (${format} has no NaN code)`, value);
  }
  const f = INTEGER_FORMATS[format];
  const code = quantize([value], { dtype: format, scale: 1 }).data[0] as number;
  // Two's complement: the low `bits` bits of the code (2^32 + code for int32's negatives).
  const word = code < 0 ? 2 ** f.bits + code : code;
  return { bits: binary(word, f.bits), stored: code };
}
