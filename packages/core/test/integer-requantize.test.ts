import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  multiplyByQuantizedMultiplier,
  type QuantizedMultiplier,
  quantizeMultiplier,
  requantize,
  requantizeFloat,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from "../src/integer/index.js";
import { rne } from "./rounding.js";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

// ---------------------------------------------------------------------------------------------
// The oracle: gemmlowp's fixedpoint.h and TFLite's quantization_util.cc / common.h transcribed
// into BigInt, line for line. BigInt `/` truncates toward zero and `>>` floors, like C++'s int64
// `/` and arithmetic `>>`.

/** gemmlowp SaturatingRoundingDoublingHighMul(int32 a, int32 b). */
function srdhmRef(a: number, b: number): number {
  const overflow = a === b && a === INT32_MIN;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  const high = (ab + nudge) / (1n << 31n);
  return overflow ? INT32_MAX : Number(BigInt.asIntN(32, high));
}

/** gemmlowp RoundingDivideByPOT(int32 x, int exponent), exponent in [0, 31]. */
function rdbpotRef(x: number, exponent: number): number {
  const X = BigInt(x);
  const mask = (1n << BigInt(exponent)) - 1n;
  const remainder = X & mask;
  const threshold = (mask >> 1n) + (X < 0n ? 1n : 0n);
  return Number((X >> BigInt(exponent)) + (remainder > threshold ? 1n : 0n));
}

/** TFLite MultiplyByQuantizedMultiplier (double rounding); null where x * (1 << left_shift) overflows int32. */
function mbqmRef(x: number, multiplier: number, shift: number): number | null {
  // biome-ignore lint/complexity/useMathMinMax: transcribed line for line from TFLite's C++
  const leftShift = shift > 0 ? shift : 0;
  const rightShift = shift > 0 ? 0 : -shift;
  const shifted = BigInt(x) * (1n << BigInt(leftShift));
  if (shifted !== BigInt.asIntN(32, shifted)) return null;
  return rdbpotRef(srdhmRef(Number(shifted), multiplier), rightShift);
}

/**
 * TFLite QuantizeMultiplier for a normal double > 0, frexp done on the bits: m = sig * 2^(e - 1075)
 * with sig = 2^52 | fraction, so frexp's q = sig / 2^53, its exponent e - 1022, and
 * q * 2^31 = sig / 2^22, rounded half away from zero as (sig + 2^21) >> 22.
 */
function quantizeMultiplierRef(m: number): QuantizedMultiplier {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, m);
  const bits = view.getBigUint64(0);
  const exponentField = Number((bits >> 52n) & 0x7ffn);
  if (exponentField === 0 || exponentField === 0x7ff || bits >> 63n)
    throw new Error("oracle: normal m > 0 only");
  const sig = (1n << 52n) | (bits & ((1n << 52n) - 1n));
  let shift = exponentField - 1022;
  let fixed = (sig + (1n << 21n)) >> 22n;
  if (fixed === 1n << 31n) {
    fixed /= 2n;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier: Number(fixed), shift };
}

const int32 = fc.integer({ min: INT32_MIN, max: INT32_MAX });
/** int32 values biased to the edges, powers of two and their neighbours. */
const int32Edgy = fc.oneof(
  int32,
  fc.constantFrom(INT32_MIN, INT32_MIN + 1, -1, 0, 1, INT32_MAX - 1, INT32_MAX),
  fc
    .tuple(fc.integer({ min: 0, max: 31 }), fc.integer({ min: -1, max: 1 }), fc.boolean())
    .map(([k, d, neg]) => Math.max(INT32_MIN, Math.min(INT32_MAX, (neg ? -1 : 1) * 2 ** k + d))),
);
/** b = odd * 2^k: a * b / 2^31 is then often an exact tie (odd a, k = 30) or near one. */
const tieMaker = fc
  .tuple(fc.integer({ min: -(2 ** 15), max: 2 ** 15 }), fc.integer({ min: 0, max: 30 }))
  .map(([odd, k]) => Math.max(INT32_MIN, Math.min(INT32_MAX, (2 * odd + 1) * 2 ** k)));

// ---------------------------------------------------------------------------------------------

