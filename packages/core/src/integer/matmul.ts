/**
 * ONNX MatMulInteger: the int32 product of two 8-bit integer tensors, zero points subtracted,
 * with numpy.matmul's shapes (vectors, matrices, broadcast batches of matrices).
 */
import { INT8_DTYPES, INTEGER_FORMATS, type Int8DType } from "../dtypes/table.js";
import * as kernel from "../kernels/integer.js";
import type { TensorLike } from "../tensor.js";
import { checkDType } from "../validate/dtype.js";
import { describe, rangeError, typeError } from "../validate/errors.js";
import { checkKeys, checkOptions } from "../validate/options.js";
import { MAX_ELEMENTS } from "../validate/output.js";
import { toFloat64 } from "../validate/tensor.js";

/**
 * An 8-bit integer tensor, row-major: a vector [K], a matrix [M, K] or a batch of matrices
 * [..., M, K]. With an Int8Array or a Uint8Array the dtype may be left out (it is read from the
 * array: int8 or uint8); with a plain array of numbers it is required.
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

/** An int32 tensor, row-major: [M, N] for two matrices, numpy.matmul's shape in general. */
export interface Int32Matrix {
  readonly dtype: "int32";
  readonly data: Int32Array;
  readonly shape: number[];
}

/**
 * Zero points, integers in their tensor's dtype range; both default to 0.
 * - `aZeroPoint`: a number (per tensor); M values, one per row of `a` (ONNX's per-row zero point),
 *   shared by every matrix of a batch; or a tensor of a's shape with its last dimension 1
 *   ([..., M, 1]: per row of each matrix).
 * - `bZeroPoint`: a number; N values, one per column of `b`; or a tensor of b's shape with
 *   dimension -2 of 1 ([..., 1, N]).
 */
