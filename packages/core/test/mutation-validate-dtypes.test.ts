// What the mutation run found untested in validate/, dtypes/, metrics/bits, memory/allocate and
// random: each case kills a mutant that survived. Expected values are worked out by hand.
import { afterEach, describe, expect, test, vi } from "vitest";
import { isGgmlType } from "../src/dtypes/ggml.js";
import { isMxFormat } from "../src/dtypes/mx.js";
import { INTEGER_FORMATS, isFloatDType, isIntegerDType } from "../src/dtypes/table.js";
import {
  allocate,
  bitsPerWeight,
  dispose,
  isAllocated,
  quantize,
  seededNormal,
  seededRandom,
  threadSupport,
} from "../src/index.js";
import { loadFastKernels } from "../src/kernels/fast/load.js";
import { checkNoNaN, describe as describeValue, withArticle } from "../src/validate/errors.js";
import { MAX_ELEMENTS, outputArray } from "../src/validate/output.js";
import {
  checkShape,
  indexOfNaN,
  sizeOf,
  toFloat32,
  toFloat64,
  toIntegers,
  withShape,
} from "../src/validate/tensor.js";
import { message } from "./show.js";

// The kernels as a machine without WebAssembly SIMD ("none") or without shared memory ("unshared")
// sees them: loadFastKernels is wrapped, and passes through while `kernels.mode` is "real".
const kernels = vi.hoisted(() => ({ mode: "real" as "real" | "none" | "unshared" }));
vi.mock("../src/kernels/fast/load.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/kernels/fast/load.js")>();
  return {
    ...real,
    loadFastKernels: (options?: Parameters<typeof real.loadFastKernels>[0]) => {
      if (kernels.mode === "none") return undefined;
      if (kernels.mode === "unshared") return real.loadFastKernels({ ...options, shared: false });
      return real.loadFastKernels(options);
    },
  };
});
afterEach(() => {
  kernels.mode = "real";
});