describe("saturatingRoundingDoublingHighMul", () => {
  test("known values (a * b / 2^31, ties up)", () => {
    // 2^30 * 2^30 / 2^31 = 2^29 exactly.
    expect(saturatingRoundingDoublingHighMul(2 ** 30, 2 ** 30)).toBe(2 ** 29);
    // 5 * 2^30 / 2^31 = 2.5 -> 3; -2.5 -> -2 (nudge 1 - 2^30, then truncation: -3 + 2^-31 -> -2).
    expect(saturatingRoundingDoublingHighMul(5, 2 ** 30)).toBe(3);
    expect(saturatingRoundingDoublingHighMul(-5, 2 ** 30)).toBe(-2);
    // 3 * 2^30 / 2^31 = 1.5 -> 2; -1.5 -> -1.
    expect(saturatingRoundingDoublingHighMul(3, 2 ** 30)).toBe(2);
    expect(saturatingRoundingDoublingHighMul(-3, 2 ** 30)).toBe(-1);
    // -1 * 1 / 2^31 rounds to 0, and to +0, not -0.
    expect(Object.is(saturatingRoundingDoublingHighMul(-1, 1), 0)).toBe(true);
    // (2^31 - 1)^2 / 2^31 = 2^31 - 2 + 2^-31 -> 2147483646.
    expect(saturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX)).toBe(2147483646);
    // -2^31 * (2^31 - 1) / 2^31 = -(2^31 - 1) exactly.
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX)).toBe(-2147483647);
    // 1610612736 = 0.75 * 2^31: 1000 * 0.75 = 750 exactly.
    expect(saturatingRoundingDoublingHighMul(1000, 1610612736)).toBe(750);
  });

  test("the one overflow: INT32_MIN * INT32_MIN saturates to INT32_MAX", () => {
    // In Q0.31, INT32_MIN is -1.0; (-1.0) * (-1.0) = +1.0 = 2^31 / 2^31 is not an int32 (2ab = 2^63
    // does not fit int64 either), so gemmlowp returns INT32_MAX.
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    // Its neighbours do not saturate: -2^31 * -(2^31 - 1) / 2^31 = 2^31 - 1.
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN + 1)).toBe(INT32_MAX);
    expect(saturatingRoundingDoublingHighMul(INT32_MIN + 1, INT32_MIN + 1)).toBe(2147483646);
  });

  test("equals the BigInt transcription of gemmlowp on random int32 pairs", () => {
    fc.assert(
      fc.property(int32Edgy, int32Edgy, (a, b) => {
        return Object.is(saturatingRoundingDoublingHighMul(a, b), srdhmRef(a, b));
      }),
      { numRuns: 100_000 },
    );
  }, 60_000);

  test("equals the BigInt transcription on ties and near-ties", () => {
    fc.assert(
      fc.property(int32Edgy, tieMaker, fc.boolean(), (a, b, swap) => {
        const [x, y] = swap ? [b, a] : [a, b];
        return Object.is(saturatingRoundingDoublingHighMul(x, y), srdhmRef(x, y));
      }),
      { numRuns: 100_000 },
    );
  }, 60_000);

  test("errors", () => {
    expect(() => saturatingRoundingDoublingHighMul(2 ** 31, 1)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: saturatingRoundingDoublingHighMul(): argument 'a' must be an integer in [-2147483648, 2147483647] (int32); received 2147483648.]`,
    );
    expect(() => saturatingRoundingDoublingHighMul(1, 0.5)).toThrow(RangeError);
    expect(() => saturatingRoundingDoublingHighMul(1, "1" as unknown as number)).toThrow(TypeError);
  });
});

describe("roundingDivideByPOT", () => {
  test("known values (ties away from zero)", () => {
    // -5 / 2 = -2.5 -> -3 and 5 / 2 = 2.5 -> 3: gemmlowp rounds half away from zero.
    expect(roundingDivideByPOT(-5, 1)).toBe(-3);
    expect(roundingDivideByPOT(5, 1)).toBe(3);
    // -6 / 4 = -1.5 -> -2; 6 / 4 = 1.5 -> 2; -7 / 4 = -1.75 -> -2; -5 / 4 = -1.25 -> -1.
    expect(roundingDivideByPOT(-6, 2)).toBe(-2);
    expect(roundingDivideByPOT(6, 2)).toBe(2);
    expect(roundingDivideByPOT(-7, 2)).toBe(-2);
    expect(roundingDivideByPOT(-5, 2)).toBe(-1);
    // exponent 0 is the identity, even at INT32_MIN.
    expect(roundingDivideByPOT(INT32_MIN, 0)).toBe(INT32_MIN);
    expect(roundingDivideByPOT(-7, 0)).toBe(-7);
    // exponent 31: -2^31 / 2^31 = -1; (2^31 - 1) / 2^31 -> 1; +-2^30 / 2^31 = +-0.5 -> +-1;
    // -1 / 2^31 -> 0.
    expect(roundingDivideByPOT(INT32_MIN, 31)).toBe(-1);
    expect(roundingDivideByPOT(INT32_MAX, 31)).toBe(1);
    expect(roundingDivideByPOT(2 ** 30, 31)).toBe(1);
    expect(roundingDivideByPOT(-(2 ** 30), 31)).toBe(-1);
    expect(roundingDivideByPOT(-(2 ** 30) + 1, 31)).toBe(0);
    expect(roundingDivideByPOT(-1, 31)).toBe(0);
  });

  test("equals the BigInt transcription of gemmlowp", () => {
    const x = fc.oneof(
      int32Edgy,
      // exact ties: (2m + 1) * 2^(e - 1) / 2^e = m + 1/2
      fc
        .tuple(fc.integer({ min: -(2 ** 19), max: 2 ** 19 }), fc.integer({ min: 1, max: 11 }))
        .map(([m, e]) => (2 * m + 1) * 2 ** (e - 1)),
    );
    fc.assert(
      fc.property(x, fc.integer({ min: 0, max: 31 }), (v, e) => {
        return Object.is(roundingDivideByPOT(v, e), rdbpotRef(v, e));
      }),
      { numRuns: 100_000 },
    );
  }, 60_000);

  test("errors", () => {
    expect(() => roundingDivideByPOT(1, 32)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: roundingDivideByPOT(): argument 'exponent' must be an integer in [0, 31]; received 32.]`,
    );
    expect(() => roundingDivideByPOT(1, -1)).toThrow(RangeError);
    expect(() => roundingDivideByPOT(INT32_MIN - 1, 1)).toThrow(RangeError);
  });
});

