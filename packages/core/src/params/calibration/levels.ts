import { INTEGER_FORMATS, type IntegerDType, isIntegerDType } from "../../dtypes/table.js";
import { rangeError, typeError } from "../../validate/errors.js";

/**
 * The integer grid a symmetric calibration aims at. Give either `dtype` (a row of the dtype table) or
 * `bits` with `unsigned` (pytorch-quantization's `num_bits` / `unsigned`); the default is int8.
 */
export interface LevelOptions {
  /** An integer dtype: its `max` is `qmax` and its signedness is `unsigned`. Excludes `bits`/`unsigned`. */
  readonly dtype?: IntegerDType;
  /** Bit width, an integer in [2, 32]. Default 8. */
  readonly bits?: number;
  /** Whether the tensor is non-negative (after ReLU, say), quantized to [0, 2^bits - 1]. Default false. */
  readonly unsigned?: boolean;
}

/** The resolved grid: `q` in [qmin, qmax], `nquant = qmax + 1` levels on the non-negative side. */
export interface Levels {
  readonly bits: number;
  readonly unsigned: boolean;
  /** 2^(bits-1) - 1 signed (127 for int8, TensorRT's restricted range), 2^bits - 1 unsigned. */
  readonly qmax: number;
  /** -qmax signed (restricted range: -127, not -128), 0 unsigned. */
  readonly qmin: number;
  /** Levels for |x|: 2^(bits - 1 + unsigned) = qmax + 1 (128 for int8). */
  readonly nquant: number;
}

/** Resolves `{ dtype } | { bits, unsigned }` to the symmetric grid. Internal: not re-exported. */
export function resolveLevels(fn: string, options: LevelOptions): Levels {
  const { dtype, bits, unsigned } = options;
  if (dtype !== undefined) {
    if (bits !== undefined) {
      throw typeError(fn, "options.bits", "undefined when options.dtype is given", bits);
    }
    if (unsigned !== undefined) {
      throw typeError(fn, "options.unsigned", "undefined when options.dtype is given", unsigned);
    }
    if (!isIntegerDType(dtype)) {
      const expected = "an integer dtype (int4, uint4, int8, uint8, int16, uint16, int32)";
      if (typeof dtype === "string") throw rangeError(fn, "options.dtype", expected, dtype);
      throw typeError(fn, "options.dtype", expected, dtype);
    }
    const format = INTEGER_FORMATS[dtype];
    const qmax = format.max;
    return {
      bits: format.bits,
      unsigned: !format.signed,
      qmax,
      qmin: format.signed ? -qmax : 0,
      nquant: qmax + 1,
    };
  }
  const b = bits ?? 8;
  if (typeof b !== "number") throw typeError(fn, "options.bits", "an integer in [2, 32]", b);
  if (!Number.isInteger(b) || b < 2 || b > 32)
    throw rangeError(fn, "options.bits", "an integer in [2, 32]", b);
  const u = unsigned ?? false;
  if (typeof u !== "boolean") throw typeError(fn, "options.unsigned", "a boolean", u);
  const nquant = 2 ** (b - 1 + (u ? 1 : 0));
  const qmax = nquant - 1;
  return { bits: b, unsigned: u, qmax, qmin: u ? 0 : -qmax, nquant };
}

/** Validates an optional integer option in [lo, hi], returning `fallback` when it is undefined. */
export function integerOption(
  fn: string,
  name: string,
  value: unknown,
  fallback: number,
  lo: number,
  hi: number,
  note = "",
): number {
  if (value === undefined) return fallback;
  const expected =
    hi === Number.MAX_SAFE_INTEGER
      ? `an integer ≥ ${lo}${note}`
      : `an integer in [${lo}, ${hi}]${note}`;
  if (typeof value !== "number") throw typeError(fn, name, expected, value);
  if (!Number.isInteger(value) || value < lo || value > hi)
    throw rangeError(fn, name, expected, value);
  return value;
}

/** Validates that `options` is undefined or a plain object. */
export function optionsObject<T>(fn: string, options: T | undefined): T | Record<string, never> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw typeError(fn, "options", "an object or undefined", options);
  }
  return options;
}
