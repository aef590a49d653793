/**
 * The integer kernels under their gemmlowp / ONNX names: int4 packing, MatMulInteger, fixed-point
 * requantization. No validation, no allocation: the public wrappers in src/integer/ import this
 * module as `kernel` and check their arguments first.
 *
 * Exactness without BigInt: the 64-bit product acc * multiplier needs up to 62 bits, more than the
 * 53 of a double. `saturatingRoundingDoublingHighMul` never forms it: it splits acc into 16-bit
 * halves (see its comment). The tests check it against a BigInt transcription of gemmlowp's C++.
 */
import { roundHalfEven } from "./rounding.js";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO_31 = 2147483648;

/** A real multiplier in fixed point: real ~ multiplier * 2^(shift - 31). */
export interface QuantizedMultiplier {
  readonly multiplier: number;
  readonly shift: number;
}

/**
 * Packs `n` codes of `bits` bits (2 or 4, already checked to be in range) into `out`
 * (`ceil(n * bits / 8)` bytes, ONNX order): code i goes to bits (i mod k)·bits.. of byte floor(i / k),
 * k = 8 / bits, the first in the lowest bits; the unused bits of a short last byte are 0. Two's
 * complement `& mask` maps negatives to their low bits (-1 -> 0xF, or 0b11 for 2 bits).
 */
export function packBits(
  values: ArrayLike<number>,
  n: number,
  bits: number,
  out: Uint8Array,
): void {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const bytes = Math.ceil(n / perByte);
  for (let b = 0; b < bytes; b++) {
    let byte = 0;
    const first = b * perByte;
    const last = Math.min(n, first + perByte);
    for (let i = first; i < last; i++)
      byte |= ((values[i] as number) & mask) << ((i - first) * bits);
    out[b] = byte;
  }
}

/**
 * Unpacks `n` codes of `bits` bits from `bytes` into `out` (the inverse of packBits). With
 * `signed`, each code is sign-extended from `bits` bits (0b11 -> -1 for 2 bits, 0xF -> -1 for 4).
 */
export function unpackBits(
  bytes: Uint8Array,
  n: number,
  bits: number,
  signed: boolean,
  out: Int8Array | Uint8Array,
): void {
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const shift = signed ? 32 - bits : 0;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(i / perByte);
    const code = ((bytes[b] as number) >> ((i - b * perByte) * bits)) & mask;
    out[i] = (code << shift) >> shift;
  }
}

/**
 * ONNX Cast from float to a `bits`-bit integer (2 or 4), as ONNX's int4 / int2 notes define it:
 * `r = rint(x[i])` (nearest, ties to even), then the low `bits` bits of r in two's complement,
 * sign-extended when `signed` (9 -> -7 for int4, 16 -> 0). Exact for every finite value: r mod 2^bits
 * is computed on the float64 integer r, whose floor(r / 2^bits) · 2^bits is exact.
 *
 * @returns -1, or the index of the first NaN or ±Infinity (no integer; `out` is then only partly
 *   written).
 */
export function castWrapping(
  x: Float32Array,
  bits: number,
  signed: boolean,
  out: Int8Array | Uint8Array,
): number {
  const modulus = 2 ** bits;
  const half = modulus / 2;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] as number;
    if (!Number.isFinite(v)) return i;
    const r = roundHalfEven(v);
    const low = r - Math.floor(r / modulus) * modulus;
    out[i] = signed && low >= half ? low - modulus : low;
  }
  return -1;
}

/**
 * `out = (a - aZeroPoints) @ (b - bZeroPoints)` for row-major `a` (m x k) and `b` (k x n), the
 * zero point of row i of `a` subtracted from that row and the zero point of column j of `b` from
 * that column (ONNX MatMulInteger's per-row / per-column zero points; per tensor: all equal). Loop
 * order i-k-j so the inner loop walks a row of `b` and a row of the result contiguously.
 *
 * Exactness: every term is an integer with |a - aZeroPoint| <= 255 and |b - bZeroPoint| <= 255
 * (the widest case is uint8 0 - 255 or int8 127 - (-128)), so |product| <= 65025 < 2^16 and after
 * k terms |sum| <= k * 65025. Doubles hold every integer up to 2^53 exactly, so the float64 row
 * accumulator `row` is exact for k <= 2^53 / 65025 ~ 1.4e11, beyond any array length. Partial sums
 * may leave the int32 range and come back: only the final sums are checked.
 *
 * @returns -1 when every result fits in int32, else the flat index of the first that does not
 *   (`out` is then only partly written). ONNX MatMulInteger accumulates in int32 and would wrap
 *   (formally undefined behaviour in C++); the public function throws instead.
 */
export function matmulInteger(
  m: number,
  k: number,
  n: number,
  a: ArrayLike<number>,
  aZeroPoints: ArrayLike<number>,
  b: ArrayLike<number>,
  bZeroPoints: ArrayLike<number>,
  row: Float64Array,
  out: Int32Array,
): number {
  for (let i = 0; i < m; i++) {
    row.fill(0, 0, n);
    const aZero = aZeroPoints[i] as number;
    for (let p = 0; p < k; p++) {
      const av = (a[i * k + p] as number) - aZero;
      const bRow = p * n;
      for (let j = 0; j < n; j++) {
        row[j] += av * ((b[bRow + j] as number) - (bZeroPoints[j] as number));
      }
    }
    const outRow = i * n;
    for (let j = 0; j < n; j++) {
      const v = row[j] as number;
      if (v < INT32_MIN || v > INT32_MAX) return outRow + j;
      out[outRow + j] = v;
    }
  }
  return -1;
}

