/**
 * The defects an adversarial audit found (issue 9, D3-D12), one test each: every one failed before
 * its fix. D1, D2 and D13 are the server's and the notebook runner's (scripts/).
 */
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { message } from "./show.js";

const {
  calibrate,
  decodeFloat,
  dequantize,
  dequantizePacked,
  fakeQuantize,
  Histogram,
  matmulInteger,
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  nudgedRange,
  qparamsFromRange,
  quantize,
  quantizePacked,
  requantize,
  roundToFormat,
} = core;

describe("D3: the backends agree where the fast path falls back", () => {
  it("fakeQuantize with PyTorch's arithmetic, int32 and a zero point beyond 2^24", () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => (i - 500) * 0.37);
    const p = { dtype: "int32", scale: 0.01, zeroPoint: 2 ** 24 + 3 } as const;
    const fast = fakeQuantize(x, p, { semantics: "pytorch", backend: "fast" }).data;
    const reference = fakeQuantize(x, p, { semantics: "pytorch", backend: "reference" }).data;
    const twoSteps = dequantize(
      quantize(x, p, { semantics: "pytorch", backend: "reference" }),
    ).data;
    expect(Array.from(fast)).toEqual(Array.from(reference));
    expect(Array.from(reference)).toEqual(Array.from(twoSteps));
  });
});

describe("D4: PyTorch's arithmetic with a scale whose float32 reciprocal overflows", () => {
  it("is refused, not turned into code 0 for x = 0", () => {
    expect(
      message(() =>
        quantize([0], { dtype: "int8", scale: 1e-39, zeroPoint: 5 }, { semantics: "pytorch" }),
      ),
    ).toMatch(
      /^RangeError: quantize\(\): argument 'params.scale' must be a float32 whose reciprocal is finite/,
    );
    // ONNX divides, and keeps 0 at the zero point.
    expect(quantize([0], { dtype: "int8", scale: 1e-39, zeroPoint: 5 }).data[0]).toBe(5);
  });
});

describe("D5: dequantize checks a quantized tensor's shape against its codes", () => {
  const q = quantize([1, 2], { dtype: "int8", scale: 1 });
  it.each([
    ["more elements than codes", { ...q, shape: [3] }],
    [
      "a 4-code buffer read as [2, 3]",
      { ...quantize([1, 2, 3, 4], { dtype: "int8", scale: 1 }), shape: [2, 3] },
    ],
    ["a string", { ...q, shape: "ab" }],
  ])("%s", (_, lying) => {
    expect(message(() => dequantize(lying as never))).toMatch(
      /^(Range|Type)Error: dequantize\(\): argument 'q.shape'/,
    );
  });
});

describe("D6: a blocked scale tensor must have the parameter shape", () => {
  it("refuses [6, 2] where [2, 6] is expected", () => {
    const x = { data: new Float32Array(24), shape: [2, 12] };
    const scale = { data: new Float32Array(12).fill(1), shape: [6, 2] };
    expect(message(() => quantize(x, { dtype: "int8", scale, axis: 1, blockSize: 2 }))).toBe(
      "RangeError: quantize(): argument 'params.scale' must be shape [2, 6] (axis 1 in blocks of 2); received shape [6, 2].",
    );
    expect(
      quantize(x, { dtype: "int8", scale: { ...scale, shape: [2, 6] }, axis: 1, blockSize: 2 }).data
        .length,
    ).toBe(24);
  });
});

