// What the mutation run (npm run mutation) found untested by core's own tests: each case kills a
// mutant that survived. Expected values are worked out by hand from the formulas in the comments.
import { describe, expect, test } from "vitest";
import {
  absoluteError,
  cosineSimilarity,
  decodeFloat,
  dequantize,
  encodeFloat,
  errorSummary,
  MovingAverageMinMaxObserver,
  maxAbsoluteError,
  meanAbsoluteError,
  qparamsFromRange,
  quantize,
  rootMeanSquaredError,
  sqnrDb,
} from "../src/index.js";
import { message } from "./show.js";

describe("metrics: each error measure's value", () => {
  // y − x = [0.5, 0, −1]
  const x = [1, 2, 3];
  const y = [1.5, 2, 2];
  test("rootMeanSquaredError = √((0.25 + 0 + 1) / 3)", () => {
    expect(rootMeanSquaredError(x, y)).toBeCloseTo(Math.sqrt(1.25 / 3), 15);
  });
  test("maxAbsoluteError = 1", () => {
    expect(maxAbsoluteError(x, y)).toBe(1);
  });
  test("meanAbsoluteError = 1.5 / 3", () => {
    expect(meanAbsoluteError(x, y)).toBe(0.5);
  });
  test("a Float32Array input reads as its float32 values", () => {
    // 0.1 as float32 is 0.100000001490116...; the error against 0 is that value.
    expect(maxAbsoluteError(Float32Array.of(0.1), [0])).toBe(Math.fround(0.1));
  });
});

describe("MovingAverageMinMaxObserver: min and max move by c times the distance", () => {
  test("c = 0.5: max 1 → 2 → 2.5, min 0 → 0 → −2", () => {
    const o = new MovingAverageMinMaxObserver({ averagingConstant: 0.5 });
    o.observe([0, 1]); // the first batch is taken as it is
    o.observe([0, 3]); // max: 1 + 0.5 · (3 − 1)
    expect([o.min[0], o.max[0]]).toEqual([0, 2]);
    o.observe([-4, 3]); // min: 0 + 0.5 · (−4 − 0); max: 2 + 0.5 · (3 − 2)
    expect([o.min[0], o.max[0]]).toEqual([-2, 2.5]);
  });
  test("c = 1 (the bound) is accepted and follows the last batch", () => {
    const o = new MovingAverageMinMaxObserver({ averagingConstant: 1 });
    o.observe([0, 1]).observe([-3, 7]);
    expect([o.min[0], o.max[0]]).toEqual([-3, 7]);
    expect(() => new MovingAverageMinMaxObserver({ averagingConstant: 1.0001 })).toThrow(
      /'options.averagingConstant' must be a number in \(0, 1\]/,
    );
  });
});

describe("qparamsFromRange", () => {
  test("affine uint8 over [−1, 3]: s = 4 / 255, z = round(1 / s) = round(63.75) = 64", () => {
    expect(qparamsFromRange(-1, 3, { dtype: "uint8", scheme: "affine" })).toEqual({
      dtype: "uint8",
      scale: Math.fround(4 / 255),
      zeroPoint: 64,
    });
  });
  test("errors name the bound and the option", () => {
    expect(() => qparamsFromRange("0" as never, 1)).toThrow(
      /^qparamsFromRange\(\): argument 'min' must be a number/,
    );
    expect(() => qparamsFromRange(0, Number.NaN)).toThrow(
      /^qparamsFromRange\(\): argument 'max' must be a finite number/,
    );
    expect(() => qparamsFromRange(0, 1, { scheme: 3 } as never)).toThrow(TypeError);
    expect(() => qparamsFromRange(0, 1, { scheme: 3 } as never)).toThrow(/'options.scheme'/);
    expect(() => qparamsFromRange(0, 1, { dtype: "int3" } as never)).toThrow(/'options.dtype'/);
  });
});

