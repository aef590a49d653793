import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bfloat16BitsToFloat32,
  decodeFloat,
  encodeFloat,
  FLOAT_DTYPES,
  FLOAT_FORMATS,
  type FloatDType,
  float8e4m3fnBitsToFloat32,
  float8e5m2BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat8e4m3fnBits,
  float32ToFloat8e5m2Bits,
  float32ToFloat16Bits,
  isFloatDType,
  roundToFloat,
} from "../src/index.js";

// ---------------------------------------------------------------------------------------------
// Independent bit helpers (a DataView, not the module's shared scratch).

const view = new DataView(new ArrayBuffer(4));
function bitsToF32(bits: number): number {
  view.setUint32(0, bits >>> 0);
  return view.getFloat32(0);
}
function f32ToBits(x: number): number {
  view.setFloat32(0, x);
  return view.getUint32(0);
}
function f32Array(bits: number[]): Float32Array {
  return Float32Array.from(bits, bitsToF32);
}

/** Same float32 bits, except that any NaN equals any NaN. */
function sameFloat32(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return f32ToBits(a) === f32ToBits(b);
}

function expectFloat32ArrayEqual(actual: Float32Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length && bad.length < 5; i++) {
    if (!sameFloat32(actual[i], expected[i])) bad.push(`[${i}] ${actual[i]} !== ${expected[i]}`);
  }
  expect(bad).toEqual([]);
}

function expectCodesEqual(actual: Uint8Array | Uint16Array, expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < expected.length && bad.length < 5; i++) {
    if (actual[i] !== expected[i]) bad.push(`[${i}] ${actual[i]} !== ${expected[i]}`);
  }
  expect(bad).toEqual([]);
}

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Hand-derived edge values (the expected codes are literals, worked out from the format definitions).

const TINY = bitsToF32(1); // 2^-149, the smallest float32 subnormal
const above = (x: number) => bitsToF32(f32ToBits(x) + 1); // next float32 away from zero
const below = (x: number) => bitsToF32(f32ToBits(x) - 1); // next float32 toward zero

type Edge = [label: string, x: number, code: number];

const FLOAT16_EDGES: Edge[] = [
  ["+0", 0, 0x0000],
  ["-0", -0, 0x8000],
  ["NaN", Number.NaN, 0x7e00],
  ["+Inf", Number.POSITIVE_INFINITY, 0x7c00],
  ["-Inf", Number.NEGATIVE_INFINITY, 0xfc00],
  ["1", 1, 0x3c00],
  ["-2", -2, 0xc000],
  ["max finite 65504", 65504, 0x7bff],
  ["just below the overflow tie", below(65520), 0x7bff],
  ["overflow tie 65520 goes to even (Inf)", 65520, 0x7c00],
  ["-65520", -65520, 0xfc00],
  ["float32 max", 3.4028234663852886e38, 0x7c00],
  ["tie 1 + 2^-11 -> even 0x3C00", 1 + 2 ** -11, 0x3c00],
  ["tie 1 + 3*2^-11 -> even 0x3C02", 1 + 3 * 2 ** -11, 0x3c02],
  ["above tie 1 + 2^-11 + 2^-23", 1 + 2 ** -11 + 2 ** -23, 0x3c01],
  ["below tie 1 + 3*2^-11 - 2^-23", 1 + 3 * 2 ** -11 - 2 ** -23, 0x3c01],
  ["smallest subnormal 2^-24", 2 ** -24, 0x0001],
  ["half smallest subnormal 2^-25 ties to 0", 2 ** -25, 0x0000],
  ["-2^-25 ties to -0", -(2 ** -25), 0x8000],
  ["just above 2^-25", above(2 ** -25), 0x0001],
  ["tie 1.5 * 2^-24 -> 2", 1.5 * 2 ** -24, 0x0002],
  ["tie 2.5 * 2^-24 -> 2", 2.5 * 2 ** -24, 0x0002],
  ["largest subnormal 1023 * 2^-24", 1023 * 2 ** -24, 0x03ff],
  ["tie 1023.5 * 2^-24 -> min normal", 1023.5 * 2 ** -24, 0x0400],
  ["min normal 2^-14", 2 ** -14, 0x0400],
  ["float32 min subnormal", TINY, 0x0000],
  ["float32 min normal", 1.1754943508222875e-38, 0x0000],
];

