import { kernelsForOptions } from "../backend.js";
import { INT4_DTYPES, INTEGER_FORMATS, type Int4DType } from "../dtypes/table.js";
import * as integer from "../kernels/integer.js";
import type { Tensor, TensorLike } from "../tensor.js";
import { checkDType } from "../validate/dtype.js";
import { checkNoNaN, rangeError, typeError } from "../validate/errors.js";
import { checkKeys, checkOptions } from "../validate/options.js";
import { outputArray } from "../validate/output.js";
import {
  checkSemantics,
  QUANTIZED_TENSOR_KEYS,
  type QuantParams,
  resolveParams,
} from "../validate/params.js";
import { checkShape, toFloat32 } from "../validate/tensor.js";
import {
  type CodecOptions,
  dequantizeResolved,
  paramsOf,
  QUANTIZE_OPTIONS,
  type QuantizedTensor,
  quantizeResolved,
} from "./quantize.js";

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
  options?: QuantizePackedOptions,
): PackedTensor {
  const fn = "quantizePacked";
  const o = checkOptions(fn, "options", options, QUANTIZE_OPTIONS);
  const semantics = checkSemantics(fn, o.semantics);
  const kernels = kernelsForOptions(fn, o);
  const input = toFloat32(fn, "x", x, o.shape);
  const dtype = checkDType(fn, "params.dtype", params?.dtype, INT4_DTYPES).name;
  const resolved = resolveParams(fn, params, input.shape, semantics);
  const n = input.data.length;
  const out = outputArray(fn, o.out, Uint8Array, Math.ceil(n / 2));
  const { format, scales, zeroPoints } = resolved;
  if (resolved.layout === undefined) {
    const nan = kernels.quantizeInt4Packed(
      semantics,
      input.data,
      scales[0] as number,
      zeroPoints[0] as number,
      format.min,
      format.max,
      out,
    );
    checkNoNaN(fn, nan);
  } else {
    const codes = new format.storage(n);
    quantizeResolved(fn, kernels, semantics, input.data, resolved, codes);
    integer.packBits(codes, n, 4, out);
  }
  return { dtype, data: out, shape: input.shape, ...paramsOf(resolved), semantics };
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
  options?: Omit<CodecOptions, "shape">,
): Tensor<Float32Array> {
  const fn = "dequantizePacked";
  const o = checkOptions(fn, "options", options, ["semantics", "backend", "threads"]);
  if (typeof packed !== "object" || packed === null || !(packed.data instanceof Uint8Array)) {
    throw typeError(fn, "packed", "a packed tensor from quantizePacked()", packed);
  }
  checkKeys(fn, "packed", packed, QUANTIZED_TENSOR_KEYS);
  const dtype = checkDType(fn, "packed.dtype", packed.dtype, INT4_DTYPES).name;
  const shape = checkShape(fn, "packed.shape", packed.shape);
  const n = shape.reduce((a, b) => a * b, 1);
  if (packed.data.length !== Math.ceil(n / 2)) {
    throw rangeError(
      fn,
      "packed.data",
      `${Math.ceil(n / 2)} bytes for shape [${shape.join(", ")}]`,
      packed.data,
    );
  }
  // The semantics given win over the ones the packed tensor recorded.
  const semantics = checkSemantics(fn, o.semantics ?? packed.semantics);
  const kernels = kernelsForOptions(fn, o);
  const resolved = resolveParams(
    fn,
    {
      dtype,
      scale: packed.scale,
      zeroPoint: packed.zeroPoint,
      axis: packed.axis,
      blockSize: packed.blockSize,
    },
    shape,
  );
  const codes = new INTEGER_FORMATS[dtype].storage(n) as Int8Array | Uint8Array;
  integer.unpackBits(packed.data, n, 4, dtype === "int4", codes);
  const out = new Float32Array(n);
  dequantizeResolved(kernels, semantics, codes, resolved, out);
  return { data: out, shape };
}
