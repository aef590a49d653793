import { expect, test } from "vitest";
import {
  compareErrors,
  errorPerElement,
  histogramWithLevels,
  mappingCurve,
  originalVsDequantized,
  quantizationGrid,
} from "../src/index.js";

const int8 = { dtype: "int8", scale: 0.5 } as const;
// Deliberately wrong arguments: the checks exist for callers without types (notebook JavaScript, `any`).
// biome-ignore lint/suspicious/noExplicitAny: see above
const loose = (x: unknown): any => x;

test("params are read by core's rules, under the figure's name", () => {
  expect(() => histogramWithLevels([1], { ...int8, scale: 0 })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'params.scale' must be a finite number > 0 (as float32); received 0.]`,
  );
  expect(() =>
    quantizationGrid([1], { ...int8, scale: Number.NaN }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'params.scale' must be a finite number > 0 (as float32); received NaN.]`,
  );
  expect(() =>
    quantizationGrid([1], { ...int8, zeroPoint: 200 }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'params.zeroPoint' must be an integer in [-128, 127] for int8; received 200.]`,
  );
  expect(() =>
    quantizationGrid([1], { ...int8, zeroPoint: 0.5 }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'params.zeroPoint' must be an integer in [-128, 127] for int8; received 0.5.]`,
  );
  expect(() => mappingCurve(loose({ scale: 1 }))).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: mappingCurve(): argument 'params.dtype' must be one of "int2", "uint2", "int4", "uint4", "int8", "uint8", "int16", "uint16", "int32"; received undefined.]`,
  );
  expect(() => mappingCurve(loose({ ...int8, dtype: "int7" }))).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: mappingCurve(): argument 'params.dtype' must be one of "int2", "uint2", "int4", "uint4", "int8", "uint8", "int16", "uint16", "int32"; received "int7".]`,
  );
  expect(() =>
    errorPerElement({ original: [1], dequantized: [1], params: loose({ ...int8, scale: -1 }) }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: errorPerElement(): argument 'params.scale' must be a finite number > 0 (as float32); received -1.]`,
  );
});

test("the old grid arguments are refused, never read as something else", () => {
  expect(() =>
    quantizationGrid(
      loose({ values: [1], scale: 1, zeroPoint: 0, qmin: 0, qmax: 3 }),
      loose(undefined),
    ),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: quantizationGrid(): argument 'values' must be an array or typed array of numbers; received an object.]`,
  );
  expect(() =>
    histogramWithLevels([1], loose({ scale: 1, zeroPoint: 0, qmin: 0, qmax: 3 })),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'params' must be an object with keys among 'dtype', 'scale', 'zeroPoint', 'axis', 'blockSize'; received an object with key "qmin".]`,
  );
  expect(() =>
    quantizationGrid([1, 2], int8, loose({ codes: [1, 2] })),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'options' must be an object with keys among 'semantics', 'title'; received an object with key "codes".]`,
  );
  expect(() =>
    errorPerElement(loose({ original: [1], dequantized: [1], scale: 0.5 })),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: errorPerElement(): argument 'options' must be an object with keys among 'original', 'dequantized', 'kind', 'params', 'semantics', 'labels', 'title'; received an object with key "scale".]`,
  );
  expect(() =>
    compareErrors(loose({ original: [1], schemes: [{ name: "a", dequantized: [1], scale: 0.5 }] })),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: compareErrors(): argument 'schemes[0]' must be an object with keys among 'name', 'dequantized', 'params'; received an object with key "scale".]`,
  );
});

test("one grid per figure, with every level drawable", () => {
  expect(() =>
    quantizationGrid([1], loose({ dtype: "int8", scale: [1, 2], axis: 0 })),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: quantizationGrid(): argument 'params.axis' must be left out (a figure draws one grid: per-tensor parameters); received 0.]`,
  );
  expect(() =>
    quantizationGrid([1], loose({ dtype: "int8", scale: [1, 2] })),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: quantizationGrid(): argument 'params.scale' must be a number (a figure draws one grid); received an array of length 2.]`,
  );
  expect(() =>
    histogramWithLevels([1], { dtype: "int16", scale: 1 }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'params.dtype' must be one of "int2", "uint2", "int4", "uint4", "int8", "uint8" (this figure draws every level, at most 4096); received "int16".]`,
  );
  expect(() => mappingCurve({ dtype: "int32", scale: 1 })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: mappingCurve(): argument 'params.dtype' must be one of "int2", "uint2", "int4", "uint4", "int8", "uint8", "int16", "uint16" (this figure draws every level, at most 65536); received "int32".]`,
  );
});

test("semantics: named, and only where they decide something", () => {
  expect(() =>
    quantizationGrid([1], int8, loose({ semantics: "tf" })),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'options.semantics' must be one of "onnx", "pytorch"; received "tf".]`,
  );
  expect(() =>
    errorPerElement({ original: [1], dequantized: [1], semantics: "pytorch" }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: errorPerElement(): argument 'semantics' must be left out when 'params' is not given; received "pytorch".]`,
  );
  expect(() =>
    errorPerElement({ original: [1], dequantized: [1], params: int8, semantics: loose("tf") }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: errorPerElement(): argument 'semantics' must be "onnx" or "pytorch"; received "tf".]`,
  );
  // PyTorch multiplies by fround(1 / s): a scale whose reciprocal overflows float32 is refused.
  expect(() =>
    mappingCurve({ dtype: "int8", scale: 1e-39 }, { semantics: "pytorch" }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: mappingCurve(): argument 'params.scale' must be a float32 whose reciprocal is finite (above about 2.94e-39) with "pytorch" semantics; received 1e-39.]`,
  );
});

