/** The one dtype check: every public function reads a dtype argument through it. */
import {
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

/** The table row of a dtype: an integer format's for an integer dtype, a float format's otherwise. */
export type FormatOf<D extends IntegerDType | FloatDType> = D extends IntegerDType
  ? IntegerFormat & { readonly name: D }
  : FloatFormat & { readonly name: D };

/**
 * The row of a dtype among `allowed` (default: every integer dtype), from INTEGER_FORMATS or
 * FLOAT_FORMATS.
 * @throws {TypeError} when `value` is not a string.
 * @throws {RangeError} when it names no allowed dtype.
 */
export function checkDType<D extends IntegerDType | FloatDType = IntegerDType>(
  fn: string,
  arg: string,
  value: unknown,
  allowed: readonly D[] = INTEGER_DTYPES as readonly D[],
): FormatOf<D> {
  if (typeof value !== "string") throw typeError(fn, arg, quoted(allowed), value);
  if (!(allowed as readonly string[]).includes(value)) {
    throw rangeError(fn, arg, quoted(allowed), value);
  }
  const row = Object.hasOwn(INTEGER_FORMATS, value)
    ? INTEGER_FORMATS[value as IntegerDType]
    : FLOAT_FORMATS[value as FloatDType];
  return row as FormatOf<D>;
}
