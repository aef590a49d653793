/**
 * Reading quantization parameters: semantics, backend, scale, zero point, axis and block layout,
 * checked against the input's shape and made ready for a kernel.
 */
import {
  FLOAT_PRECISIONS,
  type FloatFormat,
  type FloatPrecision,
  INTEGER_DTYPES,
  type IntegerFormat,
  QUANT_DTYPES,
  type QuantDType,
  SEMANTICS,
  type Semantics,
} from "../dtypes/table.js";
import type { ParamLayout, TensorLike } from "../tensor.js";
import { checkDType } from "./dtype.js";
import { rangeError, typeError } from "./errors.js";
import { checkKeys, checkName } from "./options.js";
import { toFloat32, toFloat64 } from "./tensor.js";

/** `"auto"` (default): fast where WebAssembly SIMD loads, else reference. `"fast"` insists on it. */
export type Backend = "auto" | "fast" | "reference";

export const BACKENDS: readonly Backend[] = ["auto", "fast", "reference"];

/**
 * Scale and zero point of one format: an integer format, or a float format of QUANT_FLOAT_DTYPES
 * (whose zero point is the code of a zero).
 * - per-tensor: `scale` and `zeroPoint` are numbers;
 * - per-axis: they are 1-D with one entry per index along `axis` (negative counts from the end);
 * - blocked: `blockSize` is set, and they are tensors shaped like the input with dimension `axis`
 *   replaced by `ceil(dim / blockSize)`.
 * Scales are rounded to float32; `zeroPoint` defaults to 0.
 */
export interface QuantParams {
  readonly dtype: QuantDType;
  readonly scale: number | TensorLike;
  readonly zeroPoint?: number | TensorLike;
  readonly axis?: number;
  readonly blockSize?: number;
}

/** Parameters of an integer format checked against an input shape, ready for a kernel. */
export interface ResolvedParams {
  readonly format: IntegerFormat;
  readonly scales: Float32Array;
  readonly zeroPoints: Int32Array;
  /** Absent for per-tensor parameters. */
  readonly layout?: ParamLayout;
  readonly axis?: number;
  readonly blockSize?: number;
  readonly paramShape: readonly number[];
}

/** Parameters of a float format checked against an input shape: `zeroPoints` holds codes of ±0. */
export interface ResolvedFloatParams extends Omit<ResolvedParams, "format"> {
  readonly format: FloatFormat;
}

/** `options.semantics`: "onnx" (the default) or "pytorch". */
export function checkSemantics(fn: string, value: unknown): Semantics {
  if (value === undefined) return "onnx";
  return checkName(fn, "options.semantics", value, SEMANTICS);
}

/**
 * `options.precision`: the float format of the arithmetic, "float32" (the default), "float16" or
 * "bfloat16". Anything but float32 needs "onnx" semantics (it is ONNX's `precision` /
 * `output_dtype`; PyTorch has none).
 */
export function checkPrecision(
  fn: string,
  value: unknown,
  semantics: Semantics,
  arg = "options.precision",
): FloatPrecision {
  if (value === undefined) return "float32";
  const precision = checkName(fn, arg, value, FLOAT_PRECISIONS);
  if (precision !== "float32" && semantics !== "onnx") {
    throw rangeError(fn, arg, `"float32" with "${semantics}" semantics (ONNX's only)`, value);
  }
  return precision;
}

/** `options.backend`: "auto" (the default), "fast" or "reference". */
export function checkBackend(fn: string, value: unknown): Backend {
  if (value === undefined) return "auto";
  return checkName(fn, "options.backend", value, BACKENDS);
}

/** A `threads` option: `"auto"` (the default) or a whole number of threads >= 1. */
export type Threads = "auto" | number;

/**
 * Reads `options.threads`: undefined is `"auto"`; else `"auto"` or an integer from 1 to 256.
 * @throws {TypeError} for another kind of value; {RangeError} for a number out of range.
 */
export function checkThreads(fn: string, value: unknown): Threads {
  if (value === undefined || value === "auto") return "auto";
  const expected = '"auto" or an integer from 1 to 256';
  if (typeof value !== "number") throw typeError(fn, "options.threads", expected, value);
  if (!Number.isInteger(value) || value < 1 || value > 256) {
    throw rangeError(fn, "options.threads", expected, value);
  }
  return value;
}

/**
 * A scale must round to a finite, positive float32. To quantize with PyTorch's arithmetic it must
 * also have a finite float32 reciprocal (PyTorch multiplies by fround(1 / s)): above about 2.94e-39.
 * Below that PyTorch itself computes 0 · Infinity = NaN for x = 0; quantlab refuses instead.
 */