const BFLOAT16_EDGES: Edge[] = [
  ["+0", 0, 0x0000],
  ["-0", -0, 0x8000],
  ["NaN", Number.NaN, 0x7fc0],
  ["+Inf", Number.POSITIVE_INFINITY, 0x7f80],
  ["-Inf", Number.NEGATIVE_INFINITY, 0xff80],
  ["1", 1, 0x3f80],
  ["max finite (2 - 2^-7) * 2^127", (2 - 2 ** -7) * 2 ** 127, 0x7f7f],
  ["overflow tie (2 - 2^-8) * 2^127 goes to even (Inf)", (2 - 2 ** -8) * 2 ** 127, 0x7f80],
  ["just below the overflow tie", below((2 - 2 ** -8) * 2 ** 127), 0x7f7f],
  ["float32 max", 3.4028234663852886e38, 0x7f80],
  ["-float32 max", -3.4028234663852886e38, 0xff80],
  ["tie 1 + 2^-8 -> even 0x3F80", 1 + 2 ** -8, 0x3f80],
  ["tie 1 + 3*2^-8 -> even 0x3F82", 1 + 3 * 2 ** -8, 0x3f82],
  ["above tie 1 + 2^-8 + 2^-23", 1 + 2 ** -8 + 2 ** -23, 0x3f81],
  ["smallest subnormal 2^-133", 2 ** -133, 0x0001],
  ["half smallest subnormal 2^-134 ties to 0", 2 ** -134, 0x0000],
  ["just above 2^-134", above(2 ** -134), 0x0001],
  ["tie 3 * 2^-134 -> 2", 3 * 2 ** -134, 0x0002],
  ["largest subnormal 127 * 2^-133", 127 * 2 ** -133, 0x007f],
  ["tie 127.5 * 2^-133 -> min normal", 127.5 * 2 ** -133, 0x0080],
  ["min normal 2^-126", 2 ** -126, 0x0080],
  ["float32 min subnormal", TINY, 0x0000],
];

type SatEdge = [label: string, x: number, saturated: number, unsaturated: number];

const E4M3_EDGES: SatEdge[] = [
  ["+0", 0, 0x00, 0x00],
  ["-0", -0, 0x80, 0x80],
  ["NaN", Number.NaN, 0x7f, 0x7f],
  ["+Inf", Number.POSITIVE_INFINITY, 0x7e, 0x7f],
  ["-Inf", Number.NEGATIVE_INFINITY, 0xfe, 0xff],
  ["1", 1, 0x38, 0x38],
  ["max finite 448", 448, 0x7e, 0x7e],
  ["-448", -448, 0xfe, 0xfe],
  ["449 rounds to 448", 449, 0x7e, 0x7e],
  ["overflow tie 464 goes to even (448)", 464, 0x7e, 0x7e],
  ["just above 464 overflows", above(464), 0x7e, 0x7f],
  ["-(just above 464)", -above(464), 0xfe, 0xff],
  ["480 (the NaN code's value)", 480, 0x7e, 0x7f],
  ["490", 490, 0x7e, 0x7f],
  ["-500", -500, 0xfe, 0xff],
  ["1e6", 1e6, 0x7e, 0x7f],
  ["float32 max", 3.4028234663852886e38, 0x7e, 0x7f],
  ["tie 1 + 2^-4 -> even 0x38", 1 + 2 ** -4, 0x38, 0x38],
  ["tie 1 + 3*2^-4 -> even 0x3A", 1 + 3 * 2 ** -4, 0x3a, 0x3a],
  // A sticky bit far below the rounding bit must still round up (ONNX's old Python helper missed it).
  ["above tie 1 + 2^-4 + 2^-23", 1 + 2 ** -4 + 2 ** -23, 0x39, 0x39],
  ["smallest subnormal 2^-9", 2 ** -9, 0x01, 0x01],
  ["half smallest subnormal 2^-10 ties to 0", 2 ** -10, 0x00, 0x00],
  ["-2^-10 ties to -0", -(2 ** -10), 0x80, 0x80],
  ["just above 2^-10", above(2 ** -10), 0x01, 0x01],
  ["tie 3 * 2^-10 -> 2", 3 * 2 ** -10, 0x02, 0x02],
  ["largest subnormal 7 * 2^-9", 7 * 2 ** -9, 0x07, 0x07],
  ["tie 7.5 * 2^-9 -> min normal", 7.5 * 2 ** -9, 0x08, 0x08],
  ["min normal 2^-6", 2 ** -6, 0x08, 0x08],
  ["float32 min subnormal", TINY, 0x00, 0x00],
];

