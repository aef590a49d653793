/**
 * ONNX MatMulInteger: the int32 product of two 8-bit integer matrices, zero points subtracted.
 */
import { INT8_DTYPES, INTEGER_FORMATS, type Int8DType } from "../dtypes/table.js";
import * as kernel from "../kernels/integer.js";
import { checkDType } from "../validate/dtype.js";
import { describe, rangeError, typeError } from "../validate/errors.js";
import { checkKeys, checkOptions } from "../validate/options.js";
import { MAX_ELEMENTS } from "../validate/output.js";

/**
 * A 2-D 8-bit integer matrix, row-major. With an Int8Array or a Uint8Array the dtype may be left
 * out (it is read from the array: int8 or uint8); with a plain array of numbers it is required.
 */
export type Int8Matrix =
  | {
      readonly data: Int8Array;
      readonly shape: readonly number[];
      readonly dtype?: "int8";
    }
  | {
      readonly data: Uint8Array;
      readonly shape: readonly number[];
      readonly dtype?: "uint8";
    }
  | {
      readonly data: readonly number[];
      readonly shape: readonly number[];
      readonly dtype: Int8DType;
    };

/** An int32 matrix, row-major. */
export interface Int32Matrix {
  readonly dtype: "int32";
  readonly data: Int32Array;
  readonly shape: [number, number];
}

/** Scalar zero points, each an integer in its matrix's dtype range; both default to 0. */
export interface MatmulIntegerOptions {
  readonly aZeroPoint?: number;
  readonly bZeroPoint?: number;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function formatShape(shape: readonly unknown[]): string {
  return `[${shape.map((d) => describe(d)).join(", ")}]`;
}

export interface Normalized {
  data: Int8Array | Uint8Array;
  dtype: Int8DType;
  rows: number;
  cols: number;
}

export function normalizeMatrix(fn: string, name: string, x: unknown): Normalized {
  if (typeof x !== "object" || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) {
    throw typeError(fn, name, "an object { data, shape, dtype }", x);
  }
  checkKeys(fn, name, x, ["data", "shape", "dtype"]);
  const { data, shape, dtype } = x as {
    data?: unknown;
    shape?: unknown;
    dtype?: unknown;
  };

  if (!Array.isArray(shape))
    throw typeError(fn, `${name}.shape`, "an array [rows, columns]", shape);
  if (shape.length !== 2) {
    throw rangeError(fn, `${name}.shape`, "2-D [rows, columns]", shape, formatShape(shape));
  }
  for (let d = 0; d < 2; d++) {
    const v = shape[d];
    if (typeof v !== "number") throw typeError(fn, `${name}.shape[${d}]`, "a number", v);
    if (!Number.isSafeInteger(v) || v < 0) {
      throw rangeError(fn, `${name}.shape[${d}]`, "an integer >= 0", v);
    }
  }
  const [rows, cols] = shape as [number, number];

  let resolved: Int8DType;
  if (data instanceof Int8Array || data instanceof Uint8Array) {
    const own: Int8DType = data instanceof Int8Array ? "int8" : "uint8";
    resolved = dtype === undefined ? own : checkDType(fn, `${name}.dtype`, dtype, INT8_DTYPES).name;
    if (resolved !== own) {
      const want = resolved === "int8" ? "an Int8Array" : "a Uint8Array";
      throw typeError(fn, `${name}.data`, `${want} for dtype "${resolved}"`, data);
    }
  } else if (Array.isArray(data)) {
    if (dtype === undefined) {
      throw typeError(
        fn,
        `${name}.dtype`,
        '"int8" or "uint8" (required when data is an array)',
        dtype,
      );
    }
    resolved = checkDType(fn, `${name}.dtype`, dtype, INT8_DTYPES).name;
  } else {
    throw typeError(fn, `${name}.data`, "an Int8Array, a Uint8Array or an array of integers", data);
  }

  if (data.length !== rows * cols) {
    throw rangeError(
      fn,
      `${name}.data`,
      `of length ${rows * cols} for shape ${formatShape(shape)}`,
      data,
    );
  }

  if (Array.isArray(data)) {
    const { min, max } = INTEGER_FORMATS[resolved];
    for (let i = 0; i < data.length; i++) {
      const v: unknown = data[i];
      if (typeof v !== "number") throw typeError(fn, `${name}.data[${i}]`, "a number", v);
      if (!Number.isInteger(v) || v < min || v > max) {
        throw rangeError(
          fn,
          `${name}.data[${i}]`,
          `an integer in [${min}, ${max}] (${resolved})`,
          v,
        );
      }
    }
    const typed = resolved === "int8" ? Int8Array.from(data) : Uint8Array.from(data);
    return { data: typed, dtype: resolved, rows, cols };
  }
  return { data, dtype: resolved, rows, cols };
}

export function checkZeroPoint(fn: string, arg: string, value: unknown, dtype: Int8DType): number {
  if (value === undefined) return 0;
  if (typeof value !== "number") throw typeError(fn, arg, "a number", value);
  const { min, max } = INTEGER_FORMATS[dtype];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(fn, arg, `an integer in [${min}, ${max}] (${dtype})`, value);
  }
  return value;
}

