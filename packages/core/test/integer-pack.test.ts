import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type Int4DType, packInt4, unpackInt4 } from "../src/index.js";

// The `pack` cases of /work/shared/golden/integer-ops.json (oracle: numpy 1.24), copied verbatim:
// the core package's tests run from a clean clone without the shared folder (the conformance
// package runs the file itself).
const GOLDEN_PACK: { id: string; dtype: Int4DType; input: number[]; expected: number[] }[] = [
  { id: "pack-int4-1", dtype: "int4", input: [-1], expected: [15] },
  { id: "pack-int4-2", dtype: "int4", input: [7, -5], expected: [183] },
  {
    id: "pack-int4-7",
    dtype: "int4",
    input: [-1, -4, -2, 1, 6, 5, -4],
    expected: [207, 30, 86, 12],
  },
  {
    id: "pack-int4-16",
    dtype: "int4",
    input: [-2, 6, 7, 7, -5, -5, 3, -2, -2, 4, 0, -5, 7, 3, -3, -2],
    expected: [110, 119, 187, 227, 78, 176, 55, 237],
  },
  { id: "pack-uint4-1", dtype: "uint4", input: [7], expected: [7] },
  { id: "pack-uint4-2", dtype: "uint4", input: [15, 9], expected: [159] },
  {
    id: "pack-uint4-7",
    dtype: "uint4",
    input: [13, 8, 15, 7, 9, 14, 12],
    expected: [141, 127, 233, 12],
  },
  {
    id: "pack-uint4-16",
    dtype: "uint4",
    input: [12, 4, 6, 11, 6, 1, 7, 4, 7, 10, 2, 13, 4, 2, 11, 4],
    expected: [76, 182, 22, 71, 167, 210, 36, 75],
  },
];

describe("packInt4 / unpackInt4: golden cases (integer-ops.json)", () => {
  test.each(GOLDEN_PACK)("$id packs bit for bit", ({ dtype, input, expected }) => {
    const bytes = packInt4(input, dtype);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(Array.from(bytes)).toEqual(expected);
  });

  test.each(GOLDEN_PACK)("$id unpacks back to its input", ({ dtype, input, expected }) => {
    const values = unpackInt4(new Uint8Array(expected), dtype, input.length);
    expect(values).toBeInstanceOf(dtype === "int4" ? Int8Array : Uint8Array);
    expect(Array.from(values)).toEqual(input);
  });
});

describe("packInt4 / unpackInt4: layout", () => {
  test("first element in the low nibble, two's complement for int4", () => {
    // 7 = 0b0111 low, -5 = 0b1011 high: 0b1011_0111 = 0xB7 = 183.
    expect(Array.from(packInt4([7, -5], "int4"))).toEqual([0xb7]);
    // -8 = 0b1000, -1 = 0b1111: 0xF8.
    expect(Array.from(packInt4([-8, -1], "int4"))).toEqual([0xf8]);
    expect(Array.from(packInt4([0, 15], "uint4"))).toEqual([0xf0]);
  });

  test("every int4 and uint4 value in both nibbles", () => {
    for (let v = -8; v <= 7; v++) {
      expect(Array.from(packInt4([v, 0], "int4"))).toEqual([v & 15]);
      expect(Array.from(packInt4([0, v], "int4"))).toEqual([(v & 15) << 4]);
      expect(
        Array.from(unpackInt4(new Uint8Array([((v & 15) << 4) | (v & 15)]), "int4", 2)),
      ).toEqual([v, v]);
    }
    for (let v = 0; v <= 15; v++) {
      expect(Array.from(packInt4([v, 15 - v], "uint4"))).toEqual([v | ((15 - v) << 4)]);
      expect(Array.from(unpackInt4(new Uint8Array([v | ((15 - v) << 4)]), "uint4", 2))).toEqual([
        v,
        15 - v,
      ]);
    }
  });

  test("an odd tail is padded with 0 in the high nibble", () => {
    expect(Array.from(packInt4([1, 2, -1], "int4"))).toEqual([0x21, 0x0f]);
    expect(Array.from(unpackInt4(new Uint8Array([0x21, 0x0f]), "int4", 3))).toEqual([1, 2, -1]);
  });

  test("empty input gives empty output", () => {
    expect(packInt4([], "int4")).toEqual(new Uint8Array(0));
    expect(unpackInt4(new Uint8Array(0), "uint4", 0)).toEqual(new Uint8Array(0));
  });

  test("typed arrays are accepted as input, -0 packs as 0", () => {
    expect(Array.from(packInt4(new Int8Array([3, -4]), "int4"))).toEqual([0xc3]);
    expect(Array.from(packInt4(new Float64Array([-0, 5]), "uint4"))).toEqual([0x50]);
  });

  test("unpacking an even length reads both nibbles of the last byte", () => {
    expect(Array.from(unpackInt4(new Uint8Array([0x8f]), "int4", 2))).toEqual([-1, -8]);
    expect(Array.from(unpackInt4(new Uint8Array([0x8f]), "uint4", 2))).toEqual([15, 8]);
  });

  test("doc examples", () => {
    expect(packInt4([7, -5, -1], "int4")).toEqual(new Uint8Array([183, 15]));
    expect(unpackInt4(new Uint8Array([183, 15]), "int4", 3)).toEqual(new Int8Array([7, -5, -1]));
  });
});

