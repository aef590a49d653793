/**
 * The reference kernels: plain loops over typed arrays, one formula each, every float32 step
 * rounded with Math.fround. They neither allocate nor validate; the public functions do that.
 * One check is fused in, to spare a second pass over the input: every quantize kernel returns the
 * index of the first NaN in `x` (NaN has no integer code), or -1; after a NaN, `out` is unspecified.
 */
import type { IntegerArray } from "../dtypes/table.js";
import { roundHalfEven } from "./rounding.js";

const fround = Math.fround;

/**
 * Where an element's scale and zero point sit: element (o, c, i) of an input seen as
 * [outer, dim, inner] uses parameter `o * outerStride + floor(c / blockSize) * axisStride + i * innerStride`.
 * Per-tensor: dim 1, all strides 0. Per-axis: axisStride 1, blockSize 1. Blocked: the parameter
 * tensor has the input's shape with `dim` replaced by `ceil(dim / blockSize)`.
 */
export interface ParamLayout {
  readonly outer: number;
  readonly dim: number;
  readonly inner: number;
  readonly blockSize: number;
  readonly outerStride: number;
  readonly axisStride: number;
  readonly innerStride: number;
}

/** ONNX QuantizeLinear: q = saturate(rint(x / s) + zp), the quotient in float32. */
export function quantizeOnnxTensor(
  x: Float32Array,
  scale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: IntegerArray,
): number {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) return i;
    const q = roundHalfEven(fround(v / scale)) + zeroPoint;
    out[i] = q < qmin ? qmin : q > qmax ? qmax : q;
  }
  return -1;
}

/** PyTorch quantize_val: q = saturate(zp + nearbyint(x * inv)), inv = fround(1 / s), float32 throughout. */
export function quantizePytorchTensor(
  x: Float32Array,
  scale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: IntegerArray,
): number {
  const inv = fround(1 / scale);
  const zp = fround(zeroPoint);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) return i;
    const q = fround(zp + roundHalfEven(fround(v * inv)));
    out[i] = q < qmin ? qmin : q > qmax ? qmax : q;
  }
  return -1;
}

/** ONNX DequantizeLinear: x = (q - zp) * s, with q - zp rounded to float32 first.
 * The product of two float32 values is exact in float64, so storing it rounds once. */
export function dequantizeOnnxTensor(
  q: ArrayLike<number>,
  scale: number,
  zeroPoint: number,
  out: Float32Array,
): void {
  for (let i = 0; i < q.length; i++) out[i] = fround(q[i] - zeroPoint) * scale;
}

/** PyTorch dequantize: x = (float(q) - float(zp)) * s, each step in float32. */
export function dequantizePytorchTensor(
  q: ArrayLike<number>,
  scale: number,
  zeroPoint: number,
  out: Float32Array,
): void {
  const zp = fround(zeroPoint);
  for (let i = 0; i < q.length; i++) out[i] = fround(fround(q[i]) - zp) * scale;
}

/**
 * ONNX QuantizeLinear to int4/uint4, packed two per byte in the same pass: the first code in the
 * low nibble, an odd tail's high nibble 0 (`out` holds `ceil(n / 2)` bytes).
 */
export function quantizeInt4PackedOnnx(
  x: Float32Array,
  scale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: Uint8Array,
): number {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) return i;
    const q = roundHalfEven(fround(v / scale)) + zeroPoint;
    const nibble = (q < qmin ? qmin : q > qmax ? qmax : q) & 0xf;
    out[i >> 1] = i & 1 ? (out[i >> 1] as number) | (nibble << 4) : nibble;
  }
  return -1;
}

/** PyTorch quantize_val to int4/uint4, packed as {@link quantizeInt4PackedOnnx}. */
export function quantizeInt4PackedPytorch(
  x: Float32Array,
  scale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: Uint8Array,
): number {
  const inv = fround(1 / scale);
  const zp = fround(zeroPoint);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) return i;
    const q = fround(zp + roundHalfEven(fround(v * inv)));
    const nibble = (q < qmin ? qmin : q > qmax ? qmax : q) & 0xf;
    out[i >> 1] = i & 1 ? (out[i >> 1] as number) | (nibble << 4) : nibble;
  }
  return -1;
}

/** Per-axis and blocked quantization: the per-tensor formulas with the parameters of each element. */
export function quantizeLayout(
  pytorch: boolean,
  x: Float32Array,
  scales: Float32Array,
  zeroPoints: Int32Array,
  layout: ParamLayout,
  qmin: number,
  qmax: number,
  out: IntegerArray,
): number {
  const { outer, dim, inner, blockSize, outerStride, axisStride, innerStride } = layout;
  let e = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < dim; c++) {
      const base = o * outerStride + Math.floor(c / blockSize) * axisStride;
      for (let i = 0; i < inner; i++, e++) {
        if (Number.isNaN(x[e])) return e;
        const p = base + i * innerStride;
        const zp = zeroPoints[p];
        const q = pytorch
          ? fround(fround(zp) + roundHalfEven(fround(x[e] * fround(1 / scales[p]))))
          : roundHalfEven(fround(x[e] / scales[p])) + zp;
        out[e] = q < qmin ? qmin : q > qmax ? qmax : q;
      }
    }
  }
  return -1;
}

/** Per-axis and blocked dequantization. */
export function dequantizeLayout(
  pytorch: boolean,
  q: ArrayLike<number>,
  scales: Float32Array,
  zeroPoints: Int32Array,
  layout: ParamLayout,
  out: Float32Array,
): void {
  const { outer, dim, inner, blockSize, outerStride, axisStride, innerStride } = layout;
  let e = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < dim; c++) {
      const base = o * outerStride + Math.floor(c / blockSize) * axisStride;
      for (let i = 0; i < inner; i++, e++) {
        const p = base + i * innerStride;
        const zp = zeroPoints[p];
        const centred = pytorch ? fround(q[e]) - fround(zp) : q[e] - zp;
        out[e] = fround(centred) * scales[p];
      }
    }
  }
}

/** Fake quantization in one pass: the ONNX quantize then dequantize, without storing the code. */
export function fakeQuantizeOnnxTensor(
  x: Float32Array,
  scale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: Float32Array,
): number {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) return i;
    const q = roundHalfEven(fround(v / scale)) + zeroPoint;
    out[i] = fround((q < qmin ? qmin : q > qmax ? qmax : q) - zeroPoint) * scale;
  }
  return -1;
}

/** Fake quantization in one pass, PyTorch's arithmetic (fake_quantize_per_tensor_affine). */
export function fakeQuantizePytorchTensor(
  x: Float32Array,
  scale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: Float32Array,
): number {
  const inv = fround(1 / scale);
  const zp = fround(zeroPoint);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (Number.isNaN(v)) return i;
    const q = fround(zp + roundHalfEven(fround(v * inv)));
    out[i] = fround(fround(q < qmin ? qmin : q > qmax ? qmax : q) - zp) * scale;
  }
  return -1;
}

/**
 * TensorFlow's fake_quant_with_min_max_args on a nudged range, float32 throughout:
 * `floor((clamp(x, lo, hi) - lo) * inv - zero + 0.5) * scale`.
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
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    const clamped = v < lo ? lo : v > hi ? hi : v;
    const steps = fround(fround(fround(fround(clamped - lo) * inverseScale) - quantZero) + 0.5);
    out[i] = Math.floor(steps) * scale;
  }
}