test("arrays: non-empty, finite as float32, numbers, matching lengths", () => {
  expect(() => histogramWithLevels([], int8)).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'values' must be a non-empty array; received an array of length 0.]`,
  );
  expect(() => histogramWithLevels([1, Number.NaN], int8)).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'values' must be an array of finite numbers; received NaN at index 1.]`,
  );
  expect(() =>
    histogramWithLevels(new Float32Array([1, Number.POSITIVE_INFINITY]), int8),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'values' must be an array of finite numbers; received Infinity at index 1.]`,
  );
  expect(() => quantizationGrid([1, 1e39], int8)).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'values' must be an array of finite numbers; received 1e+39 at index 1 (Infinity as float32).]`,
  );
  expect(() => histogramWithLevels(loose([1, "2"]), int8)).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: histogramWithLevels(): argument 'values' must be an array of numbers; received "2".]`,
  );
  expect(() => histogramWithLevels(loose("1,2"), int8)).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: histogramWithLevels(): argument 'values' must be an array or typed array of numbers; received "1,2".]`,
  );
  expect(() =>
    histogramWithLevels(loose(new Int8Array(0)), int8),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'values' must be a non-empty array; received an Int8Array of length 0.]`,
  );
  expect(() =>
    originalVsDequantized({ original: [1, 2, 3], dequantized: [1, 2] }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: originalVsDequantized(): argument 'dequantized' must be of the same length as 'original' (3); received an array of length 2.]`,
  );
  expect(() =>
    originalVsDequantized({ original: [1, 2], dequantized: [1, 2], labels: ["a"] }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: originalVsDequantized(): argument 'labels' must be of the same length as 'original' (2); received an array of length 1.]`,
  );
  expect(() =>
    originalVsDequantized({ original: [1], dequantized: [1], labels: loose([1]) }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: originalVsDequantized(): argument 'labels' must be an array of strings; received 1.]`,
  );
});

test("options", () => {
  expect(() => errorPerElement(loose(undefined))).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: errorPerElement(): argument 'options' must be an options object; received undefined.]`,
  );
  expect(() => quantizationGrid([1], int8, loose(3))).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: quantizationGrid(): argument 'options' must be an object (keys 'semantics', 'title') or undefined; received 3.]`,
  );
  expect(() =>
    errorPerElement({ original: [1], dequantized: [1], kind: loose("relative") }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: errorPerElement(): argument 'kind' must be "absolute" or "signed" or "percentage"; received "relative".]`,
  );
  expect(() => histogramWithLevels([1], int8, { bins: 0 })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'options.bins' must be an integer in [1, 10000]; received 0.]`,
  );
  expect(() =>
    histogramWithLevels([1], int8, loose({ bin: 3 })),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'options' must be an object with keys among 'bins', 'semantics', 'title' (did you mean 'bins'?); received an object with key "bin".]`,
  );
  expect(() => mappingCurve(int8, { range: [1, 1] })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: mappingCurve(): argument 'options.range[1]' must be a number > options.range[0] (1); received 1.]`,
  );
  expect(() => mappingCurve(int8, { range: loose([0]) })).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: mappingCurve(): argument 'options.range' must be an array [lo, hi] of two numbers; received an array of length 1.]`,
  );
  expect(() => mappingCurve(int8, { y: loose("q") })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: mappingCurve(): argument 'options.y' must be "dequantized" or "code"; received "q".]`,
  );
  expect(() =>
    originalVsDequantized({ original: [1], dequantized: [1], title: loose(3) }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: originalVsDequantized(): argument 'title' must be a string; received 3.]`,
  );
  expect(() => quantizationGrid([1], int8, { title: loose(3) })).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: quantizationGrid(): argument 'options.title' must be a string; received 3.]`,
  );
});

test("compareErrors: 1 to 8 named schemes", () => {
  expect(() => compareErrors({ original: [1], schemes: [] })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: compareErrors(): argument 'schemes' must be an array of 1 to 8 schemes; received an array of length 0.]`,
  );
  expect(() =>
    compareErrors({ original: [1], schemes: loose({}) }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: compareErrors(): argument 'schemes' must be an array of { name, dequantized, params? }; received an object.]`,
  );
  expect(() =>
    compareErrors({
      original: [1],
      schemes: [
        { name: "a", dequantized: [1] },
        { name: "a", dequantized: [1] },
      ],
    }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: compareErrors(): argument 'schemes[1].name' must be a non-empty name no other scheme has; received "a".]`,
  );
  expect(() =>
    compareErrors({ original: [1, 2], schemes: [{ name: "a", dequantized: [1] }] }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: compareErrors(): argument 'schemes[0].dequantized' must be of the same length as 'original' (2); received an array of length 1.]`,
  );
  expect(() =>
    compareErrors({
      original: [1],
      schemes: [{ name: "a", dequantized: [1], params: { ...int8, scale: 0 } }],
    }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: compareErrors(): argument 'schemes[0].params.scale' must be a finite number > 0 (as float32); received 0.]`,
  );
  expect(() =>
    compareErrors({ original: [1], schemes: [loose({ dequantized: [1] })] }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: compareErrors(): argument 'schemes[0].name' must be a string; received undefined.]`,
  );
});
