/**
 * The low-bit formats: float8 fnuz, float8e8m0, float6, float4 and int2 / uint2. The golden cases
 * (ml_dtypes under ONNX's rules) check them code by code; these tests pin the table's constants (the
 * published ones: OCP MX v1.0 and ONNX's Cast table), the rules where the formats differ, and the
 * answers where a value has no code.
 */
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { forEachBackend } from "./backends.js";
import { message } from "./show.js";

const { FLOAT_FORMATS, INTEGER_FORMATS, packCodes, unpackCodes } = core;

describe("the table", () => {
  it.each([
    // name, bits, bias, largest, smallest subnormal, NaN code, Infinity code, -0
    ["float4e2m1", 4, 1, 6, 0.5, null, null, true],
    ["float6e2m3", 6, 1, 7.5, 0.125, null, null, true],
    ["float6e3m2", 6, 3, 28, 0.0625, null, null, true],
    ["float8e4m3fnuz", 8, 8, 240, 2 ** -10, 0x80, null, false],
    ["float8e5m2fnuz", 8, 16, 57344, 2 ** -17, 0x80, null, false],
    ["float8e8m0", 8, 127, 2 ** 127, 2 ** -127, 0xff, null, false],
  ] as const)("%s", (name, bits, bias, max, smallest, nan, inf, negativeZero) => {
    const f = FLOAT_FORMATS[name];
    expect([
      f.bits,
      f.bias,
      f.maxFinite,
      f.minSubnormal,
      f.nanCode,
      f.infinityCode,
      f.negativeZero,
    ]).toEqual([bits, bias, max, smallest, nan, inf, negativeZero]);
  });
  it("int2 and uint2", () => {
    expect([INTEGER_FORMATS.int2.min, INTEGER_FORMATS.int2.max]).toEqual([-2, 1]);
    expect([INTEGER_FORMATS.uint2.min, INTEGER_FORMATS.uint2.max]).toEqual([0, 3]);
  });
});

forEachBackend(({ encodeFloat, decodeFloat, quantize, dequantize }) => {
  describe("casts", () => {
    it("float4e2m1: ties to the even code, saturates always, keeps the sign of zero", () => {
      // 0.25 is halfway between 0 and 0.5: even code 0; 2.5 between 2 (code 4) and 3 (code 5): 4
      expect(Array.from(encodeFloat("float4e2m1", [0.25, 2.5, 100, -100, -0.1]))).toEqual([
        0, 4, 7, 15, 8,
      ]);
      expect(Array.from(decodeFloat("float4e2m1", [7, 15, 8]))).toEqual([6, -6, -0]);
    });
    it("fnuz: no -0 (negatives that round to 0 give 0x00), 0x80 the only NaN", () => {
      expect(Array.from(encodeFloat("float8e4m3fnuz", [-0, -1e-9, Number.NaN]))).toEqual([
        0, 0, 0x80,
      ]);
      expect(Array.from(encodeFloat("float8e4m3fnuz", [1e9, -1e9], { saturate: false }))).toEqual([
        0x80, 0x80,
      ]);
      expect(Array.from(encodeFloat("float8e4m3fnuz", [1e9, -1e9]))).toEqual([0x7f, 0xff]);
      expect(Number.isNaN(decodeFloat("float8e5m2fnuz", [0x80])[0])).toBe(true);
    });
    it("float8e8m0: up, down and nearest (a tie 1.5·2^k goes up)", () => {
      const x = [3, 6, 5, 1];
      const cast = (roundMode: core.RoundMode) =>
        Array.from(encodeFloat("float8e8m0", x, { roundMode }));
      // 3 = 1.5·2: up 4 (129), down 2 (128), nearest 4; 6 = 1.5·4; 5 nearer 4 than 8; 1 exact
      expect(cast("up")).toEqual([129, 130, 130, 127]);
      expect(cast("down")).toEqual([128, 129, 129, 127]);
      expect(cast("nearest")).toEqual([129, 130, 129, 127]);
      expect(Array.from(decodeFloat("float8e8m0", [0, 127, 254]))).toEqual([
        2 ** -127,
        1,
        2 ** 127,
      ]);
    });
    it("float8e8m0 past its ends: 0xFE / 0x00 with saturate, 0xFF without", () => {
      const ends = [Number.POSITIVE_INFINITY, 0, 1e-45, 3.4e38];
      expect(Array.from(encodeFloat("float8e8m0", ends))).toEqual([0xfe, 0x00, 0x00, 0xfe]);
      expect(Array.from(encodeFloat("float8e8m0", ends, { saturate: false }))).toEqual([
        0xff, 0xff, 0xff, 0xff,
      ]);
    });
  });

  describe("int2 and uint2 through quantize", () => {
    it("saturate to [-2, 1] and [0, 3]", () => {
      expect(Array.from(quantize([-5, -1.5, 0.4, 9], { dtype: "int2", scale: 1 }).data)).toEqual([
        -2, -2, 0, 1,
      ]);
      const q = quantize([-1, 0, 2, 7], { dtype: "uint2", scale: 1, zeroPoint: 1 });
      expect(Array.from(q.data)).toEqual([0, 1, 3, 3]);
      expect(Array.from(dequantize(q).data)).toEqual([-1, 0, 2, 2]);
    });
  });
});

describe("values a format has no code for", () => {
  it("NaN in a format without NaN", () => {
    expect(message(() => core.encodeFloat("float4e2m1", [1, Number.NaN]))).toBe(
      "RangeError: encodeFloat(): argument 'values[1]' must be a number, not NaN (float4e2m1 has no NaN code); received NaN.",
    );
  });
  it("a negative value for float8e8m0, which has no sign", () => {
    expect(message(() => core.encodeFloat("float8e8m0", [-2]))).toBe(
      "RangeError: encodeFloat(): argument 'values[0]' must be a value >= 0 (float8e8m0 has no sign); received -2.",
    );
  });
  it("roundMode for another format", () => {
    expect(message(() => core.encodeFloat("float16", [1], { roundMode: "up" }))).toBe(
      "RangeError: encodeFloat(): argument 'options.roundMode' must be undefined for float16 (float8e8m0 only); received \"up\".",
    );
  });
});

describe("packCodes and unpackCodes", () => {
  it("int2: four per byte, the first in bits 0-1", () => {
    // -1 -> 0b11, 0, 1 -> 0b01, -2 -> 0b10: 0b10_01_00_11 = 147; then 1 alone
    expect(Array.from(packCodes([-1, 0, 1, -2, 1], "int2"))).toEqual([147, 1]);
    expect(Array.from(unpackCodes(new Uint8Array([147, 1]), "int2", 5))).toEqual([-1, 0, 1, -2, 1]);
  });
  it("float4e2m1 codes: two per byte, like int4", () => {
    expect(Array.from(packCodes([7, 15, 8], "float4e2m1"))).toEqual([0xf7, 0x08]);
  });
  it("refuses codes out of range and padding that is not 0", () => {
    expect(message(() => packCodes([2], "int2"))).toBe(
      "RangeError: packCodes(): argument 'values[0]' must be an integer in [-2, 1] (int2); received 2.",
    );
    expect(message(() => unpackCodes(new Uint8Array([0b0100]), "uint2", 1))).toBe(
      "RangeError: unpackCodes(): argument 'bytes[0]' must be a byte with 0 in its unused high bits (padding after length 1); received 4 (0x04).",
    );
  });
});
