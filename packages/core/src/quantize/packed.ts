import { INT4_DTYPES, type Int4DType } from "../dtypes/table.js";
import * as integer from "../kernels/integer.js";
import { kernelsFor } from "../kernels/select.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { checkDType } from "../validate/dtype.js";
import { rangeError, typeError } from "../validate/errors.js";
import { outputArray } from "../validate/output.js";
import {
  checkBackend,
  checkSemantics,
  type QuantParams,
  resolveParams,
} from "../validate/params.js";
import { toFloat32 } from "../validate/tensor.js";
import { type CodecOptions, dequantize, type QuantizedTensor, quantize } from "./quantize.js";

/** Options of {@link quantizePacked}. */
export interface QuantizePackedOptions extends CodecOptions {
  /** Where to write the bytes: a Uint8Array of `ceil(n / 2)` elements, reused across calls. */
  readonly out?: Uint8Array;
}

/** int4 or uint4 codes packed two per byte (ONNX order: the first in the low nibble). */
export interface PackedTensor extends Omit<QuantizedTensor, "data" | "dtype"> {
  readonly dtype: Int4DType;
  /** `ceil(n / 2)` bytes; an odd count leaves the last high nibble 0. */
  readonly data: Uint8Array;
}

/**
 * Quantizes to int4 or uint4 and packs the codes two per byte, as ONNX stores them: the codes of
 * {@link quantize} (same semantics and parameters), then `byte = (q[2i] & 15) | (q[2i+1] & 15) << 4`.
 * Per tensor, the fast path does both in one pass.
 *
 * @throws {TypeError} for a dtype other than int4 and uint4, and as {@link quantize}.
 * @throws {RangeError} as {@link quantize}.
 * @example
 * quantizePacked([1, -1, 7], { dtype: "int4", scale: 1 }).data
 * // => Uint8Array [ 241, 7 ]
 */
export function quantizePacked(
  x: TensorLike,
  params: QuantParams,
  options: QuantizePackedOptions = {},
): PackedTensor {
  const fn = "quantizePacked";
  const dtype = checkDType(fn, "params.dtype", params?.dtype, INT4_DTYPES).name;
  const semantics = checkSemantics(fn, options.semantics);
  const kernels = kernelsFor(fn, checkBackend(fn, options.backend));
  const input = toFloat32(fn, "x", x, options.shape);
  const resolved = resolveParams(fn, params, input.shape, semantics);
  const n = input.data.length;
  const out = outputArray(fn, options.out, Uint8Array, Math.ceil(n / 2));
  if (resolved.layout === undefined) {
    const { format, scales, zeroPoints } = resolved;
    const scale = scales[0] as number;
    const zeroPoint = zeroPoints[0] as number;
    const nan = kernels.quantizeInt4Packed(
      semantics,
      input.data,
      scale,
      zeroPoint,
      format.min,
      format.max,
      out,
    );
    if (nan >= 0) {
      throw rangeError(fn, `x[${nan}]`, "a number, not NaN (NaN has no integer code)", Number.NaN);
    }
    return { dtype, data: out, shape: input.shape, scale, zeroPoint, semantics };
  }
  const q = quantize(input, params, { semantics, backend: options.backend });
  integer.packInt4(q.data, n, out);
  return { ...q, dtype, data: out };
}

/**
 * Unpacks int4 or uint4 codes from {@link quantizePacked} and dequantizes them, as
 * {@link dequantize}.
 *
 * @throws {TypeError} when `packed` is not a packed tensor.
 * @throws {RangeError} when its byte count does not match its shape.
 * @example
 * dequantizePacked(quantizePacked([1, -1, 7], { dtype: "int4", scale: 0.5 })).data
 * // => Float32Array [ 1, -1, 3.5 ]
 */
export function dequantizePacked(
  packed: PackedTensor,
  options: CodecOptions = {},
): Tensor<Float32Array> {
  const fn = "dequantizePacked";
  if (typeof packed !== "object" || packed === null || !(packed.data instanceof Uint8Array)) {
    throw typeError(fn, "packed", "a packed tensor from quantizePacked()", packed);
  }
  const dtype = checkDType(fn, "packed.dtype", packed.dtype, INT4_DTYPES).name;
  const n = packed.shape.reduce((a, b) => a * b, 1);
  if (packed.data.length !== Math.ceil(n / 2)) {
    throw rangeError(
      fn,
      "packed.data",
      `${Math.ceil(n / 2)} bytes for shape [${packed.shape.join(", ")}]`,
      packed.data,
    );
  }
  const codes = dtype === "int4" ? new Int8Array(n) : new Uint8Array(n);
  integer.unpackInt4(packed.data, n, dtype === "int4", codes);
  return dequantize({ ...packed, dtype, data: codes }, undefined, {
    semantics: options.semantics ?? packed.semantics,
    backend: options.backend,
  });
}
