import { INTEGER_FORMATS, type IntegerDType, isIntegerDType } from "../../dtypes/table.js";
import { rangeError, typeError } from "../../validate/errors.js";
import { checkBoolean } from "../../validate/options.js";

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
  const u = checkBoolean(fn, "options.unsigned", unsigned, false);
  const nquant = 2 ** (b - 1 + (u ? 1 : 0));
  const qmax = nquant - 1;
  return { bits: b, unsigned: u, qmax, qmin: u ? 0 : -qmax, nquant };
}

/** The keys of {@link LevelOptions}. */
export const LEVEL_KEYS = ["dtype", "bits", "unsigned"] as const;

/** An optional integer option in [lo, hi] (see validate/options.ts). */
export { checkInteger as integerOption } from "../../validate/options.js";

/** Validates that `options` is undefined or a plain object (its keys are checked by the caller). */
export function optionsObject<T>(fn: string, options: T | undefined): T | Record<string, never> {
  if (options === undefined) return {};
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw typeError(fn, "options", "an object or undefined", options);
  }
  return options;
}