const E5M2_EDGES: SatEdge[] = [
  ["+0", 0, 0x00, 0x00],
  ["-0", -0, 0x80, 0x80],
  ["NaN", Number.NaN, 0x7f, 0x7f],
  ["+Inf", Number.POSITIVE_INFINITY, 0x7b, 0x7c],
  ["-Inf", Number.NEGATIVE_INFINITY, 0xfb, 0xfc],
  ["1", 1, 0x3c, 0x3c],
  ["max finite 57344", 57344, 0x7b, 0x7b],
  ["just below the overflow tie", below(61440), 0x7b, 0x7b],
  ["overflow tie 61440 goes to even (Inf)", 61440, 0x7b, 0x7c],
  ["-61440", -61440, 0xfb, 0xfc],
  ["65536", 65536, 0x7b, 0x7c],
  ["1e6", 1e6, 0x7b, 0x7c],
  ["tie 1 + 2^-3 -> even 0x3C", 1 + 2 ** -3, 0x3c, 0x3c],
  ["tie 1 + 3*2^-3 -> even 0x3E", 1 + 3 * 2 ** -3, 0x3e, 0x3e],
  ["above tie 1 + 2^-3 + 2^-23", 1 + 2 ** -3 + 2 ** -23, 0x3d, 0x3d],
  ["smallest subnormal 2^-16", 2 ** -16, 0x01, 0x01],
  ["half smallest subnormal 2^-17 ties to 0", 2 ** -17, 0x00, 0x00],
  ["just above 2^-17", above(2 ** -17), 0x01, 0x01],
  ["tie 3 * 2^-17 -> 2", 3 * 2 ** -17, 0x02, 0x02],
  ["largest subnormal 3 * 2^-16", 3 * 2 ** -16, 0x03, 0x03],
  ["tie 3.5 * 2^-16 -> min normal", 3.5 * 2 ** -16, 0x04, 0x04],
  ["min normal 2^-14", 2 ** -14, 0x04, 0x04],
];

/** Each 16-bit format's scalar encoder and edge values. */
const EDGES_16: [FloatDType, (x: number) => number, Edge[]][] = [
  ["float16", float32ToFloat16Bits, FLOAT16_EDGES],
  ["bfloat16", float32ToBfloat16Bits, BFLOAT16_EDGES],
];

/** Each float8 format's scalar encoder and edge values, with and without saturation. */
const EDGES_8: [FloatDType, (x: number, saturate?: boolean) => number, SatEdge[]][] = [
  ["float8e4m3fn", float32ToFloat8e4m3fnBits, E4M3_EDGES],
  ["float8e5m2", float32ToFloat8e5m2Bits, E5M2_EDGES],
];