describe("packInt4 / unpackInt4: properties", () => {
  for (const [dtype, min, max] of [
    ["int4", -8, 7],
    ["uint4", 0, 15],
  ] as const) {
    test(`${dtype}: unpack(pack(v)) = v`, () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min, max }), { maxLength: 65 }), (values) => {
          const bytes = packInt4(values, dtype);
          expect(bytes.length).toBe(Math.ceil(values.length / 2));
          expect(Array.from(unpackInt4(bytes, dtype, values.length))).toEqual(values);
        }),
        { numRuns: 2000 },
      );
    });

    test(`${dtype}: pack(unpack(bytes)) = bytes for any bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 33 }), (bytes) => {
          const values = unpackInt4(bytes, dtype, 2 * bytes.length);
          expect(packInt4(values, dtype)).toEqual(bytes);
        }),
        { numRuns: 2000 },
      );
    });

    test(`${dtype}: each value lands in nibble i of byte i >> 1`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min, max }), { minLength: 1, maxLength: 40 }),
          (values) => {
            const bytes = packInt4(values, dtype);
            values.forEach((v, i) => {
              expect((bytes[i >> 1] >> (4 * (i & 1))) & 15).toBe(v & 15);
            });
            if (values.length % 2 === 1) expect(bytes[bytes.length - 1] >> 4).toBe(0);
          },
        ),
        { numRuns: 1000 },
      );
    });
  }
});

describe("packInt4 / unpackInt4: errors", () => {
  test("a value out of range names its index and value", () => {
    expect(() => packInt4([0, 1, 8], "int4")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: packInt4(): argument 'values[2]' must be an integer in [-8, 7] (int4); received 8.]`,
    );
    expect(() => packInt4([0, -9], "int4")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: packInt4(): argument 'values[1]' must be an integer in [-8, 7] (int4); received -9.]`,
    );
    expect(() => packInt4([16], "uint4")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: packInt4(): argument 'values[0]' must be an integer in [0, 15] (uint4); received 16.]`,
    );
    expect(() => packInt4([3, -1], "uint4")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: packInt4(): argument 'values[1]' must be an integer in [0, 15] (uint4); received -1.]`,
    );
    expect(() => packInt4([1.5], "int4")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: packInt4(): argument 'values[0]' must be an integer in [-8, 7] (int4); received 1.5.]`,
    );
    expect(() => packInt4([0, Number.NaN], "int4")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: packInt4(): argument 'values[1]' must be an integer in [-8, 7] (int4); received NaN.]`,
    );
    expect(() => packInt4([Number.POSITIVE_INFINITY], "uint4")).toThrow(RangeError);
  });

  test("the wrong kind of value is a TypeError", () => {
    expect(() =>
      packInt4([1, "2" as unknown as number], "int4"),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: packInt4(): argument 'values[1]' must be a number; received "2".]`,
    );
    expect(() => packInt4(5 as unknown as number[], "int4")).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: packInt4(): argument 'values' must be an array or a typed array of integers; received 5.]`,
    );
    expect(() => packInt4([1], 4 as unknown as Int4DType)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: packInt4(): argument 'dtype' must be one of "int4", "uint4"; received 4.]`,
    );
  });

  test("an unknown dtype is a RangeError", () => {
    expect(() => packInt4([1], "int8" as Int4DType)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: packInt4(): argument 'dtype' must be one of "int4", "uint4"; received "int8".]`,
    );
    expect(() => unpackInt4(new Uint8Array(1), "int2" as Int4DType, 2)).toThrow(RangeError);
  });

  test("unpack: length must fit the bytes", () => {
    expect(() => unpackInt4(new Uint8Array(4), "int4", 6)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: unpackInt4(): argument 'length' must be 7 or 8 for 4 bytes; received 6.]`,
    );
    expect(() => unpackInt4(new Uint8Array(4), "int4", 9)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: unpackInt4(): argument 'length' must be 7 or 8 for 4 bytes; received 9.]`,
    );
    expect(() => unpackInt4(new Uint8Array(1), "uint4", 1.5)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: unpackInt4(): argument 'length' must be 1 or 2 for 1 byte; received 1.5.]`,
    );
    expect(() => unpackInt4(new Uint8Array(0), "uint4", 1)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: unpackInt4(): argument 'length' must be 0 for 0 bytes; received 1.]`,
    );
    expect(() => unpackInt4(new Uint8Array(0), "uint4", -1)).toThrow(RangeError);
    expect(() => unpackInt4(new Uint8Array(1), "uint4", "2" as unknown as number)).toThrow(
      TypeError,
    );
  });

  test("unpack: the padding nibble of an odd length must be 0", () => {
    expect(() =>
      unpackInt4(new Uint8Array([0x21, 0xaf]), "int4", 3),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: unpackInt4(): argument 'bytes[1]' must be a byte with 0 in its unused high bits (padding after length 3); received 175 (0xaf).]`,
    );
  });

  test("unpack: bytes must be a Uint8Array", () => {
    expect(() =>
      unpackInt4([1, 2] as unknown as Uint8Array, "int4", 4),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: unpackInt4(): argument 'bytes' must be a Uint8Array; received an array of length 2.]`,
    );
    expect(() => unpackInt4(new Int8Array(2) as unknown as Uint8Array, "int4", 4)).toThrow(
      TypeError,
    );
  });
});