export function checkScale(fn: string, arg: string, value: number, quantizing?: Semantics): number {
  const s = Math.fround(value);
  if (!(s > 0) || s === Number.POSITIVE_INFINITY) {
    throw rangeError(fn, arg, "a finite number > 0 (as float32)", value);
  }
  if (quantizing === "pytorch" && Math.fround(1 / s) === Number.POSITIVE_INFINITY) {
    throw rangeError(
      fn,
      arg,
      'a float32 whose reciprocal is finite (above about 2.94e-39) with "pytorch" semantics',
      value,
    );
  }
  return s;
}

export function checkZeroPoint(
  fn: string,
  arg: string,
  value: number,
  format: IntegerFormat,
): number {
  if (!Number.isInteger(value) || value < format.min || value > format.max) {
    throw rangeError(
      fn,
      arg,
      `an integer in [${format.min}, ${format.max}] for ${format.name}`,
      value,
    );
  }
  return value;
}

/**
 * A float format's zero point: the code of a zero, +0 or -0 (ONNX: "usually not used" for float
 * types; its reference refuses any other for float8 and ignores it for float4).
 */
export function checkFloatZeroPoint(
  fn: string,
  arg: string,
  value: number,
  format: FloatFormat,
): number {
  const signBit = format.negativeZero ? 2 ** (format.bits - 1) : undefined;
  if (value === 0 || value === signBit) return value;
  const codes = signBit === undefined ? "0" : `0, or ${signBit} for -0`;
  throw rangeError(fn, arg, `the code of a zero for ${format.name} (${codes})`, value);
}

/** The keys of {@link QuantParams}. */
export const PARAM_KEYS = ["dtype", "scale", "zeroPoint", "axis", "blockSize"] as const;

/** The keys of a quantized tensor (codes, shape, parameters and semantics), packed or not. */
export const QUANTIZED_TENSOR_KEYS = ["data", "shape", ...PARAM_KEYS, "semantics"] as const;

/**
 * A parameter tensor must have `paramShape`, or be flat (1-D, row-major) with as many values: a
 * [6, 2] tensor is never read as [2, 6].
 */
function checkParamShape(
  fn: string,
  arg: string,
  tensor: { readonly data: ArrayLike<number>; readonly shape: readonly number[] },
  paramShape: readonly number[],
  expected: string,
): void {
  const count = paramShape.reduce((a, b) => a * b, 1);
  const flat = tensor.shape.length <= 1 && tensor.data.length === count;
  const same =
    tensor.shape.length === paramShape.length && tensor.shape.every((d, i) => d === paramShape[i]);
  if (flat || same) return;
  const received =
    tensor.shape.length <= 1
      ? `${tensor.data.length} values`
      : `shape [${tensor.shape.join(", ")}]`;
  throw rangeError(fn, arg, expected, tensor, received);
}

function checkAxis(fn: string, arg: string, axis: unknown, rank: number): number {
  if (typeof axis !== "number") throw typeError(fn, `${arg}.axis`, "an integer", axis);
  if (!Number.isInteger(axis) || (axis as number) < -rank || (axis as number) >= rank) {
    const expected =
      rank === 0 ? "absent for a scalar input" : `an integer in [${-rank}, ${rank - 1}]`;
    throw rangeError(fn, `${arg}.axis`, expected, axis);
  }
  return (axis as number) < 0 ? (axis as number) + rank : (axis as number);
}

/**
 * Checks `params` of an integer dtype against an input of `shape`: dtype, scale > 0, zero point in
 * range, axis and block shapes. `quantizing`: the semantics of a quantize (see {@link checkScale});
 * `arg`: how the errors name the parameters (`params.scale`, or `schemes[0].params.scale` for a
 * caller's own).
 */
export function resolveParams(
  fn: string,
  params: QuantParams,
  shape: readonly number[],
  quantizing?: Semantics,
  arg = "params",
): ResolvedParams {
  return resolveWith(fn, params, shape, quantizing, arg, INTEGER_DTYPES) as ResolvedParams;
}

/**
 * {@link resolveParams} for every dtype of QUANT_DTYPES: integer formats, and the float formats
 * whose zero points are codes of ±0 ({@link checkFloatZeroPoint}).
 */
