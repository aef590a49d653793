/**
 * Scales and zero points from data at one of the three granularities: one pair for the tensor,
 * one per channel, or one per block of consecutive values along an axis.
 */
import type { IntegerDType } from "../dtypes/table.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { checkAxis } from "../validate/blocks.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkInteger, checkName, checkOptions } from "../validate/options.js";
import { toFloat32 } from "../validate/tensor.js";
import { checkScheme, codeRange, extent, rangeToParams, type Scheme } from "./range.js";

/** How many values share a scale: all of them, those of one channel, or a block along an axis. */
export type Granularity = "tensor" | "channel" | "block";

export const GRANULARITIES: readonly Granularity[] = ["tensor", "channel", "block"];

/** Options of {@link granularParams}. */
export interface GranularOptions {
  readonly granularity: Granularity;
  /** Default `"int8"`. */
  readonly dtype?: IntegerDType;
  /** Default `"symmetric"` (zero point 0 for a signed dtype), the usual scheme for weights. */
  readonly scheme?: Scheme;
  /** Symmetric signed only: drop the most negative code (int8 [-127, 127], int4 [-7, 7]). */
  readonly restricted?: boolean;
  /** `"channel"`: the axis of the channels (default 0); `"block"`: the axis the blocks run along (default -1, the last). */
  readonly axis?: number;
  /** `"block"` only, required: values per block along `axis` (the last block may be shorter). */
  readonly blockSize?: number;
  /** The shape of a flat typed-array input. */
  readonly shape?: readonly number[];
}

/** What {@link granularParams} returns, by granularity: what `quantize` takes as `params`. */
export type GranularParams =
  | { readonly dtype: IntegerDType; readonly scale: number; readonly zeroPoint: number }
  | {
      readonly dtype: IntegerDType;
      readonly scale: Float32Array;
      readonly zeroPoint: Int32Array;
      readonly axis: number;
    }
  | {
      readonly dtype: IntegerDType;
      readonly scale: Tensor<Float32Array>;
      readonly zeroPoint: Tensor<Int32Array>;
      readonly axis: number;
      readonly blockSize: number;
    };

const KEYS = ["granularity", "dtype", "scheme", "restricted", "axis", "blockSize", "shape"];

/**
 * Quantization parameters from the range of each group of values that shares them: the whole
 * tensor, each index along `axis` (a channel: every value with that index), or each block of
 * `blockSize` consecutive values along `axis` (one block row per index of the other axes).
 *
 * Each group's [min, max] gives its scale and zero point by the formulas of `qparamsFromRange`
 * (PyTorch's observers, in float32): per tensor the result equals `symmetricParams` /
 * `affineParams`, per channel `MinMaxObserver` with `axis`. The result is what `quantize` takes:
 * numbers per tensor; arrays with `axis` per channel; tensors shaped like the input with `axis`
 * replaced by `ceil(dim / blockSize)`, with `axis` and `blockSize`, per block.
 *
 * @throws {TypeError} when `x` is not a tensor, `options` not an object or an option of the wrong kind.
 * @throws {RangeError} for an empty tensor, NaN or ±Infinity in `x`, an unknown granularity, dtype or
 *   scheme, an axis outside the input's rank, `blockSize` missing for blocks (or given otherwise) or
 *   not an integer ≥ 1, `restricted` with an unsigned dtype.
 * @example
 * granularParams([[1, -2], [0.5, 0.25]], { granularity: "channel", restricted: true }).scale
 * // => Float32Array [ 0.015748031437397003, 0.003937007859349251 ]
 * @example
 * granularParams([1, -2, 0.5, 0.25, 4], { granularity: "block", blockSize: 2, dtype: "int4", restricted: true }).scale
 * // => { data: Float32Array [ 0.2857142984867096, 0.0714285746216774, 0.5714285969734192 ], shape: [ 3 ] }
 */
