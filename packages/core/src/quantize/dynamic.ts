/** ONNX DynamicQuantizeLinear: uint8 parameters from the data, and the quantization with them. */
import { INTEGER_FORMATS } from "../dtypes/table.js";
import { rangeWithZero } from "../kernels/linear.js";
import { roundHalfEven } from "../kernels/rounding.js";
import { kernelsFor } from "../kernels/select.js";
import type { TensorLike } from "../tensor.js";
import { rangeError } from "../validate/errors.js";
import { checkOptions } from "../validate/options.js";
import { outputArray } from "../validate/output.js";
import { type Backend, checkBackend } from "../validate/params.js";
import { toFloat32 } from "../validate/tensor.js";
import type { QuantizedTensor } from "./quantize.js";

/** Options of {@link dynamicQuantizeLinear}. */
export interface DynamicQuantizeOptions {
  /** The shape of a flat typed-array input; defaults to 1-D. */
  readonly shape?: readonly number[];
  /** `"auto"` (default): the WebAssembly SIMD kernels where they load; identical bits either way. */
  readonly backend?: Backend;
  /** Where to write the codes: a Uint8Array with one element per input value. */
  readonly out?: Uint8Array;
}

/**
 * Quantizes a tensor to uint8 with a scale and zero point computed from its own range, as ONNX
 * DynamicQuantizeLinear (opset 11) specifies and onnxruntime computes, every step in float32:
 *
 * - `lo = min(0, min(x))`, `hi = max(0, max(x))` (the range includes 0);
 * - `scale = hi == lo ? 1 : (hi - lo) / 255` (onnxruntime's rule: an all-zero tensor gets scale 1;
 *   ONNX's Python reference gives it 1/255, and its function body 0 / 0);
 * - `zeroPoint = rint(clamp(0 - lo / scale, 0, 255))`;
 * - `q = saturate(rint(x / scale) + zeroPoint)` (QuantizeLinear), rint to nearest, ties to even.
 *
 *
 * @returns a {@link QuantizedTensor} (uint8, per tensor, "onnx" semantics) that `dequantize` reads
 * @throws {TypeError} for a value that is not a tensor, or bad options.
 * @throws {RangeError} for an empty tensor, NaN or ±Infinity in `x` (no range), or a range so
 *   narrow (below about 255 · 2^-150) or wide (past 3.4e38) that the scale is 0 or Infinity.
 * @example
 * const q = dynamicQuantizeLinear([0, 2, -3, -2.5, 1.34, 0.5]);
 * [q.data, q.scale, q.zeroPoint]
 * // => [ Uint8Array [ 153, 255, 0, 26, 221, 179 ], 0.019607843831181526, 153 ]
 */
export function dynamicQuantizeLinear(
  x: TensorLike,
  options?: DynamicQuantizeOptions,
): QuantizedTensor {
  const fn = "dynamicQuantizeLinear";
  const o = checkOptions(fn, "options", options, ["shape", "backend", "out"]);
  const kernels = kernelsFor(fn, checkBackend(fn, o.backend));
  const input = toFloat32(fn, "x", x, o.shape);
  const n = input.data.length;
  if (n === 0) throw rangeError(fn, "x", "a non-empty tensor", x, "an empty tensor");
  const range = new Float64Array(2);
  const bad = rangeWithZero(input.data, range);
  if (bad >= 0) {
    const expected = "a finite number (DynamicQuantizeLinear needs the range)";
    throw rangeError(fn, `x[${bad}]`, expected, input.data[bad]);
  }
  const fround = Math.fround;
  const [lo, hi] = range as unknown as [number, number];
  const { min: qmin, max: qmax } = INTEGER_FORMATS.uint8;
  // Stryker disable next-line ArithmeticOperator: uint8's qmin is 0, so qmax + qmin = qmax - qmin
  const scale = hi === lo ? 1 : fround(fround(hi - lo) / (qmax - qmin));
  if (!(scale > 0) || scale === Number.POSITIVE_INFINITY) {
    throw rangeError(
      fn,
      "x",
      "values whose range max(x, 0) - min(x, 0) gives a float32 scale (range / 255) > 0 and finite",
      x,
      `values from ${lo} to ${hi}: scale ${scale}`,
    );
  }
  const initial = fround(qmin - fround(lo / scale));
  const zeroPoint = roundHalfEven(Math.max(qmin, Math.min(qmax, initial)));
  const out = outputArray(fn, o.out, Uint8Array, n);
  // Stryker disable next-line StringLiteral: the kernels read every semantics but "pytorch" as ONNX's
  kernels.quantizeTensor("onnx", input.data, scale, zeroPoint, qmin, qmax, out);
  return {
    dtype: "uint8",
    data: out,
    shape: input.shape,
    scale,
    zeroPoint,
    semantics: "onnx",
  };
}