describe("metrics: errors name their function and argument", () => {
  test.each([
    ["sqnrDb", sqnrDb],
    ["cosineSimilarity", cosineSimilarity],
    ["errorSummary", errorSummary],
    ["rootMeanSquaredError", rootMeanSquaredError],
    ["maxAbsoluteError", maxAbsoluteError],
    ["meanAbsoluteError", meanAbsoluteError],
  ] as const)("%s of empty tensors", (name, f) => {
    expect(message(() => f([], []))).toBe(
      `RangeError: ${name}(): argument 'x' must be a non-empty tensor; received an empty tensor.`,
    );
  });
  test("absoluteError of unequal lengths; sqnrDb of a string for x, then for y", () => {
    expect(message(() => absoluteError([1], [1, 2]))).toMatch(
      /^RangeError: absoluteError\(\): argument 'y'/,
    );
    expect(message(() => sqnrDb("a" as never, [1]))).toMatch(
      /^TypeError: sqnrDb\(\): argument 'x'/,
    );
    expect(message(() => sqnrDb([1], "a" as never))).toMatch(
      /^TypeError: sqnrDb\(\): argument 'y'/,
    );
  });
});

describe("dequantize: what it says when params are missing or wrong", () => {
  const q = quantize([1, 2], { dtype: "int8", scale: 0.1, zeroPoint: 0 });
  const missing =
    "TypeError: dequantize(): argument 'params' must be given unless 'q' is a quantized tensor from quantize(); received undefined.";
  test("no params for codes that are not a quantized tensor", () => {
    expect(message(() => dequantize([1, 2]))).toBe(missing);
    expect(message(() => dequantize(null as never))).toBe(missing);
    expect(message(() => dequantize({ dtype: "int8" } as never))).toBe(missing); // no scale
    expect(message(() => dequantize({ scale: 1 } as never))).toBe(missing); // no dtype
  });
  test("params that are not an object", () => {
    const wrong =
      "TypeError: dequantize(): argument 'params' must be an object { dtype, scale, zeroPoint?, axis?, blockSize? }; received";
    expect(message(() => dequantize([1], null as never))).toBe(`${wrong} null.`);
    expect(message(() => dequantize([1], [1] as never))).toBe(`${wrong} an array of length 1.`);
    expect(message(() => dequantize([1], "int8" as never))).toBe(`${wrong} "int8".`);
  });
  test("a wrong dtype, an extra key on q, an unknown option", () => {
    expect(message(() => dequantize([1], { dtype: "int3", scale: 1 } as never))).toMatch(
      /^RangeError: dequantize\(\): argument 'params.dtype' must be one of "int2"/,
    );
    expect(message(() => dequantize({ ...q, extra: 1 } as never))).toMatch(
      /^RangeError: dequantize\(\): argument 'q' must be an object with keys among 'data'/,
    );
    expect(message(() => dequantize(q, undefined, { bogus: 1 } as never))).toMatch(
      /^RangeError: dequantize\(\): argument 'options' must be an object with keys among 'semantics'/,
    );
  });
});

describe("options every op shares", () => {
  const p = { dtype: "int8", scale: 1 } as const;
  test('threads "auto" is taken; a string that is not is a TypeError naming it', () => {
    expect(Array.from(quantize([1], p, { threads: "auto" }).data)).toEqual([1]);
    expect(message(() => quantize([1], p, { threads: "x" } as never))).toMatch(
      /^TypeError: quantize\(\): argument 'options.threads'/,
    );
  });
  test("a backend or semantics that is not a string is a TypeError naming it", () => {
    expect(message(() => quantize([1], p, { backend: 3 } as never))).toMatch(
      /^TypeError: quantize\(\): argument 'options.backend'/,
    );
    expect(message(() => quantize([1], p, { semantics: 3 } as never))).toMatch(
      /^TypeError: quantize\(\): argument 'options.semantics'/,
    );
  });
});

describe("float codecs", () => {
  test("float8e8m0's NaN code is 0xFF (ONNX)", () => {
    expect(Array.from(encodeFloat("float8e8m0", [Number.NaN]))).toEqual([0xff]);
  });
  test("roundMode: an unknown name is a RangeError, not a string a TypeError", () => {
    const names = 'must be one of "up", "down", "nearest"';
    expect(message(() => encodeFloat("float8e8m0", [1], { roundMode: "sideways" } as never))).toBe(
      `RangeError: encodeFloat(): argument 'options.roundMode' ${names}; received "sideways".`,
    );
    expect(message(() => encodeFloat("float8e8m0", [1], { roundMode: 3 } as never))).toBe(
      `TypeError: encodeFloat(): argument 'options.roundMode' ${names}; received 3.`,
    );
  });
  test("decodeFloat names an unknown option", () => {
    expect(message(() => decodeFloat("float16", [1], { bogus: 1 } as never))).toMatch(
      /^RangeError: decodeFloat\(\): argument 'options' must be an object with keys among 'backend', 'threads', 'out'/,
    );
  });
});
