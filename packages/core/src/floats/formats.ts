/**
 * A summary of every number format the core knows, the float64 and float32 that inputs come in
 * included: what a reader compares when choosing a format.
 */
import {
  FLOAT_FORMATS,
  type FloatDType,
  INTEGER_FORMATS,
  type IntegerDType,
  isFloatDType,
  isIntegerDType,
} from "../dtypes/table.js";
import { rangeError } from "../validate/errors.js";
import { toFloat64 } from "../validate/tensor.js";
import { roundToFloat } from "./codecs.js";

export type FormatName = "float64" | "float32" | FloatDType | IntegerDType;

export interface FormatSummary {
  readonly name: FormatName;
  readonly kind: "float" | "integer";
  readonly bits: number;
  /** Least finite value: the most negative one, or the smallest of the unsigned float8e8m0. */
  readonly min: number;
  /** Largest finite value. */
  readonly max: number;
  /** Smallest value above 0: the step of an integer format, the smallest subnormal of a float. */
  readonly smallestPositive: number;
  /** How many distinct finite values it holds, in words. */
  readonly description: string;
}

/** The IEEE 754 binary formats that inputs come in: their widths. */
export const IEEE: Record<
  "float64" | "float32",
  { bits: number; exponentBits: number; mantissaBits: number }
> = {
  float64: { bits: 64, exponentBits: 11, mantissaBits: 52 },
  float32: { bits: 32, exponentBits: 8, mantissaBits: 23 },
};

function floatSummary(
  name: FormatName,
  bits: number,
  max: number,
  smallest: number,
  mantissaBits: number,
): FormatSummary {
  const digits = (mantissaBits + 1) * Math.log10(2);
  return {
    name,
    kind: "float",
    bits,
    min: -max,
    max,
    smallestPositive: smallest,
    description: `about ${digits.toFixed(1)} significant decimal digits`,
  };
}

/**
 * Range and resolution of a number format.
 *
 * @throws {RangeError} for a name the core does not know.
 * @example
 * formatSummary("int8")
 * // => { name: "int8", kind: "integer", bits: 8, min: -128, max: 127, smallestPositive: 1, description: "256 integers" }
 */
export function formatSummary(name: FormatName): FormatSummary {
  if (name === "float64" || name === "float32") {
    const { bits, exponentBits, mantissaBits } = IEEE[name];
    const bias = 2 ** (exponentBits - 1) - 1;
    const max = (2 - 2 ** -mantissaBits) * 2 ** bias;
    return floatSummary(name, bits, max, 2 ** (1 - bias - mantissaBits), mantissaBits);
  }
  if (isFloatDType(name)) {
    const f = FLOAT_FORMATS[name];
    const summary = floatSummary(name, f.bits, f.maxFinite, f.minSubnormal, f.mantissaBits);
    // float8e8m0 has no sign: its least value is its smallest, 2^-127, not -maxFinite.
    return f.signed ? summary : { ...summary, min: f.minSubnormal };
  }
  if (isIntegerDType(name)) {
    const f = INTEGER_FORMATS[name];
    const count = (2 ** f.bits).toLocaleString("en-US");
    return {
      name,
      kind: "integer",
      bits: f.bits,
      min: f.min,
      max: f.max,
      smallestPositive: 1,
      description: `${count} integers`,
    };
  }
  throw rangeError("formatSummary", "name", 'a format name such as "float32" or "int8"', name);
}

/**
 * The values a format stores for `values`, as numbers: float64 keeps them, float32 rounds to
 * nearest even, the low-precision floats round as {@link roundToFloat} (saturating float8).
 *
 * @throws {RangeError} for an integer or unknown format name.
 * @example
 * roundToFormat("float16", [0.1])
 * // => Float64Array [ 0.0999755859375 ]
 */
export function roundToFormat(
  name: "float64" | "float32" | FloatDType,
  values: readonly number[],
): Float64Array {
  const fn = "roundToFormat";
  if (name !== "float64" && name !== "float32" && !isFloatDType(name)) {
    throw rangeError(fn, "name", '"float64", "float32" or a low-precision float dtype', name);
  }
  // Read once, checked: every entry a number (no NaN for "a", 0 for null, 1 for true).
  const exact = toFloat64(fn, "values", values).data;
  if (name === "float64") return exact;
  if (name === "float32") return Float64Array.from(Float32Array.from(exact));
  return Float64Array.from(roundToFloat(name, exact));
}
