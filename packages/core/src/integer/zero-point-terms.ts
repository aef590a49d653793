/**
 * The four terms of an integer matrix product with zero points, as integer GEMMs compute them
 * (gemmlowp, onnxruntime's MLAS): products of the raw codes, plus corrections from row and column
 * sums that need no multiply per element.
 */

import { INTEGER_FORMATS, type Int8DType } from "../dtypes/table.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkOptions } from "../validate/options.js";
import { MAX_ELEMENTS } from "../validate/output.js";
import { type Int8Matrix, type MatmulIntegerOptions, normalizeMatrix } from "./matmul.js";

/** What {@link zeroPointTerms} returns; every array row-major [M, N] unless said otherwise. */
export interface ZeroPointTerms {
  readonly shape: [number, number];
  /** K, the length of each sum. */
  readonly depth: number;
  readonly aZeroPoint: number;
  readonly bZeroPoint: number;
  /** `Σ_k a[i,k] · b[k,j]`: the raw codes multiplied, as if both zero points were 0. */
  readonly products: Float64Array;
  /** `−bZeroPoint · Σ_k a[i,k]`, one per row of `a` (length M). */
  readonly rowTerms: Float64Array;
  /** `−aZeroPoint · Σ_k b[k,j]`, one per column of `b` (length N): a constant of the weights. */
  readonly columnTerms: Float64Array;
  /** `K · aZeroPoint · bZeroPoint`. */
  readonly constant: number;
  /** The sum of the four, `Σ_k (a[i,k] − aZeroPoint)(b[k,j] − bZeroPoint)`: `matmulInteger`'s result. */
  readonly total: Float64Array;
}

interface Matrix {
  readonly data: Int8Array | Uint8Array;
  readonly dtype: Int8DType;
  readonly rows: number;
  readonly cols: number;
}

/** An operand read as `matmulInteger` reads it, then required to be a matrix (rank 2). */
function matrix(fn: string, name: string, x: unknown): Matrix {
  const operand = normalizeMatrix(fn, name, x);
  const { shape } = operand;
  if (shape.length !== 2) {
    throw rangeError(
      fn,
      `${name}.shape`,
      "a matrix shape [rows, columns]",
      shape,
      `[${shape.join(", ")}] (rank ${shape.length})`,
    );
  }
  return {
    data: operand.data,
    dtype: operand.dtype,
    rows: shape[0] as number,
    cols: shape[1] as number,
  };
}

/** A per-tensor zero point: an integer in `dtype`'s range, 0 when left out. */
function checkZeroPoint(fn: string, arg: string, value: unknown, dtype: Int8DType): number {
  if (value === undefined) return 0;
  if (typeof value !== "number") throw typeError(fn, arg, "a number", value);
  const { min, max } = INTEGER_FORMATS[dtype];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw rangeError(fn, arg, `an integer in [${min}, ${max}] (${dtype})`, value);
  }
  return value;
}

/**
 * Splits `Σ_k (a[i,k] − z_a)(b[k,j] − z_b)` into the four terms of its expansion,
 * `Σ a·b − z_b Σ_k a[i,k] − z_a Σ_k b[k,j] + K z_a z_b`.
 *
 * This is how integer GEMMs handle zero points: they multiply the raw codes (an 8-bit × 8-bit
 * product with no subtraction in the inner loop), then add a term per row (the row sums of `a`,
 * computed once per input), a term per column (the column sums of `b`, computed once per weight)
 * and a constant. Every term is exact (float64 holds these integers exactly); each may be far
 * larger than the total, which is why the accumulator is 32 bits wide.
 *
 * @param a - the left matrix [M, K], as for `matmulInteger` (int8 or uint8)
 * @param b - the right matrix [K, N]
 * @param options - `aZeroPoint` and `bZeroPoint` (default 0), integers in their dtype's range
 * @throws {TypeError} and {RangeError} as `matmulInteger` does, for the same arguments
 * @example
 * const t = zeroPointTerms({ data: new Uint8Array([130, 140]), shape: [1, 2] },
 *   { data: new Uint8Array([120, 110]), shape: [2, 1] }, { aZeroPoint: 128, bZeroPoint: 128 });
 * [t.products[0], t.rowTerms[0], t.columnTerms[0], t.constant, t.total[0]]
 * // => [ 31000, -34560, -29440, 32768, -232 ]
 */
export function zeroPointTerms(
  a: Int8Matrix,
  b: Int8Matrix,
  options?: MatmulIntegerOptions,
): ZeroPointTerms {
  const fn = "zeroPointTerms";
  const A = matrix(fn, "a", a);
  const B = matrix(fn, "b", b);
  if (B.rows !== A.cols) {
    throw rangeError(
      fn,
      "b.shape",
      `[${A.cols}, N] to match a.shape [${A.rows}, ${A.cols}]`,
      b.shape,
      `[${b.shape.join(", ")}]`,
    );
  }
  const o = checkOptions(fn, "options", options, ["aZeroPoint", "bZeroPoint"]);
  const za = checkZeroPoint(fn, "options.aZeroPoint", o.aZeroPoint, A.dtype);
  const zb = checkZeroPoint(fn, "options.bZeroPoint", o.bZeroPoint, B.dtype);
  const m = A.rows;
  const k = A.cols;
  const n = B.cols;
  // Stryker disable next-line EqualityOperator: 2^32 float64 results (32 GiB) cannot be allocated either
  if (m * n > MAX_ELEMENTS) {
    throw rangeError(
      fn,
      "b.shape",
      `a shape giving at most 2^32 results with a.shape [${m}, ${k}]`,
      b.shape,
      `[${b.shape.join(", ")}]: ${m} × ${n} = ${m * n} results`,
    );
  }
  const products = new Float64Array(m * n);
  const rowTerms = new Float64Array(m);
  const columnTerms = new Float64Array(n);
  // Stryker disable next-line EqualityOperator: at i = m the writes past a typed array's end are ignored
  for (let i = 0; i < m; i++) {
    let sum = 0;
    for (let p = 0; p < k; p++) {
      const av = A.data[i * k + p] as number;
      sum += av;
      for (let j = 0; j < n; j++) products[i * n + j] += av * (B.data[p * n + j] as number);
    }
    rowTerms[i] = 0 - zb * sum; // "0 -" keeps -0 out when the zero point is 0
  }
  // Stryker disable next-line EqualityOperator: at j = n the writes past a typed array's end are ignored
  for (let j = 0; j < n; j++) {
    let sum = 0;
    for (let p = 0; p < k; p++) sum += B.data[p * n + j] as number;
    columnTerms[j] = 0 - za * sum;
  }
  const constant = 0 + k * za * zb;
  const total = new Float64Array(m * n);
  // Stryker disable next-line EqualityOperator: at i = m the writes past a typed array's end are ignored
  for (let i = 0; i < m; i++) {
    // Stryker disable next-line EqualityOperator: j = n writes total[(i + 1)·n] (past the end for the last row), which row i + 1 then sets
    for (let j = 0; j < n; j++) {
      total[i * n + j] =
        (products[i * n + j] as number) +
        (rowTerms[i] as number) +
        (columnTerms[j] as number) +
        constant;
    }
  }
  return {
    shape: [m, n],
    depth: k,
    aZeroPoint: za,
    bZeroPoint: zb,
    products,
    rowTerms,
    columnTerms,
    constant,
    total,
  };
}
