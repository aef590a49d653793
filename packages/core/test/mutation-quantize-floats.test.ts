// What the mutation run found untested in src/floats (formats, values, layout) and src/quantize
// (packed, trace, fake, dynamic, quantize): each case kills a mutant that survived. Expected values
// are worked out by hand.
import { describe, expect, test } from "vitest";
import {
  bitLayout,
  bitPattern,
  dequantize,
  dequantizePacked,
  dynamicQuantizeLinear,
  fakeQuantize,
  fakeQuantizeNudged,
  formatSummary,
  nudgedRange,
  type PackedTensor,
  quantize,
  quantizePacked,
  representableValues,
  roundToFormat,
  traceQuantize,
} from "../src/index.js";
import { message } from "./show.js";

describe("formatSummary: range and resolution of each format", () => {
  // Floats: max = (2 - 2^-M) · 2^(emax), smallest = 2^(1 - bias - M), digits = (M + 1) · log10(2).
  test.each([
    ["float64", 64, Number.MAX_VALUE, 2 ** -1074, "about 16.0 significant decimal digits"],
    ["float32", 32, 3.4028234663852886e38, 2 ** -149, "about 7.2 significant decimal digits"],
    ["float16", 16, 65504, 2 ** -24, "about 3.3 significant decimal digits"],
    ["bfloat16", 16, 3.3895313892515355e38, 2 ** -133, "about 2.4 significant decimal digits"],
    ["float8e4m3fn", 8, 448, 2 ** -9, "about 1.2 significant decimal digits"],
    ["float8e5m2", 8, 57344, 2 ** -16, "about 0.9 significant decimal digits"],
    ["float4e2m1", 4, 6, 0.5, "about 0.6 significant decimal digits"],
  ] as const)("%s: %d bits, ±%d, smallest %d", (name, bits, max, smallest, description) => {
    expect(formatSummary(name)).toEqual({
      name,
      kind: "float",
      bits,
      min: -max,
      max,
      smallestPositive: smallest,
      description,
    });
  });

  test("float8e8m0 has no sign: its least value is its smallest, 2^-127", () => {
    expect(formatSummary("float8e8m0")).toEqual({
      name: "float8e8m0",
      kind: "float",
      bits: 8,
      min: 2 ** -127,
      max: 2 ** 127,
      smallestPositive: 2 ** -127,
      description: "about 0.3 significant decimal digits",
    });
  });

  test.each([
    ["int8", 8, -128, 127, "256 integers"],
    ["uint4", 4, 0, 15, "16 integers"],
    ["int32", 32, -2147483648, 2147483647, "4,294,967,296 integers"],
  ] as const)("%s: %d bits, [%d, %d]", (name, bits, min, max, description) => {
    expect(formatSummary(name)).toEqual({
      name,
      kind: "integer",
      bits,
      min,
      max,
      smallestPositive: 1,
      description,
    });
  });

  test("an unknown name is a RangeError", () => {
    expect(message(() => formatSummary("float12" as never))).toBe(
      `RangeError: formatSummary(): argument 'name' must be a format name such as "float32" or "int8"; received "float12".`,
    );
  });
});

describe("roundToFormat: what a format stores, as float64 numbers", () => {
  test.each([
    ["float64", [0.1, -1e300], [0.1, -1e300]],
    // fround(0.1) = 13421773 · 2^-27; fround(1e300) overflows to Infinity.
    ["float32", [0.1, -1e300], [0.10000000149011612, Number.NEGATIVE_INFINITY]],
    // 0.1 in float16: 1638 · 2^-14 = 0.0999755859375 (1638.4 rounds down).
    ["float16", [0.1, 1e5], [0.0999755859375, Number.POSITIVE_INFINITY]],
    // float8e4m3fn saturates: 500 becomes 448.
    ["float8e4m3fn", [0.1, 500], [0.1015625, 448]],
  ] as const)("%s", (name, values, expected) => {
    const y = roundToFormat(name, values);
    expect(y).toBeInstanceOf(Float64Array);
    expect(Array.from(y)).toEqual(expected);
  });

  test.each(["int8", "float12"])("%s is not a float format: RangeError", (name) => {
    expect(message(() => roundToFormat(name as never, [1]))).toBe(
      `RangeError: roundToFormat(): argument 'name' must be "float64", "float32" or a low-precision float dtype; received "${name}".`,
    );
  });
});