/**
 * Multiplies two 8-bit integer matrices into int32, as ONNX MatMulInteger does.
 *
 * `y[i, j] = sum_k (a[i, k] - aZeroPoint) * (b[k, j] - bZeroPoint)`, exact (integer arithmetic, no
 * rounding). `a` and `b` may mix int8 and uint8. The zero points are scalars (ONNX also allows a
 * per-row `a_zero_point` and per-column `b_zero_point`; those are not supported here). Empty
 * dimensions are allowed: with 0 columns in `a` (k = 0) every result is 0.
 *
 * Each sum is exact in float64 (|term| <= 255 * 255 = 65025, so up to 2^53 / 65025 terms), and it
 * is checked against the int32 range once complete: ONNX accumulates in int32 and would wrap a sum
 * that leaves it (which takes k > 33025), where this function throws.
 *
 * @param a - the left matrix, shape [M, K]: `{ data, shape, dtype }` with data an Int8Array, a
 *   Uint8Array (dtype then optional, read from the array) or a plain array of integers (dtype
 *   required)
 * @param b - the right matrix, shape [K, N], in the same form
 * @param options - `aZeroPoint` and `bZeroPoint`, integers in the range of `a`'s and `b`'s dtype
 *   (default 0)
 * @returns `{ dtype: "int32", data: Int32Array, shape: [M, N] }`
 * @throws {TypeError} if a matrix is not an object, its data not an Int8Array, a Uint8Array or an
 *   array of numbers, its typed array disagrees with its dtype, a plain array comes without a
 *   dtype, or a zero point is not a number
 * @throws {RangeError} if a shape is not 2-D non-negative integers, a data length does not match its
 *   shape, `b`'s rows differ from `a`'s columns, an array element or a zero point is not an integer
 *   in its dtype's range, or a result leaves the int32 range
 * @example
 * const a = { data: new Uint8Array([1, 2, 3, 4]), shape: [2, 2] };
 * const b = { data: [5, -6, 7, 8], shape: [2, 2], dtype: "int8" };
 * matmulInteger(a, b, { aZeroPoint: 1 });
 * // => { dtype: "int32", data: Int32Array [ 7, 8, 31, 12 ], shape: [ 2, 2 ] }
 */
export function matmulInteger(
  a: Int8Matrix,
  b: Int8Matrix,
  options?: MatmulIntegerOptions,
): Int32Matrix {
  const fn = "matmulInteger";
  const A = normalizeMatrix(fn, "a", a);
  const B = normalizeMatrix(fn, "b", b);
  if (B.rows !== A.cols) {
    throw rangeError(
      fn,
      "b.shape",
      `[${A.cols}, N] to match a.shape [${A.rows}, ${A.cols}]`,
      b.shape,
      formatShape(b.shape),
    );
  }
  const o = checkOptions(fn, "options", options, ["aZeroPoint", "bZeroPoint"]);
  const aZeroPoint = checkZeroPoint(fn, "options.aZeroPoint", o.aZeroPoint, A.dtype);
  const bZeroPoint = checkZeroPoint(fn, "options.bZeroPoint", o.bZeroPoint, B.dtype);

  const m = A.rows;
  const k = A.cols;
  const n = B.cols;
  if (m * n > MAX_ELEMENTS) {
    throw rangeError(
      fn,
      "b.shape",
      `a shape giving at most 2^32 results with a.shape [${m}, ${k}] (an [M, N] int32 matrix)`,
      b.shape,
      `${formatShape(b.shape)}: ${m} × ${n} = ${m * n} results`,
    );
  }
  const out = new Int32Array(m * n);
  const bad = kernel.matmulInteger(
    m,
    k,
    n,
    A.data,
    aZeroPoint,
    B.data,
    bZeroPoint,
    new Float64Array(n),
    out,
  );
  if (bad >= 0) {
    const i = Math.floor(bad / n);
    const j = bad % n;
    let sum = 0;
    for (let p = 0; p < k; p++)
      sum += (A.data[i * k + p] - aZeroPoint) * (B.data[p * n + j] - bZeroPoint);
    throw new RangeError(
      `${fn}(): result [${i}, ${j}] = ${sum} leaves the int32 range [${INT32_MIN}, ${INT32_MAX}]; ` +
        "ONNX MatMulInteger would wrap it, this function does not.",
    );
  }
  return { dtype: "int32", data: out, shape: [m, n] };
}