describe("quantizeMultiplier", () => {
  test("known values: M = multiplier * 2^(shift - 31)", () => {
    // 0.5 = 0.5 * 2^0: round(0.5 * 2^31) = 2^30, shift 0.
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    // 0.75 = 0.75 * 2^0: 0.75 * 2^31 = 1610612736.
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 1610612736, shift: 0 });
    // 1 = 0.5 * 2^1: a left shift of 1.
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    // 3 = 0.75 * 2^2.
    expect(quantizeMultiplier(3)).toEqual({ multiplier: 1610612736, shift: 2 });
    // 0.1 = 0.8 * 2^-3: 0.8 * 2^31 = 1717986918.4 -> 1717986918.
    expect(quantizeMultiplier(0.1)).toEqual({ multiplier: 1717986918, shift: -3 });
    // 0.0375 = 0.6 * 2^-4: 0.6 * 2^31 = 1288490188.8 -> 1288490189.
    expect(quantizeMultiplier(0.0375)).toEqual({ multiplier: 1288490189, shift: -4 });
    // A typical conv: S_in * S_w / S_out = 0.02 * 0.005 / 0.04 = 0.0025 = 0.64 * 2^-8;
    // 0.64 * 2^31 = 1374389534.72 -> 1374389535 (0.0025 itself is not exact, the rounding is the same).
    expect(quantizeMultiplier((0.02 * 0.005) / 0.04)).toEqual({
      multiplier: 1374389535,
      shift: -8,
    });
  });

  test("rounding up to 2^31 becomes 2^30 and shift + 1", () => {
    // 1 - 2^-33: frexp gives q = 1 - 2^-33, exponent 0; q * 2^31 = 2^31 - 1/4 rounds to 2^31.
    expect(quantizeMultiplier(1 - 2 ** -33)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    // 1 - 2^-32: q * 2^31 = 2^31 - 1/2, a tie, rounds away from zero to 2^31 too.
    expect(quantizeMultiplier(1 - 2 ** -32)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    // 1 - 2^-31: q * 2^31 = 2^31 - 1 exactly.
    expect(quantizeMultiplier(1 - 2 ** -31)).toEqual({ multiplier: INT32_MAX, shift: 0 });
  });

  test("tiny multipliers flush to zero as in TFLite (shift < -31)", () => {
    // 2^-32 = 0.5 * 2^-31: shift -31 is kept.
    expect(quantizeMultiplier(2 ** -32)).toEqual({ multiplier: 2 ** 30, shift: -31 });
    // Just below 2^-32: q * 2^31 = 2^31 - 2^-9 rounds to 2^31, so shift -32 + 1 = -31, kept.
    expect(quantizeMultiplier(2 ** -32 * (1 - 2 ** -41))).toEqual({
      multiplier: 2 ** 30,
      shift: -31,
    });
    // 2^-33 = 0.5 * 2^-32: flushed.
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(Number.MIN_VALUE)).toEqual({ multiplier: 0, shift: 0 });
  });

  test("large multipliers up to shift 30", () => {
    // 2^30 - 1/2 = (1 - 2^-31) * 2^30: multiplier 2^31 - 1, shift 30.
    expect(quantizeMultiplier(2 ** 30 - 0.5)).toEqual({ multiplier: INT32_MAX, shift: 30 });
    // 2^30 - 1/4 would round to 2^31 and shift 31: refused.
    expect(() => quantizeMultiplier(2 ** 30 - 0.25)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeMultiplier(): argument 'realMultiplier' must be a finite number > 0 and < 1073741823.75 (2^30 - 1/4, so that shift <= 30); received 1073741823.75.]`,
    );
    expect(() => quantizeMultiplier(2 ** 40)).toThrow(RangeError);
  });

  test("equals the BigInt/bit-level transcription of TFLite, and the invariants hold", () => {
    const m = fc.oneof(
      fc.double({ min: 2 ** -40, max: 2 ** 30 - 0.5, noNaN: true }),
      // just below a power of two, where rounding reaches 2^31
      fc
        .tuple(fc.integer({ min: 25, max: 53 }), fc.integer({ min: -34, max: 29 }))
        .map(([k, e]) => (1 - 2 ** -k) * 2 ** e),
    );
    fc.assert(
      fc.property(m, (real) => {
        const q = quantizeMultiplier(real);
        const ref = quantizeMultiplierRef(real);
        if (q.multiplier !== ref.multiplier || q.shift !== ref.shift) return false;
        if (q.multiplier === 0) return real < 2 ** -32;
        // multiplier in [2^30, 2^31), shift in [-31, 30], and |multiplier - real * 2^(31 - shift)|
        // <= 1/2 (the power-of-two scaling is exact): a relative error at most 2^-31.
        const ideal = real * 2 ** (31 - q.shift);
        return (
          q.multiplier >= 2 ** 30 &&
          q.multiplier < 2 ** 31 &&
          q.shift >= -31 &&
          q.shift <= 30 &&
          Math.abs(q.multiplier - ideal) <= 0.5
        );
      }),
      { numRuns: 100_000 },
    );
  }, 60_000);

  test("errors", () => {
    expect(() => quantizeMultiplier(0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeMultiplier(): argument 'realMultiplier' must be a finite number > 0 and < 1073741823.75 (2^30 - 1/4, so that shift <= 30); received 0.]`,
    );
    expect(() => quantizeMultiplier(-0.5)).toThrow(RangeError);
    expect(() => quantizeMultiplier(Number.NaN)).toThrow(RangeError);
    expect(() => quantizeMultiplier(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => quantizeMultiplier("0.5" as unknown as number)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: quantizeMultiplier(): argument 'realMultiplier' must be a number; received "0.5".]`,
    );
  });
});

describe("multiplyByQuantizedMultiplier", () => {
  test("known values", () => {
    // 1000 * 0.75 / 8 = 93.75: high multiply 750 exactly, then 750 / 2^3 = 93.75 -> 94.
    expect(multiplyByQuantizedMultiplier(1000, 1610612736, -3)).toBe(94);
    // -1000 * 0.0375 = -37.5: high multiply -1000 * 1288490189 / 2^31 = -600.0000000931 -> -600,
    // then -600 / 2^4 = -37.5 -> -38 (away from zero).
    expect(multiplyByQuantizedMultiplier(-1000, 1288490189, -4)).toBe(-38);
    // -10 * 0.25 = -2.5 with 0.25 = 2^30 * 2^(-1 - 31): high multiply -10 * 2^30 / 2^31 = -5,
    // then -5 / 2 = -2.5 -> -3.
    expect(multiplyByQuantizedMultiplier(-10, 2 ** 30, -1)).toBe(-3);
    // Left shift: 100 * 0.5 * 2^3 = 400: x = 800, high multiply 800 * 2^30 / 2^31 = 400.
    expect(multiplyByQuantizedMultiplier(100, 2 ** 30, 3)).toBe(400);
    // 2^27 << 3 = 2^30 still fits.
    expect(multiplyByQuantizedMultiplier(2 ** 27, 2 ** 30, 3)).toBe(2 ** 29);
    // shift -31 with the largest multiplier: INT32_MAX * (2^31 - 1) / 2^31 -> 2147483646,
    // then / 2^31 = 0.99999999907 -> 1.
    expect(multiplyByQuantizedMultiplier(INT32_MAX, INT32_MAX, -31)).toBe(1);
  });

  test("INT32_MIN accumulator times the INT32_MIN (= -2^31, i.e. -1.0) multiplier saturates", () => {
    // -2^31 * -2^31 / 2^31 = 2^31 does not fit: the high multiply saturates to INT32_MAX, and the
    // right shift then divides the saturated value (INT32_MAX / 2 = 1073741823.5 -> 1073741824).
    expect(multiplyByQuantizedMultiplier(INT32_MIN, INT32_MIN, 0)).toBe(INT32_MAX);
    expect(multiplyByQuantizedMultiplier(INT32_MIN, INT32_MIN, -1)).toBe(1073741824);
    // The largest positive multiplier, 2^31 - 1 (just under 1.0), does not saturate:
    // -2^31 * (2^31 - 1) / 2^31 = -(2^31 - 1).
    expect(multiplyByQuantizedMultiplier(INT32_MIN, INT32_MAX, 0)).toBe(-INT32_MAX);
  });

  test("equals the BigInt transcription of TFLite (shifts -31..30, in-range accumulators)", () => {
    const scenario = fc.integer({ min: -31, max: 30 }).chain((shift) => {
      const left = Math.max(shift, 0);
      const lo = Math.ceil(INT32_MIN / 2 ** left);
      const hi = Math.floor(INT32_MAX / 2 ** left);
      return fc.tuple(
        fc.oneof(fc.integer({ min: lo, max: hi }), fc.constantFrom(lo, hi, 0, -1, 1)),
        fc.oneof(int32Edgy, fc.integer({ min: 2 ** 30, max: INT32_MAX }), tieMaker),
        fc.constant(shift),
      );
    });
    fc.assert(
      fc.property(scenario, ([acc, multiplier, shift]) => {
        return Object.is(
          multiplyByQuantizedMultiplier(acc, multiplier, shift),
          mbqmRef(acc, multiplier, shift),
        );
      }),
      { numRuns: 100_000 },
    );
  }, 60_000);

  test("throws exactly where TFLite's int32 left shift would overflow", () => {
    fc.assert(
      fc.property(int32Edgy, fc.integer({ min: 1, max: 30 }), (acc, shift) => {
        const ref = mbqmRef(acc, 2 ** 30, shift);
        if (ref === null)
          expect(() => multiplyByQuantizedMultiplier(acc, 2 ** 30, shift)).toThrow(RangeError);
        else expect(multiplyByQuantizedMultiplier(acc, 2 ** 30, shift)).toBe(ref);
      }),
      { numRuns: 20_000 },
    );
    expect(() =>
      multiplyByQuantizedMultiplier(2 ** 28, 2 ** 30, 3),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: multiplyByQuantizedMultiplier(): accumulator 268435456 shifted left by 3 leaves the int32 range [-2147483648, 2147483647] (TFLite computes x * (1 << shift) in int32, undefined on overflow).]`,
    );
    expect(multiplyByQuantizedMultiplier(-(2 ** 28), 2 ** 30, 3)).toBe(-(2 ** 30)); // -2^31 fits
  }, 60_000);

  test("errors", () => {
    expect(() => multiplyByQuantizedMultiplier(1, 2 ** 30, 31)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: multiplyByQuantizedMultiplier(): argument 'shift' must be an integer in [-31, 30]; received 31.]`,
    );
    expect(() => multiplyByQuantizedMultiplier(1, 2 ** 30, -32)).toThrow(RangeError);
    expect(() => multiplyByQuantizedMultiplier(1, 2 ** 31, 0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: multiplyByQuantizedMultiplier(): argument 'multiplier' must be an integer in [-2147483648, 2147483647] (int32); received 2147483648.]`,
    );
    expect(() => multiplyByQuantizedMultiplier(0.5, 2 ** 30, 0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: multiplyByQuantizedMultiplier(): argument 'acc' must be an integer in [-2147483648, 2147483647] (int32); received 0.5.]`,
    );
    expect(() => multiplyByQuantizedMultiplier(1, 2 ** 30, "0" as unknown as number)).toThrow(
      TypeError,
    );
  });
});

describe("requantize", () => {
  test("doc example and a hand-computed uint8 case", () => {
    // M = 0.0375 -> { 1288490189, -4 }; 1000 -> 600.00000009 -> 600 -> 37.5 -> 38, + zp -3 = 35;
    // -1000 -> -38 - 3 = -41; 100000 * 0.0375 = 3750 saturates to 127.
    expect(
      requantize(new Int32Array([-1000, 0, 1000, 100000]), {
        realMultiplier: 0.0375,
        outputZeroPoint: -3,
      }),
    ).toEqual(new Int8Array([-41, -3, 35, 127]));
    // uint8, zp 128, M = 0.25 = { 2^30, -1 }: -10 -> -5 -> -2.5 -> -3 -> 125; 10 -> 3 -> 131;
    // -1000 -> -250 + 128 = -122 -> 0; 600 -> 150 + 128 = 278 -> 255; 6 -> 1.5 -> 2 -> 130.
    const q = requantize(new Int32Array([-10, 10, -1000, 600, 6]), {
      multiplier: { multiplier: 2 ** 30, shift: -1 },
      outputZeroPoint: 128,
      dtype: "uint8",
    });
    expect(q).toBeInstanceOf(Uint8Array);
    expect(Array.from(q)).toEqual([125, 131, 0, 255, 130]);
  });

  test("min/max clamp (a fused ReLU6-like activation) after the zero point", () => {
    // M = 0.5: [-20, 4, 30, 300] -> [-10, 2, 15, 150], + zp -5 -> [-15, -3, 10, 145], clamp to [-5, 20].
    expect(
      Array.from(
        requantize(new Int32Array([-20, 4, 30, 300]), {
          realMultiplier: 0.5,
          outputZeroPoint: -5,
          min: -5,
          max: 20,
        }),
      ),
    ).toEqual([-5, -3, 10, 20]);
  });

  test("a multiplier >= 1 shifts left; an accumulator that overflows int32 there throws", () => {
    // M = 3 = { 1610612736, 2 }: 10 << 2 = 40, * 0.75 = 30.
    expect(
      Array.from(requantize(new Int32Array([10, -7]), { realMultiplier: 3, outputZeroPoint: 0 })),
    ).toEqual([30, -21]);
    expect(() =>
      requantize(new Int32Array([0, 2 ** 29]), { realMultiplier: 3, outputZeroPoint: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: requantize(): accumulator 536870912 shifted left by 2 leaves the int32 range [-2147483648, 2147483647] (TFLite computes x * (1 << shift) in int32, undefined on overflow).]`,
    );
  });

  test("a flushed tiny multiplier gives the zero point everywhere", () => {
    expect(
      Array.from(
        requantize(new Int32Array([INT32_MIN, INT32_MAX]), {
          realMultiplier: 2 ** -40,
          outputZeroPoint: 7,
        }),
      ),
    ).toEqual([7, 7]);
  });

  test("empty input", () => {
    expect(requantize(new Int32Array(0), { realMultiplier: 0.5, outputZeroPoint: 0 })).toEqual(
      new Int8Array(0),
    );
  });

  test("equals the BigInt transcription of TFLite's requantization loop", () => {
    const scenario = fc.record({
      real: fc.oneof(
        fc.double({ min: 2 ** -34, max: 1, noNaN: true }),
        fc.double({ min: 1, max: 2 ** 12, noNaN: true }),
      ),
      acc: fc.array(fc.oneof(int32Edgy, fc.integer({ min: -(2 ** 20), max: 2 ** 20 })), {
        maxLength: 16,
      }),
      dtype: fc.constantFrom<"int8" | "uint8">("int8", "uint8"),
      zp: fc.integer({ min: 0, max: 255 }),
      clampA: fc.integer({ min: 0, max: 255 }),
      clampB: fc.integer({ min: 0, max: 255 }),
      useClamp: fc.boolean(),
      useReal: fc.boolean(),
    });
    fc.assert(
      fc.property(scenario, (s) => {
        const offset = s.dtype === "int8" ? -128 : 0;
        const zp = s.zp + offset;
        const lo = Math.min(s.clampA, s.clampB) + offset;
        const hi = Math.max(s.clampA, s.clampB) + offset;
        const [qmin, qmax] = s.useClamp ? [lo, hi] : [offset, offset + 255];
        const fixed = quantizeMultiplierRef(s.real);
        const expected = s.acc.map((x) => {
          const y = mbqmRef(x, fixed.multiplier, fixed.shift);
          return y === null ? null : Math.min(Math.max(y + zp, qmin), qmax);
        });
        const options = {
          ...(s.useReal ? { realMultiplier: s.real } : { multiplier: fixed }),
          outputZeroPoint: zp,
          dtype: s.dtype,
          ...(s.useClamp ? { min: lo, max: hi } : {}),
        };
        const run = () =>
          requantize(new Int32Array(s.acc), options as Parameters<typeof requantize>[1]);
        if (expected.includes(null)) {
          expect(run).toThrow(RangeError);
        } else {
          const q = run();
          expect(q).toBeInstanceOf(s.dtype === "int8" ? Int8Array : Uint8Array);
          expect(Array.from(q)).toEqual(expected);
        }
      }),
      { numRuns: 10_000 },
    );
  }, 60_000);

  test("errors", () => {
    const acc = new Int32Array([1, 2]);
    expect(() =>
      requantize([1, 2] as unknown as Int32Array, { realMultiplier: 0.5, outputZeroPoint: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: requantize(): argument 'acc' must be an Int32Array; received an array of length 2.]`,
    );
    expect(() =>
      requantize(acc, {
        realMultiplier: 0.5,
        multiplier: { multiplier: 2 ** 30, shift: 0 },
        outputZeroPoint: 0,
      } as unknown as Parameters<typeof requantize>[1]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: requantize(): argument 'options' must be an object with exactly one of 'multiplier' and 'realMultiplier'; received an object.]`,
    );
    expect(() =>
      requantize(acc, { outputZeroPoint: 0 } as unknown as Parameters<typeof requantize>[1]),
    ).toThrow(TypeError);
    expect(() =>
      requantize(acc, { realMultiplier: 0, outputZeroPoint: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: requantize(): argument 'options.realMultiplier' must be a finite number > 0 and < 1073741823.75 (2^30 - 1/4, so that shift <= 30); received 0.]`,
    );
    expect(() =>
      requantize(acc, { multiplier: { multiplier: 2 ** 30, shift: 31 }, outputZeroPoint: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: requantize(): argument 'options.multiplier.shift' must be an integer in [-31, 30]; received 31.]`,
    );
    expect(() =>
      requantize(acc, { multiplier: 0.5 as unknown as QuantizedMultiplier, outputZeroPoint: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: requantize(): argument 'options.multiplier' must be an object { multiplier, shift }; received 0.5.]`,
    );
    expect(() =>
      requantize(acc, { realMultiplier: 0.5, outputZeroPoint: 128 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: requantize(): argument 'options.outputZeroPoint' must be an integer in [-128, 127] (int8); received 128.]`,
    );
    expect(() =>
      requantize(acc, { realMultiplier: 0.5, outputZeroPoint: -1, dtype: "uint8" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: requantize(): argument 'options.outputZeroPoint' must be an integer in [0, 255] (uint8); received -1.]`,
    );
    expect(() =>
      requantize(acc, { realMultiplier: 0.5 } as unknown as Parameters<typeof requantize>[1]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: requantize(): argument 'options.outputZeroPoint' must be a number; received undefined.]`,
    );
    expect(() =>
      requantize(acc, { realMultiplier: 0.5, outputZeroPoint: 0, dtype: "int16" as "int8" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: requantize(): argument 'options.dtype' must be one of "int8", "uint8"; received "int16".]`,
    );
    expect(() =>
      requantize(acc, { realMultiplier: 0.5, outputZeroPoint: 0, min: 10, max: 5 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: requantize(): argument 'options.max' must be an integer in [10, 127] (int8, >= min); received 5.]`,
    );
    expect(() =>
      requantize(acc, { realMultiplier: 0.5, outputZeroPoint: 0, min: -129 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: requantize(): argument 'options.min' must be an integer in [-128, 127] (int8); received -129.]`,
    );
  });
});

describe("requantizeFloat (float64 reference, ties to even) and where it differs", () => {
  test("doc example: ties to even", () => {
    // 5 * 0.5 = 2.5 -> 2, -3 * 0.5 = -1.5 -> -2, -10 * 0.5 = -5.
    expect(requantizeFloat(new Int32Array([5, -3, -10]), 0.5, 0)).toEqual(
      new Int8Array([2, -2, -5]),
    );
    // uint8 with zp and saturation: [-1000, 3, 1000] * 0.25 = [-250, 0.75, 250] -> [-250, 1, 250],
    // + 10 -> [-240, 11, 260] -> [0, 11, 255].
    expect(
      Array.from(requantizeFloat(new Int32Array([-1000, 3, 1000]), 0.25, 10, "uint8")),
    ).toEqual([0, 11, 255]);
  });

  test("where the fixed point differs: ties and double rounding", () => {
    const fixed = (acc: number[], m: number) =>
      Array.from(requantize(new Int32Array(acc), { realMultiplier: m, outputZeroPoint: 0 }));
    const float = (acc: number[], m: number) =>
      Array.from(requantizeFloat(new Int32Array(acc), m, 0));
    // Ties in the high multiply round up: 5 * 0.5 = 2.5 -> 3 (float: 2), -3 * 0.5 = -1.5 -> -1 (float: -2).
    expect(fixed([5, -3], 0.5)).toEqual([3, -1]);
    expect(float([5, -3], 0.5)).toEqual([2, -2]);
    // Ties in the shift round away from zero: -10 * 0.25 = -2.5 -> -3 (float: -2).
    expect(fixed([-10], 0.25)).toEqual([-3]);
    expect(float([-10], 0.25)).toEqual([-2]);
    // Double rounding: 1 * 0.375 = 0.375; high multiply 1 * 0.75 -> 1, then 1 / 2 = 0.5 -> 1 (float: 0).
    expect(fixed([1], 0.375)).toEqual([1]);
    expect(float([1], 0.375)).toEqual([0]);
    // Where neither ties nor double rounding bite they agree: 1000 * 0.0375 = 37.5 -> 38 both ways.
    expect(fixed([1000, -1000], 0.0375)).toEqual(float([1000, -1000], 0.0375));
  });

  test("property: |fixed - float| <= 1 whenever |acc * M| < 2^30 (before and after clamping)", () => {
    // Each result is within 1 of the exact acc * M: the float one within 1/2; the fixed one within
    // 1/2 (last rounding) + 1/4 (high multiply, scaled by the shift; 1/2 when shift >= 0) +
    // |acc * M| * 2^-31 (the multiplier's rounding). Two integers less than 2 apart differ by <= 1.
    const scenario = fc.double({ min: 2 ** -31, max: 2 ** 10, noNaN: true }).chain((m) => {
      const { shift } = quantizeMultiplier(m);
      const bound = Math.min(
        Math.ceil(2 ** 30 / m) - 1,
        Math.floor(INT32_MAX / 2 ** Math.max(shift, 0)),
      );
      return fc.tuple(
        fc.constant(m),
        fc.oneof(fc.integer({ min: -bound, max: bound }), fc.constantFrom(-bound, bound, 0)),
        fc.integer({ min: -128, max: 127 }),
      );
    });
    fc.assert(
      fc.property(scenario, ([m, acc, zp]) => {
        const { multiplier, shift } = quantizeMultiplier(m);
        const fx = multiplyByQuantizedMultiplier(acc, multiplier, shift);
        const a = new Int32Array([acc]);
        const q1 = requantize(a, { realMultiplier: m, outputZeroPoint: zp })[0];
        const q2 = requantizeFloat(a, m, zp)[0];
        return Math.abs(fx - rne(acc * m)) <= 1 && Math.abs(q1 - q2) <= 1;
      }),
      { numRuns: 50_000 },
    );
  }, 60_000);

  test("property: requantizeFloat = clamp(rint(acc * M) + zp)", () => {
    fc.assert(
      fc.property(
        fc.array(int32Edgy, { maxLength: 8 }),
        fc.double({ min: 2 ** -40, max: 2 ** 20, noNaN: true }),
        fc.integer({ min: 0, max: 255 }),
        (acc, m, zp) => {
          const q = requantizeFloat(new Int32Array(acc), m, zp, "uint8");
          expect(Array.from(q)).toEqual(
            acc.map((x) => Math.min(Math.max(rne(x * m) + zp, 0), 255)),
          );
        },
      ),
      { numRuns: 10_000 },
    );
  }, 60_000);

  test("errors", () => {
    expect(() => requantizeFloat(new Int32Array(1), 0, 0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: requantizeFloat(): argument 'realMultiplier' must be a finite number > 0; received 0.]`,
    );
    expect(() => requantizeFloat(new Int32Array(1), Number.NaN, 0)).toThrow(RangeError);
    expect(() =>
      requantizeFloat(new Int32Array(1), 0.5, 300, "uint8"),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: requantizeFloat(): argument 'outputZeroPoint' must be an integer in [0, 255] (uint8); received 300.]`,
    );
    expect(() => requantizeFloat(new Float32Array(1) as unknown as Int32Array, 0.5, 0)).toThrow(
      TypeError,
    );
    expect(() => requantizeFloat(new Int32Array(1), 0.5, 0, "int4" as "int8")).toThrow(RangeError);
  });
});
