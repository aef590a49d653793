import { describe, expect, it } from "vitest";
import {
  absolutePercentageError,
  affineParams,
  dequantize,
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  meanSquaredError,
  minMaxScaling,
  qparamsFromRange,
  quantize,
  symmetricParams,
} from "../src/index.js";
import { checkOptions, checkSemantics, resolveParams } from "../src/validate/index.js";

// Every message names the function, the argument, what was expected and what came.
describe("bad input to quantize", () => {
  const p = { dtype: "int8", scale: 1 } as const;

  it("NaN in x", () => {
    expect(() => quantize([1, Number.NaN], p)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'x[1]' must be a number, not NaN (NaN has no integer code); received NaN.]`,
    );
  });
  it("scale 0, negative, NaN, Infinity, below float32", () => {
    expect(() => quantize([1], { dtype: "int8", scale: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.scale' must be a finite number > 0 (as float32); received 0.]`,
    );
    expect(() => quantize([1], { dtype: "int8", scale: -0.5 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.scale' must be a finite number > 0 (as float32); received -0.5.]`,
    );
    expect(() =>
      quantize([1], { dtype: "int8", scale: Number.NaN }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.scale' must be a finite number > 0 (as float32); received NaN.]`,
    );
    expect(() =>
      quantize([1], { dtype: "int8", scale: Number.POSITIVE_INFINITY }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.scale' must be a finite number > 0 (as float32); received Infinity.]`,
    );
    expect(() => quantize([1], { dtype: "int8", scale: 1e-46 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.scale' must be a finite number > 0 (as float32); received 1e-46.]`,
    );
  });
  it("a scale whose float32 reciprocal overflows, with PyTorch's arithmetic (it multiplies by it)", () => {
    const tiny = { dtype: "int8", scale: 2e-39 } as const; // fround(1 / 2e-39) is Infinity
    expect(() =>
      quantize([0, 1], tiny, { semantics: "pytorch" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.scale' must be a float32 whose reciprocal is finite (above about 2.94e-39) with "pytorch" semantics; received 2e-39.]`,
    );
    expect(() =>
      quantize([0, 1], { ...tiny, scale: [1, 2e-39], axis: 0 }, { semantics: "pytorch" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.scale[1]' must be a float32 whose reciprocal is finite (above about 2.94e-39) with "pytorch" semantics; received 2.0000004306106665e-39.]`,
    );
    // ONNX divides: the same scale is fine there, and 0 stays at the zero point.
    expect(Array.from(quantize([0, 2e-39], tiny).data)).toEqual([0, 1]);
    // dequantize never takes the reciprocal.
    expect(Array.from(dequantize([2], tiny, { semantics: "pytorch" }).data)).toEqual([
      Math.fround(2 * Math.fround(2e-39)),
    ]);
  });
  it("zero point out of range or fractional", () => {
    expect(() =>
      quantize([1], { dtype: "int8", scale: 1, zeroPoint: 128 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.zeroPoint' must be an integer in [-128, 127] for int8; received 128.]`,
    );
    expect(() =>
      quantize([1], { dtype: "uint8", scale: 1, zeroPoint: -1 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.zeroPoint' must be an integer in [0, 255] for uint8; received -1.]`,
    );
    expect(() =>
      quantize([1], { dtype: "uint8", scale: 1, zeroPoint: 1.5 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.zeroPoint' must be an integer in [0, 255] for uint8; received 1.5.]`,
    );
  });
  it("unknown dtype and semantics", () => {
    // @ts-expect-error: a dtype the core does not have
    expect(() => quantize([1], { dtype: "int7", scale: 1 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.dtype' must be one of "int2", "uint2", "int4", "uint4", "int8", "uint8", "int16", "uint16", "int32", "float8e4m3fn", "float8e5m2", "float8e4m3fnuz", "float8e5m2fnuz", "float6e2m3", "float6e3m2", "float4e2m1"; received "int7".]`,
    );
    // @ts-expect-error: a semantics the core does not have
    expect(() => quantize([1], p, { semantics: "tflite" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'options.semantics' must be one of "onnx", "pytorch"; received "tflite".]`,
    );
  });
  it("x of the wrong kind, ragged, or with a wrong shape", () => {
    // @ts-expect-error: a string is not a tensor
    expect(() => quantize("1, 2", p)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: quantize(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received "1, 2".]`,
    );
    // @ts-expect-error: a string inside an array
    expect(() => quantize([1, "2"], p)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: quantize(): argument 'x[1]' must be a number; received "2".]`,
    );
    expect(() => quantize([[1, 2], [3]], p)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'x[1]' must be an array of length 2 (the array is ragged); received an array of length 1.]`,
    );
    expect(() =>
      quantize(new Float32Array(6), p, { shape: [4, 2] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'options.shape' must be a shape of 6 elements to match 'x'; received [4, 2].]`,
    );
  });
  it("params missing, per-axis scales of the wrong count, axis out of range", () => {
    // @ts-expect-error: params are required
    expect(() => quantize([1])).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: quantize(): argument 'params' must be an object { dtype, scale, zeroPoint?, axis?, blockSize? }; received undefined.]`,
    );
    expect(() =>
      quantize([[1, 2]], { dtype: "int8", scale: [1, 2, 3], axis: 1 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.scale' must be 2 values, one per index along axis 1; received 3 values.]`,
    );
    expect(() =>
      quantize([[1, 2]], { dtype: "int8", scale: [1, 2], axis: 2 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.axis' must be an integer in [-2, 1]; received 2.]`,
    );
    expect(() =>
      quantize([[1, 2]], { dtype: "int8", scale: [1, 2] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: quantize(): argument 'params.axis' must be an integer when 'scale' is a tensor; received undefined.]`,
    );
    expect(() =>
      quantize([[1, 2]], { dtype: "int8", scale: [[1]], axis: 1, blockSize: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.blockSize' must be an integer >= 1; received 0.]`,
    );
  });
});

describe("bad input elsewhere", () => {
  it("dequantize", () => {
    expect(() =>
      dequantize([300], { dtype: "uint8", scale: 1 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: dequantize(): argument 'q[0]' must be an integer in [0, 255] for uint8; received 300.]`,
    );
    expect(() => dequantize([1, 2])).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: dequantize(): argument 'params' must be given unless 'q' is a quantized tensor from quantize(); received undefined.]`,
    );
  });
  it("parameters from data", () => {
    expect(() => minMaxScaling([])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: minMaxScaling(): argument 'x' must be a non-empty tensor; received an empty tensor.]`,
    );
    expect(() => minMaxScaling([3, 3])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: minMaxScaling(): argument 'x' must be values with max(x) > min(x); received all values 3.]`,
    );
    expect(() => symmetricParams([1, Number.POSITIVE_INFINITY])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: symmetricParams(): argument 'x[1]' must be a finite number; received Infinity.]`,
    );
    expect(() =>
      symmetricParams([1], { dtype: "uint8", restricted: true }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: symmetricParams(): argument 'options.restricted' must be false for the unsigned uint8; received true.]`,
    );
    expect(() => affineParams([Number.NaN])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: affineParams(): argument 'x[0]' must be a finite number; received NaN.]`,
    );
    expect(() => qparamsFromRange(2, 1)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: qparamsFromRange(): argument 'max' must be >= min (2); received 1.]`,
    );
    // @ts-expect-error: a scheme the core does not have
    expect(() => qparamsFromRange(0, 1, { scheme: "log" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: qparamsFromRange(): argument 'options.scheme' must be one of "symmetric", "affine"; received "log".]`,
    );
  });
  it("observers", () => {
    expect(() => new MinMaxObserver().qparams()).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: MinMaxObserver.qparams(): argument 'this' must be an observer that has seen a tensor: call observe(x) first; received none seen yet.]`,
    );
    expect(() =>
      new MinMaxObserver({ axis: 0 }).observe([[1, 2]]).observe([[1], [2]]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: MinMaxObserver.observe(): argument 'x' must be 1 along axis 0 (the channel count observed before); received 2.]`,
    );
    expect(
      () => new MovingAverageMinMaxObserver({ averagingConstant: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: MovingAverageMinMaxObserver(): argument 'options.averagingConstant' must be a number in (0, 1]; received 0.]`,
    );
  });
  it("metrics", () => {
    expect(() => meanSquaredError([1, 2], [1])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: meanSquaredError(): argument 'y' must be 2 values, as many as 'x'; received 1 values.]`,
    );
    expect(() => meanSquaredError([], [])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: meanSquaredError(): argument 'x' must be a non-empty tensor; received an empty tensor.]`,
    );
    expect(() => absolutePercentageError([1], [Number.NaN])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: absolutePercentageError(): argument 'y[0]' must be a finite number; received NaN.]`,
    );
  });
});

// "@quantlab/core/validate": packages built on core read parameters by core's rules, under their
// own function's name and argument.
describe("the readers of @quantlab/core/validate", () => {
  it("resolveParams names the caller's function and argument", () => {
    expect(() =>
      resolveParams("compareErrors", { dtype: "int8", scale: 0 }, [], "onnx", "schemes[0].params"),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: compareErrors(): argument 'schemes[0].params.scale' must be a finite number > 0 (as float32); received 0.]`,
    );
    expect(() =>
      resolveParams("f", { dtype: "int8", scale: 1, zeroPoint: 128 }, [], undefined, "p"),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: f(): argument 'p.zeroPoint' must be an integer in [-128, 127] for int8; received 128.]`,
    );
    expect(() =>
      resolveParams("f", { dtype: "int8", scale: [1, 2], axis: 1 }, [2], undefined, "p"),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: f(): argument 'p.axis' must be an integer in [-1, 0]; received 1.]`,
    );
    expect(resolveParams("f", { dtype: "uint4", scale: 0.1, zeroPoint: 3 }, []).scales).toEqual(
      Float32Array.of(0.1),
    );
  });
  it("checkSemantics and checkOptions", () => {
    expect(() => checkSemantics("f", "tf")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: f(): argument 'options.semantics' must be one of "onnx", "pytorch"; received "tf".]`,
    );
    expect(() =>
      checkOptions("f", "options", { titel: "x" }, ["title"]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: f(): argument 'options' must be an object with keys among 'title'; received an object with key "titel".]`,
    );
  });
});