describe("D7: unknown or misspelled option keys are refused, naming them", () => {
  const p = { dtype: "int8", scale: 0.1 } as const;
  it.each([
    [
      "quantize semantic",
      () => quantize([-10], { dtype: "int8", scale: 20 / 255 }, { semantic: "pytorch" } as never),
      "semantic",
      "semantics",
    ],
    [
      "params zero_point",
      () => quantize([1], { ...p, zero_point: 3 } as never),
      "zero_point",
      "zeroPoint",
    ],
    [
      "decodeFloat backnd",
      () => decodeFloat("float16", [0], { backnd: "fast" } as never),
      "backnd",
      "backend",
    ],
    [
      "MinMaxObserver qscheme",
      () => new MinMaxObserver({ qscheme: "affine" } as never),
      "qscheme",
      "scheme",
    ],
    ["Histogram bin", () => new Histogram({ bin: 10 } as never), "bin", "bins"],
    [
      "calibrate strid",
      () => calibrate([1], { method: "mse", strid: 2 } as never),
      "strid",
      "stride",
    ],
    ["nudgedRange num_bits", () => nudgedRange({ num_bits: 4 } as never), "num_bits", "numBits"],
    [
      "requantize dtyp",
      () =>
        requantize(Int32Array.of(1), {
          realMultiplier: 0.5,
          outputZeroPoint: 0,
          dtyp: "uint8",
        } as never),
      "dtyp",
      "dtype",
    ],
    [
      "matmulInteger a_zero_point",
      () =>
        matmulInteger(
          { data: [1], shape: [1, 1], dtype: "int8" },
          { data: [1], shape: [1, 1], dtype: "int8" },
          { a_zero_point: 1 } as never,
        ),
      "a_zero_point",
      "aZeroPoint",
    ],
    [
      "fakeQuantize outs (it takes out since in-place tensors, not outs)",
      () => fakeQuantize([1], p, { outs: new Float32Array(1) } as never),
      "outs",
      "out",
    ],
    [
      "dequantizePacked shape",
      () =>
        dequantizePacked(quantizePacked([1], { dtype: "int4", scale: 1 }), { shape: [1] } as never),
      "shape",
      undefined,
    ],
  ])("%s", (_, call, key, meant) => {
    const text = message(call);
    expect(text).toMatch(/^RangeError: /);
    expect(text).toContain(`received an object with key "${key}"`);
    if (meant) expect(text).toContain(`did you mean '${meant}'?`);
    else expect(text).not.toContain("did you mean");
  });
  it("a string as options is a TypeError", () => {
    expect(message(() => quantize([1], p, "pytorch" as never))).toMatch(
      /^TypeError: quantize\(\): argument 'options' must be an object/,
    );
  });
});

describe("D8: flags are booleans, never coerced", () => {
  it.each([
    [
      "reduceRange",
      () => qparamsFromRange(-1, 1, { reduceRange: "false" } as never),
      "options.reduceRange",
    ],
    [
      "restricted",
      () => qparamsFromRange(-1, 1, { scheme: "symmetric", restricted: 1 } as never),
      "options.restricted",
    ],
    ["narrowRange", () => nudgedRange({ narrowRange: "yes" } as never), "options.narrowRange"],
    [
      "saturate",
      () => core.encodeFloat("float8e4m3fn", [1], { saturate: 0 } as never),
      "options.saturate",
    ],
  ])("%s", (_, call, arg) => {
    expect(message(call)).toMatch(
      new RegExp(`^TypeError: \\w+\\(\\): argument '${arg}' must be a boolean`),
    );
  });
});

describe("D9: roundToFormat reads numbers only", () => {
  it.each(["float32", "float64"] as const)("%s", (name) => {
    expect(message(() => roundToFormat(name, ["a", null, true] as never))).toBe(
      `TypeError: roundToFormat(): argument 'values[0]' must be a number; received "a".`,
    );
  });
});