describe("validate/errors: describe, withArticle, checkNoNaN", () => {
  test.each([
    ["null", null, "null"],
    ["undefined", undefined, "undefined"],
    ["0", 0, "0"],
    ["-0", -0, "-0"],
    ["1.5", 1.5, "1.5"],
    ["NaN", Number.NaN, "NaN"],
    ["a string, quoted", 'a"b', '"a\\"b"'],
    ["a bigint", 5n, "5n"],
    ["a boolean", true, "true"],
    ["a symbol", Symbol("s"), "Symbol(s)"],
    ["a function", () => 1, "a function"],
    ["an array", [1, 2, 3], "an array of length 3"],
    ["a typed array", new Int8Array(3), "an Int8Array of length 3"],
    ["a DataView (no length)", new DataView(new ArrayBuffer(2)), "a DataView"],
    ["a class instance", new Map(), "a Map"],
    ["a plain object", {}, "an object"],
    ["an object without prototype", Object.create(null), "an object"],
    ["an instance of an anonymous class", new (class {})(), "an object"],
  ])("describe(%s)", (_, value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  test.each([
    ["Int8Array", "an Int8Array"],
    ["Uint8Array", "a Uint8Array"],
    ["Float32Array", "a Float32Array"],
    ["array", "an array"],
    ["object", "an object"],
    ["Elephant", "an Elephant"],
  ])("withArticle(%s)", (name, expected) => {
    expect(withArticle(name)).toBe(expected);
  });

  test("checkNoNaN throws for index 0 and passes -1", () => {
    expect(message(() => checkNoNaN("f", 0))).toBe(
      "RangeError: f(): argument 'x[0]' must be a number, not NaN (NaN has no integer code); received NaN.",
    );
    expect(message(() => checkNoNaN("f", -1))).toBe("no error");
  });
});

describe("random: mulberry32 and Box-Muller", () => {
  // The values of mulberry32 worked out by an independent implementation (Python, 32-bit ints).
  test.each([
    [7, [0.011704753153026104, 0.06195825757458806, 0.97690763277933]],
    [0, [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]],
    [2 ** 32 + 7, [0.011704753153026104, 0.06195825757458806, 0.97690763277933]],
    [-1, [0.8964226141106337, 0.189478256739676, 0.7156526781618595]],
  ])("seededRandom(%s) gives the reference numbers", (seed, expected) => {
    const random = seededRandom(seed);
    expect([random(), random(), random()]).toEqual(expected);
  });

  test("seededNormal: √(−2 ln(1 − r1)) · cos(2π r2), two uniforms a number", () => {
    const uniforms = [0.75, 0, 0.5, 0.5, 0.75, 0.125];
    const normal = seededNormal(() => uniforms.shift() as number);
    // u = 0.25, v = 0: √(4 ln 2) · cos 0 = 1.6651092223153954
    expect(normal()).toBeCloseTo(1.6651092223153954, 14);
    // u = 0.5, v = 0.5: √(2 ln 2) · cos π = −1.1774100225154747
    expect(normal()).toBeCloseTo(-1.1774100225154747, 14);
    // u = 0.25, v = 1/8: √(4 ln 2) · cos(π/4) = √(2 ln 2)
    expect(normal()).toBeCloseTo(1.1774100225154747, 14);
    expect(uniforms).toEqual([]);
  });
});

describe("validate/output: outputArray", () => {
  /** A storage that records its length without allocating it. */
  class Lengths {
    readonly [index: number]: number;
    readonly length: number;
    constructor(length: number) {
      this.length = length;
    }
  }

  test("allocates `length` elements, up to 2^32", () => {
    expect(MAX_ELEMENTS).toBe(4294967296);
    const made = outputArray("f", undefined, Int8Array, 3);
    expect([made.constructor.name, made.length]).toEqual(["Int8Array", 3]);
    expect(outputArray("f", undefined, Lengths, 2 ** 32).length).toBe(2 ** 32);
  });

  test("returns the caller's array itself", () => {
    const out = new Int8Array(3);
    expect(outputArray("f", out, Int8Array, 3)).toBe(out);
  });

  test.each([
    [
      "more than 2^32 elements",
      () => outputArray("f", undefined, Int8Array, 2 ** 32 + 1),
      "RangeError: f(): argument 'x' must be at most 2^32 elements (a typed array's limit); received 4294967297 elements.",
    ],
    [
      "another array type",
      () => outputArray("f", new Int16Array(3), Int8Array, 3),
      "TypeError: f(): argument 'options.out' must be an Int8Array of length 3; received an Int16Array of length 3.",
    ],
    [
      "another length",
      () => outputArray("f", new Int8Array(2), Int8Array, 3),
      "RangeError: f(): argument 'options.out' must be an Int8Array of length 3; received an Int8Array of length 2.",
    ],
    [
      "another argument name",
      () => outputArray("f", new Int8Array(2), Uint8Array, 2, "out"),
      "TypeError: f(): argument 'out' must be a Uint8Array of length 2; received an Int8Array of length 2.",
    ],
  ])("refuses %s", (_, f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("validate/tensor", () => {
  /** A tensor as plain data: the typed array's class and values, and the shape. */
  const plain = (t: { data: ArrayLike<number>; shape: readonly number[] }) => [
    t.data.constructor.name,
    Array.from(t.data),
    t.shape,
  ];

  test.each([
    [
      "a shape that is not an array",
      () => checkShape("f", "s", 3),
      "TypeError: f(): argument 's' must be an array of non-negative integers; received 3.",
    ],
    [
      "a negative dimension",
      () => checkShape("f", "s", [2, -1]),
      "RangeError: f(): argument 's' must be a shape of non-negative integers; received [2, -1].",
    ],
    [
      "a fractional dimension",
      () => checkShape("f", "s", [2, 1.5]),
      "RangeError: f(): argument 's' must be a shape of non-negative integers; received [2, 1.5].",
    ],
    [
      "a string dimension",
      () => checkShape("f", "s", ["2"]),
      "RangeError: f(): argument 's' must be a shape of non-negative integers; received [2].",
    ],
    [
      "a dimension above 2^53 - 1",
      () => checkShape("f", "s", [2 ** 53]),
      "RangeError: f(): argument 's' must be a shape of non-negative integers; received [9007199254740992].",
    ],
    [
      "a number that is not a number, nested",
      () =>
        toFloat32("f", "x", [
          [1, 2],
          [3, "a"],
        ]),
      `TypeError: f(): argument 'x[1][1]' must be a number; received "a".`,
    ],
    [
      "a first element that is not a number",
      () => toFloat32("f", "x", [[{}]]),
      "TypeError: f(): argument 'x[0][0]' must be a number; received an object.",
    ],
    [
      "a ragged array",
      () => toFloat32("f", "x", [[1, 2], [3]]),
      "RangeError: f(): argument 'x[1]' must be an array of length 2 (the array is ragged); received an array of length 1.",
    ],
    [
      "a number where an array was",
      () => toFloat32("f", "x", [[1, 2], 3]),
      "RangeError: f(): argument 'x[1]' must be an array of length 2 (the array is ragged); received 3.",
    ],
    [
      "an array where a number was",
      () => toFloat32("f", "x", [[1], [[2]]]),
      "TypeError: f(): argument 'x[1][0]' must be a number; received an array of length 1.",
    ],
    [
      "a BigInt64Array",
      () => toFloat64("f", "x", BigInt64Array.of(1n)),
      "TypeError: f(): argument 'x' must be a tensor of numbers (not BigInt); received a BigInt64Array of length 1.",
    ],
    [
      "a BigUint64Array",
      () => toFloat64("f", "x", BigUint64Array.of(1n)),
      "TypeError: f(): argument 'x' must be a tensor of numbers (not BigInt); received a BigUint64Array of length 1.",
    ],
    [
      "a DataView",
      () => toFloat64("f", "x", new DataView(new ArrayBuffer(4))),
      "TypeError: f(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received a DataView.",
    ],
    [
      "a string",
      () => toFloat64("f", "x", "abc"),
      `TypeError: f(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received "abc".`,
    ],
    [
      "null",
      () => toFloat64("f", "x", null),
      "TypeError: f(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received null.",
    ],
    [
      "a tensor without shape",
      () => toFloat64("f", "x", { data: [1, 2] }),
      "TypeError: f(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received an object.",
    ],
    [
      "a tensor without data",
      () => toFloat64("f", "x", { shape: [2] }),
      "TypeError: f(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received an object.",
    ],
    [
      "a matrix without size",
      () => toFloat64("f", "x", { toArray: () => [1] }),
      "TypeError: f(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received an object.",
    ],
    [
      "a function with data and shape",
      () =>
        toFloat64(
          "f",
          "x",
          Object.assign(() => 0, { data: [1], shape: [1] }),
        ),
      "TypeError: f(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received a function.",
    ],
    [
      "undefined",
      () => toFloat64("f", "x", undefined),
      "TypeError: f(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received undefined.",
    ],
    [
      "a matrix without toArray",
      () => toFloat64("f", "x", { size: () => [2, 1] }),
      "TypeError: f(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received an object.",
    ],
    [
      "a tensor whose data is not a tensor",
      () => toFloat64("f", "x", { data: "ab", shape: [2] }),
      `TypeError: f(): argument 'x.data' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received "ab".`,
    ],
    [
      "a tensor whose shape does not match its data",
      () => toFloat64("f", "x", { data: [1, 2, 3, 4], shape: [3] }),
      "RangeError: f(): argument 'x.shape' must be a shape of 4 elements to match 'x.data'; received [3].",
    ],
    [
      "a matrix whose size does not match its array",
      () => toFloat64("f", "x", { size: () => [2, 2], toArray: () => [[1], [2]] }),
      "RangeError: f(): argument 'x[0]' must be an array of length 2 (the array is ragged); received an array of length 1.",
    ],
    [
      "an options.shape that does not match",
      () => toFloat64("f", "x", [1, 2, 3, 4], [3, 1]),
      "RangeError: f(): argument 'options.shape' must be a shape of 4 elements to match 'x'; received [3, 1].",
    ],
    [
      "a shape under another argument name",
      () => withShape("f", "x", { data: [1, 2], shape: [2] }, [1], "sh"),
      "RangeError: f(): argument 'sh' must be a shape of 2 elements to match 'x'; received [1].",
    ],
  ])("refuses %s", (_, f, expected) => {
    expect(message(f)).toBe(expected);
  });

  test.each([
    [
      "a number, rounded to float32",
      () => toFloat32("f", "x", 0.1),
      ["Float32Array", [0.10000000149011612], []],
    ],
    ["a number as float64", () => toFloat64("f", "x", 0.1), ["Float64Array", [0.1], []]],
    ["an empty array", () => toFloat32("f", "x", []), ["Float32Array", [], [0]]],
    ["empty rows", () => toFloat32("f", "x", [[], []]), ["Float32Array", [], [2, 0]]],
    [
      "a nested array",
      () =>
        toFloat64("f", "x", [
          [1, 2, 3],
          [4, 5, 6],
        ]),
      ["Float64Array", [1, 2, 3, 4, 5, 6], [2, 3]],
    ],
    [
      "an Int8Array",
      () => toFloat64("f", "x", Int8Array.of(-1, 2)),
      ["Float64Array", [-1, 2], [2]],
    ],
    [
      "a { data, shape } tensor",
      () => toFloat64("f", "x", { data: [1, 2, 3, 4], shape: [2, 2] }),
      ["Float64Array", [1, 2, 3, 4], [2, 2]],
    ],
    [
      "a mathjs-like matrix",
      () => toFloat64("f", "x", { size: () => [2, 1], toArray: () => [[1], [2]] }),
      ["Float64Array", [1, 2], [2, 1]],
    ],
    [
      "an array with options.shape",
      () => toFloat64("f", "x", [1, 2, 3, 4], [2, 2]),
      ["Float64Array", [1, 2, 3, 4], [2, 2]],
    ],
  ])("reads %s", (_, f, expected) => {
    expect(plain(f())).toEqual(expected);
  });

  test("a Float32Array is read without a copy; a shape is copied", () => {
    const x = Float32Array.of(1, 2);
    const read = toFloat32("f", "x", x);
    expect(read.data).toBe(x);
    expect(read.shape).toEqual([2]);
    const shape = [0, 3];
    const checked = checkShape("f", "s", shape);
    expect(checked).toEqual([0, 3]);
    expect(checked).not.toBe(shape);
  });

  test("sizeOf multiplies the dimensions; [] is one element", () => {
    expect(sizeOf("f", "s", [2, 3, 4])).toBe(24);
    expect(sizeOf("f", "s", [])).toBe(1);
  });

  test("indexOfNaN finds the first NaN", () => {
    expect(indexOfNaN([1, Number.NaN, Number.NaN])).toBe(1);
    expect(indexOfNaN([Number.NaN])).toBe(0);
    expect(indexOfNaN([1, 2])).toBe(-1);
  });

  const int8 = INTEGER_FORMATS.int8;
  const int4 = INTEGER_FORMATS.int4;
  test.each([
    [
      "a fraction",
      () => toIntegers("f", "q", [1, 2.5], int8),
      "RangeError: f(): argument 'q[1]' must be an integer in [-128, 127] for int8; received 2.5.",
    ],
    [
      "min - 1",
      () => toIntegers("f", "q", [-129], int8),
      "RangeError: f(): argument 'q[0]' must be an integer in [-128, 127] for int8; received -129.",
    ],
    [
      "max + 1",
      () => toIntegers("f", "q", [128], int8),
      "RangeError: f(): argument 'q[0]' must be an integer in [-128, 127] for int8; received 128.",
    ],
    [
      "an int4 code of 8 in its Int8Array",
      () => toIntegers("f", "q", Int8Array.of(1, 8), int4),
      "RangeError: f(): argument 'q[1]' must be an integer in [-8, 7] for int4; received 8.",
    ],
    [
      "a Uint8Array code above int8's range",
      () => toIntegers("f", "q", Uint8Array.of(200), int8),
      "RangeError: f(): argument 'q[0]' must be an integer in [-128, 127] for int8; received 200.",
    ],
    [
      "a quantized tensor whose shape lies",
      () =>
        toIntegers("f", "q", { dtype: "int8", data: Int8Array.of(1, 2, 3, 4), shape: [3] }, int8),
      "RangeError: f(): argument 'q.shape' must be a shape of 4 elements to match 'q.data'; received [3].",
    ],
    [
      "a quantized tensor of plain codes whose shape lies",
      () => toIntegers("f", "q", { dtype: "int8", data: [1, 2, 3, 4], shape: [3] }, int8),
      "RangeError: f(): argument 'q.shape' must be a shape of 4 elements to match 'q.data'; received [3].",
    ],
    [
      "an options.shape that does not match a quantized tensor",
      () =>
        toIntegers(
          "f",
          "q",
          { dtype: "int8", data: Int8Array.of(1, 2, 3, 4), shape: [4] },
          int8,
          [5],
        ),
      "RangeError: f(): argument 'options.shape' must be a shape of 4 elements to match 'q'; received [5].",
    ],
    [
      "an object with dtype but no data",
      () => toIntegers("f", "q", { dtype: "int8" }, int8),
      "TypeError: f(): argument 'q' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received an object.",
    ],
  ])("toIntegers refuses %s", (_, f, expected) => {
    expect(message(f)).toBe(expected);
  });

  /** Four int8 codes as a 2×2 quantized tensor. */
  const square = { dtype: "int8" as const, data: Int8Array.of(1, 2, 3, 4), shape: [2, 2] };
  test.each([
    [
      "int8's bounds",
      () => toIntegers("f", "q", [-128, 127], int8),
      ["Int8Array", [-128, 127], [2]],
    ],
    [
      "int4's bounds",
      () => toIntegers("f", "q", Int8Array.of(-8, 7), int4),
      ["Int8Array", [-8, 7], [2]],
    ],
    [
      "a quantized tensor with its shape",
      () => toIntegers("f", "q", square, int8),
      ["Int8Array", [1, 2, 3, 4], [2, 2]],
    ],
    [
      "a quantized tensor reshaped by options.shape",
      () => toIntegers("f", "q", square, int8, [4]),
      ["Int8Array", [1, 2, 3, 4], [4]],
    ],
    [
      "a quantized tensor of plain codes",
      () => toIntegers("f", "q", { dtype: "int8", data: [1, 2, 3, 4], shape: [2, 2] }, int8),
      ["Int8Array", [1, 2, 3, 4], [2, 2]],
    ],
    [
      "a { data, shape } tensor without dtype",
      () => toIntegers("f", "q", { data: [1, 2, 3, 4], shape: [2, 2] }, int8),
      ["Int8Array", [1, 2, 3, 4], [2, 2]],
    ],
    ["a number", () => toIntegers("f", "q", 3, int8), ["Int8Array", [3], []]],
    [
      "a matrix-like with a dtype key (no data: not a quantized tensor)",
      () => toIntegers("f", "q", { dtype: "int8", size: () => [2], toArray: () => [1, 2] }, int8),
      ["Int8Array", [1, 2], [2]],
    ],
  ])("toIntegers reads %s", (_, f, expected) => {
    expect(plain(f())).toEqual(expected);
  });

  test("toIntegers uses a format's own array as is, but copies sub-byte codes it checks", () => {
    const codes = Int8Array.of(1, 2);
    const read8 = toIntegers("f", "q", codes, int8);
    expect(read8.data).toBe(codes);
    expect(read8.shape).toEqual([2]);
    const q = { dtype: "int8", data: Int8Array.of(1, 2, 3, 4), shape: [2, 2] };
    expect(toIntegers("f", "q", q, int8).data).toBe(q.data);
    const nibbles = Int8Array.of(1, 2);
    const read = toIntegers("f", "q", nibbles, int4).data;
    expect(read).not.toBe(nibbles);
    expect(Array.from(read)).toEqual([1, 2]);
    // Without a dtype it is not a quantized tensor: its codes are checked and copied.
    const tensor = { data: Int8Array.of(1, 2), shape: [2] };
    const copied = toIntegers("f", "q", tensor, int8).data;
    expect(copied).not.toBe(tensor.data);
    expect(Array.from(copied)).toEqual([1, 2]);
  });

  test("toIntegers refuses null", () => {
    expect(message(() => toIntegers("f", "q", null, int8))).toBe(
      "TypeError: f(): argument 'q' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received null.",
    );
  });
});

describe("metrics/bits: bitsPerWeight", () => {
  const q = { dtype: "int8", data: [1, 2], scale: 1, zeroPoint: 0 };

  test.each([
    // (n · bits + scales · scaleBits + zeroPoints · bits) / n
    [
      "int4, one float32 scale: (4·4 + 32) / 4",
      quantize([1, 2, 3, 4], { dtype: "int4", scale: 0.5 }),
      undefined,
      12,
    ],
    ["int8, 2 codes: (2·8 + 32) / 2", q, undefined, 24],
    ["scaleBits 64: (16 + 64) / 2", q, { scaleBits: 64 }, 40],
    ["scaleBits 1: (16 + 1) / 2", q, { scaleBits: 1 }, 8.5],
    // (a number as data is one code, though the type asks for an array)
    ["a number as data: (8 + 32) / 1", { ...q, data: 7 as unknown as number[] }, undefined, 40],
    [
      "2 scales, zero points [0, 3] stored: (32 + 64 + 16) / 4",
      { dtype: "int8", data: Int8Array.of(1, 2, 3, 4), scale: [1, 2], zeroPoint: [0, 3] },
      undefined,
      28,
    ],
    [
      "2 scales, zero points all 0 not stored: (32 + 64) / 4",
      {
        dtype: "int8",
        data: Int8Array.of(1, 2, 3, 4),
        scale: new Float32Array(2),
        zeroPoint: new Int8Array(2),
      },
      undefined,
      24,
    ],
    [
      "uint8, zero point 3 stored: (16 + 16 + 8) / 2",
      { dtype: "uint8", data: [1, 2], scale: 1, zeroPoint: 3 },
      { scaleBits: 16 },
      20,
    ],
  ])("%s", (_, tensor, options, expected) => {
    expect(bitsPerWeight(tensor, options)).toBe(expected);
  });

  test.each([
    [
      "a string",
      () => bitsPerWeight("q" as never),
      `TypeError: bitsPerWeight(): argument 'q' must be a quantized tensor { dtype, data, scale, zeroPoint }; received "q".`,
    ],
    [
      "an unknown key",
      () => bitsPerWeight({ ...q, extra: 1 } as never),
      "RangeError: bitsPerWeight(): argument 'q' must be an object with keys among 'dtype', 'data', 'shape', 'scale', 'zeroPoint', 'axis', 'blockSize', 'semantics'; received an object with key \"extra\".",
    ],
    [
      "null",
      () => bitsPerWeight(null as never),
      "TypeError: bitsPerWeight(): argument 'q' must be a quantized tensor { dtype, data, scale, zeroPoint }; received null.",
    ],
    [
      "an unknown dtype",
      () => bitsPerWeight({ ...q, dtype: "int7" }),
      `RangeError: bitsPerWeight(): argument 'q.dtype' must be an integer dtype; received "int7".`,
    ],
    [
      "a dtype that is not a string",
      () => bitsPerWeight({ ...q, dtype: 8 } as never),
      "TypeError: bitsPerWeight(): argument 'q.dtype' must be an integer dtype; received 8.",
    ],
    [
      "a DataView as data",
      () => bitsPerWeight({ ...q, data: new DataView(new ArrayBuffer(2)) } as never),
      "TypeError: bitsPerWeight(): argument 'q.data' must be a number or an array of numbers; received a DataView.",
    ],
    [
      "a BigInt64Array as data",
      () => bitsPerWeight({ ...q, data: new BigInt64Array(2) } as never),
      "TypeError: bitsPerWeight(): argument 'q.data' must be a number or an array of numbers; received a BigInt64Array of length 2.",
    ],
    [
      // (this one was counted as 2 codes before)
      "a BigUint64Array as data",
      () => bitsPerWeight({ ...q, data: new BigUint64Array(2) } as never),
      "TypeError: bitsPerWeight(): argument 'q.data' must be a number or an array of numbers; received a BigUint64Array of length 2.",
    ],
    [
      "empty data",
      () => bitsPerWeight({ ...q, data: [] }),
      "RangeError: bitsPerWeight(): argument 'q.data' must be a non-empty tensor; received an empty tensor.",
    ],
    [
      "a string as scale",
      () => bitsPerWeight({ ...q, scale: "1" } as never),
      `TypeError: bitsPerWeight(): argument 'q.scale' must be a number or an array of numbers; received "1".`,
    ],
    [
      "a string as zero point",
      () => bitsPerWeight({ ...q, zeroPoint: "0" } as never),
      `TypeError: bitsPerWeight(): argument 'q.zeroPoint' must be a number or an array of numbers; received "0".`,
    ],
    [
      "scaleBits 65",
      () => bitsPerWeight(q, { scaleBits: 65 }),
      "RangeError: bitsPerWeight(): argument 'options.scaleBits' must be an integer in [1, 64]; received 65.",
    ],
    [
      "scaleBits 0",
      () => bitsPerWeight(q, { scaleBits: 0 }),
      "RangeError: bitsPerWeight(): argument 'options.scaleBits' must be an integer in [1, 64]; received 0.",
    ],
    [
      "an unknown option",
      () => bitsPerWeight(q, { bits: 1 } as never),
      "RangeError: bitsPerWeight(): argument 'options' must be an object with keys among 'scaleBits'; received an object with key \"bits\".",
    ],
    [
      "options that are not an object",
      () => bitsPerWeight(q, 3 as never),
      "TypeError: bitsPerWeight(): argument 'options' must be an object (keys 'scaleBits') or undefined; received 3.",
    ],
  ])("refuses %s", (_, f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("dtypes: the is* guards take only the name itself", () => {
  // An array of one name converts to that name as a property key: only a string may pass.
  test.each([
    ["isIntegerDType", isIntegerDType, "int8"],
    ["isFloatDType", isFloatDType, "bfloat16"],
    ["isGgmlType", isGgmlType, "q4_K"],
    ["isMxFormat", isMxFormat, "mxfp4"],
  ])("%s", (_, is, name) => {
    expect([is(name), is([name]), is({ toString: () => name }), is(`${name}x`)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });
});

describe("memory/allocate", () => {
  test.each([
    [
      "an unknown dtype",
      () => allocate("float64" as never, 2),
      `TypeError: allocate(): argument 'dtype' must be one of "float32", "int32", "int16", "uint16", "int8", "uint8"; received "float64".`,
    ],
    [
      "a dtype that is not a string",
      () => allocate(3 as never, 2),
      `TypeError: allocate(): argument 'dtype' must be one of "float32", "int32", "int16", "uint16", "int8", "uint8"; received 3.`,
    ],
    [
      "a length that is not a number",
      () => allocate("int8", "2" as never),
      `TypeError: allocate(): argument 'n' must be an integer >= 0; received "2".`,
    ],
    [
      "a negative length",
      () => allocate("int8", -1),
      "RangeError: allocate(): argument 'n' must be an integer from 0 to 2^30; received -1.",
    ],
    [
      "a fractional length",
      () => allocate("int8", 1.5),
      "RangeError: allocate(): argument 'n' must be an integer from 0 to 2^30; received 1.5.",
    ],
    [
      "a length above 2^30",
      () => allocate("int8", 2 ** 30 + 1),
      "RangeError: allocate(): argument 'n' must be an integer from 0 to 2^30; received 1073741825.",
    ],
    [
      "dispose of something that is not a typed array",
      () => dispose([1] as never),
      "TypeError: dispose(): argument 'array' must be a typed array; received an array of length 1.",
    ],
    [
      "dispose twice",
      () => {
        const x = allocate("int8", 8);
        dispose(x);
        dispose(x);
      },
      "RangeError: dispose(): argument 'array' must be an array from allocate() that is not disposed yet; received an Int8Array of length 8.",
    ],
    [
      "dispose of a view that starts inside an allocation",
      () => {
        const x = allocate("int8", 128);
        dispose(x.subarray(1));
      },
      "RangeError: dispose(): argument 'array' must be an array from allocate() that is not disposed yet; received an Int8Array of length 127.",
    ],
    [
      "dispose of a view at the start of the kernels' memory (no allocation starts at 0)",
      () => {
        const x = allocate("int8", 8);
        dispose(new Int8Array(x.buffer, 0, 8));
      },
      "RangeError: dispose(): argument 'array' must be an array from allocate() that is not disposed yet; received an Int8Array of length 8.",
    ],
  ])("refuses %s", (_, f, expected) => {
    expect(message(f)).toBe(expected);
  });

  test("allocates zeroed, aligned arrays of the kernels' memory, of length 0 too", () => {
    const x = allocate("uint16", 3);
    expect([x.constructor.name, Array.from(x), isAllocated(x), x.byteOffset % 64]).toEqual([
      "Uint16Array",
      [0, 0, 0],
      true,
      0,
    ]);
    expect(allocate("int8", 0).length).toBe(0);
  });

  test("allocates 2^30 elements, the most it takes", () => {
    const largest = allocate("uint8", 2 ** 30);
    expect(largest.length).toBe(2 ** 30);
    dispose(largest);
    expect(isAllocated(largest)).toBe(false);
  });

  test("dispose frees an allocation and leaves an ordinary array alone", () => {
    const x = allocate("float32", 4);
    expect(isAllocated(x.subarray(1))).toBe(true);
    dispose(x);
    expect(isAllocated(x)).toBe(false);
    const plainArray = new Float32Array(2);
    expect(message(() => dispose(plainArray))).toBe("no error");
    expect([isAllocated(plainArray), isAllocated([1] as never)]).toEqual([false, false]);
  });

  test("threadSupport: the kernels' threads, in place where the memory is shared", () => {
    const fast = loadFastKernels();
    expect(threadSupport()).toEqual({ ...fast?.threadSupport, inPlace: true });
  });

  test.each([
    [
      "without shared memory: ordinary arrays, not in place",
      "unshared",
      "int16",
      "Int16Array",
      "one thread: no shared WebAssembly memory (SharedArrayBuffer missing: in a browser, the page is not cross-origin isolated)",
    ],
    [
      "without WebAssembly SIMD: ordinary arrays, one thread",
      "none",
      "int32",
      "Int32Array",
      "one thread: no WebAssembly SIMD",
    ],
  ] as const)("%s", (_, mode, dtype, array, reason) => {
    kernels.mode = mode;
    const x = allocate(dtype, 2);
    expect([x.constructor.name, x.length, isAllocated(x)]).toEqual([array, 2, false]);
    expect(message(() => dispose(x))).toBe("no error");
    expect(threadSupport()).toEqual({ threads: 1, reason, inPlace: false });
  });
});