export interface MatmulIntegerOptions {
  readonly aZeroPoint?: number | TensorLike;
  readonly bZeroPoint?: number | TensorLike;
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function formatShape(shape: readonly unknown[]): string {
  return `[${shape.map((d) => describe(d)).join(", ")}]`;
}

/** A checked operand: its codes, dtype and shape. */
export interface Int8Operand {
  readonly data: Int8Array | Uint8Array;
  readonly dtype: Int8DType;
  readonly shape: readonly number[];
}

/** Reads `{ data, shape, dtype? }` as an 8-bit integer tensor of rank >= 1. */
export function normalizeMatrix(fn: string, name: string, x: unknown): Int8Operand {
  if (typeof x !== "object" || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) {
    throw typeError(fn, name, "an object { data, shape, dtype }", x);
  }
  checkKeys(fn, name, x, ["data", "shape", "dtype"]);
  const { data, shape, dtype } = x as { data?: unknown; shape?: unknown; dtype?: unknown };
  return readOperand(fn, name, data, shape, dtype);
}

/** The codes, shape and dtype of an operand, checked (its other fields are the caller's). */
export function readOperand(
  fn: string,
  name: string,
  data: unknown,
  shape: unknown,
  dtype: unknown,
): Int8Operand {
  if (!Array.isArray(shape)) {
    throw typeError(fn, `${name}.shape`, "an array of dimensions [..., rows, columns]", shape);
  }
  if (shape.length === 0) {
    throw rangeError(
      fn,
      `${name}.shape`,
      "at least 1-D (numpy.matmul takes no scalars)",
      shape,
      formatShape(shape),
    );
  }
  for (let d = 0; d < shape.length; d++) {
    const v = shape[d];
    if (typeof v !== "number") throw typeError(fn, `${name}.shape[${d}]`, "a number", v);
    if (!Number.isSafeInteger(v) || v < 0) {
      throw rangeError(fn, `${name}.shape[${d}]`, "an integer >= 0", v);
    }
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);

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

  if (data.length !== size) {
    throw rangeError(fn, `${name}.data`, `of length ${size} for shape ${formatShape(shape)}`, data);
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
    return { data: typed, dtype: resolved, shape: [...shape] };
  }
  return { data, dtype: resolved, shape: [...shape] };
}

/**
 * How numpy.matmul pairs the matrices of `a` and `b`: a vector `a` [K] is a row [1, K] and a vector
 * `b` [K] a column [K, 1] (their dimension dropped from the result), and the batch dimensions
 * before the last two broadcast.
 */
export interface MatmulPlan {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** The result's shape, and its broadcast batch dimensions (the leading ones). */
  readonly shape: number[];
  readonly batch: number[];
  /** For each matrix of the result (row-major over the broadcast batch), the matrix of a and of b. */
  readonly aMatrix: Int32Array;
  readonly bMatrix: Int32Array;
  /** How many matrices `a` and `b` hold. */
  readonly aCount: number;
  readonly bCount: number;
}

/** Checks that the shapes multiply (numpy.matmul's rules) and plans the product. */
export function planMatmul(fn: string, a: Int8Operand, b: Int8Operand): MatmulPlan {
  const aShape = a.shape.length === 1 ? [1, a.shape[0] as number] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0] as number, 1] : b.shape;
  const m = aShape[aShape.length - 2] as number;
  const k = aShape[aShape.length - 1] as number;
  const n = bShape[bShape.length - 1] as number;
  const bRows = bShape[bShape.length - 2] as number;
  const nd = a.shape.length > 2 || b.shape.length > 2;
  if (bRows !== k) {
    const expected =
      b.shape.length === 1
        ? `a vector of ${k} values to match a.shape ${formatShape(a.shape)}`
        : `[${nd ? "..., " : ""}${k}, N] to match a.shape ${formatShape(a.shape)}`;
    throw rangeError(fn, "b.shape", expected, b.shape, formatShape(b.shape));
  }
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const batch: number[] = [];
  for (let d = 0; d < rank; d++) {
    const da = aBatch[d - (rank - aBatch.length)] ?? 1;
    const db = bBatch[d - (rank - bBatch.length)] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw rangeError(
        fn,
        "b.shape",
        `batch dimensions that broadcast with a.shape ${formatShape(a.shape)}'s (numpy.matmul)`,
        b.shape,
        formatShape(b.shape),
      );
    }
    batch.push(da === 1 ? db : da);
  }
  const shape = [
    ...batch,
    ...(a.shape.length === 1 ? [] : [m]),
    ...(b.shape.length === 1 ? [] : [n]),
  ];
  const total = shape.reduce((x, y) => x * y, 1);
  if (total > MAX_ELEMENTS) {
    const dims = shape.join(" × ");
    throw rangeError(
      fn,
      "b.shape",
      `a shape giving at most 2^32 results with a.shape ${formatShape(a.shape)} (an ${nd ? "[..., M, N] int32 tensor" : "[M, N] int32 matrix"})`,
      b.shape,
      `${formatShape(b.shape)}: ${dims} = ${total} results`,
    );
  }
  const count = batch.reduce((x, y) => x * y, 1);
  const aMatrix = new Int32Array(count);
  const bMatrix = new Int32Array(count);
  for (let t = 0; t < count; t++) {
    let rest = t;
    let ai = 0;
    let bi = 0;
    let aStride = 1;
    let bStride = 1;
    for (let d = rank - 1; d >= 0; d--) {
      const size = batch[d] as number;
      const index = rest % size;
      rest = (rest - index) / size;
      const da = aBatch[d - (rank - aBatch.length)] ?? 1;
      const db = bBatch[d - (rank - bBatch.length)] ?? 1;
      if (d >= rank - aBatch.length) {
        ai += (da === 1 ? 0 : index) * aStride;
        aStride *= da;
      }
      if (d >= rank - bBatch.length) {
        bi += (db === 1 ? 0 : index) * bStride;
        bStride *= db;
      }
    }
    aMatrix[t] = ai;
    bMatrix[t] = bi;
  }
  const aCount = aBatch.reduce((x, y) => x * y, 1);
  const bCount = bBatch.reduce((x, y) => x * y, 1);
  return { m, k, n, shape, batch, aMatrix, bMatrix, aCount, bCount };
}

/**
 * A zero point (or scale) per row of `a` (`side` "a": length aCount · m) or per column of `b`
 * (`side` "b": length bCount · n), from a number, a vector of m (n) values, or a tensor shaped like
 * the operand with the reduced dimension 1.
 */
