import {
  describe,
  integer,
  type NumericArray,
  positiveNumber,
  rangeError,
  sameLength,
  typeError,
} from "../validate.js";
import type { GridOptions } from "./types.js";

/** The validated grid, with its number of levels. */
export interface Grid extends GridOptions {
  levels: number;
}

/**
 * Validates scale, zeroPoint, qmin, qmax: scale finite > 0, qmin < qmax integers, at most `maxLevels`
 * levels, zeroPoint an integer in [qmin, qmax].
 */
export function checkGrid(fn: string, options: Record<string, unknown>, maxLevels: number): Grid {
  const scale = positiveNumber(fn, "scale", options.scale);
  const qmin = integer(fn, "qmin", options.qmin);
  const qmax = integer(fn, "qmax", options.qmax);
  if (qmax <= qmin) throw rangeError(fn, "qmax", `an integer > qmin (${qmin})`, qmax);
  const levels = qmax - qmin + 1;
  if (levels > maxLevels) {
    throw rangeError(
      fn,
      "qmax",
      `at most qmin + ${maxLevels - 1} = ${qmin + maxLevels - 1} (this figure draws at most ${maxLevels} levels)`,
      qmax,
    );
  }
  const zeroPoint = integer(fn, "zeroPoint", options.zeroPoint, qmin, qmax);
  return { scale, zeroPoint, qmin, qmax, levels };
}

/**
 * The real value code `q` stands for: (q - zeroPoint) * scale, in float64.
 *
 * @example
 * level(3, { scale: 0.25, zeroPoint: 1, qmin: 0, qmax: 3 });
 * // => 0.5
 */
export function level(q: number, grid: GridOptions): number {
  return (q - grid.zeroPoint) * grid.scale;
}

/**
 * Rounds half to even: 0.5 -> 0, 1.5 -> 2, -2.5 -> -2.
 *
 * @example
 * [0.5, 1.5, 2.5, -2.5, 2.4].map(roundHalfEven);
 * // => [0, 2, 2, -2, 2]
 */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The code of x: clamp(roundHalfEven(x / scale) + zeroPoint, qmin, qmax), in float64 arithmetic.
 * (Core's float32 kernels may differ by one code on exact ties; pass their codes to a builder to show
 * exactly what core computed.)
 *
 * @example
 * [-10, 5, 10].map((x) => codeOf(x, { scale: 0.0784313753247261, zeroPoint: 0, qmin: -128, qmax: 127 }));
 * // => [-127, 64, 127]
 */
export function codeOf(x: number, grid: GridOptions): number {
  const q = roundHalfEven(x / grid.scale) + grid.zeroPoint;
  return Math.min(grid.qmax, Math.max(grid.qmin, q));
}

/** The codes of `values`: `codes` when given (checked: integers in [qmin, qmax], one per value), else `codeOf`. */
export function codesFor(fn: string, values: number[], codes: unknown, grid: Grid): number[] {
  if (codes === undefined) return values.map((x) => codeOf(x, grid));
  if (!Array.isArray(codes) && !(ArrayBuffer.isView(codes) && !(codes instanceof DataView))) {
    throw typeError(fn, "codes", "an array or typed array of integer codes", codes);
  }
  const list = codes as NumericArray;
  sameLength(fn, "codes", list, "values", values.length);
  const out = new Array<number>(list.length);
  for (let i = 0; i < list.length; i++) {
    const q = list[i] as unknown;
    if (typeof q !== "number") throw typeError(fn, "codes", "an array of integer codes", q);
    if (!Number.isSafeInteger(q) || q < grid.qmin || q > grid.qmax) {
      throw rangeError(
        fn,
        "codes",
        `integers in [qmin, qmax] = [${grid.qmin}, ${grid.qmax}]`,
        q,
        `${describe(q)} at index ${i}`,
      );
    }
    out[i] = q;
  }
  return out;
}

/**
 * The smallest and largest of `values` (a loop: spreading a large array into Math.min overflows the stack).
 *
 * @example
 * extent([3, -1, 2]);
 * // => [-1, 3]
 */
export function extent(values: readonly number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