/**
 * gemmlowp's SaturatingRoundingDoublingHighMul for int32 `a` and `b`: the high 32 bits of
 * 2ab, i.e. ab / 2^31, rounded as the C++ does it: `(ab + nudge) / 2^31` with nudge = 2^30 if
 * ab >= 0 else 1 - 2^30, and C++'s division truncating toward zero (a floor for ab >= 0, a ceiling
 * for ab < 0). Ties therefore round up: +2.5 -> 3, -2.5 -> -2. The one overflow, a = b = INT32_MIN
 * (2ab = 2^63), saturates to INT32_MAX.
 *
 * Exact in doubles: with a = aHigh * 2^16 + aLow (aHigh = a >> 16 in [-2^15, 2^15), aLow = a & 0xFFFF),
 * ab = hi * 2^16 + lo where hi = aHigh * b (|hi| <= 2^46) and lo = aLow * b (|lo| < 2^47) are exact.
 * Splitting hi = hi1 * 2^15 + hi0 (0 <= hi0 < 2^15) gives ab + nudge = hi1 * 2^31 + rest with
 * |rest| = |hi0 * 2^16 + lo + nudge| < 2^48, also exact; dividing rest by 2^31 is exact, and so
 * is its floor or ceiling.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const nonNegative = a === 0 || b === 0 || a < 0 === b < 0; // the sign of ab
  const hi = (a >> 16) * b; // |hi| <= 2^46
  const lo = (a & 0xffff) * b; // |lo| < 2^47
  const hi1 = Math.floor(hi / 32768);
  const hi0 = hi - hi1 * 32768; // in [0, 2^15)
  const rest = hi0 * 65536 + lo + (nonNegative ? 0x40000000 : 1 - 0x40000000);
  const quotient = rest / TWO_31; // exact
  const floor = Math.floor(quotient);
  // floor for ab + nudge > 0; for ab + nudge < 0 truncation is the ceiling.
  return hi1 + (nonNegative || floor === quotient ? floor : floor + 1);
}

/**
 * gemmlowp's RoundingDivideByPOT, x / 2^exponent for int32 `x` and exponent in [0, 31],
 * rounded half away from zero (2.5 -> 3, -2.5 -> -3): floor(x / 2^e), plus 1 when the remainder
 * x mod 2^e exceeds (2^e - 1) >> 1, plus one more unit of threshold for negative x.
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = exponent === 31 ? 0x7fffffff : (1 << exponent) - 1; // 2^e - 1, an int32
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** TFLite's QuantizeMultiplier for a checked real multiplier in (0, 2^30 - 1/4). */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  // frexp: real = q * 2^exponent with q in [0.5, 1). Division by a power of two is exact.
  let exponent = Math.floor(Math.log2(real)) + 1;
  let q = real / 2 ** exponent;
  while (q >= 1) q = real / 2 ** ++exponent;
  while (q < 0.5) q = real / 2 ** --exponent;
  // TfLiteRound is std::round (half away from zero); q * 2^31 >= 2^30 > 0, so Math.round
  // (half up) agrees, and q * 2^31 is exact.
  let fixed = Math.round(q * TWO_31);
  let shift = exponent;
  if (fixed === TWO_31) {
    fixed /= 2;
    shift += 1;
  }
  // TFLite flushes multipliers below about 2^-32 to zero: every product would shift out anyway.
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: fixed, shift };
}

/**
 * Requantizes `acc` into `out`:
 * `out[i] = clamp(roundingDivideByPOT(saturatingRoundingDoublingHighMul(acc[i] * 2^left, multiplier), right) + zeroPoint, qmin, qmax)` with
 * left = max(shift, 0), right = max(-shift, 0). The zero point is added in float64 (exact), where
 * TFLite adds it in int32.
 *
 * @returns -1, or the index of the first `acc[i]` whose left shift leaves the int32 range
 *   (`out` is then only partly written).
 */
export function requantize(
  acc: Int32Array,
  multiplier: number,
  shift: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: Int8Array | Uint8Array,
): number {
  const scale = 2 ** Math.max(shift, 0);
  const right = Math.max(-shift, 0);
  for (let i = 0; i < acc.length; i++) {
    const x = acc[i] * scale;
    if (x < INT32_MIN || x > INT32_MAX) return i;
    const q =
      roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), right) + zeroPoint;
    out[i] = Math.min(Math.max(q, qmin), qmax);
  }
  return -1;
}

/** `out[i] = clamp(rint(acc[i] * m) + zeroPoint, qmin, qmax)`, float64, ties to even. */
export function requantizeFloat(
  acc: Int32Array,
  m: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: Int8Array | Uint8Array,
): void {
  for (let i = 0; i < acc.length; i++) {
    const q = roundHalfEven(acc[i] * m) + zeroPoint;
    out[i] = Math.min(Math.max(q, qmin), qmax);
  }
}

/**
 * QLinearMatMul's output from the int32 accumulators of one m x n product, as onnxruntime computes
 * it in float32: `out[i, j] = saturate(rint(fround(fround(acc[i, j]) * r)) + zeroPoint)` with
 * `r = fround(fround(aScales[i] * bScales[j]) / yScale)` (rint: nearest, ties to even).
 */
export function qlinearOutput(
  acc: Int32Array,
  m: number,
  n: number,
  aScales: ArrayLike<number>,
  bScales: ArrayLike<number>,
  yScale: number,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: Int8Array | Uint8Array,
): void {
  const fround = Math.fround;
  for (let i = 0; i < m; i++) {
    const aScale = aScales[i] as number;
    for (let j = 0; j < n; j++) {
      const r = fround(fround(aScale * (bScales[j] as number)) / yScale);
      const q = roundHalfEven(fround(fround(acc[i * n + j] as number) * r)) + zeroPoint;
      out[i * n + j] = q < qmin ? qmin : q > qmax ? qmax : q;
    }
  }
}