export function perRowOrColumn(
  fn: string,
  arg: string,
  value: unknown,
  operand: Int8Operand,
  plan: MatmulPlan,
  side: "a" | "b",
): Float64Array {
  const count = side === "a" ? plan.aCount : plan.bCount;
  const width = side === "a" ? plan.m : plan.n;
  const out = new Float64Array(count * width);
  if (typeof value === "number") return out.fill(value);
  const tensor = toFloat64(fn, arg, value);
  const rank = operand.shape.length;
  const full = operand.shape.map((d, i) =>
    i === rank - (side === "a" ? 1 : 2) && rank >= 2 ? 1 : d,
  );
  const flat = tensor.shape.length <= 1 && tensor.data.length === width;
  const sameShape =
    rank >= 2 && tensor.shape.length === full.length && tensor.shape.every((d, i) => d === full[i]);
  if (flat) {
    for (let t = 0; t < count; t++) out.set(tensor.data, t * width);
    return out;
  }
  if (sameShape) {
    out.set(tensor.data);
    return out;
  }
  const values = (count: number) => `${count} value${count === 1 ? "" : "s"}`;
  const which =
    side === "a" ? `${values(plan.m)} (one per row)` : `${values(plan.n)} (one per column)`;
  const shaped = rank >= 2 ? ` or shape ${formatShape(full)}` : "";
  const received =
    tensor.shape.length <= 1
      ? `${tensor.data.length} values`
      : `shape ${formatShape(tensor.shape)}`;
  throw rangeError(fn, arg, `a number, ${which}${shaped}`, value, received);
}

/** Checks zero points read by {@link perRowOrColumn}: integers in `dtype`'s range. */
export function checkZeroPoints(
  fn: string,
  arg: string,
  value: unknown,
  zeroPoints: Float64Array,
  dtype: Int8DType,
): void {
  const { min, max } = INTEGER_FORMATS[dtype];
  for (let i = 0; i < zeroPoints.length; i++) {
    const v = zeroPoints[i] as number;
    if (!Number.isInteger(v) || v < min || v > max) {
      const where = typeof value === "number" ? arg : `${arg}[${i}]`;
      throw rangeError(fn, where, `an integer in [${min}, ${max}] (${dtype})`, v);
    }
  }
}

/**
 * The int32 accumulators of the planned product: `(a - aZero) @ (b - bZero)` for every matrix
 * pair, zero points per row of a and per column of b.
 * @throws {RangeError} for a sum that leaves int32 (ONNX would wrap it).
 */
export function accumulate(
  fn: string,
  plan: MatmulPlan,
  a: Int8Operand,
  b: Int8Operand,
  aZero: Float64Array,
  bZero: Float64Array,
): Int32Array {
  const { m, k, n } = plan;
  const out = new Int32Array(plan.aMatrix.length * m * n);
  const row = new Float64Array(n);
  for (let t = 0; t < plan.aMatrix.length; t++) {
    const ai = plan.aMatrix[t] as number;
    const bi = plan.bMatrix[t] as number;
    const bad = kernel.matmulInteger(
      m,
      k,
      n,
      a.data.subarray(ai * m * k, (ai + 1) * m * k),
      aZero.subarray(ai * m, (ai + 1) * m),
      b.data.subarray(bi * k * n, (bi + 1) * k * n),
      bZero.subarray(bi * n, (bi + 1) * n),
      row,
      out.subarray(t * m * n, (t + 1) * m * n),
    );
    if (bad >= 0) {
      const i = Math.floor(bad / n);
      const j = bad % n;
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const av = (a.data[ai * m * k + i * k + p] as number) - (aZero[ai * m + i] as number);
        sum += av * ((b.data[bi * k * n + p * n + j] as number) - (bZero[bi * n + j] as number));
      }
      const at = [...batchIndex(plan, t), ...(a.shape.length === 1 ? [] : [i])];
      at.push(...(b.shape.length === 1 ? [] : [j]));
      throw new RangeError(
        `${fn}(): result [${at.join(", ")}] = ${sum} leaves the int32 range [${INT32_MIN}, ${INT32_MAX}]; ` +
          "ONNX MatMulInteger would wrap it, this function does not.",
      );
    }
  }
  return out;
}