describe("representableValues: every finite value >= 0 of a format", () => {
  test.each([
    // count: the codes without the sign bit, less NaN and Infinity.
    ["float16", 31744, 2 ** -24, 65504],
    ["float8e4m3fn", 127, 2 ** -9, 448],
    ["float8e5m2", 124, 2 ** -16, 57344],
    ["float8e4m3fnuz", 128, 2 ** -10, 240],
    // float8e8m0 has no sign bit: all 256 codes, less the NaN 0xFF; no zero.
    ["float8e8m0", 255, 2 ** -127, 2 ** 127],
    ["float6e2m3", 32, 0.125, 7.5],
  ] as const)("%s: %d values, least positive %d, largest %d", (dtype, count, least, last) => {
    const v = representableValues(dtype);
    expect(v.length).toBe(count);
    // Every format but e8m0 starts at 0.
    expect(v[dtype === "float8e8m0" ? 0 : 1]).toBe(least);
    expect(v[v.length - 1]).toBe(last);
    // Ascending, each once: no entry at or below the one before it.
    let unordered = 0;
    for (let i = 1; i < v.length; i++) if (!((v[i] as number) > (v[i - 1] as number))) unordered++;
    expect(unordered).toBe(0);
  });

  test("float6e3m2: all 32, in order", () => {
    expect(Array.from(representableValues("float6e3m2"))).toEqual([
      0, 0.0625, 0.125, 0.1875, 0.25, 0.3125, 0.375, 0.4375, 0.5, 0.625, 0.75, 0.875, 1, 1.25, 1.5,
      1.75, 2, 2.5, 3, 3.5, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28,
    ]);
  });
});