describe("D10: the documented message, not a raw JavaScript error", () => {
  it.each([
    [
      "options null",
      () => quantize([1], { dtype: "int8", scale: 1 }, null as never),
      /^TypeError: quantize\(\): argument 'options' must be an object/,
    ],
    [
      "shape a string",
      () => quantize([1, 2, 3], { dtype: "int8", scale: 1 }, { shape: "3" } as never),
      /^TypeError: quantize\(\): argument 'options.shape' must be an array/,
    ],
    [
      "dequantizePacked shape a string",
      () =>
        dequantizePacked({
          ...quantizePacked([1, 2], { dtype: "int4", scale: 1 }),
          shape: "2",
        } as never),
      /^TypeError: dequantizePacked\(\): argument 'packed.shape' must be an array/,
    ],
    [
      "matmulInteger with 2^40 results",
      () =>
        matmulInteger(
          { data: [], shape: [2 ** 20, 0], dtype: "int8" },
          { data: [], shape: [0, 2 ** 20], dtype: "int8" },
        ),
      /^RangeError: matmulInteger\(\): argument 'b.shape' must be a shape giving at most 2\^32 results/,
    ],
  ])("%s", (_, call, pattern) => {
    expect(message(call)).toMatch(pattern);
  });
});

describe("D11: errors name the function, the argument and the class that fit", () => {
  it("quantizePacked and fakeQuantize name themselves, dequantizePacked too", () => {
    const blocked = { dtype: "int4", scale: [1, 1], axis: 0 } as const;
    expect(message(() => quantizePacked([1, Number.NaN], blocked))).toMatch(
      /^RangeError: quantizePacked\(\): argument 'x\[1\]'/,
    );
    expect(message(() => fakeQuantize([1, Number.NaN], { ...blocked, dtype: "int8" }))).toMatch(
      /^RangeError: fakeQuantize\(\): argument 'x\[1\]'/,
    );
    const packed = quantizePacked([1, 2], { dtype: "int4", scale: 1 });
    expect(message(() => dequantizePacked({ ...packed, scale: 0 }))).toMatch(
      /^RangeError: dequantizePacked\(\): argument 'params.scale'/,
    );
  });
  it("a string scale is the wrong kind of scale, not a missing axis", () => {
    expect(message(() => quantize([1], { dtype: "int8", scale: "0.1" } as never))).toBe(
      "TypeError: quantize(): argument 'params.scale' must be a number, or a tensor of scales per axis index or per block; received \"0.1\".",
    );
  });
  it("a string axis is a TypeError; a fractional one a RangeError, in quantize and the observers alike", () => {
    expect(
      message(() => quantize([[1]], { dtype: "int8", scale: [1], axis: "0" } as never)),
    ).toMatch(/^TypeError: quantize\(\): argument 'params.axis'/);
    expect(message(() => quantize([[1]], { dtype: "int8", scale: [1], axis: 0.5 }))).toMatch(
      /^RangeError: quantize\(\): argument 'params.axis'/,
    );
    expect(message(() => new MinMaxObserver({ axis: 1.5 }))).toMatch(
      /^RangeError: MinMaxObserver\(\): argument 'options.axis'/,
    );
    expect(message(() => new MovingAverageMinMaxObserver({ axis: "1" } as never))).toMatch(
      /^TypeError: MovingAverageMinMaxObserver\(\): argument 'options.axis'/,
    );
  });
});

describe("D12: Histogram.observe and calibrate read each value once", () => {
  /** An array whose entries change every time they are read: a getter per index. */
  function shifting(values: number[]): number[] {
    const reads = values.map(() => 0);
    return new Proxy(values, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) {
          const i = Number(key);
          reads[i] = (reads[i] as number) + 1;
          return (target[i] as number) * reads[i];
        }
        return Reflect.get(target, key, receiver);
      },
    });
  }
  it("total equals the sum of the counts, and max the largest value the bins saw", () => {
    const h = new Histogram({ bins: 4 }).observe(shifting([1, 2, 3]));
    expect(h.total).toBe(3);
    expect(Array.from(h.counts).reduce((a, b) => a + b, 0)).toBe(3);
    expect(h.max).toBe(3);
  });
  it("calibrate sees the values it validated", () => {
    expect(calibrate(shifting([1, 2, 3.5]), { method: "minmax" }).amax).toBe(3.5);
  });
});
