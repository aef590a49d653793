/** The one dtype check: every public function reads a dtype argument through it. */
import {
  FLOAT_DTYPES,
  FLOAT_FORMATS,
  type FloatDType,
  type FloatFormat,
  INTEGER_DTYPES,
  INTEGER_FORMATS,
  type IntegerDType,
  type IntegerFormat,
} from "../dtypes/table.js";
import { rangeError, typeError } from "./errors.js";

const quoted = (names: readonly string[]) => `one of ${names.map((d) => `"${d}"`).join(", ")}`;

/**
 * The row of an integer dtype among `allowed` (default: every integer dtype).
 * @throws {TypeError} when `value` is not a string.
 * @throws {RangeError} when it names no allowed dtype.
 */
export function checkDType<D extends IntegerDType = IntegerDType>(
  fn: string,
  arg: string,
  value: unknown,
  allowed: readonly D[] = INTEGER_DTYPES as readonly D[],
): IntegerFormat & { readonly name: D } {
  if (typeof value !== "string") throw typeError(fn, arg, quoted(allowed), value);
  if (!(allowed as readonly string[]).includes(value)) {
    throw rangeError(fn, arg, quoted(allowed), value);
  }
  return INTEGER_FORMATS[value as D] as IntegerFormat & { readonly name: D };
}

/** The row of a low-precision float dtype; the same errors as {@link checkDType}. */
export function checkFloatDType(fn: string, arg: string, value: unknown): FloatFormat {
  if (typeof value !== "string") throw typeError(fn, arg, quoted(FLOAT_DTYPES), value);
  if (!(FLOAT_DTYPES as readonly string[]).includes(value)) {
    throw rangeError(fn, arg, quoted(FLOAT_DTYPES), value);
  }
  return FLOAT_FORMATS[value as FloatDType];
}
