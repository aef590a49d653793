import type { IntegerArray, IntegerDType, Semantics } from "../dtypes/table.js";
import { roundHalfEven } from "../kernels/rounding.js";
import { kernelsFor } from "../kernels/select.js";
import type { TensorLike } from "../tensor.js";
import { rangeError, typeError } from "../validate/errors.js";
import { checkOptions } from "../validate/options.js";
import { checkSemantics, resolveParams } from "../validate/params.js";
import { indexOfNaN, toFloat32 } from "../validate/tensor.js";
import { quantizeResolved } from "./quantize.js";

/** Every intermediate value of a per-tensor quantization, column by column. */
export interface QuantizeTrace {
  readonly semantics: Semantics;
  readonly scale: number;
  readonly zeroPoint: number;
  readonly qmin: number;
  readonly qmax: number;
  /** PyTorch only: `fround(1 / scale)`, the factor it multiplies by. */
  readonly inverseScale?: number;
  /** The input as float32. */
  readonly x: Float32Array;
  /** `x / s` (ONNX) or `x * fround(1 / s)` (PyTorch), in float32. */
  readonly scaled: Float32Array;
  /** `rint(scaled)`, ties to even. */
  readonly rounded: Float64Array;
  /** `rounded + zp` (in float32 for PyTorch), before saturation. */
  readonly shifted: Float64Array;
  /** The stored code: `shifted` saturated to [qmin, qmax]; equal to `quantize(x, params).data`. */
  readonly code: IntegerArray;
  /** Whether saturation changed the value. */
  readonly clipped: readonly boolean[];
}

/**
 * Quantizes per tensor and returns every step of the arithmetic, for teaching and for checking a
 * calculation by hand. The codes are those of {@link quantize}, computed by it.
 *
 * @throws {RangeError} for per-axis or blocked parameters, and for the inputs {@link quantize} rejects.
 * @example
 * traceQuantize([-10], { dtype: "int8", scale: 20 / 255 }).scaled
 * // => Float32Array [ -127.49999237060547 ]
 */
export function traceQuantize(
  x: TensorLike,
  params: { dtype: IntegerDType; scale: number; zeroPoint?: number },
  options?: { semantics?: Semantics },
): QuantizeTrace {
  const fn = "traceQuantize";
  const o = checkOptions(fn, "options", options, ["semantics"]);
  const semantics = checkSemantics(fn, o.semantics);
  if (typeof params !== "object" || params === null || typeof params.scale !== "number") {
    throw typeError(
      fn,
      "params",
      "per-tensor parameters { dtype, scale: number, zeroPoint? }",
      params,
    );
  }
  const input = toFloat32(fn, "x", x);
  const nan = indexOfNaN(input.data);
  if (nan >= 0) throw rangeError(fn, `x[${nan}]`, "a number, not NaN", Number.NaN);
  const resolved = resolveParams(fn, params, input.shape, semantics);
  const { format, scales, zeroPoints } = resolved;
  const scale = scales[0] as number;
  const zeroPoint = zeroPoints[0] as number;
  const fround = Math.fround;
  const inverseScale = fround(1 / scale);
  const pytorch = semantics === "pytorch";
  const n = input.data.length;
  const scaled = new Float32Array(n);
  const rounded = new Float64Array(n);
  const shifted = new Float64Array(n);
  const clipped: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const v = input.data[i] as number;
    scaled[i] = pytorch ? v * inverseScale : v / scale;
    rounded[i] = roundHalfEven(scaled[i] as number);
    shifted[i] = pytorch
      ? fround(fround(zeroPoint) + (rounded[i] as number))
      : (rounded[i] as number) + zeroPoint;
    clipped.push(shifted[i] < format.min || shifted[i] > format.max);
  }
  const code = new format.storage(n);
  // Stryker disable next-line StringLiteral: any backend name but "reference" picks the "auto" kernels, and both backends give the same codes
  quantizeResolved(fn, kernelsFor(fn, "auto"), semantics, input.data, resolved, code);
  return {
    semantics,
    scale,
    zeroPoint,
    qmin: format.min,
    qmax: format.max,
    ...(pytorch ? { inverseScale } : {}),
    x: input.data,
    scaled,
    rounded,
    shifted,
    code,
    clipped,
  };
}