export function resolveQuantParams(
  fn: string,
  params: QuantParams,
  shape: readonly number[],
  quantizing?: Semantics,
  arg = "params",
): ResolvedParams | ResolvedFloatParams {
  return resolveWith(fn, params, shape, quantizing, arg, QUANT_DTYPES);
}

function resolveWith(
  fn: string,
  params: QuantParams,
  shape: readonly number[],
  quantizing: Semantics | undefined,
  arg: string,
  dtypes: readonly QuantDType[],
): ResolvedParams | ResolvedFloatParams {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw typeError(fn, arg, "an object { dtype, scale, zeroPoint?, axis?, blockSize? }", params);
  }
  checkKeys(fn, arg, params, PARAM_KEYS);
  const format = checkDType(fn, `${arg}.dtype`, params.dtype, dtypes);
  const zeroPointOf = (where: string, value: number) =>
    "min" in format
      ? checkZeroPoint(fn, where, value, format)
      : checkFloatZeroPoint(fn, where, value, format);
  const zeroPoint = params.zeroPoint ?? 0;
  if (
    typeof params.scale !== "number" &&
    (typeof params.scale !== "object" || params.scale === null)
  ) {
    throw typeError(
      fn,
      `${arg}.scale`,
      "a number, or a tensor of scales per axis index or per block",
      params.scale,
    );
  }

  if (
    typeof params.scale === "number" &&
    params.axis === undefined &&
    params.blockSize === undefined
  ) {
    if (typeof zeroPoint !== "number") {
      throw typeError(fn, `${arg}.zeroPoint`, "a number when 'scale' is a number", zeroPoint);
    }
    return {
      format,
      scales: Float32Array.of(checkScale(fn, `${arg}.scale`, params.scale, quantizing)),
      zeroPoints: Int32Array.of(zeroPointOf(`${arg}.zeroPoint`, zeroPoint)),
      paramShape: [],
    } as ResolvedParams | ResolvedFloatParams;
  }

  if (params.axis === undefined && params.blockSize === undefined) {
    throw typeError(fn, `${arg}.axis`, "an integer when 'scale' is a tensor", undefined);
  }
  const axis = checkAxis(fn, arg, params.axis ?? 0, shape.length);
  const dim = shape[axis] as number;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);

  let paramShape: number[];
  let layout: ParamLayout;
  const blockSize = params.blockSize;
  if (blockSize !== undefined && typeof blockSize !== "number") {
    throw typeError(fn, `${arg}.blockSize`, "an integer >= 1", blockSize);
  }
  if (blockSize === undefined) {
    paramShape = [dim];
    layout = { outer, dim, inner, blockSize: 1, outerStride: 0, axisStride: 1, innerStride: 0 };
  } else {
    if (!Number.isInteger(blockSize) || blockSize < 1) {
      throw rangeError(fn, `${arg}.blockSize`, "an integer >= 1", blockSize);
    }
    const blocks = Math.ceil(dim / blockSize);
    paramShape = shape.map((d, i) => (i === axis ? blocks : d));
    layout = {
      outer,
      dim,
      inner,
      blockSize,
      outerStride: blocks * inner,
      axisStride: inner,
      innerStride: 1,
    };
  }

  const scaleTensor = toFloat32(fn, `${arg}.scale`, params.scale);
  const count = paramShape.reduce((a, b) => a * b, 1);
  const expected =
    blockSize === undefined
      ? `${dim} values, one per index along axis ${axis}`
      : `shape [${paramShape.join(", ")}] (axis ${axis} in blocks of ${blockSize})`;
  checkParamShape(fn, `${arg}.scale`, scaleTensor, paramShape, expected);
  const scales = new Float32Array(count);
  for (let i = 0; i < count; i++)
    scales[i] = checkScale(fn, `${arg}.scale[${i}]`, scaleTensor.data[i] as number, quantizing);

  const zeroPoints = new Int32Array(count);
  if (typeof zeroPoint === "number") {
    zeroPoints.fill(zeroPointOf(`${arg}.zeroPoint`, zeroPoint));
  } else {
    const zpTensor = toFloat64(fn, `${arg}.zeroPoint`, zeroPoint);
    checkParamShape(fn, `${arg}.zeroPoint`, zpTensor, paramShape, expected);
    const zp = zpTensor.data;
    for (let i = 0; i < count; i++) {
      zeroPoints[i] = zeroPointOf(`${arg}.zeroPoint[${i}]`, zp[i] as number);
    }
  }
  const resolved = { format, scales, zeroPoints, layout, axis, blockSize, paramShape };
  return resolved as ResolvedParams | ResolvedFloatParams;
}
