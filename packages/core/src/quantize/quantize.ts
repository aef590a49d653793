import type { IntegerArray, IntegerDType, Semantics } from "../dtypes/table.js";
import { kernelsFor } from "../kernels/select.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";
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

function paramsOf(
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
  options: QuantizeOptions = {},
): QuantizedTensor {
  const fn = "quantize";
  const semantics = checkSemantics(fn, options.semantics);
  const kernels = kernelsFor(fn, checkBackend(fn, options.backend));
  const input = toFloat32(fn, "x", x, options.shape);
  const resolved = resolveParams(fn, params, input.shape, semantics);
  const { format, scales, zeroPoints, layout } = resolved;
  const out = outputArray(
    fn,
    options.out,
    format.storage as new (
      n: number,
    ) => IntegerArray,
    input.data.length,
  );
  const nan =
    layout === undefined
      ? kernels.quantizeTensor(
          semantics,
          input.data,
          scales[0] as number,
          zeroPoints[0] as number,
          format.min,
          format.max,
          out,
        )
      : kernels.quantizeLayout(
          semantics,
          input.data,
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
  return { dtype: format.name, data: out, shape: input.shape, ...paramsOf(resolved), semantics };
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
  options: DequantizeOptions = {},
): Tensor<Float32Array> {
  const fn = "dequantize";
  let p: QuantParams;
  let semantics: Semantics;
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
    p = t;
    semantics = checkSemantics(fn, options.semantics ?? t.semantics);
  } else {
    p = params;
    semantics = checkSemantics(fn, options.semantics);
  }
  const format = checkDType(fn, "params.dtype", p.dtype);
  const codes = toIntegers(fn, "q", q, format, options.shape);
  const { scales, zeroPoints, layout } = resolveParams(fn, p, codes.shape);
  const kernels = kernelsFor(fn, checkBackend(fn, options.backend));
  const out = outputArray(fn, options.out, Float32Array, codes.data.length);
  if (layout === undefined) {
    kernels.dequantizeTensor(
      semantics,
      codes.data,
      scales[0] as number,
      zeroPoints[0] as number,
      out,
    );
  } else {
    kernels.dequantizeLayout(semantics, codes.data, scales, zeroPoints, layout, out);
  }
  return { data: out, shape: codes.shape };
}
