// What the mutation run found untested in src/integer and src/params: each case kills mutants that
// survived there (error messages, boundaries, values). Expected values are worked out by hand.
import { describe, expect, test } from "vitest";
import {
  affineParams,
  calibrate,
  castWrapping,
  entropyRange,
  extent,
  granularParams,
  Histogram,
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  matmulInteger,
  minMaxScaling,
  mseRange,
  multiplyByQuantizedMultiplier,
  packCodes,
  packInt4,
  packingLayout,
  packNibbles,
  percentileRange,
  qlinearMatMul,
  qlinearMultiplier,
  qparamsFromRange,
  quantize,
  quantizeMultiplier,
  requantize,
  requantizeFloat,
  requantizeFloat32,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
  symmetricParams,
  unpackCodes,
  unpackInt4,
  unpackNibbles,
  zeroPointTerms,
} from "../src/index.js";
import { optionsObject, resolveLevels } from "../src/params/calibration/levels.js";
import { message } from "./show.js";

const ORDERS = 'one of "onnx", "ggml", "bnb"';
const PACKED = 'one of "int2", "uint2", "int4", "uint4", "float4e2m1"';
const CODES = "an array or a typed array of integers";
const PADDING = "a byte with 0 in its unused high bits";

describe("castWrapping, packingLayout, packNibbles, unpackNibbles: messages", () => {
  test.each([
    [
      () => castWrapping([1, Number.NaN], "int4"),
      "RangeError: castWrapping(): argument 'values[1]' must be a finite number (NaN and ±Infinity have no integer); received NaN.",
    ],
    [
      () => packingLayout(3 as never, 4, 2),
      `TypeError: packingLayout(): argument 'order' must be ${ORDERS}; received 3.`,
    ],
    [
      () => packingLayout("x" as never, 4, 2),
      `RangeError: packingLayout(): argument 'order' must be ${ORDERS}; received "x".`,
    ],
    [
      () => packingLayout("onnx", "4" as never, 2),
      `TypeError: packingLayout(): argument 'bits' must be 4, or 2 for the onnx order; received "4".`,
    ],
    [
      () => packingLayout("bnb", 2, 32),
      "RangeError: packingLayout(): argument 'bits' must be 4 (the bnb order packs nibbles); received 2.",
    ],
    [
      () => packingLayout("onnx", 3 as never, 32),
      "RangeError: packingLayout(): argument 'bits' must be 2 or 4; received 3.",
    ],
    [
      () => packingLayout("onnx", 4, "1" as never),
      `TypeError: packingLayout(): argument 'length' must be a number; received "1".`,
    ],
    [
      () => packingLayout("onnx", 4, 1.5),
      "RangeError: packingLayout(): argument 'length' must be an integer >= 0; received 1.5.",
    ],
    [
      () => packingLayout("ggml", 4, 31),
      "RangeError: packingLayout(): argument 'length' must be a multiple of 32 (ggml packs blocks of 32 codes); received 31.",
    ],
    [
      () => packNibbles("ab" as never, "onnx"),
      `TypeError: packNibbles(): argument 'codes' must be ${CODES}; received "ab".`,
    ],
    [
      () => packNibbles(new DataView(new ArrayBuffer(2)) as never, "onnx"),
      `TypeError: packNibbles(): argument 'codes' must be ${CODES}; received a DataView.`,
    ],
    [
      () => packNibbles(new BigInt64Array(2) as never, "onnx"),
      `TypeError: packNibbles(): argument 'codes' must be ${CODES}; received a BigInt64Array of length 2.`,
    ],
    [
      () => packNibbles(new BigUint64Array(2) as never, "onnx"),
      `TypeError: packNibbles(): argument 'codes' must be ${CODES}; received a BigUint64Array of length 2.`,
    ],
    [
      () => packNibbles([1, "2"] as never, "onnx"),
      `TypeError: packNibbles(): argument 'codes[1]' must be a number; received "2".`,
    ],
    [
      () => packNibbles([1, 16], "onnx"),
      "RangeError: packNibbles(): argument 'codes[1]' must be an integer in [0, 15]; received 16.",
    ],
    [
      () => packNibbles([1, -1], "onnx"),
      "RangeError: packNibbles(): argument 'codes[1]' must be an integer in [0, 15]; received -1.",
    ],
    [
      () => packNibbles([1, 1.5], "onnx"),
      "RangeError: packNibbles(): argument 'codes[1]' must be an integer in [0, 15]; received 1.5.",
    ],
    [
      () => packNibbles([1, 2, 3], "ggml"),
      "RangeError: packNibbles(): argument 'codes.length' must be a multiple of 32 (ggml packs blocks of 32 codes); received 3.",
    ],
    [
      () => unpackNibbles([1] as never, "onnx", 2),
      "TypeError: unpackNibbles(): argument 'bytes' must be a Uint8Array; received an array of length 1.",
    ],
    [
      () => unpackNibbles(new Uint8Array(2), "onnx", 2),
      "RangeError: unpackNibbles(): argument 'bytes' must be a Uint8Array of length 1 (2 codes two a byte); received a Uint8Array of length 2.",
    ],
    [
      () => unpackNibbles(new Uint8Array(1), "bnb", 3),
      "RangeError: unpackNibbles(): argument 'bytes' must be a Uint8Array of length 2 (3 codes two a byte); received a Uint8Array of length 1.",
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("packingLayout, packNibbles, unpackNibbles: values", () => {
  // onnx 2 bits: byte ⌊i / 4⌋ at bit 2·(i mod 4); 5 codes take ⌈10 / 8⌉ = 2 bytes.
  test("onnx, 2 bits, 5 codes", () => {
    const l = packingLayout("onnx", 2, 5);
    expect([l.order, l.bits, l.byteLength, [...l.byte], [...l.shift]]).toEqual([
      "onnx",
      2,
      2,
      [0, 0, 0, 0, 1],
      [0, 2, 4, 6, 0],
    ]);
  });
  test("onnx and bnb, 4 bits, 3 codes: the bnb order puts even codes in the high nibble", () => {
    const onnx = packingLayout("onnx", 4, 3);
    const bnb = packingLayout("bnb", 4, 3);
    expect([onnx.byteLength, [...onnx.byte], [...onnx.shift]]).toEqual([2, [0, 0, 1], [0, 4, 0]]);
    expect([bnb.byteLength, [...bnb.byte], [...bnb.shift]]).toEqual([2, [0, 0, 1], [4, 0, 4]]);
  });
  test("ggml, 64 codes: the second block starts at byte 16", () => {
    const l = packingLayout("ggml", 4, 64);
    // code 32b + j: byte 16b + (j mod 16), bit 0 for j < 16, 4 otherwise.
    const at = (i: number) => [l.byte[i], l.shift[i]];
    expect([l.byteLength, at(15), at(16), at(31), at(32), at(47), at(48), at(63)]).toEqual([
      32,
      [15, 0],
      [0, 4],
      [15, 4],
      [16, 0],
      [31, 0],
      [16, 4],
      [31, 4],
    ]);
  });
  test("packNibbles reads a Uint8Array; bnb: [1, 2, 3] -> 0x12, 0x30", () => {
    expect(Array.from(packNibbles(new Uint8Array([1, 2, 3]), "bnb"))).toEqual([0x12, 0x30]);
    expect(Array.from(packNibbles([15, 15, 1], "onnx"))).toEqual([0xff, 0x01]);
  });
  test("unpackNibbles: onnx [0x21, 0x43] -> 1, 2, 3 (the last high nibble unread)", () => {
    expect(Array.from(unpackNibbles(new Uint8Array([0x21, 0x43]), "onnx", 3))).toEqual([1, 2, 3]);
    expect(Array.from(unpackNibbles(new Uint8Array([0xab]), "bnb", 2))).toEqual([10, 11]);
  });
});

describe("packCodes, unpackCodes, packInt4, unpackInt4: messages", () => {
  test.each([
    [
      () => packCodes([1], 3 as never),
      `TypeError: packCodes(): argument 'dtype' must be ${PACKED}; received 3.`,
    ],
    [
      () => packCodes([1], "int8" as never),
      `RangeError: packCodes(): argument 'dtype' must be ${PACKED}; received "int8".`,
    ],
    [
      () => packCodes("ab" as never, "int4"),
      `TypeError: packCodes(): argument 'values' must be ${CODES}; received "ab".`,
    ],
    [
      () => packCodes(new DataView(new ArrayBuffer(2)) as never, "int4"),
      `TypeError: packCodes(): argument 'values' must be ${CODES}; received a DataView.`,
    ],
    [
      () => packCodes([1, "a"] as never, "int4"),
      `TypeError: packCodes(): argument 'values[1]' must be a number; received "a".`,
    ],
    [
      () => packCodes([1, 8], "int4"),
      "RangeError: packCodes(): argument 'values[1]' must be an integer in [-8, 7] (int4); received 8.",
    ],
    [
      () => packCodes([-9], "int4"),
      "RangeError: packCodes(): argument 'values[0]' must be an integer in [-8, 7] (int4); received -9.",
    ],
    [
      () => packCodes([1.5], "uint2"),
      "RangeError: packCodes(): argument 'values[0]' must be an integer in [0, 3] (uint2); received 1.5.",
    ],
    [
      () => packCodes([16], "float4e2m1"),
      "RangeError: packCodes(): argument 'values[0]' must be a code in [0, 15] (float4e2m1); received 16.",
    ],
    [
      () => packCodes([-1], "float4e2m1"),
      "RangeError: packCodes(): argument 'values[0]' must be a code in [0, 15] (float4e2m1); received -1.",
    ],
    [
      () => packInt4([1], "int2" as never),
      `RangeError: packInt4(): argument 'dtype' must be one of "int4", "uint4"; received "int2".`,
    ],
    [
      () => unpackInt4(new Uint8Array(1), "int2" as never, 1),
      `RangeError: unpackInt4(): argument 'dtype' must be one of "int4", "uint4"; received "int2".`,
    ],
    [
      () => unpackCodes([1] as never, "int4", 1),
      "TypeError: unpackCodes(): argument 'bytes' must be a Uint8Array; received an array of length 1.",
    ],
    [
      () => unpackCodes(new Uint8Array(1), "int4", "1" as never),
      `TypeError: unpackCodes(): argument 'length' must be a number; received "1".`,
    ],
    [
      () => unpackCodes(new Uint8Array(1), "int4", 3),
      "RangeError: unpackCodes(): argument 'length' must be 1 or 2 for 1 byte; received 3.",
    ],
    [
      () => unpackCodes(new Uint8Array(1), "int4", 0),
      "RangeError: unpackCodes(): argument 'length' must be 1 or 2 for 1 byte; received 0.",
    ],
    [
      () => unpackCodes(new Uint8Array(1), "int4", 1.5),
      "RangeError: unpackCodes(): argument 'length' must be 1 or 2 for 1 byte; received 1.5.",
    ],
    [
      () => unpackCodes(new Uint8Array(0), "int4", 1),
      "RangeError: unpackCodes(): argument 'length' must be 0 for 0 bytes; received 1.",
    ],
    [
      () => unpackCodes(new Uint8Array(2), "int2", 4),
      "RangeError: unpackCodes(): argument 'length' must be an integer in [5, 8] for 2 bytes; received 4.",
    ],
    [
      () => unpackCodes(new Uint8Array(2), "int2", 9),
      "RangeError: unpackCodes(): argument 'length' must be an integer in [5, 8] for 2 bytes; received 9.",
    ],
    [
      () => unpackCodes(new Uint8Array([0x12]), "int4", 1),
      `RangeError: unpackCodes(): argument 'bytes[0]' must be ${PADDING} (padding after length 1); received 18 (0x12).`,
    ],
    [
      // 5 int2 codes: the last byte holds one, bits 2-7 are padding; 0x0c sets bits 2 and 3.
      () => unpackCodes(new Uint8Array([0x00, 0x0c]), "int2", 5),
      `RangeError: unpackCodes(): argument 'bytes[1]' must be ${PADDING} (padding after length 5); received 12 (0x0c).`,
    ],
    [
      () => unpackCodes(new Uint8Array([0, 0, 0x10]), "uint4", 5),
      `RangeError: unpackCodes(): argument 'bytes[2]' must be ${PADDING} (padding after length 5); received 16 (0x10).`,
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("packCodes, unpackCodes: values at the edges", () => {
  test("the ends of each range pack (int4 -8 and 7, uint2 0 and 3, float4e2m1 15)", () => {
    // int4 -8 = 0x8, 7 = 0x7: byte 0x78. uint2 [3, 0, 0, 3]: 3 | 3 << 6 = 0xc3.
    expect(Array.from(packCodes([-8, 7], "int4"))).toEqual([0x78]);
    expect(Array.from(packCodes([3, 0, 0, 3], "uint2"))).toEqual([0xc3]);
    expect(Array.from(packCodes([15, 0, 15], "float4e2m1"))).toEqual([0x0f, 0x0f]);
    expect(Array.from(packCodes(Int8Array.of(-2, 1), "int2"))).toEqual([0x06]);
  });
  test("a full last byte needs no zero padding; an empty one holds nothing", () => {
    expect(Array.from(unpackCodes(new Uint8Array([0xff]), "int4", 2))).toEqual([-1, -1]);
    expect(Array.from(unpackCodes(new Uint8Array([0x00, 0xc0]), "uint2", 8))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 3,
    ]);
    expect(Array.from(unpackCodes(new Uint8Array(0), "uint4", 0))).toEqual([]);
  });
});

describe("zeroPointTerms", () => {
  const A = { data: new Uint8Array([130, 140]), shape: [1, 2] };
  const B = { data: new Uint8Array([120, 110]), shape: [2, 1] };
  test("a 2×2 int8 by 2×3 uint8, zero points −1 and 2: each term by hand", () => {
    // a = [[1, −2], [3, 4]], b = [[5, 6, 7], [8, 9, 10]]. products row 0: 1·5 − 2·8 = −11, ...
    // rowTerms = −2 · (row sums −1, 7); columnTerms = 1 · (column sums 13, 15, 17); constant 2·(−1)·2.
    const t = zeroPointTerms(
      { data: [1, -2, 3, 4], shape: [2, 2], dtype: "int8" },
      { data: [5, 6, 7, 8, 9, 10], shape: [2, 3], dtype: "uint8" },
      { aZeroPoint: -1, bZeroPoint: 2 },
    );
    expect({
      ...t,
      products: [...t.products],
      rowTerms: [...t.rowTerms],
      columnTerms: [...t.columnTerms],
      total: [...t.total],
    }).toEqual({
      shape: [2, 3],
      depth: 2,
      aZeroPoint: -1,
      bZeroPoint: 2,
      products: [-11, -12, -13, 47, 54, 61],
      rowTerms: [2, -14],
      columnTerms: [13, 15, 17],
      constant: -4,
      total: [0, 1, 2, 42, 51, 60],
    });
  });
  test("zero points left out are 0, and the terms +0 (not −0)", () => {
    const t = zeroPointTerms(A, B);
    expect([t.aZeroPoint, t.bZeroPoint, t.constant, t.rowTerms[0], t.columnTerms[0]]).toEqual([
      0, 0, 0, 0, 0,
    ]);
    expect(Object.is(t.rowTerms[0], 0) && Object.is(t.columnTerms[0], 0)).toBe(true);
    expect(Object.is(t.constant, 0)).toBe(true);
    expect(t.total[0]).toBe(130 * 120 + 140 * 110);
  });
  test.each([
    [
      () => zeroPointTerms({ data: new Uint8Array(2), shape: [2] }, B),
      "RangeError: zeroPointTerms(): argument 'a.shape' must be a matrix shape [rows, columns]; received [2] (rank 1).",
    ],
    [
      () => zeroPointTerms(A, { data: new Uint8Array(2), shape: [1, 2, 1] }),
      "RangeError: zeroPointTerms(): argument 'b.shape' must be a matrix shape [rows, columns]; received [1, 2, 1] (rank 3).",
    ],
    [
      () => zeroPointTerms(A, { data: new Uint8Array(3), shape: [3, 1] }),
      "RangeError: zeroPointTerms(): argument 'b.shape' must be [2, N] to match a.shape [1, 2]; received [3, 1].",
    ],
    [
      () => zeroPointTerms(A, B, { aZeroPoint: "1" as never }),
      `TypeError: zeroPointTerms(): argument 'options.aZeroPoint' must be a number; received "1".`,
    ],
    [
      () => zeroPointTerms(A, B, { aZeroPoint: 256 }),
      "RangeError: zeroPointTerms(): argument 'options.aZeroPoint' must be an integer in [0, 255] (uint8); received 256.",
    ],
    [
      () => zeroPointTerms(A, B, { bZeroPoint: -1 }),
      "RangeError: zeroPointTerms(): argument 'options.bZeroPoint' must be an integer in [0, 255] (uint8); received -1.",
    ],
    [
      () => zeroPointTerms(A, B, { bZeroPoint: 1.5 }),
      "RangeError: zeroPointTerms(): argument 'options.bZeroPoint' must be an integer in [0, 255] (uint8); received 1.5.",
    ],
    [
      () => zeroPointTerms({ data: new Int8Array([1, 2]), shape: [1, 2] }, B, { aZeroPoint: 128 }),
      "RangeError: zeroPointTerms(): argument 'options.aZeroPoint' must be an integer in [-128, 127] (int8); received 128.",
    ],
    [
      () => zeroPointTerms(A, B, { x: 1 } as never),
      `RangeError: zeroPointTerms(): argument 'options' must be an object with keys among 'aZeroPoint', 'bZeroPoint'; received an object with key "x".`,
    ],
    [
      () =>
        zeroPointTerms(
          { data: new Uint8Array(0), shape: [70000, 0] },
          { data: new Uint8Array(0), shape: [0, 70000] },
        ),
      "RangeError: zeroPointTerms(): argument 'b.shape' must be a shape giving at most 2^32 results with a.shape [70000, 0]; received [0, 70000]: 70000 × 70000 = 4900000000 results.",
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
  test("65536 × 65537 results, just over 2^32, are refused (the count in the message)", () => {
    expect(
      message(() =>
        zeroPointTerms(
          { data: new Uint8Array(0), shape: [65536, 0] },
          { data: new Uint8Array(0), shape: [0, 65537] },
        ),
      ),
    ).toMatch(/65536 × 65537 = 4295032832 results\.$/);
  });
});

const MULT = "a finite number whose float32 is > 0";

describe("qlinearMultiplier and requantizeFloat32", () => {
  test("the multiplier is fround(fround(a · b) / y); a number in, a number out", () => {
    // fround(0.1 · 0.2) / 0.3 in float32: 0.0666666701436...
    expect(qlinearMultiplier(0.1, 0.2, 0.3)).toBe(0.06666667014360428);
    expect(Array.from(qlinearMultiplier(0.5, [0.25, 0.125], 2))).toEqual([0.0625, 0.03125]);
    expect(Array.from(qlinearMultiplier(1, new Float64Array([0.1]), 1))).toEqual([
      Math.fround(0.1),
    ]);
  });
  test.each([
    [
      () => qlinearMultiplier("1" as never, 1, 1),
      `TypeError: qlinearMultiplier(): argument 'aScale' must be ${MULT}; received "1".`,
    ],
    [
      () => qlinearMultiplier(0, 1, 1),
      `RangeError: qlinearMultiplier(): argument 'aScale' must be ${MULT}; received 0.`,
    ],
    [
      // 1e-46 rounds to float32 0; 3.5e38 to Infinity.
      () => qlinearMultiplier(1e-46, 1, 1),
      `RangeError: qlinearMultiplier(): argument 'aScale' must be ${MULT}; received 1e-46.`,
    ],
    [
      () => qlinearMultiplier(3.5e38, 1, 1),
      `RangeError: qlinearMultiplier(): argument 'aScale' must be ${MULT}; received 3.5e+38.`,
    ],
    [
      () => qlinearMultiplier(1, "1" as never, 1),
      `TypeError: qlinearMultiplier(): argument 'bScale' must be ${MULT}, or a non-empty array of them; received "1".`,
    ],
    [
      () => qlinearMultiplier(1, [], 1),
      "RangeError: qlinearMultiplier(): argument 'bScale' must be a non-empty array; received an array of length 0.",
    ],
    [
      () => qlinearMultiplier(1, [1, 0], 1),
      `RangeError: qlinearMultiplier(): argument 'bScale[1]' must be ${MULT}; received 0.`,
    ],
    [
      () => qlinearMultiplier(1, new DataView(new ArrayBuffer(4)) as never, 1),
      `TypeError: qlinearMultiplier(): argument 'bScale' must be ${MULT}, or a non-empty array of them; received a DataView.`,
    ],
    [
      () => qlinearMultiplier(1, new BigInt64Array(1) as never, 1),
      `TypeError: qlinearMultiplier(): argument 'bScale' must be ${MULT}, or a non-empty array of them; received a BigInt64Array of length 1.`,
    ],
    [
      () => qlinearMultiplier(1, new BigUint64Array(1) as never, 1),
      `TypeError: qlinearMultiplier(): argument 'bScale' must be ${MULT}, or a non-empty array of them; received a BigUint64Array of length 1.`,
    ],
    [
      () => qlinearMultiplier(1, 1, -1),
      `RangeError: qlinearMultiplier(): argument 'yScale' must be ${MULT}; received -1.`,
    ],
  ])("qlinearMultiplier %#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });

  const acc = Int32Array.of(25, 35, 2505);
  test("requantizeFloat32: float32 steps, ties to even, per column, saturation", () => {
    // 25 · fround(0.1) = 2.50000004 -> float32 2.5 -> 2; 35 -> 3.5 -> 4; 2505 -> 250.5 -> 250.
    expect(
      Array.from(requantizeFloat32(acc, { multiplier: 0.1, outputZeroPoint: 0, dtype: "uint8" })),
    ).toEqual([2, 4, 250]);
    // rows of two: 10 · 0.5 + 1, 10 · 0.25 = 2.5 -> 2, + 1; 20 · 0.5 + 1; 20 · 0.25 + 1.
    const perColumn = requantizeFloat32(Int32Array.of(10, 10, 20, 20), {
      multiplier: [0.5, 0.25],
      outputZeroPoint: 1,
    });
    expect([perColumn.constructor.name, ...perColumn]).toEqual(["Int8Array", 6, 3, 11, 6]);
    expect(
      Array.from(
        requantizeFloat32(Int32Array.of(-5000, 5000), { multiplier: 0.1, outputZeroPoint: 1 }),
      ),
    ).toEqual([-128, 127]);
  });
  test.each([
    [
      () => requantizeFloat32([1] as never, { multiplier: 0.1, outputZeroPoint: 0 }),
      "TypeError: requantizeFloat32(): argument 'acc' must be an Int32Array; received an array of length 1.",
    ],
    [
      () => requantizeFloat32(acc, undefined as never),
      "TypeError: requantizeFloat32(): argument 'options' must be an object { multiplier, outputZeroPoint, dtype? }; received undefined.",
    ],
    [
      () => requantizeFloat32(acc, { multiplier: 0.1, outputZeroPoint: 0, x: 1 } as never),
      `RangeError: requantizeFloat32(): argument 'options' must be an object with keys among 'multiplier', 'outputZeroPoint', 'dtype'; received an object with key "x".`,
    ],
    [
      () => requantizeFloat32(acc, { multiplier: [0.1, 0.2], outputZeroPoint: 0 }),
      "RangeError: requantizeFloat32(): argument 'options.multiplier' must be one multiplier, or one per column of acc (a divisor of acc.length 3); received an array of length 2.",
    ],
    [
      () => requantizeFloat32(acc, { multiplier: [0], outputZeroPoint: 0 }),
      `RangeError: requantizeFloat32(): argument 'options.multiplier[0]' must be ${MULT}; received 0.`,
    ],
    [
      () => requantizeFloat32(acc, { multiplier: 0.1, outputZeroPoint: 0, dtype: "int4" as never }),
      `RangeError: requantizeFloat32(): argument 'options.dtype' must be one of "int8", "uint8"; received "int4".`,
    ],
    [
      () => requantizeFloat32(acc, { multiplier: 0.1, outputZeroPoint: "0" as never }),
      `TypeError: requantizeFloat32(): argument 'options.outputZeroPoint' must be a number; received "0".`,
    ],
    [
      () => requantizeFloat32(acc, { multiplier: 0.1, outputZeroPoint: 128 }),
      "RangeError: requantizeFloat32(): argument 'options.outputZeroPoint' must be an integer in [-128, 127] (int8); received 128.",
    ],
    [
      () => requantizeFloat32(acc, { multiplier: 0.1, outputZeroPoint: -129 }),
      "RangeError: requantizeFloat32(): argument 'options.outputZeroPoint' must be an integer in [-128, 127] (int8); received -129.",
    ],
    [
      () => requantizeFloat32(acc, { multiplier: 0.1, outputZeroPoint: 1.5 }),
      "RangeError: requantizeFloat32(): argument 'options.outputZeroPoint' must be an integer in [-128, 127] (int8); received 1.5.",
    ],
    [
      () => requantizeFloat32(acc, { multiplier: 0.1, outputZeroPoint: 256, dtype: "uint8" }),
      "RangeError: requantizeFloat32(): argument 'options.outputZeroPoint' must be an integer in [0, 255] (uint8); received 256.",
    ],
  ])("requantizeFloat32 %#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
  test("the ends of the zero point's range are taken", () => {
    const one = Int32Array.of(0);
    expect(Array.from(requantizeFloat32(one, { multiplier: 1, outputZeroPoint: -128 }))).toEqual([
      -128,
    ]);
    expect(
      Array.from(requantizeFloat32(one, { multiplier: 1, outputZeroPoint: 255, dtype: "uint8" })),
    ).toEqual([255]);
  });
});

describe("calibration levels, percentileRange, mseRange", () => {
  const h = Histogram.fromCounts([40, 30, 20, 5, 3, 1, 0, 1], 1);
  test("mseRange by grid: qmax 1 (2 bits) -> 2, 3 (3 bits) -> 6, 7 (3 bits unsigned) -> 6, 15 and 127 -> 8", () => {
    // argmin over edges k of Σ count_j (c_j − fq(c_j))², computed exactly by hand for each qmax.
    expect(mseRange(h, { bits: 2 })).toBe(2);
    expect(mseRange(h, { bits: 3 })).toBe(6);
    expect(mseRange(h, { bits: 3, unsigned: true })).toBe(6);
    expect(mseRange(h, { dtype: "uint4" })).toBe(8);
    expect(mseRange(h)).toBe(8);
    // candidates 3, 5, 7 only: 3 is the best of them for qmax 1.
    expect(mseRange(h, { bits: 2, start: 3, stride: 2 })).toBe(3);
  });
  test("calibrate's qmax by grid: uint8 255, int4 7, 4 bits unsigned 15, 32 bits 2^31 − 1, 2 bits 1", () => {
    const scale = (o: object) => calibrate([1, 2, 3], { method: "minmax", ...o }).scale;
    expect(scale({ dtype: "uint8" })).toBe(Math.fround(3 / 255));
    expect(scale({ dtype: "int4" })).toBe(Math.fround(3 / 7));
    expect(scale({ bits: 4, unsigned: true })).toBe(Math.fround(3 / 15));
    expect(scale({ bits: 32 })).toBe(Math.fround(3 / 2147483647));
    expect(scale({ bits: 2 })).toBe(3);
  });
  test("percentileRange: the upper edge of the bin where the count reaches p%", () => {
    const p = Histogram.fromCounts([50, 30, 15, 4, 1], 1);
    // cumulative 50, 80, 95, 99, 100 (of 100)
    expect([50, 80, 95, 99.5, 100].map((x) => percentileRange(p, x))).toEqual([1, 2, 3, 5, 5]);
    expect(percentileRange(Histogram.fromCounts([1, 1, 0, 0], 0.5), 100)).toBe(1);
  });
  const LEVELS = "an integer dtype (int4, uint4, int8, uint8, int16, uint16, int32)";
  test.each([
    [
      () => mseRange(h, { dtype: "int8", bits: 8 }),
      "TypeError: mseRange(): argument 'options.bits' must be undefined when options.dtype is given; received 8.",
    ],
    [
      () => mseRange(h, { dtype: "int8", unsigned: false }),
      "TypeError: mseRange(): argument 'options.unsigned' must be undefined when options.dtype is given; received false.",
    ],
    [
      () => mseRange(h, { dtype: "int3" as never }),
      `RangeError: mseRange(): argument 'options.dtype' must be ${LEVELS}; received "int3".`,
    ],
    [
      () => mseRange(h, { dtype: 3 as never }),
      `TypeError: mseRange(): argument 'options.dtype' must be ${LEVELS}; received 3.`,
    ],
    [
      () => mseRange(h, { bits: "8" as never }),
      `TypeError: mseRange(): argument 'options.bits' must be an integer in [2, 32]; received "8".`,
    ],
    [
      () => mseRange(h, { bits: 1 }),
      "RangeError: mseRange(): argument 'options.bits' must be an integer in [2, 32]; received 1.",
    ],
    [
      () => mseRange(h, { bits: 33 }),
      "RangeError: mseRange(): argument 'options.bits' must be an integer in [2, 32]; received 33.",
    ],
    [
      () => mseRange(h, { bits: 2.5 }),
      "RangeError: mseRange(): argument 'options.bits' must be an integer in [2, 32]; received 2.5.",
    ],
    [
      () => mseRange(h, { unsigned: "yes" as never }),
      `TypeError: mseRange(): argument 'options.unsigned' must be a boolean; received "yes".`,
    ],
    [
      () => mseRange(h, { start: 0 }),
      "RangeError: mseRange(): argument 'options.start' must be an integer in [1, 8] (the histogram's bin count); received 0.",
    ],
    [
      () => mseRange(h, { start: 9 }),
      "RangeError: mseRange(): argument 'options.start' must be an integer in [1, 8] (the histogram's bin count); received 9.",
    ],
    [
      () => mseRange(h, { stride: 0 }),
      "RangeError: mseRange(): argument 'options.stride' must be an integer ≥ 1; received 0.",
    ],
    [
      () => mseRange({} as never),
      "TypeError: mseRange(): argument 'hist' must be a Histogram; received an object.",
    ],
    [
      () => mseRange(new Histogram({ bins: 4 })),
      "RangeError: mseRange(): argument 'hist' must be a Histogram holding a nonzero value; received an empty Histogram.",
    ],
    [
      () => mseRange(new Histogram({ bins: 4 }).observe([0, 0])),
      "RangeError: mseRange(): argument 'hist' must be a Histogram holding a nonzero value; received a Histogram of 2 values, all 0.",
    ],
    [
      () => percentileRange(h, "50" as never),
      `TypeError: percentileRange(): argument 'percentile' must be a number in (0, 100]; received "50".`,
    ],
    [
      () => percentileRange(h, 0),
      "RangeError: percentileRange(): argument 'percentile' must be a number in (0, 100]; received 0.",
    ],
    [
      () => percentileRange(h, 100.1),
      "RangeError: percentileRange(): argument 'percentile' must be a number in (0, 100]; received 100.1.",
    ],
    [
      () => percentileRange([1] as never, 50),
      "TypeError: percentileRange(): argument 'hist' must be a Histogram; received an array of length 1.",
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

const INT32 = "an integer in [-2147483648, 2147483647] (int32)";
const REAL = "a finite number > 0 and < 1073741823.75 (2^30 - 1/4, so that shift <= 30)";
const LEFT =
  "leaves the int32 range [-2147483648, 2147483647] (TFLite computes x * (1 << shift) in int32, undefined on overflow).";

describe("quantizeMultiplier, saturatingRoundingDoublingHighMul, roundingDivideByPOT, multiplyByQuantizedMultiplier", () => {
  test("values at the edges", () => {
    // 2^30 − 0.5 = 0.99999999953 · 2^30: round(q · 2^31) = 2^31 − 1, shift 30 (the largest).
    expect(quantizeMultiplier(2 ** 30 - 0.5)).toEqual({ multiplier: 2147483647, shift: 30 });
    // (−2^31)² · 2 = 2^63 saturates; (2^31 − 1)(−2^31) · 2 / 2^32 = −(2^31 − 1).
    expect(saturatingRoundingDoublingHighMul(-(2 ** 31), -(2 ** 31))).toBe(2147483647);
    expect(saturatingRoundingDoublingHighMul(2 ** 31 - 1, -(2 ** 31))).toBe(-2147483647);
    // ties away from zero; exponent 31 divides by 2^31: (2^31 − 1) / 2^31 -> 1, −1 for −2^31.
    expect([
      roundingDivideByPOT(-5, 1),
      roundingDivideByPOT(5, 1),
      roundingDivideByPOT(2 ** 31 - 1, 31),
      roundingDivideByPOT(-(2 ** 31), 31),
      roundingDivideByPOT(7, 0),
    ]).toEqual([-3, 3, 1, -1, 7]);
    // 1000 · 0.75 · 2^2 = 3000 (left shift); −1000 · 0.75 / 2^31 -> 0; −2^30 · 2 fits int32.
    expect(multiplyByQuantizedMultiplier(1000, 1610612736, 2)).toBe(3000);
    expect(multiplyByQuantizedMultiplier(-1000, 1610612736, -31)).toBe(0);
    expect(multiplyByQuantizedMultiplier(-(2 ** 30), 2 ** 30, 1)).toBe(-1073741824);
  });
  test.each([
    [
      () => quantizeMultiplier("1" as never),
      `TypeError: quantizeMultiplier(): argument 'realMultiplier' must be a number; received "1".`,
    ],
    [
      () => quantizeMultiplier(0),
      `RangeError: quantizeMultiplier(): argument 'realMultiplier' must be ${REAL}; received 0.`,
    ],
    [
      () => quantizeMultiplier(2 ** 30 - 0.25),
      `RangeError: quantizeMultiplier(): argument 'realMultiplier' must be ${REAL}; received 1073741823.75.`,
    ],
    [
      () => quantizeMultiplier(Number.NaN),
      `RangeError: quantizeMultiplier(): argument 'realMultiplier' must be ${REAL}; received NaN.`,
    ],
    [
      () => saturatingRoundingDoublingHighMul("1" as never, 1),
      `TypeError: saturatingRoundingDoublingHighMul(): argument 'a' must be a number; received "1".`,
    ],
    [
      () => saturatingRoundingDoublingHighMul(1, 2 ** 31),
      `RangeError: saturatingRoundingDoublingHighMul(): argument 'b' must be ${INT32}; received 2147483648.`,
    ],
    [
      () => saturatingRoundingDoublingHighMul(-(2 ** 31) - 1, 1),
      `RangeError: saturatingRoundingDoublingHighMul(): argument 'a' must be ${INT32}; received -2147483649.`,
    ],
    [
      () => saturatingRoundingDoublingHighMul(1.5, 1),
      `RangeError: saturatingRoundingDoublingHighMul(): argument 'a' must be ${INT32}; received 1.5.`,
    ],
    [
      () => roundingDivideByPOT(5, 32),
      "RangeError: roundingDivideByPOT(): argument 'exponent' must be an integer in [0, 31]; received 32.",
    ],
    [
      () => roundingDivideByPOT(5, -1),
      "RangeError: roundingDivideByPOT(): argument 'exponent' must be an integer in [0, 31]; received -1.",
    ],
    [
      () => roundingDivideByPOT(2 ** 31, 1),
      `RangeError: roundingDivideByPOT(): argument 'x' must be ${INT32}; received 2147483648.`,
    ],
    [
      () => multiplyByQuantizedMultiplier(1.5, 1, 0),
      `RangeError: multiplyByQuantizedMultiplier(): argument 'acc' must be ${INT32}; received 1.5.`,
    ],
    [
      () => multiplyByQuantizedMultiplier(1, 2 ** 31, 0),
      `RangeError: multiplyByQuantizedMultiplier(): argument 'multiplier' must be ${INT32}; received 2147483648.`,
    ],
    [
      () => multiplyByQuantizedMultiplier(1, 2 ** 30, 31),
      "RangeError: multiplyByQuantizedMultiplier(): argument 'shift' must be an integer in [-31, 30]; received 31.",
    ],
    [
      () => multiplyByQuantizedMultiplier(1, 2 ** 30, -32),
      "RangeError: multiplyByQuantizedMultiplier(): argument 'shift' must be an integer in [-31, 30]; received -32.",
    ],
    [
      () => multiplyByQuantizedMultiplier(2 ** 30, 2 ** 30, 1),
      `RangeError: multiplyByQuantizedMultiplier(): accumulator 1073741824 shifted left by 1 ${LEFT}`,
    ],
    [
      () => multiplyByQuantizedMultiplier(-(2 ** 30) - 1, 2 ** 30, 1),
      `RangeError: multiplyByQuantizedMultiplier(): accumulator -1073741825 shifted left by 1 ${LEFT}`,
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("requantize and requantizeFloat", () => {
  const acc = new Int32Array([-1000, 0, 1000, 100000]);
  const fixed = { multiplier: 2 ** 30, shift: 0 };
  test("values: the zero point, min and max, uint8", () => {
    expect(Array.from(requantize(acc, { realMultiplier: 0.0375, outputZeroPoint: -3 }))).toEqual([
      -41, -3, 35, 127,
    ]);
    // −37.5 -> −38 (ties away in the shift) + 3 and 0 + 3 clamp to 5; 37.5 -> 38 + 3 = 41 -> 40.
    const u = requantize(acc, {
      realMultiplier: 0.0375,
      outputZeroPoint: 3,
      dtype: "uint8",
      min: 5,
      max: 40,
    });
    expect([u.constructor.name, ...u]).toEqual(["Uint8Array", 5, 5, 40, 40]);
    // the fixed form: 2^30 is 0.5 · 2^31; shift −1 halves again: 1000 / 4 = 250 -> 127.
    expect(
      Array.from(
        requantize(acc, { multiplier: { multiplier: 2 ** 30, shift: -1 }, outputZeroPoint: 0 }),
      ),
    ).toEqual([-128, 0, 127, 127]);
    expect(
      Array.from(
        requantize(Int32Array.of(-300, 300), {
          multiplier: fixed,
          outputZeroPoint: 0,
          min: -128,
          max: 127,
        }),
      ),
    ).toEqual([-128, 127]);
  });
  test("requantizeFloat: rint(acc · m) + z, saturated (uint8 by the dtype argument)", () => {
    expect(Array.from(requantizeFloat(new Int32Array([5, -3, -10]), 0.5, 0))).toEqual([2, -2, -5]);
    // 2.5 -> 2, −1.5 -> −2, −5, 500: + 3 -> 5, 1, −2 -> 0, 503 -> 255.
    const u = requantizeFloat(new Int32Array([5, -3, -10, 1000]), 0.5, 3, "uint8");
    expect([u.constructor.name, ...u]).toEqual(["Uint8Array", 5, 1, 0, 255]);
  });
  test.each([
    [
      () => requantize([1] as never, { realMultiplier: 1, outputZeroPoint: 0 }),
      "TypeError: requantize(): argument 'acc' must be an Int32Array; received an array of length 1.",
    ],
    [
      () => requantize(acc, undefined as never),
      "TypeError: requantize(): argument 'options' must be an object { multiplier | realMultiplier, outputZeroPoint, ... }; received undefined.",
    ],
    [
      () => requantize(acc, { realMultiplier: 1, outputZeroPoint: 0, bogus: 1 } as never),
      `RangeError: requantize(): argument 'options' must be an object with keys among 'multiplier', 'realMultiplier', 'outputZeroPoint', 'dtype', 'min', 'max'; received an object with key "bogus".`,
    ],
    [
      () => requantize(acc, { realMultiplier: 1, multiplier: fixed, outputZeroPoint: 0 } as never),
      "TypeError: requantize(): argument 'options' must be an object with exactly one of 'multiplier' and 'realMultiplier'; received an object.",
    ],
    [
      () => requantize(acc, { outputZeroPoint: 0 } as never),
      "TypeError: requantize(): argument 'options' must be an object with exactly one of 'multiplier' and 'realMultiplier'; received an object.",
    ],
    [
      () => requantize(acc, { multiplier: null, outputZeroPoint: 0 } as never),
      "TypeError: requantize(): argument 'options.multiplier' must be an object { multiplier, shift }; received null.",
    ],
    [
      () => requantize(acc, { multiplier: 3, outputZeroPoint: 0 } as never),
      "TypeError: requantize(): argument 'options.multiplier' must be an object { multiplier, shift }; received 3.",
    ],
    [
      () => requantize(acc, { multiplier: { ...fixed, x: 1 }, outputZeroPoint: 0 } as never),
      `RangeError: requantize(): argument 'options.multiplier' must be an object with keys among 'multiplier', 'shift'; received an object with key "x".`,
    ],
    [
      () => requantize(acc, { multiplier: { multiplier: 2 ** 31, shift: 0 }, outputZeroPoint: 0 }),
      `RangeError: requantize(): argument 'options.multiplier.multiplier' must be ${INT32}; received 2147483648.`,
    ],
    [
      () => requantize(acc, { multiplier: { multiplier: 2 ** 30, shift: 31 }, outputZeroPoint: 0 }),
      "RangeError: requantize(): argument 'options.multiplier.shift' must be an integer in [-31, 30]; received 31.",
    ],
    [
      () => requantize(acc, { realMultiplier: 0, outputZeroPoint: 0 }),
      `RangeError: requantize(): argument 'options.realMultiplier' must be ${REAL}; received 0.`,
    ],
    [
      () => requantize(acc, { realMultiplier: 1, outputZeroPoint: 0, dtype: "int4" as never }),
      `RangeError: requantize(): argument 'options.dtype' must be one of "int8", "uint8"; received "int4".`,
    ],
    [
      () => requantize(acc, { realMultiplier: 1, outputZeroPoint: 128 }),
      "RangeError: requantize(): argument 'options.outputZeroPoint' must be an integer in [-128, 127] (int8); received 128.",
    ],
    [
      () => requantize(acc, { realMultiplier: 1, outputZeroPoint: -1, dtype: "uint8" }),
      "RangeError: requantize(): argument 'options.outputZeroPoint' must be an integer in [0, 255] (uint8); received -1.",
    ],
    [
      () => requantize(acc, { realMultiplier: 1, outputZeroPoint: 0, min: -129 }),
      "RangeError: requantize(): argument 'options.min' must be an integer in [-128, 127] (int8); received -129.",
    ],
    [
      () => requantize(acc, { realMultiplier: 1, outputZeroPoint: 0, min: 5, max: 4 }),
      "RangeError: requantize(): argument 'options.max' must be an integer in [5, 127] (int8, >= min); received 4.",
    ],
    [
      () => requantize(acc, { realMultiplier: 1, outputZeroPoint: 0, dtype: "uint8", max: 256 }),
      "RangeError: requantize(): argument 'options.max' must be an integer in [0, 255] (uint8, >= min); received 256.",
    ],
    [
      () =>
        requantize(new Int32Array([0, 2 ** 30]), {
          multiplier: { multiplier: 2 ** 30, shift: 1 },
          outputZeroPoint: 0,
        }),
      `RangeError: requantize(): accumulator 1073741824 shifted left by 1 ${LEFT}`,
    ],
    [
      () => requantizeFloat([1] as never, 1, 0),
      "TypeError: requantizeFloat(): argument 'acc' must be an Int32Array; received an array of length 1.",
    ],
    [
      () => requantizeFloat(Int32Array.of(1), "1" as never, 0),
      `TypeError: requantizeFloat(): argument 'realMultiplier' must be a number; received "1".`,
    ],
    [
      () => requantizeFloat(Int32Array.of(1), 0, 0),
      "RangeError: requantizeFloat(): argument 'realMultiplier' must be a finite number > 0; received 0.",
    ],
    [
      () => requantizeFloat(Int32Array.of(1), Number.POSITIVE_INFINITY, 0),
      "RangeError: requantizeFloat(): argument 'realMultiplier' must be a finite number > 0; received Infinity.",
    ],
    [
      () => requantizeFloat(Int32Array.of(1), 1, 0, "int16" as never),
      `RangeError: requantizeFloat(): argument 'dtype' must be one of "int8", "uint8"; received "int16".`,
    ],
    [
      () => requantizeFloat(Int32Array.of(1), 1, 256, "uint8"),
      "RangeError: requantizeFloat(): argument 'outputZeroPoint' must be an integer in [0, 255] (uint8); received 256.",
    ],
    [
      () => requantizeFloat(Int32Array.of(1), 1, "0" as never),
      `TypeError: requantizeFloat(): argument 'outputZeroPoint' must be a number; received "0".`,
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("matmulInteger", () => {
  const A = { data: new Uint8Array([1, 2, 3, 4]), shape: [2, 2] };
  const B = { data: [5, -6, 7, 8], shape: [2, 2], dtype: "int8" } as const;
  test("zero points per column of b, and as tensors shaped like the operands", () => {
    // b − [1, 2] per column = [[4, −8], [6, 6]]: row 0 [4 + 12, −8 + 12], row 1 [12 + 24, −24 + 24].
    expect(Array.from(matmulInteger(A, B, { bZeroPoint: [1, 2] }).data)).toEqual([16, 4, 36, 0]);
    const col = { bZeroPoint: { data: [1, 2], shape: [1, 2] } };
    expect(Array.from(matmulInteger(A, B, col).data)).toEqual([16, 4, 36, 0]);
    const row = { aZeroPoint: { data: [1, 2], shape: [2, 1] } };
    expect(Array.from(matmulInteger(A, B, row).data)).toEqual([7, 8, 19, 10]);
  });
  test("batches broadcast: [2, 1, 1, 2] @ [3, 2, 1] and [3, 1, 2] @ [2, 1, 2, 1]", () => {
    const r = matmulInteger(
      { data: new Int8Array([1, 2, 3, 4]), shape: [2, 1, 1, 2] },
      { data: new Int8Array([1, 1, 2, 2, 3, 3]), shape: [3, 2, 1] },
    );
    // a_i · b_j for i < 2, j < 3: [1, 2]·[1, 1] = 3, ·[2, 2] = 6, ·[3, 3] = 9; [3, 4]·... = 7, 14, 21.
    expect([r.shape, [...r.data]]).toEqual([
      [2, 3, 1, 1],
      [3, 6, 9, 7, 14, 21],
    ]);
    const s = matmulInteger(
      { data: new Int8Array([1, 2, 3, 4, 5, 6]), shape: [3, 1, 2] },
      { data: new Int8Array([1, 10, 2, 20]), shape: [2, 1, 2, 1] },
    );
    // b_i · a_j: [1, 10]·[1, 2] = 21, ·[3, 4] = 43, ·[5, 6] = 65; [2, 20]·... = 42, 86, 130.
    expect([s.shape, [...s.data]]).toEqual([
      [2, 3, 1, 1],
      [21, 43, 65, 42, 86, 130],
    ]);
  });
  test("the overflow message names the result's place in the batch", () => {
    // matrix 1 of the batch: 255 · 255 · 40000 = 2601000000 > 2^31 − 1; matrix 0 is all zeros.
    const a = new Uint8Array(80000);
    a.fill(255, 40000);
    expect(
      message(() =>
        matmulInteger(
          { data: a, shape: [2, 1, 40000] },
          { data: new Uint8Array(40000).fill(255), shape: [40000, 1] },
        ),
      ),
    ).toBe(
      "RangeError: matmulInteger(): result [1, 0, 0] = 2601000000 leaves the int32 range [-2147483648, 2147483647]; ONNX MatMulInteger would wrap it, this function does not.",
    );
    // with zero points: (0 − 255)(255 − 0) · 40000 = −2601000000, at [1, 0] of the matrices.
    expect(
      message(() =>
        matmulInteger(
          { data: new Uint8Array(80000), shape: [2, 40000] },
          { data: new Uint8Array(40000).fill(255), shape: [40000] },
          { aZeroPoint: [0, 255] },
        ),
      ),
    ).toBe(
      "RangeError: matmulInteger(): result [1] = -2601000000 leaves the int32 range [-2147483648, 2147483647]; ONNX MatMulInteger would wrap it, this function does not.",
    );
  });
  const ZP = "a number, or a tensor of zero points per row or column";
  test.each([
    [
      () => matmulInteger(null as never, B),
      "TypeError: matmulInteger(): argument 'a' must be an object { data, shape, dtype }; received null.",
    ],
    [
      () => matmulInteger([1] as never, B),
      "TypeError: matmulInteger(): argument 'a' must be an object { data, shape, dtype }; received an array of length 1.",
    ],
    [
      () => matmulInteger(new Uint8Array(2) as never, B),
      "TypeError: matmulInteger(): argument 'a' must be an object { data, shape, dtype }; received a Uint8Array of length 2.",
    ],
    [
      () => matmulInteger({ ...A, x: 1 } as never, B),
      `RangeError: matmulInteger(): argument 'a' must be an object with keys among 'data', 'shape', 'dtype'; received an object with key "x".`,
    ],
    [
      () => matmulInteger({ data: new Uint8Array(1), shape: "1" } as never, B),
      `TypeError: matmulInteger(): argument 'a.shape' must be an array of dimensions [..., rows, columns]; received "1".`,
    ],
    [
      () => matmulInteger({ data: new Uint8Array(1), shape: [] }, B),
      "RangeError: matmulInteger(): argument 'a.shape' must be at least 1-D (numpy.matmul takes no scalars); received [].",
    ],
    [
      () => matmulInteger({ data: new Uint8Array(1), shape: [1, "1"] } as never, B),
      `TypeError: matmulInteger(): argument 'a.shape[1]' must be a number; received "1".`,
    ],
    [
      () => matmulInteger({ data: new Uint8Array(1), shape: [1, -1] }, B),
      "RangeError: matmulInteger(): argument 'a.shape[1]' must be an integer >= 0; received -1.",
    ],
    [
      () => matmulInteger({ data: new Uint8Array(1), shape: [1.5] }, B),
      "RangeError: matmulInteger(): argument 'a.shape[0]' must be an integer >= 0; received 1.5.",
    ],
    [
      () => matmulInteger({ data: new Uint8Array(4), shape: [2, 2], dtype: "int8" } as never, B),
      `TypeError: matmulInteger(): argument 'a.data' must be an Int8Array for dtype "int8"; received a Uint8Array of length 4.`,
    ],
    [
      () => matmulInteger({ data: new Int8Array(4), shape: [2, 2], dtype: "uint8" } as never, B),
      `TypeError: matmulInteger(): argument 'a.data' must be a Uint8Array for dtype "uint8"; received an Int8Array of length 4.`,
    ],
    [
      () => matmulInteger({ data: new Int8Array(4), shape: [2, 2], dtype: "int4" } as never, B),
      `RangeError: matmulInteger(): argument 'a.dtype' must be one of "int8", "uint8"; received "int4".`,
    ],
    [
      () => matmulInteger({ data: [1, 2, 3, 4], shape: [2, 2] } as never, B),
      `TypeError: matmulInteger(): argument 'a.dtype' must be "int8" or "uint8" (required when data is an array); received undefined.`,
    ],
    [
      () => matmulInteger({ data: [1, 2, 3, 4], shape: [2, 2], dtype: "int16" } as never, B),
      `RangeError: matmulInteger(): argument 'a.dtype' must be one of "int8", "uint8"; received "int16".`,
    ],
    [
      () => matmulInteger({ data: new Float32Array(4), shape: [2, 2] } as never, B),
      "TypeError: matmulInteger(): argument 'a.data' must be an Int8Array, a Uint8Array or an array of integers; received a Float32Array of length 4.",
    ],
    [
      () => matmulInteger({ data: new Int8Array(3), shape: [2, 2] }, B),
      "RangeError: matmulInteger(): argument 'a.data' must be of length 4 for shape [2, 2]; received an Int8Array of length 3.",
    ],
    [
      () => matmulInteger({ data: [1, "2", 3, 4], shape: [2, 2], dtype: "int8" } as never, B),
      `TypeError: matmulInteger(): argument 'a.data[1]' must be a number; received "2".`,
    ],
    [
      () => matmulInteger({ data: [1, 128, 3, 4], shape: [2, 2], dtype: "int8" }, B),
      "RangeError: matmulInteger(): argument 'a.data[1]' must be an integer in [-128, 127] (int8); received 128.",
    ],
    [
      () => matmulInteger({ data: [1, -129, 3, 4], shape: [2, 2], dtype: "int8" }, B),
      "RangeError: matmulInteger(): argument 'a.data[1]' must be an integer in [-128, 127] (int8); received -129.",
    ],
    [
      () => matmulInteger({ data: [1, 1.5, 3, 4], shape: [2, 2], dtype: "uint8" }, B),
      "RangeError: matmulInteger(): argument 'a.data[1]' must be an integer in [0, 255] (uint8); received 1.5.",
    ],
    [
      () => matmulInteger(A, { data: new Int8Array(3), shape: [3, 1] }),
      "RangeError: matmulInteger(): argument 'b.shape' must be [2, N] to match a.shape [2, 2]; received [3, 1].",
    ],
    [
      () => matmulInteger(A, { data: new Int8Array(3), shape: [3] }),
      "RangeError: matmulInteger(): argument 'b.shape' must be a vector of 2 values to match a.shape [2, 2]; received [3].",
    ],
    [
      () =>
        matmulInteger(
          { data: new Int8Array(8), shape: [2, 2, 2] },
          { data: new Int8Array(3), shape: [3, 1] },
        ),
      "RangeError: matmulInteger(): argument 'b.shape' must be [..., 2, N] to match a.shape [2, 2, 2]; received [3, 1].",
    ],
    [
      () => matmulInteger(A, { data: new Int8Array(6), shape: [2, 3, 1] }),
      "RangeError: matmulInteger(): argument 'b.shape' must be [..., 2, N] to match a.shape [2, 2]; received [2, 3, 1].",
    ],
    [
      () =>
        matmulInteger(
          { data: new Int8Array(8), shape: [2, 2, 2] },
          { data: new Int8Array(12), shape: [3, 2, 2] },
        ),
      "RangeError: matmulInteger(): argument 'b.shape' must be batch dimensions that broadcast with a.shape [2, 2, 2]'s (numpy.matmul); received [3, 2, 2].",
    ],
    [
      () =>
        matmulInteger(
          { data: new Int8Array(0), shape: [70000, 0] },
          { data: new Int8Array(0), shape: [0, 70000] },
        ),
      "RangeError: matmulInteger(): argument 'b.shape' must be a shape giving at most 2^32 results with a.shape [70000, 0] (an [M, N] int32 matrix); received [0, 70000]: 70000 × 70000 = 4900000000 results.",
    ],
    [
      () =>
        matmulInteger(
          { data: new Int8Array(0), shape: [2, 70000, 0] },
          { data: new Int8Array(0), shape: [0, 70000] },
        ),
      "RangeError: matmulInteger(): argument 'b.shape' must be a shape giving at most 2^32 results with a.shape [2, 70000, 0] (an [..., M, N] int32 tensor); received [0, 70000]: 2 × 70000 × 70000 = 9800000000 results.",
    ],
    [
      () => matmulInteger(A, B, { aZeroPoint: "1" as never }),
      `TypeError: matmulInteger(): argument 'options.aZeroPoint' must be ${ZP}; received "1".`,
    ],
    [
      () => matmulInteger(A, B, { aZeroPoint: null as never }),
      `TypeError: matmulInteger(): argument 'options.aZeroPoint' must be ${ZP}; received null.`,
    ],
    [
      () => matmulInteger(A, B, { aZeroPoint: 256 }),
      "RangeError: matmulInteger(): argument 'options.aZeroPoint' must be an integer in [0, 255] (uint8); received 256.",
    ],
    [
      () => matmulInteger(A, B, { aZeroPoint: -1 }),
      "RangeError: matmulInteger(): argument 'options.aZeroPoint' must be an integer in [0, 255] (uint8); received -1.",
    ],
    [
      () => matmulInteger(A, B, { bZeroPoint: 128 }),
      "RangeError: matmulInteger(): argument 'options.bZeroPoint' must be an integer in [-128, 127] (int8); received 128.",
    ],
    [
      () => matmulInteger(A, B, { aZeroPoint: [1, 256] }),
      "RangeError: matmulInteger(): argument 'options.aZeroPoint[1]' must be an integer in [0, 255] (uint8); received 256.",
    ],
    [
      () => matmulInteger(A, B, { bZeroPoint: [1, 1.5] }),
      "RangeError: matmulInteger(): argument 'options.bZeroPoint[1]' must be an integer in [-128, 127] (int8); received 1.5.",
    ],
    [
      () => matmulInteger(A, B, { aZeroPoint: [1, 2, 3] }),
      "RangeError: matmulInteger(): argument 'options.aZeroPoint' must be a number, 2 values (one per row) or shape [2, 1]; received 3 values.",
    ],
    [
      () => matmulInteger(A, B, { bZeroPoint: [1, 2, 3] }),
      "RangeError: matmulInteger(): argument 'options.bZeroPoint' must be a number, 2 values (one per column) or shape [1, 2]; received 3 values.",
    ],
    [
      () => matmulInteger(A, B, { aZeroPoint: { data: [1, 2], shape: [1, 2] } }),
      "RangeError: matmulInteger(): argument 'options.aZeroPoint' must be a number, 2 values (one per row) or shape [2, 1]; received shape [1, 2].",
    ],
    [
      () => matmulInteger(A, B, { bZeroPoint: { data: [1, 2], shape: [2, 1] } }),
      "RangeError: matmulInteger(): argument 'options.bZeroPoint' must be a number, 2 values (one per column) or shape [1, 2]; received shape [2, 1].",
    ],
    [
      () => matmulInteger({ data: new Uint8Array([1, 2]), shape: [2] }, B, { aZeroPoint: [1, 2] }),
      "RangeError: matmulInteger(): argument 'options.aZeroPoint' must be a number, 1 value (one per row); received 2 values.",
    ],
    [
      () => matmulInteger(A, { data: new Int8Array([1, 2]), shape: [2] }, { bZeroPoint: [1, 2] }),
      "RangeError: matmulInteger(): argument 'options.bZeroPoint' must be a number, 1 value (one per column); received 2 values.",
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("qlinearMatMul", () => {
  const a = quantize(
    [
      [1, 2],
      [3, 4],
    ],
    { dtype: "uint8", scale: 0.1, zeroPoint: 128 },
  );
  const b = quantize(
    [
      [1, 0],
      [0, 1],
    ],
    { dtype: "int8", scale: 0.05 },
  );
  const y = { dtype: "uint8", scale: 0.2, zeroPoint: 10 } as const;
  // a per row: row 0 [1, 2] at scale 0.1 (codes 138, 148), row 1 [6, 8] at 0.2 (158, 168), z 128;
  // b = 20 · identity at 0.05. acc row 0 [200, 400] · 0.1·0.05/0.2 + 10 = [15, 20];
  // row 1 [600, 800] · 0.2·0.05/0.2 + 10 = [40, 50].
  const rows = { dtype: "uint8", data: [138, 148, 158, 168], shape: [2, 2] } as const;
  const perRow = [15, 20, 40, 50];
  test("the result carries y's parameters, onnx semantics; zeroPoint defaults to 0", () => {
    expect({ ...qlinearMatMul(a, b, y), data: [...qlinearMatMul(a, b, y).data] }).toEqual({
      dtype: "uint8",
      data: [15, 20, 25, 30],
      shape: [2, 2],
      scale: Math.fround(0.2),
      zeroPoint: 10,
      semantics: "onnx",
    });
    const s = qlinearMatMul({ ...a, semantics: "onnx" }, b, { dtype: "int8", scale: 0.2 });
    expect([s.dtype, s.zeroPoint, ...s.data]).toEqual(["int8", 0, 5, 10, 15, 20]);
  });
  test("per row of a (axis 0 or -2, or one block per row) and per column of b", () => {
    const perAxis = { ...rows, scale: [0.1, 0.2], zeroPoint: [128, 128] };
    expect(Array.from(qlinearMatMul({ ...perAxis, axis: 0 }, b, y).data)).toEqual(perRow);
    expect(Array.from(qlinearMatMul({ ...perAxis, axis: -2 }, b, y).data)).toEqual(perRow);
    const block = {
      ...rows,
      scale: { data: [0.1, 0.2], shape: [2, 1] },
      zeroPoint: { data: [128, 128], shape: [2, 1] },
      axis: 1,
      blockSize: 2,
    };
    expect(Array.from(qlinearMatMul(block, b, y).data)).toEqual(perRow);
    // b per column [0.05, 0.1] with codes [[20, 0], [0, 10]] is the same b.
    const columns = {
      dtype: "int8",
      data: [20, 0, 0, 10],
      shape: [2, 2],
      scale: [0.05, 0.1],
    } as const;
    expect(Array.from(qlinearMatMul(a, { ...columns, axis: 1 }, y).data)).toEqual([15, 20, 25, 30]);
    const bBlock = {
      ...columns,
      scale: { data: [0.05, 0.1], shape: [1, 2] },
      axis: 0,
      blockSize: 4,
    };
    expect(Array.from(qlinearMatMul(a, bBlock, y).data)).toEqual([15, 20, 25, 30]);
  });
  test("a batch of a per row in blocks: each matrix its own scale", () => {
    // acc [10·10 + 20·10, 30·10 + 40·10] = [300, 700]; multipliers 0.1·0.1/0.1 and 0.2·0.1/0.1:
    // 30, and 140 saturating to 127.
    const r = qlinearMatMul(
      {
        dtype: "int8",
        data: [10, 20, 30, 40],
        shape: [2, 1, 2],
        scale: { data: [0.1, 0.2], shape: [2, 1, 1] },
        axis: 2,
        blockSize: 2,
      },
      { dtype: "int8", data: [10, 10], shape: [2, 1], scale: 0.1 },
      { dtype: "int8", scale: 0.1 },
    );
    expect([r.shape, [...r.data]]).toEqual([
      [2, 1, 1],
      [30, 127],
    ]);
  });
  test("K = 0: every result is the output zero point, with blocks too", () => {
    const b0 = { dtype: "int8", data: [], shape: [0, 2], scale: 0.05 } as const;
    const a0 = { dtype: "uint8", data: [], shape: [2, 0], scale: 0.1, zeroPoint: 128 } as const;
    expect(Array.from(qlinearMatMul(a0, b0, y).data)).toEqual([10, 10, 10, 10]);
    const blocks = {
      ...a0,
      scale: { data: [], shape: [2, 0] },
      zeroPoint: { data: [], shape: [2, 0] },
      axis: 1,
      blockSize: 2,
    };
    expect(Array.from(qlinearMatMul(blocks, b0, y).data)).toEqual([10, 10, 10, 10]);
  });
  const A_AXIS =
    "per tensor, per row (axis -2) or in blocks spanning each row (axis -1, blockSize >= K)";
  const B_AXIS =
    "per tensor, per column (axis -1) or in blocks spanning each column (axis -2, blockSize >= K)";
  const Q = "a quantized tensor { dtype, data, shape, scale, zeroPoint? }";
  test.each([
    [
      () => qlinearMatMul(null as never, b, y),
      `TypeError: qlinearMatMul(): argument 'a' must be ${Q}; received null.`,
    ],
    [
      () => qlinearMatMul([1] as never, b, y),
      `TypeError: qlinearMatMul(): argument 'a' must be ${Q}; received an array of length 1.`,
    ],
    [
      () => qlinearMatMul(new Uint8Array(1) as never, b, y),
      `TypeError: qlinearMatMul(): argument 'a' must be ${Q}; received a Uint8Array of length 1.`,
    ],
    [
      () => qlinearMatMul({ ...a, x: 1 } as never, b, y),
      `RangeError: qlinearMatMul(): argument 'a' must be an object with keys among 'data', 'shape', 'dtype', 'scale', 'zeroPoint', 'axis', 'blockSize', 'semantics'; received an object with key "x".`,
    ],
    [
      () => qlinearMatMul({ ...a, semantics: "pytorch" }, b, y),
      `RangeError: qlinearMatMul(): argument 'a.semantics' must be "onnx" (QLinearMatMul is ONNX's); received "pytorch".`,
    ],
    [
      () => qlinearMatMul(a, b, null as never),
      "TypeError: qlinearMatMul(): argument 'y' must be an object { dtype, scale, zeroPoint? }; received null.",
    ],
    [
      () => qlinearMatMul(a, b, [] as never),
      "TypeError: qlinearMatMul(): argument 'y' must be an object { dtype, scale, zeroPoint? }; received an array of length 0.",
    ],
    [
      () => qlinearMatMul(a, b, "uint8" as never),
      `TypeError: qlinearMatMul(): argument 'y' must be an object { dtype, scale, zeroPoint? }; received "uint8".`,
    ],
    [
      () => qlinearMatMul(a, b, { ...y, axis: 0 } as never),
      `RangeError: qlinearMatMul(): argument 'y' must be an object with keys among 'dtype', 'scale', 'zeroPoint'; received an object with key "axis".`,
    ],
    [
      () => qlinearMatMul(a, b, { ...y, dtype: "int4" } as never),
      `RangeError: qlinearMatMul(): argument 'y.dtype' must be one of "int8", "uint8"; received "int4".`,
    ],
    [
      () => qlinearMatMul(a, b, { ...y, scale: [0.2] } as never),
      "TypeError: qlinearMatMul(): argument 'y.scale' must be a number (the output is quantized per tensor); received an array of length 1.",
    ],
    [
      () => qlinearMatMul({ ...rows, scale: [0.1, 0.2], axis: 1 }, b, y),
      `RangeError: qlinearMatMul(): argument 'a.axis' must be parameters ${A_AXIS} for shape [2, 2]; received axis 1.`,
    ],
    [
      () =>
        qlinearMatMul(
          { ...rows, scale: { data: [0.1, 0.2, 0.1, 0.2], shape: [2, 2] }, axis: 1, blockSize: 1 },
          b,
          y,
        ),
      `RangeError: qlinearMatMul(): argument 'a.axis' must be parameters ${A_AXIS} for shape [2, 2]; received axis 1 in blocks of 1.`,
    ],
    [
      () =>
        qlinearMatMul(
          { dtype: "uint8", data: [138, 148], shape: [2], scale: [0.1, 0.2], axis: 0 },
          b,
          y,
        ),
      `RangeError: qlinearMatMul(): argument 'a.axis' must be parameters ${A_AXIS} for shape [2]; received axis 0.`,
    ],
    [
      () =>
        qlinearMatMul(
          { dtype: "int8", data: [1, 2, 3, 4], shape: [2, 1, 2], scale: [0.1, 0.2], axis: 0 },
          b,
          {
            dtype: "int8",
            scale: 0.1,
          },
        ),
      `RangeError: qlinearMatMul(): argument 'a.axis' must be parameters ${A_AXIS} for shape [2, 1, 2]; received axis 0.`,
    ],
    [
      () =>
        qlinearMatMul(
          a,
          { dtype: "int8", data: [20, 0, 0, 10], shape: [2, 2], scale: [0.05, 0.1], axis: 0 },
          y,
        ),
      `RangeError: qlinearMatMul(): argument 'b.axis' must be parameters ${B_AXIS} for shape [2, 2]; received axis 0.`,
    ],
    [
      () =>
        qlinearMatMul(
          a,
          {
            dtype: "int8",
            data: [20, 0, 0, 10],
            shape: [2, 2],
            scale: { data: [0.05, 0.1, 0.05, 0.1], shape: [2, 2] },
            axis: 0,
            blockSize: 1,
          },
          y,
        ),
      `RangeError: qlinearMatMul(): argument 'b.axis' must be parameters ${B_AXIS} for shape [2, 2]; received axis 0 in blocks of 1.`,
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("qparamsFromRange, minMaxScaling, symmetricParams, affineParams, extent", () => {
  const f = Math.fround;
  test.each([
    // reduceRange int8 is [-64, 63]: s = 4 / 127, zp = −64 − rint(−1 / s = −31.75) = −32.
    [-1, 3, { reduceRange: true }, "int8", f(4 / 127), -32],
    // reduceRange uint8 is [0, 127].
    [-1, 3, { dtype: "uint8", reduceRange: true }, "uint8", f(4 / 127), 32],
    // symmetric: s = amax / ((qmax − qmin) / 2); the unsigned zero point is the middle code.
    [-1, 3, { reduceRange: true, scheme: "symmetric" }, "int8", f(3 / 63.5), 0],
    [-1, 3, { dtype: "uint8", reduceRange: true, scheme: "symmetric" }, "uint8", f(3 / 63.5), 128],
    [-1, 3, { restricted: true, scheme: "symmetric" }, "int8", f(3 / 127), 0],
    // restricted with reduceRange: [-63, 63].
    [-1, 3, { restricted: true, reduceRange: true, scheme: "symmetric" }, "int8", f(3 / 63), 0],
    [-1, 3, { dtype: "uint4", scheme: "symmetric" }, "uint4", f(3 / 7.5), 8],
    [-4, 3, { dtype: "int4", scheme: "symmetric" }, "int4", f(4 / 7.5), 0],
    // an empty range: the scale is the observer epsilon 2^-23.
    [0, 0, {}, "int8", 2 ** -23, -128],
    [0, 0, { scheme: "symmetric" }, "int8", 2 ** -23, 0],
    // the range is widened to 0: [2, 10] -> [0, 10]; [−10, −2] -> [−10, 0].
    [2, 10, {}, "int8", f(10 / 255), -128],
    [-10, -2, { dtype: "uint8" }, "uint8", f(10 / 255), 255],
    // s = 2^-23 (2e-7 / 255 is smaller); zp = 0 − rint(−1e-7 / 2^-23 = −0.84) = 1.
    [-1e-7, 1e-7, { dtype: "uint8" }, "uint8", 2 ** -23, 1],
  ] as const)("[%d, %d] %o -> %s scale %d zp %d", (min, max, options, dtype, scale, zeroPoint) => {
    expect(qparamsFromRange(min, max, options as never)).toEqual({ dtype, scale, zeroPoint });
  });
  test("minMaxScaling, symmetricParams, affineParams: values", () => {
    expect(minMaxScaling([2, 10], { dtype: "uint8" })).toEqual({
      dtype: "uint8",
      scale: f(8 / 255),
      zeroPoint: 0,
    });
    expect(symmetricParams([-10, 5], { dtype: "uint8" })).toEqual({
      dtype: "uint8",
      scale: f(10 / 127.5),
      zeroPoint: 128,
    });
    expect(affineParams([-1, 3], { reduceRange: true })).toEqual({
      dtype: "int8",
      scale: f(4 / 127),
      zeroPoint: -32,
    });
    // float32 data: [0.1, 0.7] -> [0, fround(0.7)], s = fround(0.7) / 255.
    expect(affineParams(new Float32Array([0.1, 0.7]))).toEqual({
      dtype: "int8",
      scale: f(f(0.7) / 255),
      zeroPoint: -128,
    });
  });
  test("extent skips NaN; with no number it is [Infinity, −Infinity]", () => {
    expect(extent([3, -1, Number.NaN, 2])).toEqual([-1, 3]);
    expect(extent([])).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(extent([Number.NaN])).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(extent(Float32Array.of(-0.5))).toEqual([-0.5, -0.5]);
  });
  test.each([
    [
      () => qparamsFromRange(2, 1),
      "RangeError: qparamsFromRange(): argument 'max' must be >= min (2); received 1.",
    ],
    [
      () => qparamsFromRange(Number.NEGATIVE_INFINITY, 1),
      "RangeError: qparamsFromRange(): argument 'min' must be a finite number; received -Infinity.",
    ],
    [
      () => qparamsFromRange(0, "1" as never),
      `TypeError: qparamsFromRange(): argument 'max' must be a number; received "1".`,
    ],
    [
      () => qparamsFromRange(0, 1, { dtype: "int4", reduceRange: true }),
      "RangeError: qparamsFromRange(): argument 'options.reduceRange' must be false for int4 (it applies to 8-bit dtypes); received true.",
    ],
    [
      () => qparamsFromRange(0, 1, { dtype: "int16", reduceRange: true }),
      "RangeError: qparamsFromRange(): argument 'options.reduceRange' must be false for int16 (it applies to 8-bit dtypes); received true.",
    ],
    [
      () => qparamsFromRange(0, 1, { reduceRange: "yes" as never }),
      `TypeError: qparamsFromRange(): argument 'options.reduceRange' must be a boolean; received "yes".`,
    ],
    [
      () => qparamsFromRange(0, 1, { dtype: "uint8", restricted: true }),
      "RangeError: qparamsFromRange(): argument 'options.restricted' must be false for the unsigned uint8; received true.",
    ],
    [
      () => qparamsFromRange(0, 1, { restricted: 1 as never }),
      "TypeError: qparamsFromRange(): argument 'options.restricted' must be a boolean; received 1.",
    ],
    [
      () => qparamsFromRange(0, 1, { scheme: "x" as never }),
      `RangeError: qparamsFromRange(): argument 'options.scheme' must be one of "symmetric", "affine"; received "x".`,
    ],
    [
      () => qparamsFromRange(0, 1, { scheme: 3 as never }),
      `TypeError: qparamsFromRange(): argument 'options.scheme' must be one of "symmetric", "affine"; received 3.`,
    ],
    [
      () => qparamsFromRange(0, 1, { axis: 3 } as never),
      `RangeError: qparamsFromRange(): argument 'options' must be an object with keys among 'dtype', 'scheme', 'reduceRange', 'restricted'; received an object with key "axis".`,
    ],
    [
      () => minMaxScaling([2, 2]),
      "RangeError: minMaxScaling(): argument 'x' must be values with max(x) > min(x); received all values 2.",
    ],
    [
      () => minMaxScaling([]),
      "RangeError: minMaxScaling(): argument 'x' must be a non-empty tensor; received an empty tensor.",
    ],
    [
      () => minMaxScaling([1, Number.NaN]),
      "RangeError: minMaxScaling(): argument 'x[1]' must be a finite number; received NaN.",
    ],
    [
      () => minMaxScaling([1, 2], { scheme: "affine" } as never),
      `RangeError: minMaxScaling(): argument 'options' must be an object with keys among 'dtype'; received an object with key "scheme".`,
    ],
    [
      () => symmetricParams([1], { scheme: "affine" } as never),
      `RangeError: symmetricParams(): argument 'options' must be an object with keys among 'dtype', 'reduceRange', 'restricted'; received an object with key "scheme".`,
    ],
    [
      () => affineParams([1], { restricted: true } as never),
      `RangeError: affineParams(): argument 'options' must be an object with keys among 'dtype', 'reduceRange'; received an object with key "restricted".`,
    ],
    [
      () => affineParams([1, Number.POSITIVE_INFINITY]),
      "RangeError: affineParams(): argument 'x[1]' must be a finite number; received Infinity.",
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("MinMaxObserver and MovingAverageMinMaxObserver", () => {
  test("per channel along axis 1, two batches, symmetric int8", () => {
    const o = new MinMaxObserver({ axis: 1, dtype: "int8", scheme: "symmetric" });
    o.observe([
      [1, -2, 3],
      [-4, 5, 0.5],
    ]);
    o.observe([
      [7, 0, 0],
      [0, 0, 0],
    ]);
    // columns: [1, −4, 7, 0], [−2, 5, 0, 0], [3, 0.5, 0, 0]; s = amax / 127.5.
    expect([Array.from(o.min), Array.from(o.max)]).toEqual([
      [-4, -2, 0],
      [7, 5, 3],
    ]);
    const p = o.qparams();
    expect([
      Array.from(p.scale as Float32Array),
      Array.from(p.zeroPoint as Int32Array),
      p.axis,
    ]).toEqual([
      [Math.fround(7 / 127.5), Math.fround(5 / 127.5), Math.fround(3 / 127.5)],
      [0, 0, 0],
      1,
    ]);
  });
  test("axis −1 and axis 1 of a rank-3 tensor; a flat Float32Array with a shape", () => {
    const last = new MinMaxObserver({ axis: -1 }).observe([
      [1, -2],
      [3, 4],
    ]);
    expect([Array.from(last.min), Array.from(last.max)]).toEqual([
      [1, -2],
      [3, 4],
    ]);
    // shape [2, 2, 2], axis 1: channel floor(e / 2) mod 2: {1, 2, 5, 6} and {3, 4, 7, 8}.
    const mid = new MinMaxObserver({ axis: 1 }).observe({
      data: [1, 2, 3, 4, 5, 6, 7, 8],
      shape: [2, 2, 2],
    });
    expect([Array.from(mid.min), Array.from(mid.max)]).toEqual([
      [1, 3],
      [6, 8],
    ]);
    const p = new MinMaxObserver({ axis: 0 })
      .observe(new Float32Array([1, 2, 3, 4]), [2, 2])
      .qparams();
    expect([Array.from(p.scale as Float32Array), p.dtype]).toEqual([
      [Math.fround(2 / 255), Math.fround(4 / 255)],
      "uint8",
    ]);
  });
  test("moving average per channel: min += c (batchMin − min), c = 0.5", () => {
    const o = new MovingAverageMinMaxObserver({ axis: 0, averagingConstant: 0.5 });
    o.observe([
      [0, 1],
      [2, 4],
    ]).observe([
      [-2, 3],
      [2, 8],
    ]);
    // channel 0: min 0 + 0.5·(−2), max 1 + 0.5·2; channel 1: min 2, max 4 + 0.5·4.
    expect([Array.from(o.min), Array.from(o.max)]).toEqual([
      [-1, 2],
      [2, 6],
    ]);
    const p = o.qparams();
    // uint8 affine: [−1, 2] -> s = 3 / 255, zp = 85; [0, 6] -> s = 6 / 255, zp = 0.
    expect([Array.from(p.scale as Float32Array), Array.from(p.zeroPoint as Int32Array)]).toEqual([
      [Math.fround(3 / 255), Math.fround(6 / 255)],
      [85, 0],
    ]);
  });
  test("the default averaging constant is fround(0.01)", () => {
    // 1 + fround(0.01 · 100) = 2.0000000149 -> float32 2.
    const o = new MovingAverageMinMaxObserver().observe([0, 1]).observe([0, 101]);
    expect(o.max[0]).toBe(2);
    const p = new MovingAverageMinMaxObserver({ averagingConstant: 0.25 })
      .observe([0, 4])
      .observe([0, 8]);
    expect(p.max[0]).toBe(5);
  });
  test("reduceRange and restricted reach the code range", () => {
    expect(new MinMaxObserver({ reduceRange: true }).observe([-1, 3]).qparams()).toEqual({
      dtype: "uint8",
      scale: Math.fround(4 / 127),
      zeroPoint: 32,
    });
    const r = new MinMaxObserver({ dtype: "int8", scheme: "symmetric", restricted: true });
    expect(r.observe([-1, 3]).qparams()).toEqual({
      dtype: "int8",
      scale: Math.fround(3 / 127),
      zeroPoint: 0,
    });
  });
  const KEYS = "'dtype', 'scheme', 'reduceRange', 'restricted', 'axis'";
  test.each([
    [
      () => new MinMaxObserver({ averagingConstant: 0.1 } as never),
      `RangeError: MinMaxObserver(): argument 'options' must be an object with keys among ${KEYS}; received an object with key "averagingConstant".`,
    ],
    [
      () => new MovingAverageMinMaxObserver({ bogus: 0.1 } as never),
      `RangeError: MovingAverageMinMaxObserver(): argument 'options' must be an object with keys among ${KEYS}, 'averagingConstant'; received an object with key "bogus".`,
    ],
    [
      () => new MinMaxObserver({ dtype: "float16" } as never),
      `RangeError: MinMaxObserver(): argument 'options.dtype' must be one of "int2", "uint2", "int4", "uint4", "int8", "uint8", "int16", "uint16", "int32"; received "float16".`,
    ],
    [
      () => new MinMaxObserver({ axis: "0" } as never),
      `TypeError: MinMaxObserver(): argument 'options.axis' must be an integer; received "0".`,
    ],
    [
      () => new MinMaxObserver({ axis: 1.5 }),
      "RangeError: MinMaxObserver(): argument 'options.axis' must be an integer; received 1.5.",
    ],
    [
      () => new MinMaxObserver({ axis: 1 }).observe([1, 2]),
      "RangeError: MinMaxObserver.observe(): argument 'options.axis' must be an integer in [-1, 0] for an input of rank 1; received 1.",
    ],
    [
      () => new MinMaxObserver({ axis: -2 }).observe([1, 2]),
      "RangeError: MinMaxObserver.observe(): argument 'options.axis' must be an integer in [-1, 0] for an input of rank 1; received -2.",
    ],
    [
      () => new MinMaxObserver().qparams(),
      "RangeError: MinMaxObserver.qparams(): argument 'this' must be an observer that has seen a tensor: call observe(x) first; received none seen yet.",
    ],
    [
      () => new MovingAverageMinMaxObserver().qparams(),
      "RangeError: MovingAverageMinMaxObserver.qparams(): argument 'this' must be an observer that has seen a tensor: call observe(x) first; received none seen yet.",
    ],
    [
      () => new MinMaxObserver().observe([]),
      "RangeError: MinMaxObserver.observe(): argument 'x' must be a non-empty tensor; received an empty tensor.",
    ],
    [
      () => new MinMaxObserver({ axis: 0 }).observe([]),
      "RangeError: MinMaxObserver.observe(): argument 'x' must be a non-empty tensor; received an empty tensor.",
    ],
    [
      () => new MinMaxObserver({ axis: 0 }).observe([1, Number.NaN]),
      "RangeError: MinMaxObserver.observe(): argument 'x[1]' must be a finite number; received NaN.",
    ],
    [
      () => new MinMaxObserver({ axis: 0 }).observe([1, 2]).observe([1, 2, 3]),
      "RangeError: MinMaxObserver.observe(): argument 'x' must be 2 along axis 0 (the channel count observed before); received 3.",
    ],
    [
      () => new MovingAverageMinMaxObserver({ axis: -1 }).observe([[1, 2]]).observe([[1, 2, 3]]),
      "RangeError: MovingAverageMinMaxObserver.observe(): argument 'x' must be 2 along axis -1 (the channel count observed before); received 3.",
    ],
    [
      () => new MovingAverageMinMaxObserver({ averagingConstant: 0 }),
      "RangeError: MovingAverageMinMaxObserver(): argument 'options.averagingConstant' must be a number in (0, 1]; received 0.",
    ],
    [
      () => new MovingAverageMinMaxObserver({ averagingConstant: Number.NaN }),
      "RangeError: MovingAverageMinMaxObserver(): argument 'options.averagingConstant' must be a number in (0, 1]; received NaN.",
    ],
    [
      () => new MinMaxObserver({ scheme: "x" } as never),
      `RangeError: MinMaxObserver(): argument 'options.scheme' must be one of "symmetric", "affine"; received "x".`,
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("granularParams", () => {
  const axisOf = (p: object) => (p as { axis?: number }).axis;
  const f = Math.fround;
  test("per tensor: symmetric int8 by default; affine uint8", () => {
    expect(granularParams([1, -2, 0.5], { granularity: "tensor" })).toEqual({
      dtype: "int8",
      scale: f(2 / 127.5),
      zeroPoint: 0,
    });
    // [−2, 1]: s = 3 / 255, zp = 0 − rint(−2 / s) = 170.
    expect(
      granularParams([1, -2, 0.5], { granularity: "tensor", dtype: "uint8", scheme: "affine" }),
    ).toEqual({ dtype: "uint8", scale: f(3 / 255), zeroPoint: 170 });
    expect(granularParams(5, { granularity: "tensor" })).toEqual({
      dtype: "int8",
      scale: f(5 / 127.5),
      zeroPoint: 0,
    });
  });
  test("per channel along axis 1 and −1 (affine: zp 227 for [−2, 0.25])", () => {
    const x = [
      [1, -2],
      [0.5, 0.25],
    ];
    const c = granularParams(x, { granularity: "channel", axis: 1 });
    expect([Array.from(c.scale as Float32Array), axisOf(c)]).toEqual([
      [f(1 / 127.5), f(2 / 127.5)],
      1,
    ]);
    const a = granularParams(x, {
      granularity: "channel",
      axis: -1,
      scheme: "affine",
      dtype: "uint8",
    });
    expect([
      Array.from(a.scale as Float32Array),
      Array.from(a.zeroPoint as Int32Array),
      axisOf(a),
    ]).toEqual([[f(1 / 255), f(2.25 / 255)], [0, 227], 1]);
    const s = granularParams(new Float32Array([1, 2, 3, 4]), {
      granularity: "channel",
      shape: [2, 2],
      dtype: "int4",
      restricted: true,
    });
    expect([Array.from(s.scale as Float32Array), axisOf(s)]).toEqual([[f(2 / 7), f(4 / 7)], 0]);
  });
  test("blocks along axis 0 of a matrix and along the middle axis of a rank-3 tensor", () => {
    const int4 = { granularity: "block", blockSize: 2, dtype: "int4", restricted: true } as const;
    // rows {0, 1} and {2}, per column: amax 1, 2 | 4, 8, divided by 7.
    const r = granularParams(
      [
        [1, -2],
        [0.5, 0.25],
        [4, 8],
      ],
      { ...int4, axis: 0 },
    );
    const scale = r.scale as { data: Float32Array; shape: number[] };
    expect([
      Array.from(scale.data),
      scale.shape,
      axisOf(r),
      (r as { blockSize?: number }).blockSize,
    ]).toEqual([[f(1 / 7), f(2 / 7), f(4 / 7), f(8 / 7)], [2, 2], 0, 2]);
    // shape [2, 3, 2], blocks of 2 along axis 1: {d0, d1} and {d2} for each outer index and column.
    const t = granularParams(
      { data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], shape: [2, 3, 2] },
      { ...int4, axis: 1 },
    );
    const ts = t.scale as { data: Float32Array; shape: number[] };
    expect([Array.from(ts.data), ts.shape]).toEqual([
      [3, 4, 5, 6, 9, 10, 11, 12].map((v) => f(v / 7)),
      [2, 2, 2],
    ]);
    const z = t.zeroPoint as { data: Int32Array; shape: number[] };
    expect([Array.from(z.data), z.shape]).toEqual([
      [0, 0, 0, 0, 0, 0, 0, 0],
      [2, 2, 2],
    ]);
    // the last axis by default: rows [1, −2 | 3] and [0.5, 0.25 | −7].
    const d = granularParams(
      [
        [1, -2, 3],
        [0.5, 0.25, -7],
      ],
      int4,
    );
    const ds = d.scale as { data: Float32Array; shape: number[] };
    expect([Array.from(ds.data), ds.shape, axisOf(d)]).toEqual([
      [f(2 / 7), f(3 / 7), f(0.5 / 7), 1],
      [2, 2],
      1,
    ]);
  });
  const KEYS = "'granularity', 'dtype', 'scheme', 'restricted', 'axis', 'blockSize', 'shape'";
  test.each([
    [
      () => granularParams([1], undefined as never),
      "TypeError: granularParams(): argument 'options' must be an object with a granularity; received undefined.",
    ],
    [
      () => granularParams([1], { granularity: "tensor", x: 1 } as never),
      `RangeError: granularParams(): argument 'options' must be an object with keys among ${KEYS}; received an object with key "x".`,
    ],
    [
      () => granularParams([1], { granularity: "x" } as never),
      `RangeError: granularParams(): argument 'options.granularity' must be one of "tensor", "channel", "block"; received "x".`,
    ],
    [
      () => granularParams([1], { granularity: "tensor", scheme: "x" } as never),
      `RangeError: granularParams(): argument 'options.scheme' must be one of "symmetric", "affine"; received "x".`,
    ],
    [
      () => granularParams([1], { granularity: "tensor", scheme: "affine", restricted: false }),
      `RangeError: granularParams(): argument 'options.restricted' must be undefined with scheme "affine"; received false.`,
    ],
    [
      () => granularParams([1], { granularity: "tensor", dtype: "uint8", restricted: true }),
      "RangeError: granularParams(): argument 'options.restricted' must be false for the unsigned uint8; received true.",
    ],
    [
      () => granularParams([], { granularity: "tensor" }),
      "RangeError: granularParams(): argument 'x' must be a non-empty tensor; received an empty tensor.",
    ],
    [
      () => granularParams([1, Number.NaN], { granularity: "tensor" }),
      "RangeError: granularParams(): argument 'x[1]' must be a finite number; received NaN.",
    ],
    [
      () => granularParams([1, Number.NEGATIVE_INFINITY], { granularity: "channel" }),
      "RangeError: granularParams(): argument 'x[1]' must be a finite number; received -Infinity.",
    ],
    [
      () => granularParams([1], { granularity: "tensor", axis: 0 }),
      `TypeError: granularParams(): argument 'options.axis' must be undefined with granularity "tensor"; received 0.`,
    ],
    [
      () => granularParams([1], { granularity: "channel", blockSize: 2 }),
      `TypeError: granularParams(): argument 'options.blockSize' must be undefined unless granularity is "block"; received 2.`,
    ],
    [
      () => granularParams([1], { granularity: "tensor", blockSize: 2 }),
      `TypeError: granularParams(): argument 'options.blockSize' must be undefined unless granularity is "block"; received 2.`,
    ],
    [
      () => granularParams(5, { granularity: "channel" }),
      `RangeError: granularParams(): argument 'x' must be a tensor of at least one dimension for granularity "channel"; received a scalar (shape []).`,
    ],
    [
      () => granularParams(5, { granularity: "block", blockSize: 1 }),
      `RangeError: granularParams(): argument 'x' must be a tensor of at least one dimension for granularity "block"; received a scalar (shape []).`,
    ],
    [
      () => granularParams([1, 2], { granularity: "block" }),
      `RangeError: granularParams(): argument 'options.blockSize' must be an integer ≥ 1 for granularity "block"; received undefined.`,
    ],
    [
      () => granularParams([1, 2], { granularity: "block", blockSize: 0 }),
      "RangeError: granularParams(): argument 'options.blockSize' must be an integer ≥ 1; received 0.",
    ],
    [
      () => granularParams([1, 2], { granularity: "block", blockSize: "2" as never }),
      `TypeError: granularParams(): argument 'options.blockSize' must be an integer ≥ 1; received "2".`,
    ],
    [
      () => granularParams([1, 2], { granularity: "channel", axis: 1 }),
      "RangeError: granularParams(): argument 'options.axis' must be an integer in [-1, 0]; received 1.",
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("Histogram", () => {
  const state = (h: Histogram) => [h.bins, h.width, Array.from(h.counts), h.total, h.max];
  test("observe: widths, merges, zeros, the largest |x|", () => {
    const h = new Histogram({ bins: 4 });
    h.observe([0.5, -1.5, 3]);
    expect(state(h)).toEqual([4, 1, [1, 1, 0, 1], 3, 3]);
    h.observe([6]); // 6 ≥ 4·1: w doubles once, bins pair up
    expect(state(h)).toEqual([4, 2, [2, 1, 0, 1], 4, 6]);
    h.observe([1]); // no widening; the max stays 6
    expect(state(h)).toEqual([4, 2, [3, 1, 0, 1], 5, 6]);
    // [1, 2, 3] at w = 1 then 100: five doublings to w = 32, every old count in bin 0.
    const m = new Histogram({ bins: 4 }).observe([1, 2, 3]).observe([100]);
    expect(state(m)).toEqual([4, 32, [3, 0, 0, 1], 4, 100]);
    // zeros before any nonzero value go to bin 0 with w = 0.
    const z = new Histogram({ bins: 4 }).observe([0, -0]);
    expect(state(z)).toEqual([4, 0, [2, 0, 0, 0], 2, 0]);
    expect(state(z.observe([3]))).toEqual([4, 1, [2, 0, 0, 1], 3, 3]);
    expect(state(new Histogram({ bins: 4 }).observe([]))).toEqual([4, 0, [0, 0, 0, 0], 0, 0]);
  });
  test("the first width: the smallest power of two w with bins · w > max|x|", () => {
    expect(state(new Histogram({ bins: 4 }).observe([4]))).toEqual([4, 2, [0, 0, 1, 0], 1, 4]);
    expect(state(new Histogram({ bins: 4 }).observe([1]))).toEqual([4, 0.5, [0, 0, 1, 0], 1, 1]);
    expect(state(new Histogram({ bins: 8 }).observe(new Float32Array([1, -2, 0])))).toEqual([
      8,
      0.5,
      [1, 0, 1, 0, 1, 0, 0, 0],
      3,
      2,
    ]);
    // subnormals: 4 · 2^-1074 > 2^-1074; 1e-320 < 2^-1063 ≈ 1.0118e-320.
    expect(state(new Histogram({ bins: 4 }).observe([5e-324]))).toEqual([
      4,
      5e-324,
      [0, 1, 0, 0],
      1,
      5e-324,
    ]);
    expect(new Histogram({ bins: 1 }).observe([1e-320]).width).toBe(2 ** -1063);
    expect(new Histogram({ bins: 2 }).observe([2 ** 1022]).width).toBe(2 ** 1022);
    expect(new Histogram().bins).toBe(2048);
    expect(new Histogram({ bins: 2 ** 24 }).bins).toBe(2 ** 24);
  });
  test("fromCounts: total, max (the upper edge of the last non-empty bin), edges", () => {
    const h = Histogram.fromCounts([3, 0, 1], 0.5);
    expect([...state(h), Array.from(h.edges())]).toEqual([
      3,
      0.5,
      [3, 0, 1],
      4,
      1.5,
      [0, 0.5, 1, 1.5],
    ]);
    expect(state(Histogram.fromCounts([0, 0], 1))).toEqual([2, 1, [0, 0], 0, 0]);
    expect(state(Histogram.fromCounts(new Uint32Array([1, 2, 0]), 2))).toEqual([
      3,
      2,
      [1, 2, 0],
      3,
      4,
    ]);
    expect(Histogram.fromCounts([1], 2 ** -1074).width).toBe(2 ** -1074);
    expect(Array.from(new Histogram({ bins: 2 }).edges())).toEqual([0, 0, 0]);
  });
  test.each([
    [
      () => new Histogram({ bins: 0 }),
      "RangeError: Histogram(): argument 'options.bins' must be an integer in [1, 16777216]; received 0.",
    ],
    [
      () => new Histogram({ bins: 2 ** 24 + 1 }),
      "RangeError: Histogram(): argument 'options.bins' must be an integer in [1, 16777216]; received 16777217.",
    ],
    [
      () => new Histogram({ x: 1 } as never),
      `RangeError: Histogram(): argument 'options' must be an object with keys among 'bins'; received an object with key "x".`,
    ],
    [
      () => new Histogram({ bins: 2 }).observe([2 ** 1023]),
      "RangeError: Histogram.observe(): argument 'values[0]' must be a finite number with |x| < 2^1023; received 8.98846567431158e+307.",
    ],
    [
      () => new Histogram().observe([1, Number.NaN]),
      "RangeError: Histogram.observe(): argument 'values[1]' must be a finite number with |x| < 2^1023; received NaN.",
    ],
    [
      () => new Histogram().observe("12" as never),
      `TypeError: Histogram.observe(): argument 'values' must be a Float32Array, a Float64Array or an array of numbers; received "12".`,
    ],
    [
      () => new Histogram().observe(new Int32Array(2) as never),
      "TypeError: Histogram.observe(): argument 'values' must be a Float32Array, a Float64Array or an array of numbers; received an Int32Array of length 2.",
    ],
    [
      () => new Histogram().observe([1, "2"] as never),
      `TypeError: Histogram.observe(): argument 'values[1]' must be a number; received "2".`,
    ],
    [
      () => Histogram.fromCounts("12" as never, 1),
      `TypeError: Histogram.fromCounts(): argument 'counts' must be an array or a typed array of counts; received "12".`,
    ],
    [
      () => Histogram.fromCounts(new DataView(new ArrayBuffer(2)) as never, 1),
      "TypeError: Histogram.fromCounts(): argument 'counts' must be an array or a typed array of counts; received a DataView.",
    ],
    [
      () => Histogram.fromCounts([], 1),
      "RangeError: Histogram.fromCounts(): argument 'counts' must be of length in [1, 16777216]; received an array of length 0.",
    ],
    [
      () => Histogram.fromCounts([1, "2"] as never, 1),
      `TypeError: Histogram.fromCounts(): argument 'counts[1]' must be a number; received "2".`,
    ],
    [
      () => Histogram.fromCounts([1, -2], 1),
      "RangeError: Histogram.fromCounts(): argument 'counts[1]' must be a non-negative safe integer; received -2.",
    ],
    [
      () => Histogram.fromCounts([2 ** 53], 1),
      "RangeError: Histogram.fromCounts(): argument 'counts[0]' must be a non-negative safe integer; received 9007199254740992.",
    ],
    [
      () => Histogram.fromCounts([1], "1" as never),
      `TypeError: Histogram.fromCounts(): argument 'width' must be a number; received "1".`,
    ],
    [
      () => Histogram.fromCounts([1], 3),
      "RangeError: Histogram.fromCounts(): argument 'width' must be a finite power of two (2^e); received 3.",
    ],
    [
      () => Histogram.fromCounts([1], 0),
      "RangeError: Histogram.fromCounts(): argument 'width' must be a finite power of two (2^e); received 0.",
    ],
    [
      () => Histogram.fromCounts([1], Number.POSITIVE_INFINITY),
      "RangeError: Histogram.fromCounts(): argument 'width' must be a finite power of two (2^e); received Infinity.",
    ],
    [
      () => Histogram.fromCounts([1], -1),
      "RangeError: Histogram.fromCounts(): argument 'width' must be a finite power of two (2^e); received -1.",
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("entropyRange and calibrate", () => {
  const h12 = [9, 9, 7, 6, 4, 3, 2, 2, 1, 0, 0, 1];
  test("entropyRange: the argmin of KL over the candidate edges (worked out with the formula)", () => {
    // bits 3: nquant 4, candidates 4..12; KL is least at 9 (10 and 11 are +∞: an empty last bin).
    expect(entropyRange(Histogram.fromCounts(h12, 1), { bits: 3 })).toBe(9);
    // candidates 4, 7, 10 only.
    expect(entropyRange(Histogram.fromCounts(h12, 1), { bits: 3, stride: 3 })).toBe(7);
    // bin 0 = 30 kept: the minimum moves to 8; replaced by bin 1's 9 it stays at 9.
    const spike = [30, ...h12.slice(1)];
    expect(entropyRange(Histogram.fromCounts(spike, 1), { bits: 3, keepFirstBin: true })).toBe(8);
    expect(entropyRange(Histogram.fromCounts(spike, 1), { bits: 3 })).toBe(9);
    // KL 0 at 1 and at 3 (every bin its own level): the tie goes to the larger, 3.
    expect(entropyRange(Histogram.fromCounts([9, 9, 7], 1), { start: 1 })).toBe(3);
    expect(entropyRange(Histogram.fromCounts([5], 1), { start: 1 })).toBe(1);
    // every KL +∞ but the last: bins 0..2 are empty.
    expect(entropyRange(Histogram.fromCounts([0, 0, 0, 5], 1), { bits: 2, start: 1 })).toBe(4);
    // [0, 4, 0, 3, 2, 0, 1, 1], bits 2 (nquant 2): from start 2 the least KL is at 7.
    const gaps = Histogram.fromCounts([0, 4, 0, 3, 2, 0, 1, 1], 1);
    expect([1, 2, 3].map((start) => entropyRange(gaps, { bits: 2, start }))).toEqual([1, 7, 7]);
    // width 0.5: amax = 16 · 0.5.
    const w = Histogram.fromCounts([2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 5], 0.5);
    expect(entropyRange(w, { bits: 3, start: 4 })).toBe(8);
  });
  test("calibrate: amax and scale by method", () => {
    const f = Math.fround;
    expect(calibrate([0.5, -2, 1.25, 3.5], { method: "minmax" })).toEqual({
      amax: 3.5,
      scale: f(3.5 / 127),
    });
    // 99.99 % by default: of 10000 values, 9999 lie in bins 0 and 1.
    for (const counts of [
      [9990, 9, 1],
      [9998, 1, 1],
    ]) {
      expect(calibrate(Histogram.fromCounts(counts, 1), { method: "percentile" })).toEqual({
        amax: 2,
        scale: f(2 / 127),
      });
    }
    const mse = Histogram.fromCounts([40, 30, 20, 5, 3, 1, 0, 1], 1);
    expect(calibrate(mse, { method: "mse", bits: 2 })).toEqual({ amax: 2, scale: 2 });
    expect(calibrate(mse, { method: "mse", bits: 2, start: 3, stride: 2 })).toEqual({
      amax: 3,
      scale: 3,
    });
    expect(
      calibrate(Histogram.fromCounts([30, ...h12.slice(1)], 1), {
        method: "entropy",
        bits: 3,
        keepFirstBin: true,
      }),
    ).toEqual({ amax: 8, scale: f(8 / 3) });
    // raw values: 4 bins of width 32 ([3, 0, 0, 1]); 75 % is reached in bin 0.
    expect(calibrate([1, 2, 3, 100], { method: "percentile", bins: 4, percentile: 75 })).toEqual({
      amax: 32,
      scale: f(32 / 127),
    });
    // 2048 bins by default: w = 1/16, 3 in bin 48.
    expect(calibrate([1, 2, 3, 100], { method: "percentile", percentile: 75 }).amax).toBe(3.0625);
    // [1, 2, 3] in 4 bins of width 1, bin 0 := bin 1: every candidate KL 0, the largest (4) wins.
    expect(calibrate([1, 2, 3], { method: "entropy", bins: 4, start: 1 })).toEqual({
      amax: 4,
      scale: f(4 / 127),
    });
  });
  const METHOD = "one of minmax, percentile, mse, entropy";
  const NONZERO = "a batch with at least one nonzero value";
  const SCALE = "a range whose scale amax / qmax is a finite float32 > 0";
  test.each([
    [
      () => entropyRange(Histogram.fromCounts([9, 9, 7], 1)),
      "RangeError: entropyRange(): argument 'hist' must be a Histogram of at least 128 bins (nquant = 2^(bits-1+unsigned), the default options.start); received a Histogram of 3 bins.",
    ],
    [
      () => entropyRange(Histogram.fromCounts([9, 9, 7], 1), { start: 4 }),
      "RangeError: entropyRange(): argument 'options.start' must be an integer in [1, 3] (the histogram's bin count); received 4.",
    ],
    [
      () => entropyRange(Histogram.fromCounts([9, 9, 7], 1), { start: 1, stride: 0 }),
      "RangeError: entropyRange(): argument 'options.stride' must be an integer ≥ 1; received 0.",
    ],
    [
      () =>
        entropyRange(Histogram.fromCounts([9, 9, 7], 1), { start: 1, keepFirstBin: 1 as never }),
      "TypeError: entropyRange(): argument 'options.keepFirstBin' must be a boolean; received 1.",
    ],
    [
      () => entropyRange(Histogram.fromCounts([9, 9, 7], 1), { percentile: 1 } as never),
      `RangeError: entropyRange(): argument 'options' must be an object with keys among 'dtype', 'bits', 'unsigned', 'start', 'stride', 'keepFirstBin'; received an object with key "percentile".`,
    ],
    [
      () => entropyRange(null as never),
      "TypeError: entropyRange(): argument 'hist' must be a Histogram; received null.",
    ],
    [
      () => calibrate([1], undefined as never),
      "TypeError: calibrate(): argument 'options' must be an object with a method; received undefined.",
    ],
    [
      () => calibrate([1], { method: "minmax", x: 1 } as never),
      `RangeError: calibrate(): argument 'options' must be an object with keys among 'dtype', 'bits', 'unsigned', 'method', 'bins', 'percentile', 'start', 'stride', 'keepFirstBin'; received an object with key "x".`,
    ],
    [
      () => calibrate([1], {} as never),
      `TypeError: calibrate(): argument 'options.method' must be ${METHOD}; received undefined.`,
    ],
    [
      () => calibrate([1], { method: "kl" } as never),
      `RangeError: calibrate(): argument 'options.method' must be ${METHOD}; received "kl".`,
    ],
    [
      () => calibrate([1], { method: "mse", percentile: 99 }),
      `TypeError: calibrate(): argument 'options.percentile' must be undefined with method "mse"; received 99.`,
    ],
    [
      () => calibrate([1], { method: "minmax", start: 1 }),
      `TypeError: calibrate(): argument 'options.start' must be undefined with method "minmax"; received 1.`,
    ],
    [
      () => calibrate([1], { method: "percentile", stride: 1 }),
      `TypeError: calibrate(): argument 'options.stride' must be undefined with method "percentile"; received 1.`,
    ],
    [
      () => calibrate([1], { method: "mse", keepFirstBin: true }),
      `TypeError: calibrate(): argument 'options.keepFirstBin' must be undefined with method "mse"; received true.`,
    ],
    [
      () => calibrate(Histogram.fromCounts([1], 1), { method: "minmax", bins: 4 }),
      "TypeError: calibrate(): argument 'options.bins' must be undefined when data is a Histogram; received 4.",
    ],
    [
      () => calibrate([1], { method: "minmax", bins: 0 }),
      "RangeError: calibrate(): argument 'options.bins' must be an integer in [1, 16777216]; received 0.",
    ],
    [
      () => calibrate("1" as never, { method: "minmax" }),
      `TypeError: calibrate(): argument 'data' must be a Float32Array, a Float64Array or an array of numbers; received "1".`,
    ],
    [
      () => calibrate([1, Number.NaN], { method: "minmax" }),
      "RangeError: calibrate(): argument 'data[1]' must be a finite number with |x| < 2^1023; received NaN.",
    ],
    [
      () => calibrate([], { method: "minmax" }),
      `RangeError: calibrate(): argument 'data' must be ${NONZERO}; received no values.`,
    ],
    [
      () => calibrate([0, 0], { method: "minmax" }),
      `RangeError: calibrate(): argument 'data' must be ${NONZERO}; received 2 values, all 0.`,
    ],
    [
      () => calibrate(new Histogram(), { method: "minmax" }),
      `RangeError: calibrate(): argument 'data' must be ${NONZERO}; received no values.`,
    ],
    [
      () => calibrate([1e-46], { method: "minmax" }),
      `RangeError: calibrate(): argument 'data' must be ${SCALE}; received amax 1e-46 (scale 0).`,
    ],
    [
      () => calibrate([1e300], { method: "minmax" }),
      `RangeError: calibrate(): argument 'data' must be ${SCALE}; received amax 1e+300 (scale Infinity).`,
    ],
    [
      () =>
        calibrate(Histogram.fromCounts([50, 30, 15, 4, 1], 1), {
          method: "percentile",
          percentile: 0,
        }),
      "RangeError: calibrate(): argument 'options.percentile' must be a number in (0, 100]; received 0.",
    ],
    [
      () => calibrate(Histogram.fromCounts([9, 9, 7], 1), { method: "entropy" }),
      "RangeError: calibrate(): argument 'data' must be a Histogram of at least 128 bins (nquant = 2^(bits-1+unsigned), the default options.start); received a Histogram of 3 bins.",
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("what the first run left: layouts' own keys, float4e2m1 codes, the calibration grid", () => {
  test("packNibbles' bytes are its only keys", () => {
    expect(Object.keys(packNibbles([1, 2, 3], "onnx"))).toEqual(["0", "1"]);
    expect(Object.keys(packNibbles([1, 2, 3], "bnb"))).toEqual(["0", "1"]);
  });
  test("unpackNibbles names 'length'", () => {
    expect(message(() => unpackNibbles(new Uint8Array(0), "onnx", -1))).toBe(
      "RangeError: unpackNibbles(): argument 'length' must be an integer >= 0; received -1.",
    );
  });
  test("float4e2m1 codes unpack unsigned: 15 stays 15", () => {
    const u = unpackCodes(new Uint8Array([0xf8, 0x0f]), "float4e2m1", 3);
    expect([u.constructor.name, ...u]).toEqual(["Uint8Array", 8, 15, 15]);
  });
  test("resolveLevels: bits, signedness, qmax, qmin, nquant", () => {
    expect(resolveLevels("f", { dtype: "int8" })).toEqual({
      bits: 8,
      unsigned: false,
      qmax: 127,
      qmin: -127,
      nquant: 128,
    });
    expect(resolveLevels("f", { dtype: "uint4" })).toEqual({
      bits: 4,
      unsigned: true,
      qmax: 15,
      qmin: 0,
      nquant: 16,
    });
    expect(resolveLevels("f", { bits: 3 })).toEqual({
      bits: 3,
      unsigned: false,
      qmax: 3,
      qmin: -3,
      nquant: 4,
    });
    expect(resolveLevels("f", {})).toEqual({
      bits: 8,
      unsigned: false,
      qmax: 127,
      qmin: -127,
      nquant: 128,
    });
  });
  test("entropyRange with a dtype: nquant = qmax + 1 bins at least (int4: 8)", () => {
    expect(
      message(() =>
        entropyRange(Histogram.fromCounts([1, 2, 3, 4, 5, 6, 7], 1), { dtype: "int4" }),
      ),
    ).toBe(
      "RangeError: entropyRange(): argument 'hist' must be a Histogram of at least 8 bins (nquant = 2^(bits-1+unsigned), the default options.start); received a Histogram of 7 bins.",
    );
  });
  test("optionsObject: undefined is {}, an object passes, anything else is a TypeError", () => {
    const o = { start: 1 };
    expect(optionsObject("f", undefined)).toEqual({});
    expect(optionsObject("f", o)).toBe(o);
    const start = "TypeError: f(): argument 'options' must be an object or undefined; received";
    expect(message(() => optionsObject("f", null))).toBe(`${start} null.`);
    expect(message(() => optionsObject("f", 3))).toBe(`${start} 3.`);
    expect(message(() => optionsObject("f", [1]))).toBe(`${start} an array of length 1.`);
  });
});

describe("matmulInteger: batched zero points and vector shapes", () => {
  const a = { data: new Int8Array([1, 2, 3, 4]), shape: [2, 1, 2] };
  const ones = { data: new Int8Array([1, 1]), shape: [2, 1] };
  test("zero points per row of each matrix ([2, 1, 1]) or one row shared by the batch", () => {
    // [1, 2] − 1 and [3, 4] − 2, times [1, 1]: 1 and 3; with 1 for both: 1 and 5.
    const each = matmulInteger(a, ones, { aZeroPoint: { data: [1, 2], shape: [2, 1, 1] } });
    expect([each.shape, [...each.data]]).toEqual([
      [2, 1, 1],
      [1, 3],
    ]);
    expect(Array.from(matmulInteger(a, ones, { aZeroPoint: [1] }).data)).toEqual([1, 5]);
    const b = { data: new Int8Array([1, 2, 3, 4]), shape: [2, 2, 1] };
    const row = { data: new Int8Array([1, 1]), shape: [1, 2] };
    const cols = matmulInteger(row, b, { bZeroPoint: { data: [1, 2], shape: [2, 1, 1] } });
    expect(Array.from(cols.data)).toEqual([1, 3]);
    expect(
      message(() => matmulInteger(row, b, { bZeroPoint: { data: [1, 2], shape: [2, 1] } })),
    ).toBe(
      "RangeError: matmulInteger(): argument 'options.bZeroPoint' must be a number, 1 value (one per column) or shape [2, 1, 1]; received shape [2, 1].",
    );
  });
  test("vectors: [2] @ [2] is a scalar; [2] @ [2, 2, 2] and [2, 2, 2] @ [2] drop their dimension", () => {
    const v = (data: number[]) => ({ data: new Int8Array(data), shape: [data.length] });
    const t = { data: new Int8Array([1, 2, 3, 4, 5, 6, 7, 8]), shape: [2, 2, 2] };
    const dot = matmulInteger(v([1, 2]), v([3, 4]));
    expect([dot.shape, [...dot.data]]).toEqual([[], [11]]);
    const left = matmulInteger(v([1, 2]), t);
    expect([left.shape, [...left.data]]).toEqual([
      [2, 2],
      [7, 10, 19, 22],
    ]);
    const right = matmulInteger(t, v([1, 2]));
    expect([right.shape, [...right.data]]).toEqual([
      [2, 2],
      [5, 11, 17, 23],
    ]);
    const zp = matmulInteger({ data: new Uint8Array([1, 2]), shape: [2] }, v([1, 2]), {
      aZeroPoint: [1],
      bZeroPoint: { data: [1], shape: [1] },
    });
    expect([...zp.data]).toEqual([1]);
    const k0 = matmulInteger(
      { data: new Int8Array(0), shape: [2, 0] },
      { data: new Int8Array(0), shape: [0, 3] },
    );
    expect([k0.shape, [...k0.data]]).toEqual([
      [2, 3],
      [0, 0, 0, 0, 0, 0],
    ]);
  });
  test("an overflow in matrix 2 of a [2, 2] batch is at [1, 0, 0, 0]", () => {
    const big = new Uint8Array(160000);
    big.fill(255, 80000, 120000);
    expect(
      message(() =>
        matmulInteger(
          { data: big, shape: [2, 2, 1, 40000] },
          { data: new Uint8Array(40000).fill(255), shape: [40000, 1] },
        ),
      ),
    ).toBe(
      "RangeError: matmulInteger(): result [1, 0, 0, 0] = 2601000000 leaves the int32 range [-2147483648, 2147483647]; ONNX MatMulInteger would wrap it, this function does not.",
    );
  });
});

describe("observers, blocks, histograms, entropy: edges of the checks", () => {
  test("averagingConstant must be a number: a numeric string is refused", () => {
    expect(
      message(() => new MovingAverageMinMaxObserver({ averagingConstant: "0.5" as never })),
    ).toBe(
      `RangeError: MovingAverageMinMaxObserver(): argument 'options.averagingConstant' must be a number in (0, 1]; received "0.5".`,
    );
  });
  test("affine uint8 blocks carry their zero points: [1, −2] -> s = 3 / 255, zp 170", () => {
    const p = granularParams([1, -2, 0.5, 0.25, 4], {
      granularity: "block",
      blockSize: 2,
      dtype: "uint8",
      scheme: "affine",
    });
    const scale = p.scale as { data: Float32Array };
    const zero = p.zeroPoint as { data: Int32Array; shape: number[] };
    expect([Array.from(scale.data), Array.from(zero.data), zero.shape]).toEqual([
      [Math.fround(3 / 255), Math.fround(0.5 / 255), Math.fround(4 / 255)],
      [170, 0, 0],
      [3],
    ]);
  });
  test("fromCounts refuses 2^24 + 1 bins", () => {
    expect(message(() => Histogram.fromCounts(new Uint8Array(2 ** 24 + 1), 1))).toBe(
      "RangeError: Histogram.fromCounts(): argument 'counts' must be of length in [1, 16777216]; received a Uint8Array of length 16777217.",
    );
  });
  test("entropyRange: exactly nquant bins are enough for the default start", () => {
    // bits 3: nquant 4 = the bin count, so the one candidate is edge 4.
    expect(entropyRange(Histogram.fromCounts([1, 2, 3, 4], 1), { bits: 3 })).toBe(4);
    expect(entropyRange(Histogram.fromCounts(new Array(128).fill(1), 0.5))).toBe(64);
  });
});

describe("qlinearMatMul: batches with parameters per row and column of each matrix", () => {
  test("a and b both [2, 2, 2], blocks spanning each row of a and each column of b", () => {
    // y[t] = A_t @ I · a_scale[t, i] · b_scale[t, j]: t 0 rows [1, 2]·1·[1, 2], [3, 4]·2·[1, 2];
    // t 1 rows [1, 2]·3·[3, 1], [3, 1]·4·[3, 1].
    const r = qlinearMatMul(
      {
        dtype: "int8",
        data: [1, 2, 3, 4, 1, 2, 3, 1],
        shape: [2, 2, 2],
        scale: { data: [1, 2, 3, 4], shape: [2, 2, 1] },
        axis: 2,
        blockSize: 2,
      },
      {
        dtype: "int8",
        data: [1, 0, 0, 1, 1, 0, 0, 1],
        shape: [2, 2, 2],
        scale: { data: [1, 2, 3, 1], shape: [2, 1, 2] },
        axis: 1,
        blockSize: 2,
      },
      { dtype: "int8", scale: 1 },
    );
    expect([r.shape, [...r.data]]).toEqual([
      [2, 2, 2],
      [1, 4, 6, 16, 9, 6, 36, 4],
    ]);
  });
  test("b batched per column under an unbatched a: every matrix of b keeps its scales", () => {
    const r = qlinearMatMul(
      { dtype: "int8", data: [1, 1], shape: [1, 2], scale: 1 },
      {
        dtype: "int8",
        data: [1, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0, 0],
        shape: [2, 2, 3],
        scale: [1, 2, 4],
        axis: 2,
      },
      { dtype: "int8", scale: 1 },
    );
    expect([r.shape, [...r.data]]).toEqual([
      [2, 1, 3],
      [1, 2, 4, 1, 2, 4],
    ]);
  });
  const A_AXIS =
    "per tensor, per row (axis -2) or in blocks spanning each row (axis -1, blockSize >= K)";
  test.each([
    [
      () =>
        qlinearMatMul(
          "ab" as never,
          { dtype: "int8", data: [1], shape: [1, 1], scale: 1 },
          { dtype: "int8", scale: 1 },
        ),
      `TypeError: qlinearMatMul(): argument 'a' must be a quantized tensor { dtype, data, shape, scale, zeroPoint? }; received "ab".`,
    ],
    [
      () =>
        qlinearMatMul({ dtype: "int8", data: [1], shape: [1, 1], scale: 1 }, 3 as never, {
          dtype: "int8",
          scale: 1,
        }),
      "TypeError: qlinearMatMul(): argument 'b' must be a quantized tensor { dtype, data, shape, scale, zeroPoint? }; received 3.",
    ],
    [
      () =>
        qlinearMatMul(
          {
            dtype: "int8",
            data: [1, 2, 3, 4],
            shape: [2, 2],
            scale: { data: [1, 2], shape: [1, 2] },
            axis: 0,
            blockSize: 2,
          },
          { dtype: "int8", data: [1, 0, 0, 1], shape: [2, 2], scale: 1 },
          { dtype: "int8", scale: 1 },
        ),
      `RangeError: qlinearMatMul(): argument 'a.axis' must be parameters ${A_AXIS} for shape [2, 2]; received axis 0 in blocks of 2.`,
    ],
    [
      () =>
        qlinearMatMul(
          {
            dtype: "int8",
            data: [1, 2],
            shape: [2],
            scale: { data: [1], shape: [1] },
            axis: 0,
            blockSize: 2,
          },
          { dtype: "int8", data: [1, 0, 0, 1], shape: [2, 2], scale: 1 },
          { dtype: "int8", scale: 1 },
        ),
      `RangeError: qlinearMatMul(): argument 'a.axis' must be parameters ${A_AXIS} for shape [2]; received axis 0 in blocks of 2.`,
    ],
    [
      () =>
        qlinearMatMul(
          { dtype: "int8", data: [1], shape: [1, 1], scale: 1 },
          { dtype: "int8", data: [1], shape: [1, 1], scale: 1 },
          {
            dtype: "uint8",
            scale: 1,
            zeroPoint: 256,
          },
        ),
      "RangeError: qlinearMatMul(): argument 'y.zeroPoint' must be an integer in [0, 255] for uint8; received 256.",
    ],
  ])("%#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});