/** The batch coordinates of the result's matrix t. */
function batchIndex(plan: MatmulPlan, t: number): number[] {
  const out: number[] = [];
  let rest = t;
  for (let d = plan.batch.length - 1; d >= 0; d--) {
    const size = plan.batch[d] as number;
    out.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return out;
}

/**
 * Multiplies two 8-bit integer tensors into int32, as ONNX MatMulInteger does.
 *
 * `y[..., i, j] = sum_k (a[..., i, k] - aZeroPoint_i) * (b[..., k, j] - bZeroPoint_j)`, exact
 * (integer arithmetic, no rounding), with numpy.matmul's shapes: [M, K] @ [K, N] = [M, N]; a vector
 * `a` [K] is a row and a vector `b` [K] a column, their dimension dropped from the result; the
 * batch dimensions before the last two broadcast ([2, 1, M, K] @ [3, K, N] = [2, 3, M, N]). `a`
 * and `b` may mix int8 and uint8. The zero points are per tensor, per row of `a` and per column
 * of `b` (see {@link MatmulIntegerOptions}). Empty dimensions are allowed: with K = 0 every result
 * is 0.
 *
 * Each sum is exact in float64 (|term| <= 255 * 255 = 65025, so up to 2^53 / 65025 terms), and it
 * is checked against the int32 range once complete: ONNX accumulates in int32 and would wrap a sum
 * that leaves it (which takes k > 33025), where this function throws.
 *
 * @param a - the left tensor, shape [K], [M, K] or [..., M, K]: `{ data, shape, dtype }` with data
 *   an Int8Array, a Uint8Array (dtype then optional, read from the array) or a plain array of
 *   integers (dtype required)
 * @param b - the right tensor, shape [K], [K, N] or [..., K, N], in the same form
 * @param options - `aZeroPoint` and `bZeroPoint` (default 0)
 * @returns `{ dtype: "int32", data: Int32Array, shape }`
 * @throws {TypeError} if a tensor is not an object, its data not an Int8Array, a Uint8Array or an
 *   array of numbers, its typed array disagrees with its dtype, a plain array comes without a
 *   dtype, or a zero point is not a number or a tensor
 * @throws {RangeError} if a shape is not non-negative integers of rank >= 1, a data length does not
 *   match its shape, `b`'s rows differ from `a`'s columns, the batch dimensions do not broadcast,
 *   an array element or a zero point is not an integer in its dtype's range, a zero point tensor
 *   has another shape, or a result leaves the int32 range
 * @example
 * const a = { data: new Uint8Array([1, 2, 3, 4]), shape: [2, 2] };
 * const b = { data: [5, -6, 7, 8], shape: [2, 2], dtype: "int8" };
 * matmulInteger(a, b, { aZeroPoint: 1 });
 * // => { dtype: "int32", data: Int32Array [ 7, 8, 31, 12 ], shape: [ 2, 2 ] }
 * @example
 * // per-row zero points of a: 1 for row 0, 2 for row 1
 * const a = { data: new Uint8Array([1, 2, 3, 4]), shape: [2, 2] };
 * const b = { data: [5, -6, 7, 8], shape: [2, 2], dtype: "int8" };
 * matmulInteger(a, b, { aZeroPoint: [1, 2] }).data
 * // => Int32Array [ 7, 8, 19, 10 ]
 */
export function matmulInteger(
  a: Int8Matrix,
  b: Int8Matrix,
  options?: MatmulIntegerOptions,
): Int32Matrix {
  const fn = "matmulInteger";
  const A = normalizeMatrix(fn, "a", a);
  const B = normalizeMatrix(fn, "b", b);
  const plan = planMatmul(fn, A, B);
  const o = checkOptions(fn, "options", options, ["aZeroPoint", "bZeroPoint"]);
  const aZero = zeroPointsOf(fn, "options.aZeroPoint", o.aZeroPoint, A, plan, "a");
  const bZero = zeroPointsOf(fn, "options.bZeroPoint", o.bZeroPoint, B, plan, "b");
  const data = accumulate(fn, plan, A, B, aZero, bZero);
  return { dtype: "int32", data, shape: plan.shape };
}

function zeroPointsOf(
  fn: string,
  arg: string,
  value: unknown,
  operand: Int8Operand,
  plan: MatmulPlan,
  side: "a" | "b",
): Float64Array {
  if (value === undefined) return perRowOrColumn(fn, arg, 0, operand, plan, side);
  if (typeof value !== "number" && (typeof value !== "object" || value === null)) {
    throw typeError(fn, arg, "a number, or a tensor of zero points per row or column", value);
  }
  const zeroPoints = perRowOrColumn(fn, arg, value, operand, plan, side);
  checkZeroPoints(fn, arg, value, zeroPoints, operand.dtype);
  return zeroPoints;
}
