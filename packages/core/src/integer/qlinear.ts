/** ONNX QLinearMatMul: the product of two quantized 8-bit tensors, requantized to 8 bits. */
import { INT8_DTYPES, type Int8DType, type QuantDType, type Semantics } from "../dtypes/table.js";
import * as kernel from "../kernels/integer.js";
import type { QuantizedTensor } from "../quantize/quantize.js";
import type { TensorLike } from "../tensor.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkKeys } from "../validate/options.js";
import {
  checkSemantics,
  QUANTIZED_TENSOR_KEYS,
  type ResolvedParams,
  resolveParams,
} from "../validate/params.js";
import {
  accumulate,
  type Int8Operand,
  type MatmulPlan,
  planMatmul,
  readOperand,
} from "./matmul.js";

/**
 * A quantized operand of {@link qlinearMatMul}: int8 or uint8 codes with their scale and zero point
 * (a {@link QuantizedTensor} from `quantize` is one). Per tensor, or per row of `a` / per column
 * of `b`: an `axis` along the rows of `a` (-2) or the columns of `b` (-1), or blocks along the
 * other axis that span it whole (ONNX's [..., M, 1] and [..., 1, N] scales).
 */
export interface QuantizedOperand {
  readonly dtype: QuantDType;
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly scale: number | TensorLike;
  readonly zeroPoint?: number | TensorLike;
  readonly axis?: number;
  readonly blockSize?: number;
  /** `"onnx"` when given: QLinearMatMul is ONNX's. */
  readonly semantics?: Semantics;
}

/** The output's quantization: per tensor. */
export interface QLinearOutput {
  readonly dtype: Int8DType;
  readonly scale: number;
  readonly zeroPoint?: number;
}

interface Operand extends Int8Operand {
  /** Scale and zero point per row of each matrix of `a`, or per column of each matrix of `b`. */
  readonly scales: Float32Array;
  readonly zeroPoints: Float64Array;
}

function operand(fn: string, name: "a" | "b", x: unknown): [Int8Operand, QuantizedOperand] {
  if (typeof x !== "object" || x === null || Array.isArray(x) || ArrayBuffer.isView(x)) {
    throw typeError(fn, name, "a quantized tensor { dtype, data, shape, scale, zeroPoint? }", x);
  }
  checkKeys(fn, name, x, QUANTIZED_TENSOR_KEYS);
  const q = x as QuantizedOperand;
  if (q.semantics !== undefined && checkSemantics(fn, q.semantics) !== "onnx") {
    throw rangeError(fn, `${name}.semantics`, '"onnx" (QLinearMatMul is ONNX\'s)', q.semantics);
  }
  return [readOperand(fn, name, q.data, q.shape, q.dtype), q];
}

/**
 * The parameters of an operand per row (a) or per column (b) of each of its matrices, from per
 * tensor, per axis (rows -2 of a, columns -1 of b) or one block spanning the reduced axis.
 */
function paramsOf(
  fn: string,
  name: "a" | "b",
  codes: Int8Operand,
  q: QuantizedOperand,
  plan: MatmulPlan,
): Operand {
  const { dtype, scale, zeroPoint, axis, blockSize } = q;
  const resolved: ResolvedParams = resolveParams(
    fn,
    { dtype, scale, zeroPoint, axis, blockSize },
    codes.shape,
    undefined,
    name,
  );
  const rank = codes.shape.length;
  const count = name === "a" ? plan.aCount : plan.bCount;
  const width = name === "a" ? plan.m : plan.n;
  const scales = new Float32Array(count * width);
  const zeroPoints = new Float64Array(count * width);
  const kept = name === "a" ? rank - 2 : rank - 1; // the axis of rows (a) or columns (b)
  const reduced = name === "a" ? rank - 1 : rank - 2; // the axis of K
  const { layout } = resolved;
  let index: (t: number, i: number) => number;
  if (layout === undefined) {
    index = () => 0;
  } else if (rank >= 2 && resolved.blockSize === undefined && resolved.axis === kept) {
    index = (_, i) => i;
  } else if (
    rank >= 2 &&
    resolved.blockSize !== undefined &&
    resolved.axis === reduced &&
    layout.dim <= resolved.blockSize
  ) {
    index = (t, i) => t * width + i;
  } else {
    const what =
      name === "a"
        ? "per tensor, per row (axis -2) or in blocks spanning each row (axis -1, blockSize >= K)"
        : "per tensor, per column (axis -1) or in blocks spanning each column (axis -2, blockSize >= K)";
    const given =
      resolved.blockSize === undefined
        ? `axis ${resolved.axis}`
        : `axis ${resolved.axis} in blocks of ${resolved.blockSize}`;
    throw rangeError(
      fn,
      `${name}.axis`,
      `parameters ${what} for shape [${codes.shape.join(", ")}]`,
      q.axis,
      given,
    );
  }
  if (plan.k > 0 || layout === undefined || resolved.blockSize === undefined) {
    // Stryker disable next-line EqualityOperator: at t = count the writes past a typed array's end are ignored
    for (let t = 0; t < count; t++) {
      // Stryker disable next-line EqualityOperator: at i = width the last write is past the end or rewritten by t + 1
      for (let i = 0; i < width; i++) {
        const p = index(t, i);
        scales[t * width + i] = resolved.scales[p] as number;
        zeroPoints[t * width + i] = resolved.zeroPoints[p] as number;
      }
    }
  } else {
    scales.fill(1); // K = 0 and no blocks: every accumulator is 0, the scale multiplies nothing
  }
  return { ...codes, scales, zeroPoints };
}

