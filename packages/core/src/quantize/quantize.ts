import type { IntegerArray, IntegerDType, Semantics } from "../dtypes/table.js";
import { kernelsFor } from "../kernels/select.js";
import type { Kernels } from "../kernels/types.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkKeys, checkOptions } from "../validate/options.js";
import { outputArray } from "../validate/output.js";
import {
  type Backend,
  checkBackend,
  checkSemantics,
  type QuantParams,
  type ResolvedParams,
  resolveParams,
} from "../validate/params.js";
import { toFloat32, toIntegers } from "../validate/tensor.js";

/** What every quantize-family function takes: the semantics, a flat input's shape, the backend. */
export interface CodecOptions {
  /** `"onnx"` (QuantizeLinear, the default) or `"pytorch"` (quantize_per_tensor / _per_channel). */
  readonly semantics?: Semantics;
  /** The shape of a flat typed-array input; defaults to 1-D. */
  readonly shape?: readonly number[];
  /** `"auto"` (default): the WebAssembly SIMD kernels where they load; identical bits either way. */
  readonly backend?: Backend;
}

/** Options of {@link quantize}. */
export interface QuantizeOptions extends CodecOptions {
  /**
   * Where to write the codes: the dtype's typed array with one element per input value. Reusing
   * one output across calls spares the allocation (and its page faults) on large tensors.
   */
  readonly out?: IntegerArray;
}

/** Options of {@link dequantize}. */
export interface DequantizeOptions extends CodecOptions {
  /** Where to write the values: a Float32Array with one element per code. */
  readonly out?: Float32Array;
}

/** Integer codes with everything needed to read them back. */
export interface QuantizedTensor extends Tensor<IntegerArray> {
  readonly dtype: IntegerDType;
  /** A number per tensor; a Float32Array per axis or per block (shape `paramShape`). */
  readonly scale: number | Float32Array;
  readonly zeroPoint: number | Int32Array;
  readonly axis?: number;
  readonly blockSize?: number;
  readonly semantics: Semantics;
}

export function paramsOf(
  resolved: ResolvedParams,
): Pick<QuantizedTensor, "scale" | "zeroPoint" | "axis" | "blockSize"> {
  if (resolved.layout === undefined) {
    return { scale: resolved.scales[0] as number, zeroPoint: resolved.zeroPoints[0] as number };
  }
  const out = { scale: resolved.scales, zeroPoint: resolved.zeroPoints, axis: resolved.axis };
  return resolved.blockSize === undefined ? out : { ...out, blockSize: resolved.blockSize };
}

/**
 * Quantizes a float tensor to integer codes.
 *
 * - `"onnx"` (default, QuantizeLinear): `q = saturate(rint(x / s) + zp)`, the quotient in float32.
 * - `"pytorch"` (ATen quantize_val): `q = saturate(zp + nearbyint(x * fround(1 / s)))`, in float32.
 *
 * Rounding is to nearest, ties to even. Inputs are read as float32 (float64 values are rounded to
 * float32 first). ±Infinity saturates to the dtype's bounds; an empty tensor gives an empty result.
 *
 * @throws {TypeError} for a value that is not a tensor, an unknown dtype or semantics.
 * @throws {RangeError} for NaN in `x`, a scale that is not a finite float32 > 0, a zero point outside
 *   the dtype, an axis outside the input's rank, or parameters that do not match the input's shape.
 * @example
 * quantize([-10, -5, 0, 5, 10], { dtype: "int8", scale: 20 / 255 }).data
 * // => Int8Array [ -127, -64, 0, 64, 127 ]
 */
export function quantize(
  x: TensorLike,
  params: QuantParams,
  options?: QuantizeOptions,
): QuantizedTensor {
  const fn = "quantize";
  const o = checkOptions(fn, "options", options, QUANTIZE_OPTIONS);
  const semantics = checkSemantics(fn, o.semantics);
  const kernels = kernelsFor(fn, checkBackend(fn, o.backend));
  const input = toFloat32(fn, "x", x, o.shape);
  const resolved = resolveParams(fn, params, input.shape, semantics);
  const storage = resolved.format.storage as new (n: number) => IntegerArray;
  const out = outputArray(fn, o.out, storage, input.data.length);
  quantizeResolved(fn, kernels, semantics, input.data, resolved, out);
  const dtype = resolved.format.name;
  return { dtype, data: out, shape: input.shape, ...paramsOf(resolved), semantics };
}

/** The keys of {@link QuantizeOptions} (and of DequantizeOptions). */
export const QUANTIZE_OPTIONS = ["semantics", "shape", "backend", "out"] as const;