export function granularParams(x: TensorLike, options: GranularOptions): GranularParams {
  const fn = "granularParams";
  if (options === undefined) {
    throw typeError(fn, "options", "an object with a granularity", options);
  }
  const o = checkOptions(fn, "options", options, KEYS);
  const granularity = checkName(fn, "options.granularity", o.granularity, GRANULARITIES);
  const format = checkDType(fn, "options.dtype", o.dtype ?? "int8");
  const scheme = checkScheme(fn, o.scheme ?? "symmetric");
  if (o.restricted !== undefined && scheme !== "symmetric") {
    throw rangeError(fn, "options.restricted", 'undefined with scheme "affine"', o.restricted);
  }
  const [qmin, qmax] = codeRange(fn, format, { restricted: o.restricted });
  const { data, shape } = toFloat32(fn, "x", x, o.shape);
  if (data.length === 0) throw rangeError(fn, "x", "a non-empty tensor", data, "an empty tensor");
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i] as number)) {
      throw rangeError(fn, `x[${i}]`, "a finite number", data[i]);
    }
  }
  if (granularity === "tensor" && o.axis !== undefined) {
    throw typeError(fn, "options.axis", 'undefined with granularity "tensor"', o.axis);
  }
  if (granularity !== "block" && o.blockSize !== undefined) {
    throw typeError(
      fn,
      "options.blockSize",
      'undefined unless granularity is "block"',
      o.blockSize,
    );
  }
  const params = (min: number, max: number) =>
    rangeToParams(format, scheme, qmin, qmax, Math.fround(min), Math.fround(max));

  if (granularity === "tensor") {
    const p = params(...extent(data));
    return { dtype: format.name, scale: p.scale, zeroPoint: p.zeroPoint };
  }
  if (shape.length === 0) {
    throw rangeError(
      fn,
      "x",
      `a tensor of at least one dimension for granularity "${granularity}"`,
      x,
      "a scalar (shape [])",
    );
  }
  const axis = checkAxis(
    fn,
    "options.axis",
    o.axis,
    shape.length,
    granularity === "channel" ? 0 : -1,
  );
  const dim = shape[axis] as number;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = data.length / (dim * inner);
  if (granularity === "channel") {
    const min = new Float64Array(dim).fill(Number.POSITIVE_INFINITY);
    const max = new Float64Array(dim).fill(Number.NEGATIVE_INFINITY);
    for (let e = 0; e < data.length; e++) {
      const v = data[e] as number;
      const c = Math.floor(e / inner) % dim;
      if (v < (min[c] as number)) min[c] = v;
      if (v > (max[c] as number)) max[c] = v;
    }
    const scale = new Float32Array(dim);
    const zeroPoint = new Int32Array(dim);
    for (let c = 0; c < dim; c++) {
      const p = params(min[c] as number, max[c] as number);
      scale[c] = p.scale;
      zeroPoint[c] = p.zeroPoint;
    }
    return { dtype: format.name, scale, zeroPoint, axis };
  }
  if (o.blockSize === undefined) {
    throw rangeError(
      fn,
      "options.blockSize",
      'an integer ≥ 1 for granularity "block"',
      o.blockSize,
    );
  }
  const blockSize = checkInteger(
    fn,
    "options.blockSize",
    o.blockSize,
    1,
    1,
    Number.MAX_SAFE_INTEGER,
  );
  const blocks = Math.ceil(dim / blockSize);
  const paramShape = shape.map((d, i) => (i === axis ? blocks : d));
  const scale = new Float32Array(outer * blocks * inner);
  const zeroPoint = new Int32Array(scale.length);
  for (let a = 0; a < outer; a++) {
    for (let b = 0; b < blocks; b++) {
      const end = Math.min(dim, (b + 1) * blockSize);
      for (let c = 0; c < inner; c++) {
        let min = Number.POSITIVE_INFINITY;
        let max = Number.NEGATIVE_INFINITY;
        for (let d = b * blockSize; d < end; d++) {
          const v = data[(a * dim + d) * inner + c] as number;
          if (v < min) min = v;
          if (v > max) max = v;
        }
        const p = params(min, max);
        const at = (a * blocks + b) * inner + c;
        scale[at] = p.scale;
        zeroPoint[at] = p.zeroPoint;
      }
    }
  }
  return {
    dtype: format.name,
    scale: { data: scale, shape: paramShape },
    zeroPoint: { data: zeroPoint, shape: paramShape },
    axis,
    blockSize,
  };
}