/**
 * Multiplies two quantized 8-bit tensors into a quantized 8-bit tensor, as ONNX QLinearMatMul
 * does in onnxruntime:
 *
 * `acc = (a - a.zeroPoint) @ (b - b.zeroPoint)` exactly in int32 (numpy.matmul's shapes, as
 * {@link matmulInteger}), then per element, in float32,
 * `y = saturate(rint(fround(fround(acc) * fround(fround(a.scale * b.scale) / y.scale))) + y.zeroPoint)`,
 * rint to nearest, ties to even, with the scale of its row of `a` and its column of `b`. ONNX's
 * reference (onnx.reference) multiplies the accumulator in float64 instead, which can differ in the
 * last bit before rounding.
 *
 * @param a - int8 / uint8 codes with `scale` and `zeroPoint`: per tensor, per row or per row of
 *   each matrix (see {@link QuantizedOperand}); a QuantizedTensor from `quantize` is one
 * @param b - the same, per tensor or per column
 * @param y - the output's `dtype` (int8 or uint8), `scale` and `zeroPoint` (default 0), per tensor
 * @returns a {@link QuantizedTensor} of `y.dtype`, shape numpy.matmul's, with `y`'s parameters
 * @throws {TypeError} for an operand that is not a quantized tensor, data of the wrong kind, or a
 *   `y.scale` that is not a number
 * @throws {RangeError} for a dtype other than int8/uint8, shapes that do not multiply, scales not
 *   finite > 0, zero points outside the dtype, parameters neither per tensor nor per row (a) /
 *   column (b), "pytorch" semantics, or an accumulator that leaves int32
 * @example
 * const a = quantize([[1, 2], [3, 4]], { dtype: "uint8", scale: 0.1, zeroPoint: 128 });
 * const b = quantize([[1, 0], [0, 1]], { dtype: "int8", scale: 0.05 });
 * qlinearMatMul(a, b, { dtype: "uint8", scale: 0.2, zeroPoint: 10 }).data
 * // => Uint8Array [ 15, 20, 25, 30 ]
 */
export function qlinearMatMul(
  a: QuantizedOperand,
  b: QuantizedOperand,
  y: QLinearOutput,
): QuantizedTensor {
  const fn = "qlinearMatMul";
  const [aCodes, aParams] = operand(fn, "a", a);
  const [bCodes, bParams] = operand(fn, "b", b);
  const plan = planMatmul(fn, aCodes, bCodes);
  if (typeof y !== "object" || y === null || Array.isArray(y)) {
    throw typeError(fn, "y", "an object { dtype, scale, zeroPoint? }", y);
  }
  checkKeys(fn, "y", y, ["dtype", "scale", "zeroPoint"]);
  const yFormat = checkDType(fn, "y.dtype", y.dtype, INT8_DTYPES);
  if (typeof y.scale !== "number") {
    throw typeError(fn, "y.scale", "a number (the output is quantized per tensor)", y.scale);
  }
  const out = resolveParams(fn, y, [], undefined, "y");
  const A = paramsOf(fn, "a", aCodes, aParams, plan);
  const B = paramsOf(fn, "b", bCodes, bParams, plan);
  const acc = accumulate(fn, plan, A, B, A.zeroPoints, B.zeroPoints);
  const { m, n } = plan;
  const data = new yFormat.storage(acc.length) as Int8Array | Uint8Array;
  const yScale = out.scales[0] as number;
  const yZero = out.zeroPoints[0] as number;
  for (let t = 0; t < plan.aMatrix.length; t++) {
    const ai = plan.aMatrix[t] as number;
    const bi = plan.bMatrix[t] as number;
    kernel.qlinearOutput(
      acc.subarray(t * m * n, (t + 1) * m * n),
      m,
      n,
      A.scales.subarray(ai * m, (ai + 1) * m),
      B.scales.subarray(bi * n, (bi + 1) * n),
      yScale,
      yZero,
      yFormat.min,
      yFormat.max,
      data.subarray(t * m * n, (t + 1) * m * n),
    );
  }
  return {
    dtype: yFormat.name,
    data,
    shape: plan.shape,
    scale: yScale,
    zeroPoint: yZero,
    semantics: "onnx",
  };
}