describe("edge values", () => {
  for (const [dtype, encode, edges] of EDGES_16) {
    it.each(edges)(`${dtype}: %s`, (_label, x, code) => {
      expect(Object.is(Math.fround(x), x) || Number.isNaN(x)).toBe(true); // inputs are float32
      expect(encode(x)).toBe(code);
      expect(encodeFloat(dtype, [x])[0]).toBe(code);
    });
  }

  for (const [dtype, encode, edges] of EDGES_8) {
    it.each(edges)(`${dtype}: %s`, (_label, x, saturated, unsaturated) => {
      expect(Object.is(Math.fround(x), x) || Number.isNaN(x)).toBe(true);
      expect(encode(x)).toBe(saturated); // saturate defaults to true
      expect(encode(x, true)).toBe(saturated);
      expect(encode(x, false)).toBe(unsaturated);
      expect(encodeFloat(dtype, [x])[0]).toBe(saturated);
      expect(encodeFloat(dtype, [x], { saturate: false })[0]).toBe(unsaturated);
    });
  }

  it("decodes the special codes", () => {
    expectFloat32ArrayEqual(
      decodeFloat(
        "float16",
        [0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0xffff, 0x7bff, 0x0001, 0x03ff, 0x0400],
      ),
      [
        0,
        -0,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.NaN,
        Number.NaN,
        Number.NaN,
        65504,
        2 ** -24,
        6.097555160522461e-5,
        6.103515625e-5,
      ],
    );
    expectFloat32ArrayEqual(
      decodeFloat(
        "bfloat16",
        [0x0000, 0x8000, 0x7f80, 0xff80, 0x7fc0, 0x7f81, 0xffff, 0x7f7f, 0x0001, 0x0080, 0x3f80],
      ),
      [
        0,
        -0,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.NaN,
        Number.NaN,
        Number.NaN,
        (2 - 2 ** -7) * 2 ** 127,
        9.183549615799121e-41,
        1.1754943508222875e-38,
        1,
      ],
    );
    expectFloat32ArrayEqual(
      decodeFloat("float8e4m3fn", [0x00, 0x80, 0x7f, 0xff, 0x7e, 0xfe, 0x01, 0x07, 0x08, 0x38]),
      [0, -0, Number.NaN, Number.NaN, 448, -448, 0.001953125, 0.013671875, 0.015625, 1],
    );
    expectFloat32ArrayEqual(
      decodeFloat(
        "float8e5m2",
        [0x00, 0x80, 0x7c, 0xfc, 0x7d, 0x7e, 0x7f, 0xfd, 0xff, 0x7b, 0x01, 0x3c],
      ),
      [
        0,
        -0,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        Number.NaN,
        Number.NaN,
        Number.NaN,
        Number.NaN,
        Number.NaN,
        57344,
        1.52587890625e-5,
        1,
      ],
    );
  });

  it("scalar decoders agree with decodeFloat", () => {
    expect(float16BitsToFloat32(0x3c00)).toBe(1);
    expect(bfloat16BitsToFloat32(0xc000)).toBe(-2);
    expect(float8e4m3fnBitsToFloat32(0xb8)).toBe(-1);
    expect(float8e5m2BitsToFloat32(0x3c)).toBe(1);
    expect(Number.isNaN(float8e4m3fnBitsToFloat32(0xff))).toBe(true);
    expect(float8e5m2BitsToFloat32(0xfc)).toBe(Number.NEGATIVE_INFINITY);
  });

  it("every NaN bit pattern of a Float32Array input encodes to the canonical NaN code", () => {
    // quiet, negative quiet, signaling, negative signaling with payload
    const nans = f32Array([0x7fc00000, 0xffc00000, 0x7f800001, 0xffbfffff]);
    expectCodesEqual(encodeFloat("float16", nans), [0x7e00, 0x7e00, 0x7e00, 0x7e00]);
    expectCodesEqual(encodeFloat("bfloat16", nans), [0x7fc0, 0x7fc0, 0x7fc0, 0x7fc0]);
    expectCodesEqual(encodeFloat("float8e4m3fn", nans), [0x7f, 0x7f, 0x7f, 0x7f]);
    expectCodesEqual(
      encodeFloat("float8e4m3fn", nans, { saturate: false }),
      [0x7f, 0x7f, 0x7f, 0x7f],
    );
    expectCodesEqual(encodeFloat("float8e5m2", nans), [0x7f, 0x7f, 0x7f, 0x7f]);
    expectFloat32ArrayEqual(roundToFloat("float16", nans), [
      Number.NaN,
      Number.NaN,
      Number.NaN,
      Number.NaN,
    ]);
  });

  it("reads a Float32Array through its own offset and length", () => {
    const whole = new Float32Array([7, 1, 65504, 7]);
    const middle = whole.subarray(1, 3);
    expectCodesEqual(encodeFloat("float16", middle), [0x3c00, 0x7bff]);
    expectFloat32ArrayEqual(roundToFloat("float8e4m3fn", middle), [1, 448]);
  });

  it("rounds Float64Array and number[] inputs to float32 first (the cast's input is float32)", () => {
    // 1 + 2^-11 + 2^-40 is above the float16 tie, but float32 rounding drops 2^-40 and lands on the
    // tie 1 + 2^-11, which goes to the even code 0x3C00.
    const x = 1 + 2 ** -11 + 2 ** -40;
    expectCodesEqual(encodeFloat("float16", new Float64Array([x])), [0x3c00]);
    expectCodesEqual(encodeFloat("float16", [x]), [0x3c00]);
    expect(float32ToFloat16Bits(x)).toBe(0x3c00);
    // float64 values beyond float32's range become ±Infinity in float32 first.
    expectCodesEqual(
      encodeFloat("float8e4m3fn", new Float64Array([1e300, -1e300]), {
        saturate: false,
      }),
      [0x7f, 0xff],
    );
    expectCodesEqual(encodeFloat("float8e5m2", [1e300, -1e300], { saturate: false }), [0x7c, 0xfc]);
  });

  it("accepts empty inputs", () => {
    expect(encodeFloat("float16", [])).toEqual(new Uint16Array(0));
    expect(encodeFloat("float8e5m2", new Float32Array(0))).toEqual(new Uint8Array(0));
    expect(decodeFloat("bfloat16", [])).toEqual(new Float32Array(0));
    expect(roundToFloat("float8e4m3fn", new Float64Array(0))).toEqual(new Float32Array(0));
  });

  it("decodes codes from any integer typed array", () => {
    const expected = [1, -2, 448];
    for (const Codes of [Uint8Array, Uint16Array, Int32Array, Uint8ClampedArray]) {
      expectFloat32ArrayEqual(decodeFloat("float8e4m3fn", new Codes([0x38, 0xc0, 0x7e])), expected);
    }
    expectFloat32ArrayEqual(decodeFloat("float16", new Uint32Array([0x3c00, 0xc000])), [1, -2]);
  });
});

