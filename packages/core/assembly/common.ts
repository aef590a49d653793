// What the kernels of ./kernels.ts and ./blocks.ts share: the table of vector constants and the
// float32 -> float16 lanes (the fp16 fields of the block formats use them too).

// V8 does not hoist v128 constants out of loops (and Binaryen folds constant locals back into
// their uses), so the loops read their constants from this table into locals before they start.
const K = memory.data<i32>(
  [
    0x4b400000, // 0: MAGIC, 1.5 * 2^23 as float32
    0x77800000, // 1: 2^112
    0x08800000, // 2: 2^-110
    <i32>0xff000000, // 3
    0x71000000, // 4
    0x07800000, // 5
    0x7c00, // 6
    0x0fff, // 7
    0x8000, // 8
    0x7e00, // 9
    <i32>0x80000000, // 10
    0x70000000, // 11: 0xE0 << 23
    0x07800000, // 12: 2^-112
    1 << 27, // 13
    126 << 23, // 14
    0x3f000000, // 15: 0.5
    0x7fff, // 16
    0x7fc00000, // 17
    0x7f800000, // 18
    0x7fc0, // 19
    0x7f80, // 20
    1, // 21
  ],
  16,
);

/** Constant `i` of the table K, in every lane. */
export function k(i: i32): v128 {
  return v128.load32_splat(K + ((<usize>i) << 2));
}

/** The constants of the float16 / bfloat16 conversions: broadcast loads from the table K. */
export const c_scaleToInf = 1;
export const c_scaleToZero = 2;
export const c_expMask = 3;
export const c_minBias = 4;
export const c_biasOffset = 5;
export const c_halfExp = 6;
export const c_halfMantissa = 7;
export const c_halfSign = 8;
export const c_halfNaN = 9;
export const c_sign = 10;
export const c_expOffset = 11;
export const c_expScale = 12;
export const c_cutoff = 13;
export const c_magicMask = 14;
export const c_half = 15;
export const c_magnitude = 16;
export const c_floatNaN = 17;
export const c_bfNaNFrom = 18;
export const c_bfNaN = 19;
export const c_bfInf = 20;
export const c_one = 21;

/** float32 bits (i32x4) to float16 codes in the low 16 bits of each lane. */
export function toHalfLanes(
  w: v128,
  scaleToInf: v128,
  scaleToZero: v128,
  expMask: v128,
  minBias: v128,
  biasOffset: v128,
  halfExp: v128,
  halfMantissa: v128,
  halfSign: v128,
  halfNaN: v128,
): v128 {
  // |x| * 2^112 * 2^-110: |x| >= 2^16 overflows to Infinity; smaller values are scaled by 4, exactly.
  const base = f32x4.mul(f32x4.mul(f32x4.abs(w), scaleToInf), scaleToZero);
  const shl1 = i32x4.shl(w, 1);
  // bias = max(exponent bits of 2|x|, 0x71000000) (unsigned); adding the float it encodes rounds
  // the mantissa to 10 bits (or to the subnormal grid), nearest, ties to even.
  const bias = i32x4.max_u(v128.and(shl1, expMask), minBias);
  const rounded = f32x4.add(i32x4.add(i32x4.shr_u(bias, 1), biasOffset), base);
  const expBits = v128.and(i32x4.shr_u(rounded, 13), halfExp);
  const mantissaBits = v128.and(rounded, halfMantissa);
  const sign = v128.and(i32x4.shr_u(w, 16), halfSign);
  const h = v128.or(sign, i32x4.add(expBits, mantissaBits));
  // NaN (2|x| bits above 0xFF000000): 0x7E00, sign dropped as the reference does.
  return v128.bitselect(halfNaN, h, i32x4.gt_u(shl1, expMask));
}
