/**
 * bitLayout, bitPattern and representableValues. Expected values are IEEE 754 bit patterns known
 * independently (π in binary64 is 0x400921FB54442D18, in binary32 0x40490FDB) or computed here
 * from the fields by the textbook formula, never by the core's codecs.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bitLayout,
  bitPattern,
  FLOAT_DTYPES,
  FLOAT_FORMATS,
  type FloatDType,
  type FormatName,
  INTEGER_DTYPES,
  INTEGER_FORMATS,
  representableValues,
} from "../src/index.js";

const hex = (bits: string) => BigInt(`0b${bits}`).toString(16);

/** The value of a float code from its fields: (-1)^s · 2^(e - bias) · (1 + m / 2^M), subnormals at e = 0. */
function fromFields(name: FloatDType, code: number): number {
  const f = FLOAT_FORMATS[name];
  const m = code % 2 ** f.mantissaBits;
  const e = Math.floor(code / 2 ** f.mantissaBits) % 2 ** f.exponentBits;
  const sign = f.signed && code >= 2 ** (f.bits - 1) ? -1 : 1;
  if (f.specials === "exponent") return 2 ** (e - f.bias);
  if (e === 0) return sign * m * 2 ** (1 - f.bias - f.mantissaBits);
  return sign * (1 + m / 2 ** f.mantissaBits) * 2 ** (e - f.bias);
}

describe("bitLayout", () => {
  it("lays out IEEE 754's binary64 and binary32", () => {
    expect(bitLayout("float64")).toEqual({
      name: "float64",
      kind: "float",
      bits: 64,
      fields: [
        { name: "sign", bits: 1 },
        { name: "exponent", bits: 11 },
        { name: "mantissa", bits: 52 },
      ],
      bias: 1023,
    });
    expect(bitLayout("float32").fields.map((f) => f.bits)).toEqual([1, 8, 23]);
    expect(bitLayout("float32").bias).toBe(127);
  });

  it("reads every low-precision float's fields from FLOAT_FORMATS", () => {
    const widths = Object.fromEntries(
      FLOAT_DTYPES.map((d) => [
        d,
        bitLayout(d)
          .fields.map((f) => `${f.name[0]}${f.bits}`)
          .join(" "),
      ]),
    );
    expect(widths).toEqual({
      float16: "s1 e5 m10",
      bfloat16: "s1 e8 m7",
      float8e4m3fn: "s1 e4 m3",
      float8e5m2: "s1 e5 m2",
      float8e4m3fnuz: "s1 e4 m3",
      float8e5m2fnuz: "s1 e5 m2",
      float8e8m0: "e8",
      float6e2m3: "s1 e2 m3",
      float6e3m2: "s1 e3 m2",
      float4e2m1: "s1 e2 m1",
    });
    for (const d of FLOAT_DTYPES) {
      const layout = bitLayout(d);
      expect(
        layout.fields.reduce((a, f) => a + f.bits, 0),
        d,
      ).toBe(FLOAT_FORMATS[d].bits);
      expect(layout.bias, d).toBe(FLOAT_FORMATS[d].bias);
    }
  });

  it("gives integers a two's-complement sign when signed", () => {
    for (const d of INTEGER_DTYPES) {
      const f = INTEGER_FORMATS[d];
      expect(bitLayout(d), d).toEqual({
        name: d,
        kind: "integer",
        bits: f.bits,
        fields: f.signed
          ? [
              { name: "sign", bits: 1 },
              { name: "value", bits: f.bits - 1 },
            ]
          : [{ name: "value", bits: f.bits }],
        bias: 0,
      });
    }
  });

  it("names the function, the argument and what came", () => {
    expect(() => bitLayout("float7" as FormatName)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: bitLayout(): argument 'name' must be "float64", "float32", a low-precision float dtype or an integer dtype; received "float7".]`,
    );
    expect(() => bitLayout(8 as unknown as FormatName)).toThrow(TypeError);
  });
});

describe("bitPattern", () => {
  it("writes π as IEEE 754 does", () => {
    expect(hex(bitPattern("float64", Math.PI).bits)).toBe("400921fb54442d18");
    expect(bitPattern("float32", Math.PI)).toEqual({
      bits: "01000000010010010000111111011011", // 0x40490FDB
      stored: Math.fround(Math.PI),
    });
    // float16: 1.5703125 · 2^1 (mantissa 0x248); bfloat16 keeps the top 16 bits of binary32, rounded.
    expect(bitPattern("float16", Math.PI)).toEqual({ bits: "0100001001001000", stored: 3.140625 });
    expect(bitPattern("bfloat16", Math.PI)).toEqual({ bits: "0100000001001001", stored: 3.140625 });
    // e4m3fn: 3.25 = 1.625 · 2^1, exponent 1 + 7; e5m2: 3 = 1.5 · 2^1; e2m1: 3 = 1.5 · 2^1.
    expect(bitPattern("float8e4m3fn", Math.PI)).toEqual({ bits: "01000101", stored: 3.25 });
    expect(bitPattern("float8e5m2", Math.PI)).toEqual({ bits: "01000010", stored: 3 });
    expect(bitPattern("float4e2m1", Math.PI)).toEqual({ bits: "0101", stored: 3 });
  });

  it("decodes back to what the fields say, for every code of the 8-, 6- and 4-bit formats", () => {
    for (const d of FLOAT_DTYPES.filter((d) => FLOAT_FORMATS[d].bits <= 8)) {
      const f = FLOAT_FORMATS[d];
      for (let code = 0; code < 2 ** f.bits; code++) {
        const value = fromFields(d, code);
        if (
          f.nanCode !== null &&
          code % 2 ** (f.bits - 1) === f.nanCode % 2 ** (f.bits - 1) &&
          f.specials !== "fnuz"
        )
          continue;
        if (f.infinityCode !== null && code % 2 ** (f.bits - 1) >= f.infinityCode) continue;
        if (d.endsWith("fnuz") && code === 2 ** (f.bits - 1)) continue; // the NaN, not -0
        const pattern = bitPattern(d, value);
        expect(pattern.stored, `${d} code ${code}`).toBe(value);
        // -0 and +0 are both 0 here; every other value has one code.
        if (value !== 0) expect(Number.parseInt(pattern.bits, 2), `${d} ${value}`).toBe(code);
      }
    }
  });

  it("saturates float8 and the integers, and rounds integers half to even", () => {
    expect(bitPattern("float8e4m3fn", 1e6)).toEqual({ bits: "01111110", stored: 448 });
    expect(bitPattern("int8", 2.5)).toEqual({ bits: "00000010", stored: 2 });
    expect(bitPattern("int8", -3.5)).toEqual({ bits: "11111100", stored: -4 });
    expect(bitPattern("int8", -1000)).toEqual({ bits: "10000000", stored: -128 });
    expect(bitPattern("uint4", 99)).toEqual({ bits: "1111", stored: 15 });
    expect(bitPattern("int32", -1)).toEqual({ bits: "1".repeat(32), stored: -1 });
  });

  it("two's complement of every int8 code", () => {
    fc.assert(
      fc.property(fc.integer({ min: -128, max: 127 }), (k) => {
        const { bits, stored } = bitPattern("int8", k);
        const unsigned = Number.parseInt(bits, 2);
        expect(stored).toBe(k);
        expect(unsigned >= 128 ? unsigned - 256 : unsigned).toBe(k);
      }),
    );
  });

  it("refuses NaN where there is no NaN code, and names the function", () => {
    expect(() => bitPattern("float4e2m1", Number.NaN)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: bitPattern(): argument 'value' must be a number, not NaN (float4e2m1 has no NaN code); received NaN.]`,
    );
    expect(() => bitPattern("int8", Number.NaN)).toThrow(RangeError);
    expect(() => bitPattern("float8e8m0", -1)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: bitPattern(): argument 'value' must be a value >= 0 (float8e8m0 has no sign); received -1.]`,
    );
    expect(() => bitPattern("int8", "1" as unknown as number)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: bitPattern(): argument 'value' must be a number; received "1".]`,
    );
    expect(bitPattern("float16", Number.NaN).bits).toBe("0111111000000000");
  });
});