/**
 * quantize's kernel call on checked values, for the functions built on it (their errors name
 * them, not quantize): the codes into `out`.
 * @throws {RangeError} for NaN in `x`, naming its index.
 */
export function quantizeResolved(
  fn: string,
  kernels: Kernels,
  semantics: Semantics,
  x: Float32Array,
  { format, scales, zeroPoints, layout }: ResolvedParams,
  out: IntegerArray,
): void {
  const nan =
    layout === undefined
      ? kernels.quantizeTensor(
          semantics,
          x,
          scales[0] as number,
          zeroPoints[0] as number,
          format.min,
          format.max,
          out,
        )
      : kernels.quantizeLayout(
          semantics,
          x,
          scales,
          zeroPoints,
          layout,
          format.min,
          format.max,
          out,
        );
  if (nan >= 0) {
    throw rangeError(fn, `x[${nan}]`, "a number, not NaN (NaN has no integer code)", Number.NaN);
  }
}

/** dequantize's kernel call on checked codes and parameters: the values into `out`. */
export function dequantizeResolved(
  kernels: Kernels,
  semantics: Semantics,
  q: IntegerArray,
  { scales, zeroPoints, layout }: ResolvedParams,
  out: Float32Array,
): void {
  if (layout === undefined) {
    kernels.dequantizeTensor(semantics, q, scales[0] as number, zeroPoints[0] as number, out);
  } else {
    kernels.dequantizeLayout(semantics, q, scales, zeroPoints, layout, out);
  }
}

/**
 * Maps integer codes back to float32.
 *
 * - `"onnx"` (DequantizeLinear): `x = fround(q - zp) * s`, the product rounded to float32.
 * - `"pytorch"`: `x = (fround(q) - fround(zp)) * s`, each step in float32 (not fused).
 *
 * Pass a {@link QuantizedTensor} alone, or codes with their `params`.
 *
 * @throws {TypeError} for a value that is not a tensor, an unknown dtype or semantics.
 * @throws {RangeError} for a code that is not an integer of the dtype, or bad parameters (as
 *   {@link quantize}).
 * @example
 * dequantize([-127, -64, 0, 64, 127], { dtype: "int8", scale: 20 / 255 }).data
 * // => Float32Array [ -9.960784912109375, -5.019608020782471, 0, 5.019608020782471, 9.960784912109375 ]
 */
export function dequantize(
  q: QuantizedTensor | TensorLike,
  params?: QuantParams,
  options?: DequantizeOptions,
): Tensor<Float32Array> {
  const fn = "dequantize";
  const o = checkOptions(fn, "options", options, QUANTIZE_OPTIONS);
  let p: QuantParams;
  let stored: unknown;
  if (params === undefined) {
    if (typeof q !== "object" || q === null || !("dtype" in q) || !("scale" in q)) {
      throw typeError(
        fn,
        "params",
        "given unless 'q' is a quantized tensor from quantize()",
        params,
      );
    }
    const t = q as QuantizedTensor;
    checkKeys(fn, "q", t, QUANTIZED_TENSOR_KEYS);
    p = {
      dtype: t.dtype,
      scale: t.scale,
      zeroPoint: t.zeroPoint,
      axis: t.axis,
      blockSize: t.blockSize,
    };
    stored = t.semantics;
  } else {
    if (typeof params !== "object" || params === null || Array.isArray(params)) {
      throw typeError(
        fn,
        "params",
        "an object { dtype, scale, zeroPoint?, axis?, blockSize? }",
        params,
      );
    }
    p = params;
  }
  // The semantics given win over the ones the quantized tensor recorded.
  const semantics = checkSemantics(fn, o.semantics ?? stored);
  const format = checkDType(fn, "params.dtype", p.dtype);
  const codes = toIntegers(fn, "q", q, format, o.shape);
  const resolved = resolveParams(fn, p, codes.shape);
  const kernels = kernelsFor(fn, checkBackend(fn, o.backend));
  const out = outputArray(fn, o.out, Float32Array, codes.data.length);
  dequantizeResolved(kernels, semantics, codes.data, resolved, out);
  return { data: out, shape: codes.shape };
}

/** The keys a {@link QuantizedTensor} may carry when it is passed alone to {@link dequantize}. */
const QUANTIZED_TENSOR_KEYS = [
  "dtype",
  "data",
  "shape",
  "scale",
  "zeroPoint",
  "axis",
  "blockSize",
  "semantics",
] as const;