/** The four formats whose oracle below is built from their IEEE-style fields. */
const ORIGINAL = ["float16", "bfloat16", "float8e4m3fn", "float8e5m2"] as const;
type OriginalDType = (typeof ORIGINAL)[number];

describe("format table", () => {
  it("lists the formats", () => {
    expect(FLOAT_DTYPES).toEqual([
      ...ORIGINAL,
      "float8e4m3fnuz",
      "float8e5m2fnuz",
      "float8e8m0",
      "float6e2m3",
      "float6e3m2",
      "float4e2m1",
    ]);
    expect(FLOAT_DTYPES.every(isFloatDType)).toBe(true);
    expect(isFloatDType("float32")).toBe(false);
    expect(isFloatDType("toString")).toBe(false);
    expect(isFloatDType(16)).toBe(false);
  });

  it("holds the published constants", () => {
    const rows = ORIGINAL.map((d) => {
      const f = FLOAT_FORMATS[d];
      return [
        d,
        f.bits,
        f.exponentBits,
        f.mantissaBits,
        f.bias,
        f.maxFinite,
        f.minNormal,
        f.minSubnormal,
        f.hasInfinity,
        f.infinityCode,
        f.maxFiniteCode,
        f.nanCode,
        f.saturates,
        f.storage.name,
      ];
    });
    expect(rows).toEqual([
      [
        "float16",
        16,
        5,
        10,
        15,
        65504,
        2 ** -14,
        2 ** -24,
        true,
        0x7c00,
        0x7bff,
        0x7e00,
        false,
        "Uint16Array",
      ],
      [
        "bfloat16",
        16,
        8,
        7,
        127,
        (2 - 2 ** -7) * 2 ** 127,
        2 ** -126,
        2 ** -133,
        true,
        0x7f80,
        0x7f7f,
        0x7fc0,
        false,
        "Uint16Array",
      ],
      [
        "float8e4m3fn",
        8,
        4,
        3,
        7,
        448,
        2 ** -6,
        2 ** -9,
        false,
        null,
        0x7e,
        0x7f,
        true,
        "Uint8Array",
      ],
      [
        "float8e5m2",
        8,
        5,
        2,
        15,
        57344,
        2 ** -14,
        2 ** -16,
        true,
        0x7c,
        0x7b,
        0x7f,
        true,
        "Uint8Array",
      ],
    ]);
  });

  it.each(ORIGINAL.map((d) => [d]))("%s: the table agrees with the codec", (d) => {
    const f = FLOAT_FORMATS[d];
    expect(f.bits).toBe(1 + f.exponentBits + f.mantissaBits);
    expect(f.bias).toBe(2 ** (f.exponentBits - 1) - 1);
    const dec = (code: number) => decodeFloat(d, [code])[0];
    expect(dec(f.maxFiniteCode)).toBe(f.maxFinite);
    expect(
      dec(f.maxFiniteCode + 1) === Number.POSITIVE_INFINITY ||
        Number.isNaN(dec(f.maxFiniteCode + 1)),
    ).toBe(true);
    expect(dec(1 << f.mantissaBits)).toBe(f.minNormal);
    expect(dec(1)).toBe(f.minSubnormal);
    expect(Number.isNaN(dec(f.nanCode as number))).toBe(true);
    if (f.infinityCode !== null) expect(dec(f.infinityCode)).toBe(Number.POSITIVE_INFINITY);
    expect(encodeFloat(d, [Number.NaN])[0]).toBe(f.nanCode);
    expect(encodeFloat(d, [f.maxFinite])[0]).toBe(f.maxFiniteCode);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties against an independent oracle: the nearest code by search over a code -> value table
// that does not come from the code under test (each code's value from its fields,
// (-1)^s · 2^(E - bias) · (1 + M / 2^m), or 2^(1 - bias) · M / 2^m when E = 0, in float64; bfloat16
// from `code << 16` read as float32), ties to the even code. The golden decode cases
// (packages/conformance/golden) check decodeFloat against ml_dtypes and numpy.

/** The value of a code from the format's fields (NaN and Infinity codes as the format defines). */
function fieldValue(
  code: number,
  e: number,
  m: number,
  special: (E: number, M: number) => number | undefined,
): number {
  const bias = 2 ** (e - 1) - 1;
  const sign = code >> (e + m) ? -1 : 1;
  const E = (code >> m) & (2 ** e - 1);
  const M = code & (2 ** m - 1);
  const value = special(E, M);
  if (value !== undefined) return Number.isNaN(value) ? value : sign * value;
  return E === 0
    ? sign * 2 ** (1 - bias) * (M / 2 ** m)
    : sign * 2 ** (E - bias) * (1 + M / 2 ** m);
}

function table(
  bits: number,
  e: number,
  m: number,
  special: (E: number, M: number) => number | undefined,
): number[] {
  return Array.from({ length: 2 ** bits }, (_, code) => fieldValue(code, e, m, special));
}

const VALUES: Record<OriginalDType, number[]> = {
  // E all ones: Infinity when M = 0, else NaN
  float16: table(16, 5, 10, (E, M) =>
    E === 31 ? (M === 0 ? Number.POSITIVE_INFINITY : Number.NaN) : undefined,
  ),
  bfloat16: Array.from({ length: 65536 }, (_, code) => bitsToF32(code << 16)),
  // no Infinity; only S.1111.111 is NaN
  float8e4m3fn: table(8, 4, 3, (E, M) => (E === 15 && M === 7 ? Number.NaN : undefined)),
  float8e5m2: table(8, 5, 2, (E, M) =>
    E === 31 ? (M === 0 ? Number.POSITIVE_INFINITY : Number.NaN) : undefined,
  ),
};

/** Per format: the code and value a code one past the largest finite would have, and the sign bit. */
const ORACLE: Record<
  OriginalDType,
  { maxCode: number; pastValue: number; pastCode: number; sign: number }
> = {
  float16: {
    maxCode: 0x7bff,
    pastValue: 65536,
    pastCode: 0x7c00,
    sign: 0x8000,
  },
  bfloat16: {
    maxCode: 0x7f7f,
    pastValue: 2 ** 128,
    pastCode: 0x7f80,
    sign: 0x8000,
  },
  float8e4m3fn: { maxCode: 0x7e, pastValue: 480, pastCode: 0x7f, sign: 0x80 },
  float8e5m2: { maxCode: 0x7b, pastValue: 65536, pastCode: 0x7c, sign: 0x80 },
};

function oracleEncode(d: OriginalDType, x: number, saturate: boolean): number {
  const values = VALUES[d];
  const { maxCode, pastValue, pastCode, sign } = ORACLE[d];
  const s = x < 0 || Object.is(x, -0) ? sign : 0;
  let overflow: boolean;
  let code = 0;
  if (Number.isNaN(x)) return FLOAT_FORMATS[d].nanCode as number;
  const ax = Math.abs(x);
  if (ax >= pastValue) {
    overflow = true;
  } else {
    // largest code with value <= ax
    let lo = 0;
    let hi = maxCode;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (values[mid] <= ax) lo = mid;
      else hi = mid - 1;
    }
    const below = lo;
    const aboveCode = lo + 1;
    const aboveValue = lo === maxCode ? pastValue : values[aboveCode];
    const dBelow = ax - values[below];
    const dAbove = aboveValue - ax;
    code = dBelow < dAbove || (dBelow === dAbove && below % 2 === 0) ? below : aboveCode;
    overflow = code > maxCode;
  }
  if (!overflow) return s | code;
  const hasInf = FLOAT_FORMATS[d].hasInfinity;
  if (!FLOAT_FORMATS[d].saturates) return s | pastCode; // float16 / bfloat16: Infinity
  if (saturate) return s | maxCode;
  return hasInf ? s | pastCode : s | 0x7f; // e5m2: Infinity; e4m3fn: NaN with the sign
}

const anyFloat32 = fc.integer({ min: 0, max: 0xffffffff }).map(bitsToF32);

/** Exact midpoints between neighbouring codes (ties), and the float32 just above and below them. */
function nearTies(d: OriginalDType) {
  const { maxCode, pastValue } = ORACLE[d];
  return fc
    .tuple(fc.integer({ min: 0, max: maxCode }), fc.integer({ min: -1, max: 1 }), fc.boolean())
    .map(([code, nudge, negative]) => {
      const lo = VALUES[d][code];
      const hi = code === maxCode ? pastValue : VALUES[d][code + 1];
      const mid = (lo + hi) / 2;
      const m = bitsToF32(f32ToBits(mid) + nudge);
      return negative ? -m : m;
    });
}

describe.each(ORIGINAL.map((d) => [d]))("%s properties", (d) => {
  const sat = FLOAT_FORMATS[d].saturates ? [true, false] : [true];

  it("the oracle's ties are exact float32 midpoints", () => {
    // guards the oracle itself: every midpoint between neighbouring codes is a float32
    const { maxCode } = ORACLE[d];
    for (let code = 0; code < maxCode; code++) {
      const mid = (VALUES[d][code] + VALUES[d][code + 1]) / 2;
      expect(Math.fround(mid)).toBe(mid);
    }
  });

  it.each(sat.map((s) => [s]))(
    "encode equals the nearest-code oracle on random float32 (saturate %s)",
    (saturate) => {
      const options = FLOAT_FORMATS[d].saturates ? { saturate } : undefined;
      fc.assert(
        fc.property(fc.oneof(anyFloat32, nearTies(d)), (x) => {
          expect(encodeFloat(d, [x], options)[0]).toBe(oracleEncode(d, x, saturate));
        }),
        { numRuns: 5000 },
      );
    },
  );

  it("decode(encode(decode(code))) === code for every non-NaN code (fast-check)", () => {
    const { bits } = FLOAT_FORMATS[d];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** bits - 1 }), (code) => {
        const value = decodeFloat(d, [code])[0];
        fc.pre(!Number.isNaN(value));
        // Infinity codes come back only without saturation; with it they become ±maxFinite.
        const lossless = FLOAT_FORMATS[d].saturates ? { saturate: false } : undefined;
        expect(encodeFloat(d, [value], lossless)[0]).toBe(code);
        if (Number.isFinite(value)) expect(encodeFloat(d, [value])[0]).toBe(code);
      }),
      { numRuns: 2000 },
    );
  });

  it("encode is monotonic on non-NaN inputs", () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true }), fc.float({ noNaN: true }), (a, b) => {
        const [x, y] = a <= b ? [a, b] : [b, a];
        const [rx, ry] = roundToFloat(d, [x, y]);
        expect(rx <= ry).toBe(true);
        if (d === "float8e5m2") {
          const [ux, uy] = roundToFloat(d, [x, y], { saturate: false });
          expect(ux <= uy).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it("exhaustive: every code decodes as the oracle table says and re-encodes to itself (NaNs to the canonical NaN; infinities to ±max when saturating)", () => {
    const n = 2 ** FLOAT_FORMATS[d].bits;
    const codes = Uint32Array.from({ length: n }, (_, i) => i);
    const values = decodeFloat(d, codes);
    const back = encodeFloat(
      d,
      values,
      FLOAT_FORMATS[d].saturates ? { saturate: false } : undefined,
    );
    const saturated = encodeFloat(d, values);
    const bad: string[] = [];
    for (let code = 0; code < n && bad.length < 5; code++) {
      const v = values[code];
      if (!sameFloat32(v, VALUES[d][code])) bad.push(`decode ${code}: ${v} !== ${VALUES[d][code]}`);
      const want = Number.isNaN(v) ? FLOAT_FORMATS[d].nanCode : code;
      if (back[code] !== want) bad.push(`encode(decode(${code})) = ${back[code]}, want ${want}`);
      const sign = code & (1 << (FLOAT_FORMATS[d].bits - 1));
      const wantSat =
        Number.isFinite(v) || Number.isNaN(v) ? want : sign | FLOAT_FORMATS[d].maxFiniteCode;
      if (FLOAT_FORMATS[d].saturates && saturated[code] !== wantSat) {
        bad.push(`saturated encode(decode(${code})) = ${saturated[code]}, want ${wantSat}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------

describe("errors", () => {
  it("rejects a bad dtype", () => {
    expect(() => encodeFloat("float32" as FloatDType, [1])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: encodeFloat(): argument 'dtype' must be one of "float16", "bfloat16", "float8e4m3fn", "float8e5m2", "float8e4m3fnuz", "float8e5m2fnuz", "float8e8m0", "float6e2m3", "float6e3m2", "float4e2m1"; received "float32".]`,
    );
    expect(() => decodeFloat(8 as unknown as FloatDType, [1])).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: decodeFloat(): argument 'dtype' must be one of "float16", "bfloat16", "float8e4m3fn", "float8e5m2", "float8e4m3fnuz", "float8e5m2fnuz", "float8e8m0", "float6e2m3", "float6e3m2", "float4e2m1"; received 8.]`,
    );
    expect(() =>
      roundToFloat(undefined as unknown as FloatDType, [1]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: roundToFloat(): argument 'dtype' must be one of "float16", "bfloat16", "float8e4m3fn", "float8e5m2", "float8e4m3fnuz", "float8e5m2fnuz", "float8e8m0", "float6e2m3", "float6e3m2", "float4e2m1"; received undefined.]`,
    );
  });

  it("rejects bad values", () => {
    expect(() =>
      encodeFloat("float16", "1" as unknown as number[]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: encodeFloat(): argument 'values' must be an array of numbers, a Float32Array or a Float64Array; received "1".]`,
    );
    expect(() =>
      encodeFloat("float16", new Int16Array(2) as unknown as number[]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: encodeFloat(): argument 'values' must be an array of numbers, a Float32Array or a Float64Array; received an Int16Array of length 2.]`,
    );
    expect(() =>
      encodeFloat("float16", [1, "2", 3] as unknown as number[]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: encodeFloat(): argument 'values[1]' must be a number; received "2".]`,
    );
    expect(() =>
      roundToFloat("bfloat16", [1, 2, null] as unknown as number[]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: roundToFloat(): argument 'values[2]' must be a number; received null.]`,
    );
    const holey = new Array<number>(3); // a hole is a missing value, which must be an error
    holey[0] = 1;
    holey[2] = 3;
    expect(() => encodeFloat("float8e4m3fn", holey)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: encodeFloat(): argument 'values[1]' must be a number; received undefined.]`,
    );
  });

  it("rejects bad options", () => {
    expect(() =>
      encodeFloat("float8e4m3fn", [1], null as unknown as object),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: encodeFloat(): argument 'options' must be an object (keys 'saturate', 'roundMode', 'backend', 'threads', 'out') or undefined; received null.]`,
    );
    expect(() =>
      encodeFloat("float8e4m3fn", [1], { saturate: 1 as unknown as boolean }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: encodeFloat(): argument 'options.saturate' must be a boolean; received 1.]`,
    );
    expect(() =>
      encodeFloat("float8e5m2", [1], { saturation: false } as object),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: encodeFloat(): argument 'options' must be an object with keys among 'saturate', 'roundMode', 'backend', 'threads', 'out'; received an object with key "saturation".]`,
    );
    expect(() =>
      encodeFloat("float16", [1], { saturate: true }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: encodeFloat(): argument 'options.saturate' must be undefined for float16 (only float8 formats saturate); received true.]`,
    );
    expect(() =>
      roundToFloat("bfloat16", [1], { saturate: false }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: roundToFloat(): argument 'options.saturate' must be undefined for bfloat16 (only float8 formats saturate); received false.]`,
    );
    // an explicit undefined is the same as leaving it out
    expect(encodeFloat("float16", [1], { saturate: undefined })[0]).toBe(0x3c00);
    expect(encodeFloat("float8e4m3fn", [1000], {})[0]).toBe(0x7e);
  });

  it("rejects bad codes, naming the index", () => {
    expect(() => decodeFloat("float8e4m3fn", [0, 255, 256])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: decodeFloat(): argument 'bits[2]' must be an integer in [0, 255]; received 256.]`,
    );
    expect(() =>
      decodeFloat("float8e5m2", new Uint16Array([1, 300])),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: decodeFloat(): argument 'bits[1]' must be an integer in [0, 255]; received 300.]`,
    );
    expect(() =>
      decodeFloat("float8e5m2", new Int8Array([1, -1])),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: decodeFloat(): argument 'bits[1]' must be an integer in [0, 255]; received -1.]`,
    );
    expect(() => decodeFloat("float16", [65536])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: decodeFloat(): argument 'bits[0]' must be an integer in [0, 65535]; received 65536.]`,
    );
    expect(() => decodeFloat("float16", [1, 2.5])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: decodeFloat(): argument 'bits[1]' must be an integer in [0, 65535]; received 2.5.]`,
    );
    expect(() => decodeFloat("bfloat16", [Number.NaN])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: decodeFloat(): argument 'bits[0]' must be an integer in [0, 65535]; received NaN.]`,
    );
    expect(() =>
      decodeFloat("bfloat16", [1, "2"] as unknown as number[]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: decodeFloat(): argument 'bits[1]' must be an integer in [0, 65535]; received "2".]`,
    );
    expect(() => decodeFloat("float16", new Float32Array([1]))).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: decodeFloat(): argument 'bits' must be an array of integers or an integer typed array; received a Float32Array of length 1.]`,
    );
    expect(() =>
      decodeFloat("float16", 3 as unknown as number[]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: decodeFloat(): argument 'bits' must be an array of integers or an integer typed array; received 3.]`,
    );
  });
});