describe("representableValues", () => {
  it("counts the non-negative finite codes of each format", () => {
    const counts = Object.fromEntries(FLOAT_DTYPES.map((d) => [d, representableValues(d).length]));
    // float16: 0x0000..0x7BFF; bfloat16: 0x0000..0x7F7F; e4m3fn: 0x00..0x7E; e5m2: 0x00..0x7B;
    // fnuz: 0x00..0x7F; e8m0: 0x00..0xFE (no zero, no sign); float6: 32; float4: 8.
    expect(counts).toEqual({
      float16: 0x7c00,
      bfloat16: 0x7f80,
      float8e4m3fn: 0x7f,
      float8e5m2: 0x7c,
      float8e4m3fnuz: 0x80,
      float8e5m2fnuz: 0x80,
      float8e8m0: 0xff,
      float6e2m3: 32,
      float6e3m2: 32,
      float4e2m1: 8,
    });
  });

  it("runs from 0 (or e8m0's 2^-127) through the subnormals to the largest finite value, ascending", () => {
    for (const d of FLOAT_DTYPES) {
      const f = FLOAT_FORMATS[d];
      const v = representableValues(d);
      const ascending = v.every((x, i) => i === 0 || x > (v[i - 1] as number));
      expect(ascending, d).toBe(true);
      expect(v[v.length - 1], d).toBe(f.maxFinite);
      if (d === "float8e8m0") {
        expect(v[0]).toBe(2 ** -127);
        continue;
      }
      expect(v[0], d).toBe(0);
      expect(v[1], d).toBe(f.minSubnormal);
      const subnormals = Array.from(v).filter((x) => x > 0 && x < f.minNormal);
      expect(subnormals.length, d).toBe(2 ** f.mantissaBits - 1);
      // Subnormals are evenly spaced by the smallest one, and the first normal continues the step.
      expect(subnormals, d).toEqual(subnormals.map((_, i) => (i + 1) * f.minSubnormal));
      expect(v[subnormals.length + 1], d).toBe(f.minNormal);
    }
  });

  it("lists every value of float4 e2m1", () => {
    expect(Array.from(representableValues("float4e2m1"))).toEqual([0, 0.5, 1, 1.5, 2, 3, 4, 6]);
    expect(() => representableValues("float32" as FloatDType)).toThrow(RangeError);
  });
});
