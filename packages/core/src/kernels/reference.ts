/**
 * The reference kernels: plain loops over typed arrays, every float32 step rounded with
 * Math.fround, each formula written once (codeOf, dequantizedValue). They neither allocate nor validate;
 * the public functions do that. They define the bits: the fast kernels must give the same.
 */
import type { Semantics } from "../dtypes/table.js";
import type { ParamLayout } from "../tensor.js";
import { referenceBlockKernels } from "./blocks.js";
import { decodeHalf, encodeHalf } from "./floats.js";
import { roundHalfEven } from "./rounding.js";
import type { Kernels } from "./types.js";

const fround = Math.fround;

/**
 * The code of one value, before saturation:
 * - ONNX QuantizeLinear: `rint(fround(x / s)) + zp`, the zero point added after rounding;
 * - PyTorch quantize_val: `fround(zp + rint(fround(x * fround(1 / s))))`, the sum in float32.
 */
export function codeOf(semantics: Semantics, x: number, scale: number, zeroPoint: number): number {
  return semantics === "pytorch"
    ? fround(fround(zeroPoint) + roundHalfEven(fround(x * fround(1 / scale))))
    : roundHalfEven(fround(x / scale)) + zeroPoint;
}

/**
 * The value of one code: ONNX DequantizeLinear `fround(q - zp) * s`, PyTorch
 * `fround(fround(q) - fround(zp)) * s`; the product rounds to float32 where it is stored (the
 * product of two float32 values is exact in float64, so storing it rounds once).
 */
export function dequantizedValue(
  semantics: Semantics,
  q: number,
  scale: number,
  zeroPoint: number,
): number {
  return semantics === "pytorch"
    ? fround(fround(q) - fround(zeroPoint)) * scale
    : fround(q - zeroPoint) * scale;
}

// Stryker disable next-line EqualityOperator: at q = qmin (or qmax) both branches give the same value
const saturate = (q: number, qmin: number, qmax: number) => (q < qmin ? qmin : q > qmax ? qmax : q);

/** The index of element `e`'s scale and zero point in a layout (see ParamLayout). */
export function paramIndex(layout: ParamLayout, e: number): number {
  const { dim, inner, blockSize, outerStride, axisStride, innerStride } = layout;
  const row = Math.floor(e / inner);
  const o = Math.floor(row / dim);
  const c = row - o * dim;
  return o * outerStride + Math.floor(c / blockSize) * axisStride + (e - row * inner) * innerStride;
}

const quantizeTensor: Kernels["quantizeTensor"] = (
  semantics,
  x,
  scale,
  zeroPoint,
  qmin,
  qmax,
  out,
) => {
  // Stryker disable next-line EqualityOperator: a step past the end writes past a typed array's end: a no-op
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) return i;
    out[i] = saturate(codeOf(semantics, v, scale, zeroPoint), qmin, qmax);
  }
  return -1;
};

const dequantizeTensor: Kernels["dequantizeTensor"] = (semantics, q, scale, zeroPoint, out) => {
  // Stryker disable next-line EqualityOperator: a step past the end writes past a typed array's end: a no-op
  for (let i = 0; i < q.length; i++)
    out[i] = dequantizedValue(semantics, q[i] as number, scale, zeroPoint);
};

const quantizeLayout: Kernels["quantizeLayout"] = (
  semantics,
  x,
  scales,
  zeroPoints,
  layout,
  qmin,
  qmax,
  out,
) => {
  // Stryker disable next-line EqualityOperator: a step past the end writes past a typed array's end: a no-op
  for (let e = 0; e < x.length; e++) {
    const v = x[e] as number;
    if (Number.isNaN(v)) return e;
    const p = paramIndex(layout, e);
    out[e] = saturate(
      codeOf(semantics, v, scales[p] as number, zeroPoints[p] as number),
      qmin,
      qmax,
    );
  }
  return -1;
};

const dequantizeLayout: Kernels["dequantizeLayout"] = (
  semantics,
  q,
  scales,
  zeroPoints,
  layout,
  out,
) => {
  // Stryker disable next-line EqualityOperator: a step past the end writes past a typed array's end: a no-op
  for (let e = 0; e < q.length; e++) {
    const p = paramIndex(layout, e);
    out[e] = dequantizedValue(
      semantics,
      q[e] as number,
      scales[p] as number,
      zeroPoints[p] as number,
    );
  }
};

const fakeQuantizeTensor: Kernels["fakeQuantizeTensor"] = (
  semantics,
  x,
  scale,
  zeroPoint,
  qmin,
  qmax,
  out,
) => {
  // Stryker disable next-line EqualityOperator: a step past the end writes past a typed array's end: a no-op
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) return i;
    const q = saturate(codeOf(semantics, v, scale, zeroPoint), qmin, qmax);
    out[i] = dequantizedValue(semantics, q, scale, zeroPoint);
  }
  return -1;
};

const quantizeInt4Packed: Kernels["quantizeInt4Packed"] = (
  semantics,
  x,
  scale,
  zeroPoint,
  qmin,
  qmax,
  out,
) => {
  // Stryker disable next-line EqualityOperator: a step past the end writes past a typed array's end: a no-op
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) return i;
    const nibble = saturate(codeOf(semantics, v, scale, zeroPoint), qmin, qmax) & 0xf;
    out[i >> 1] = i & 1 ? (out[i >> 1] as number) | (nibble << 4) : nibble;
  }
  return -1;
};

/** The reference backend: every member of {@link Kernels}. */
export const referenceKernels = {
  name: "reference",
  quantizeTensor,
  dequantizeTensor,
  quantizeLayout,
  dequantizeLayout,
  fakeQuantizeTensor,
  quantizeInt4Packed,
  encodeHalf,
  decodeHalf,
  ...referenceBlockKernels,
} as const satisfies Kernels;

/**
 * TensorFlow's fake_quant_with_min_max_args on a nudged range, float32 throughout:
 * `floor((clamp(x, lo, hi) - lo) * inv - zero + 0.5) * scale`. (No fast twin: not in Kernels.)
 */
export function fakeQuantizeNudgedTensor(
  x: Float32Array,
  lo: number,
  hi: number,
  scale: number,
  inverseScale: number,
  quantZero: number,
  out: Float32Array,
): void {
  // Stryker disable next-line EqualityOperator: a step past the end writes past a typed array's end: a no-op
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    // Stryker disable next-line EqualityOperator: at v = lo (or hi) both branches give the same value
    const clamped = v < lo ? lo : v > hi ? hi : v;
    const steps = fround(fround(fround(fround(clamped - lo) * inverseScale) - quantZero) + 0.5);
    out[i] = Math.floor(steps) * scale;
  }
}
