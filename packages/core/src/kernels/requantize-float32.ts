/**
 * Requantization in float32, as onnxruntime's CPU kernels do it (MLAS's `MlasRequantizeOutput`,
 * behind QLinearMatMul and QLinearConv). No validation, no allocation.
 */
import { roundHalfEven } from "./rounding.js";

const fround = Math.fround;

/**
 * `out[i] = clamp(rint(fround(fround(acc[i]) * m[i mod m.length])), qmin - z, qmax - z) + z`.
 *
 * Exactness in doubles: `fround(acc[i])` is the int32 → float32 conversion (`cvtdq2ps`, ties to
 * even past 2^24); the product of two float32 values has at most 48 significant bits, so the
 * double product is exact and `fround` rounds it once, as a float32 multiply does. The bounds are
 * integers, so clamping before or after `rint` gives the same code.
 */
export function requantizeFloat32(
  acc: Int32Array,
  multipliers: Float32Array,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: Int8Array | Uint8Array,
): void {
  const columns = multipliers.length;
  const lo = qmin - zeroPoint;
  const hi = qmax - zeroPoint;
  for (let i = 0; i < acc.length; i++) {
    const x = fround(fround(acc[i] as number) * (multipliers[i % columns] as number));
    out[i] = Math.min(Math.max(roundHalfEven(x), lo), hi) + zeroPoint;
  }
}