describe("traceQuantize: each step of the arithmetic", () => {
  test("onnx: saturation flags at the bounds and just past them, ties to even", () => {
    const t = traceQuantize([-129, -128, 127, 128, 0.5, 1.5], { dtype: "int8", scale: 1 });
    expect(t.semantics).toBe("onnx");
    expect([t.scale, t.zeroPoint, t.qmin, t.qmax]).toEqual([1, 0, -128, 127]);
    expect("inverseScale" in t).toBe(false);
    expect(Array.from(t.rounded)).toEqual([-129, -128, 127, 128, 0, 2]);
    expect(Array.from(t.code)).toEqual([-128, -128, 127, 127, 0, 2]);
    expect(t.clipped).toEqual([true, false, false, true, false, false]);
  });

  test("onnx divides, pytorch multiplies by fround(1 / s)", () => {
    // s = fround(20 / 255) = 0.078431375...; -10 / s = -127.49999 (float32); fround(1 / s) = 12.75,
    // and -10 · 12.75 = -127.5, a tie that goes to -128.
    const s = Math.fround(20 / 255);
    const onnx = traceQuantize([-10], { dtype: "int8", scale: s, zeroPoint: 3 });
    expect([onnx.scaled[0], onnx.rounded[0], onnx.shifted[0], onnx.code[0]]).toEqual([
      -127.49999237060547, -127, -124, -124,
    ]);
    const torch = traceQuantize(
      [-10],
      { dtype: "int8", scale: s, zeroPoint: 3 },
      { semantics: "pytorch" },
    );
    expect(torch.inverseScale).toBe(12.75);
    expect([torch.scaled[0], torch.rounded[0], torch.shifted[0], torch.code[0]]).toEqual([
      -127.5, -128, -125, -125,
    ]);
  });

  test("pytorch adds the zero point in float32: 2^24 + 1 is not a float32", () => {
    const p = { dtype: "int32", scale: 1, zeroPoint: 2 ** 24 + 1 } as const;
    // onnx: 0 + 16777217 and 1 + 16777217, exact in float64.
    expect(Array.from(traceQuantize([0, 1], p).shifted)).toEqual([16777217, 16777218]);
    // pytorch: fround(fround(16777217) + q) = fround(16777216 + q): 16777216 both (ties to even).
    const torch = traceQuantize([0, 1], p, { semantics: "pytorch" });
    expect(Array.from(torch.shifted)).toEqual([16777216, 16777216]);
    expect(Array.from(torch.code)).toEqual([16777216, 16777216]);
  });

  test.each([
    [
      () => traceQuantize([1], null as never),
      "TypeError: traceQuantize(): argument 'params' must be per-tensor parameters { dtype, scale: number, zeroPoint? }; received null.",
    ],
    [
      () => traceQuantize([1], "int8" as never),
      `TypeError: traceQuantize(): argument 'params' must be per-tensor parameters { dtype, scale: number, zeroPoint? }; received "int8".`,
    ],
    [
      () => traceQuantize([1], { dtype: "int8", scale: [1] } as never),
      "TypeError: traceQuantize(): argument 'params' must be per-tensor parameters { dtype, scale: number, zeroPoint? }; received an object.",
    ],
    [
      () => traceQuantize([1, Number.NaN], { dtype: "int8", scale: 1 }),
      "RangeError: traceQuantize(): argument 'x[1]' must be a number, not NaN; received NaN.",
    ],
    [
      () => traceQuantize([1], { dtype: "int8", scale: 1 }, { semantics: "tf" as never }),
      `RangeError: traceQuantize(): argument 'options.semantics' must be one of "onnx", "pytorch"; received "tf".`,
    ],
    [
      () => traceQuantize([1], { dtype: "int8", scale: 1 }, { shape: [1] } as never),
      `RangeError: traceQuantize(): argument 'options' must be an object with keys among 'semantics'; received an object with key "shape".`,
    ],
  ])("error %#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("quantizePacked: codes two per byte, the first in the low nibble", () => {
  test("per tensor, int4: [1, -1, 7] → 1 | 15 << 4, then 7 alone (odd count: high nibble 0)", () => {
    const packed = quantizePacked([1, -1, 7], { dtype: "int4", scale: 1 });
    expect(packed).toEqual({
      dtype: "int4",
      data: Uint8Array.of(241, 7),
      shape: [3],
      scale: 1,
      zeroPoint: 0,
      semantics: "onnx",
    });
  });

  test("per axis 0, int4: rows [1, -1, 7] / 1 and [3, 2, 9] / 2 → codes 1 -1 7 | 2 1 4", () => {
    // 3 / 2 = 1.5 and 9 / 2 = 4.5 go to the even 2 and 4.
    const packed = quantizePacked(
      [1, -1, 7, 3, 2, 9],
      { dtype: "int4", scale: [1, 2], axis: 0 },
      { shape: [2, 3] },
    );
    expect(Array.from(packed.data)).toEqual([1 | (15 << 4), 7 | (2 << 4), 1 | (4 << 4)]);
    expect([packed.shape, packed.axis, Array.from(packed.scale as Float32Array)]).toEqual([
      [2, 3],
      0,
      [1, 2],
    ]);
  });

  test("per axis 1, uint4 with zero points [1, 2, 3] → codes 2 1 10 | 4 4 12", () => {
    const packed = quantizePacked(
      [1, -1, 7, 3, 2, 9],
      { dtype: "uint4", scale: [1, 1, 1], zeroPoint: [1, 2, 3], axis: 1 },
      { shape: [2, 3] },
    );
    expect(Array.from(packed.data)).toEqual([2 | (1 << 4), 10 | (4 << 4), 4 | (12 << 4)]);
    expect(Array.from(dequantizePacked(packed).data)).toEqual([1, -1, 7, 3, 2, 9]);
  });

  test("writes into options.out and returns it", () => {
    const out = new Uint8Array(2);
    const packed = quantizePacked([1, 2, 15], { dtype: "uint4", scale: 1 }, { out });
    expect(packed.data).toBe(out);
    expect(Array.from(out)).toEqual([1 | (2 << 4), 15]);
  });

  test.each([
    [
      () => quantizePacked([1, Number.NaN], { dtype: "int4", scale: 1 }),
      "RangeError: quantizePacked(): argument 'x[1]' must be a number, not NaN (NaN has no integer code); received NaN.",
    ],
    [
      () => quantizePacked([1, Number.NaN], { dtype: "int4", scale: [1, 1], axis: 0 }),
      "RangeError: quantizePacked(): argument 'x[1]' must be a number, not NaN (NaN has no integer code); received NaN.",
    ],
    [
      () => quantizePacked([1], { dtype: "int8", scale: 1 } as never),
      `RangeError: quantizePacked(): argument 'params.dtype' must be one of "int4", "uint4"; received "int8".`,
    ],
    [
      () => quantizePacked([1], { dtype: "int4", scale: 1 }, { saturate: true } as never),
      `RangeError: quantizePacked(): argument 'options' must be an object with keys among 'semantics', 'shape', 'backend', 'threads', 'out'; received an object with key "saturate".`,
    ],
  ])("error %#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("dequantizePacked: unpacks and dequantizes", () => {
  const packed: PackedTensor = {
    dtype: "int4",
    data: Uint8Array.of(0xf9, 0x08),
    shape: [3],
    scale: 0.5,
    zeroPoint: 0,
    semantics: "onnx",
  };

  test("int4 nibbles 9, 15, 8 are -7, -1, -8 (two's complement), times 0.5", () => {
    expect(dequantizePacked(packed)).toEqual({ data: Float32Array.of(-3.5, -0.5, -4), shape: [3] });
  });

  test("uint4 nibbles 9, 15, 8 stay as they are, less the zero point 8", () => {
    const y = dequantizePacked({ ...packed, dtype: "uint4", zeroPoint: 8 });
    expect(Array.from(y.data)).toEqual([0.5, 3.5, 0]);
  });

  test("the recorded semantics are checked unless options give them", () => {
    const bad = { ...packed, semantics: "tf" } as never;
    expect(message(() => dequantizePacked(bad))).toBe(
      `RangeError: dequantizePacked(): argument 'options.semantics' must be one of "onnx", "pytorch"; received "tf".`,
    );
    expect(Array.from(dequantizePacked(bad, { semantics: "pytorch" }).data)).toEqual([
      -3.5, -0.5, -4,
    ]);
  });

  const packedTensor = "a packed tensor from quantizePacked()";
  test.each([
    [
      null,
      `TypeError: dequantizePacked(): argument 'packed' must be ${packedTensor}; received null.`,
    ],
    [5, `TypeError: dequantizePacked(): argument 'packed' must be ${packedTensor}; received 5.`],
    [
      { ...packed, data: [0xf9, 0x08] },
      `TypeError: dequantizePacked(): argument 'packed' must be ${packedTensor}; received an object.`,
    ],
    [
      { ...packed, data: Uint8Array.of(0xf9) },
      "RangeError: dequantizePacked(): argument 'packed.data' must be 2 bytes for shape [3]; received a Uint8Array of length 1.",
    ],
    [
      { ...packed, shape: [2, 3] },
      "RangeError: dequantizePacked(): argument 'packed.data' must be 3 bytes for shape [2, 3]; received a Uint8Array of length 2.",
    ],
    [
      { ...packed, extra: 1 },
      "RangeError: dequantizePacked(): argument 'packed' must be an object with keys among 'data', 'shape', 'dtype', 'scale', 'zeroPoint', 'axis', 'blockSize', 'semantics'; received an object with key \"extra\".",
    ],
    [
      { ...packed, dtype: "int8" },
      `RangeError: dequantizePacked(): argument 'packed.dtype' must be one of "int4", "uint4"; received "int8".`,
    ],
  ])("error %#", (value, expected) => {
    expect(message(() => dequantizePacked(value as never))).toBe(expected);
  });

  test("options take no shape", () => {
    expect(message(() => dequantizePacked(packed, { shape: [3] } as never))).toBe(
      "RangeError: dequantizePacked(): argument 'options' must be an object with keys among 'semantics', 'backend', 'threads'; received an object with key \"shape\".",
    );
  });
});

describe("fakeQuantize: dequantize(quantize(x)) in one step", () => {
  test("per tensor: 0.26 / 0.5 → 1 → 0.5; 300 / 0.5 saturates at 127 → 63.5", () => {
    expect(fakeQuantize([0.26, -1, 300], { dtype: "int8", scale: 0.5 })).toEqual({
      data: Float32Array.of(0.5, -1, 63.5),
      shape: [3],
    });
  });

  test("per axis: each value with its own scale and zero point", () => {
    // 0.25/0.5 = 0.5 → 0 (even) + 0; 0.75/0.5 = 1.5 → 2 + 1 = 3 → (3-1)·0.5; -300 + 2 → 0 → (0-2)·1;
    // 1 + 3 = 4 → (4-3)·1.
    const p = {
      dtype: "uint8",
      scale: [0.5, 0.5, 1, 1],
      zeroPoint: [0, 1, 2, 3],
      axis: 0,
    } as const;
    expect(fakeQuantize([0.25, 0.75, -300, 1], p)).toEqual({
      data: Float32Array.of(0, 1, -2, 1),
      shape: [4],
    });
  });

  test.each([
    [
      () => fakeQuantize([Number.NaN], { dtype: "int8", scale: 1 }),
      "RangeError: fakeQuantize(): argument 'x[0]' must be a number, not NaN (NaN has no integer code); received NaN.",
    ],
    [
      () => fakeQuantize([1, Number.NaN], { dtype: "int8", scale: [1, 1], axis: 0 }),
      "RangeError: fakeQuantize(): argument 'x[1]' must be a number, not NaN (NaN has no integer code); received NaN.",
    ],
    [
      () => fakeQuantize([1], { dtype: "int8", scale: 1 }, { precision: "float16" } as never),
      `RangeError: fakeQuantize(): argument 'options' must be an object with keys among 'semantics', 'shape', 'backend', 'threads', 'out'; received an object with key "precision".`,
    ],
  ])("error %#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("nudgedRange: TensorFlow's range with 0 on a level", () => {
  test.each([
    // Default [-6, 6], 8 bits: s = fround(12 / 255); zp = round(6 / s) = round(127.5) = 128.
    [undefined, -6.023529529571533, 5.976470470428467, 0.0470588244497776, 128],
    [{ min: -0.1, max: 63.65 }, 0, 63.75, 0.25, 0],
    // 2 bits: s = 3 / 3 = 1; zp = 0 - (-2.5 / 1) = 2.5, half away from zero → 3 (not the even 2).
    [{ min: -2.5, max: 0.5, numBits: 2 }, -3, 0, 1, 3],
    // narrowRange: codes [1, 3], s = 1 / 2; zp = 1 - (-1 / 0.5) = 3.
    [{ min: -1, max: 0, numBits: 2, narrowRange: true }, -1, 0, 0.5, 3],
    [{ min: -1, max: 0, numBits: 2, narrowRange: false }, -1, 0, 0.3333333432674408, 3],
    [{ min: -1, max: 2, numBits: 2, narrowRange: true }, -1.5, 1.5, 1.5, 2],
    // s = fround(364 · 2^-149 / 255) rounds down to 2^-149, so -min / s = 364 > 255: clamped.
    [{ min: -364 * 2 ** -149, max: 0 }, -255 * 2 ** -149, 0, 2 ** -149, 255],
  ])("%o", (options, nudgedMin, nudgedMax, scale, zeroPoint) => {
    expect(nudgedRange(options)).toEqual({ nudgedMin, nudgedMax, scale, zeroPoint });
  });

  test.each([
    [
      { min: "a" },
      `TypeError: nudgedRange(): argument 'options.min' must be a number; received "a".`,
    ],
    [
      { max: null },
      "TypeError: nudgedRange(): argument 'options.max' must be a number; received null.",
    ],
    [
      { min: 1 },
      "RangeError: nudgedRange(): argument 'options.min' must be a finite number <= 0; received 1.",
    ],
    [
      { min: Number.NEGATIVE_INFINITY },
      "RangeError: nudgedRange(): argument 'options.min' must be a finite number <= 0; received -Infinity.",
    ],
    [
      { max: -1 },
      "RangeError: nudgedRange(): argument 'options.max' must be a finite number >= 0; received -1.",
    ],
    [
      { max: Number.POSITIVE_INFINITY },
      "RangeError: nudgedRange(): argument 'options.max' must be a finite number >= 0; received Infinity.",
    ],
    [
      { min: 0, max: 0 },
      "RangeError: nudgedRange(): argument 'options.max' must be > min (0); received 0.",
    ],
    [
      { numBits: 17 },
      "RangeError: nudgedRange(): argument 'options.numBits' must be an integer in [2, 16]; received 17.",
    ],
    [
      { narrowRange: 1 },
      "TypeError: nudgedRange(): argument 'options.narrowRange' must be a boolean; received 1.",
    ],
  ])("%o", (options, expected) => {
    expect(message(() => nudgedRange(options as never))).toBe(expected);
  });
});

describe("fakeQuantizeNudged: clamp to the nudged range, round ties upward", () => {
  test("[-10, 53.75], 8 bits: s = 0.25, levels -10 + k / 4", () => {
    // -9.875 and -9.625 are ties: floor(v + 0.5) takes the upper level. NaN stays NaN.
    const x = [-10.1, -9.9, -9.75, 53.8, Number.NaN, 0, -9.875, -9.625];
    expect(fakeQuantizeNudged(x, { min: -10, max: 53.75 })).toEqual({
      data: Float32Array.of(-10, -10, -9.75, 53.75, Number.NaN, 0, -9.75, -9.5),
      shape: [8],
      nudgedMin: -10,
      nudgedMax: 53.75,
      scale: 0.25,
      zeroPoint: 40,
    });
  });

  test("its errors name it", () => {
    expect(message(() => fakeQuantizeNudged([0], { min: 1 }))).toBe(
      "RangeError: fakeQuantizeNudged(): argument 'options.min' must be a finite number <= 0; received 1.",
    );
  });
});

describe("dynamicQuantizeLinear: options", () => {
  test("shape, backend and out: [-1, 0, 1, 2] → s = fround(3 / 255), zp = 85, codes 0 85 170 255", () => {
    const out = new Uint8Array(4);
    const q = dynamicQuantizeLinear(Float32Array.of(-1, 0, 1, 2), {
      shape: [2, 2],
      backend: "reference",
      out,
    });
    expect(q.data).toBe(out);
    expect(q).toEqual({
      dtype: "uint8",
      data: Uint8Array.of(0, 85, 170, 255),
      shape: [2, 2],
      scale: Math.fround(3 / 255),
      zeroPoint: 85,
      semantics: "onnx",
    });
  });

  test("an unknown option is a RangeError", () => {
    expect(message(() => dynamicQuantizeLinear([1], { axis: 0 } as never))).toBe(
      `RangeError: dynamicQuantizeLinear(): argument 'options' must be an object with keys among 'shape', 'backend', 'out'; received an object with key "axis".`,
    );
  });
});

describe("errors name the function and the argument", () => {
  const notTensor =
    "a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor";
  const int8 = { dtype: "int8", scale: 1 } as const;
  const int4 = { dtype: "int4", scale: 1 } as const;
  test.each([
    ["fakeQuantize", () => fakeQuantize("a" as never, int8)],
    ["fakeQuantizeNudged", () => fakeQuantizeNudged("a" as never)],
    ["quantizePacked", () => quantizePacked("a" as never, int4)],
    ["traceQuantize", () => traceQuantize("a" as never, int8)],
    ["dynamicQuantizeLinear", () => dynamicQuantizeLinear("a" as never)],
  ])("%s: x not a tensor", (name, f) => {
    expect(message(f)).toBe(
      `TypeError: ${name}(): argument 'x' must be ${notTensor}; received "a".`,
    );
  });

  const dtypes =
    '"float16", "bfloat16", "float8e4m3fn", "float8e5m2", "float8e4m3fnuz", "float8e5m2fnuz", "float8e8m0", "float6e2m3", "float6e3m2", "float4e2m1"';
  test.each([
    [
      () => representableValues(3 as never),
      `TypeError: representableValues(): argument 'dtype' must be one of ${dtypes}; received 3.`,
    ],
    [
      () => representableValues("int8" as never),
      `RangeError: representableValues(): argument 'dtype' must be one of ${dtypes}; received "int8".`,
    ],
    [
      () => nudgedRange({ bits: 8 } as never),
      `RangeError: nudgedRange(): argument 'options' must be an object with keys among 'min', 'max', 'numBits', 'narrowRange'; received an object with key "bits".`,
    ],
    [
      // params null: checked as a missing dtype, not read as null.dtype.
      () => quantizePacked([1], null as never),
      `TypeError: quantizePacked(): argument 'params.dtype' must be one of "int4", "uint4"; received undefined.`,
    ],
    [
      () => dequantizePacked(undefined as never),
      "TypeError: dequantizePacked(): argument 'packed' must be a packed tensor from quantizePacked(); received undefined.",
    ],
    [
      () => traceQuantize([1], undefined as never),
      "TypeError: traceQuantize(): argument 'params' must be per-tensor parameters { dtype, scale: number, zeroPoint? }; received undefined.",
    ],
    [
      // NaN at index 0 is found too.
      () => traceQuantize([Number.NaN, 1], int8),
      "RangeError: traceQuantize(): argument 'x[0]' must be a number, not NaN; received NaN.",
    ],
  ])("error %#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("quantize and dequantize: what the run found in quantize.ts", () => {
  test("per axis without blocks: the result has no blockSize key", () => {
    const q = quantize([1, 2], { dtype: "int8", scale: [1, 1], axis: 0 });
    expect(Object.keys(q)).toEqual([
      "dtype",
      "data",
      "shape",
      "scale",
      "zeroPoint",
      "axis",
      "semantics",
    ]);
  });

  test.each([
    [
      // 1e-9 is 0 in float16: the message names the scale's index when there are several.
      () =>
        quantize([1, 2], { dtype: "int8", scale: [1, 1e-9], axis: 0 }, { precision: "float16" }),
      "RangeError: quantize(): argument 'params.scale[1]' must be a finite number > 0 as float16 (options.precision); received 9.999999717180685e-10.",
    ],
    [
      () => quantize([1], { dtype: "float8e4m3fn", scale: 1 }, { saturate: 1 as never }),
      "TypeError: quantize(): argument 'options.saturate' must be a boolean; received 1.",
    ],
    [
      // A number is no quantized tensor: checked before any 'in'.
      () => dequantize(5 as never),
      "TypeError: dequantize(): argument 'params' must be given unless 'q' is a quantized tensor from quantize(); received undefined.",
    ],
  ])("error %#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});

describe("bitLayout and bitPattern: what the run found in layout.ts", () => {
  test("a low-precision float's layout is of kind float", () => {
    expect(bitLayout("float16")).toEqual({
      name: "float16",
      kind: "float",
      bits: 16,
      fields: [
        { name: "sign", bits: 1 },
        { name: "exponent", bits: 5 },
        { name: "mantissa", bits: 10 },
      ],
      bias: 15,
    });
  });

  test.each([
    // 0 is no negative value for the unsigned e8m0: it rounds up to its least code, 2^-127.
    ["float8e8m0", 0, "00000000", 2 ** -127],
    // code 0 is not negative: no two's-complement wrap (2^8 + 0 would be 9 bits).
    ["int8", 0, "00000000", 0],
    ["int8", -1, "11111111", -1],
  ] as const)("bitPattern(%s, %d) = %s", (name, value, bits, stored) => {
    expect(bitPattern(name, value)).toEqual({ bits, stored });
  });

  const names = '"float64", "float32", a low-precision float dtype or an integer dtype';
  test.each([
    [
      () => bitLayout(3 as never),
      `TypeError: bitLayout(): argument 'name' must be ${names}; received 3.`,
    ],
    [
      () => bitPattern("int8", Number.NaN),
      "RangeError: bitPattern(): argument 'value' must be a number, not NaN (int8 has no NaN code); received NaN.",
    ],
  ])("error %#", (f, expected) => {
    expect(message(f)).toBe(expected);
  });
});
