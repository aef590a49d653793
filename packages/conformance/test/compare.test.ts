import { describe, expect, it } from "vitest";
import { compareFloats, compareIntegers, compareRelative } from "../src/compare.js";
import { readFloat } from "../src/golden.js";
import { runCase } from "../src/run.js";

describe("the runner can fail", () => {
  it("tells -0 from 0 and matches NaN with NaN", () => {
    expect(compareFloats([0], [-0])).toBe("[0]: expected 0, got -0");
    expect(compareFloats([Number.NaN], [Number.NaN])).toBeUndefined();
    expect(compareFloats([1], [Math.fround(1 + 2 ** -23)])).toBe(
      "[0]: expected 1, got 1.0000001192092896",
    );
  });

  it("reports the first differing integer and lengths", () => {
    expect(compareIntegers([1, 2, 3], [1, 2, 4])).toBe("[2]: expected 3, got 4");
    expect(compareIntegers([1], [1, 2])).toBe("length: expected 1, got 2");
    expect(compareRelative([100], [100.05], 1e-3)).toBeUndefined();
    expect(compareRelative([100], [100.05], 1e-4)).toMatch(/^\[0\]: expected 100/);
  });

  it("reads the special float entries", () => {
    expect(Object.is(readFloat("-0"), -0)).toBe(true);
    expect(readFloat("-Infinity")).toBe(Number.NEGATIVE_INFINITY);
    expect(readFloat(0.1)).toBe(Math.fround(0.1));
  });

  it("fails a wrong expectation, an unknown op, and an error", () => {
    const input = { dtype: "float32", shape: [1], data: [1] };
    const params = { dtype: "int8", scale: 1, zeroPoint: 0 };
    const wrong = {
      id: "w",
      op: "quantize",
      semantics: "onnx",
      input,
      params,
      expected: { dtype: "int8", shape: [1], data: [2] },
    };
    expect(runCase(wrong).failure).toBe("[0]: expected 2, got 1");
    expect(runCase({ id: "u", op: "conv" }).failure).toBe('op "conv" is not supported');
    const bad = { ...wrong, params: { ...params, scale: 0 } };
    expect(runCase(bad).failure).toMatch(
      /^threw RangeError: quantize\(\): argument 'params.scale'/,
    );
  });
});

describe("the backend reaches the core", () => {
  // An unknown backend must surface as a failure in every op that takes one: proof it is passed on.
  const input = { dtype: "float32", shape: [1], data: [1] };
  const params = { dtype: "int8", scale: 1, zeroPoint: 0 };
  const cases = [
    {
      id: "q",
      op: "quantize",
      semantics: "onnx",
      input,
      params,
      expected: { dtype: "int8", shape: [1], data: [1] },
    },
    {
      id: "d",
      op: "dequantize",
      semantics: "onnx",
      input: { ...input, dtype: "int8" },
      params,
      expected: input,
    },
    {
      id: "c",
      op: "cast",
      to: "float16",
      input,
      expected: { dtype: "uint16", shape: [1], data: [15360] },
    },
    {
      id: "f",
      op: "decode",
      from: "float16",
      input: { dtype: "uint16", shape: [1], data: [15360] },
      expected: input,
    },
  ];
  it.each(cases.map((c) => [c.op, c] as const))("%s", (_, c) => {
    expect(runCase(c, "reference").failure).toBeUndefined();
    expect(runCase(c, "gpu" as never).failure).toMatch(/options.backend/);
  });
});
