import { expect, test } from "vitest";
import {
  compareErrors,
  errorPerElement,
  histogramWithLevels,
  mappingCurve,
  originalVsDequantized,
  quantizationGrid,
} from "../src/index.js";

const grid = { scale: 0.5, zeroPoint: 0, qmin: -128, qmax: 127 };
// Deliberately wrong arguments: the checks exist for callers without types (notebook JavaScript, `any`).
// biome-ignore lint/suspicious/noExplicitAny: see above
const loose = (x: unknown): any => x;

test("scale must be a finite number > 0", () => {
  expect(() =>
    histogramWithLevels({ values: [1], ...grid, scale: 0 }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'scale' must be a finite number > 0; received 0.]`,
  );
  expect(() =>
    quantizationGrid({ values: [1], ...grid, scale: Number.NaN }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'scale' must be a finite number > 0; received NaN.]`,
  );
  expect(() => mappingCurve({ ...grid, scale: loose("1") })).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: mappingCurve(): argument 'scale' must be a finite number > 0; received "1".]`,
  );
  expect(() =>
    errorPerElement({ original: [1], dequantized: [1], scale: -0 }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: errorPerElement(): argument 'scale' must be a finite number > 0; received -0.]`,
  );
});

test("the grid: integer codes, qmin < qmax, a zero point inside, not too many levels", () => {
  expect(() =>
    quantizationGrid({ values: [1], ...grid, qmin: -128.5 }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'qmin' must be an integer; received -128.5.]`,
  );
  expect(() =>
    quantizationGrid({ values: [1], ...grid, qmax: -128 }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'qmax' must be an integer > qmin (-128); received -128.]`,
  );
  expect(() =>
    quantizationGrid({ values: [1], ...grid, zeroPoint: 200 }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'zeroPoint' must be an integer in [-128, 127]; received 200.]`,
  );
  expect(() =>
    histogramWithLevels({ values: [1], ...grid, qmin: -32768, qmax: 32767 }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'qmax' must be at most qmin + 4095 = -28673 (this figure draws at most 4096 levels); received 32767.]`,
  );
  expect(() => mappingCurve({ ...grid, qmin: 0, qmax: 65536 })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: mappingCurve(): argument 'qmax' must be at most qmin + 65535 = 65535 (this figure draws at most 65536 levels); received 65536.]`,
  );
  expect(() =>
    quantizationGrid(loose({ values: [1], scale: 1, qmin: 0, qmax: 3 })),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: quantizationGrid(): argument 'zeroPoint' must be an integer; received undefined.]`,
  );
});

test("arrays: non-empty, finite, numbers, matching lengths", () => {
  expect(() => histogramWithLevels({ values: [], ...grid })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'values' must be a non-empty array; received an array of length 0.]`,
  );
  expect(() =>
    histogramWithLevels({ values: [1, Number.NaN], ...grid }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'values' must be an array of finite numbers; received NaN at index 1.]`,
  );
  expect(() =>
    histogramWithLevels({ values: new Float32Array([1, Number.POSITIVE_INFINITY]), ...grid }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'values' must be an array of finite numbers; received Infinity at index 1.]`,
  );
  expect(() =>
    histogramWithLevels({ values: loose([1, "2"]), ...grid }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: histogramWithLevels(): argument 'values' must be an array of numbers; received "2".]`,
  );
  expect(() =>
    histogramWithLevels({ values: loose("1,2"), ...grid }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: histogramWithLevels(): argument 'values' must be an array or typed array of numbers; received "1,2".]`,
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

test("codes given by the caller", () => {
  expect(() =>
    quantizationGrid({ values: [1, 2], codes: [1], ...grid }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'codes' must be of the same length as 'values' (2); received an array of length 1.]`,
  );
  expect(() =>
    quantizationGrid({ values: [1, 2], codes: [1, 128], ...grid }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'codes' must be integers in [qmin, qmax] = [-128, 127]; received 128 at index 1.]`,
  );
  expect(() =>
    quantizationGrid({ values: [1, 2], codes: [1, 1.5], ...grid }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: quantizationGrid(): argument 'codes' must be integers in [qmin, qmax] = [-128, 127]; received 1.5 at index 1.]`,
  );
  expect(() => mappingCurve({ ...grid, codes: [1] })).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: mappingCurve(): argument 'codes' must be left out when 'values' is not given; received an array of length 1.]`,
  );
});

test("options", () => {
  expect(() => quantizationGrid(loose(undefined))).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: quantizationGrid(): argument 'options' must be an options object; received undefined.]`,
  );
  expect(() =>
    errorPerElement({ original: [1], dequantized: [1], kind: loose("relative") }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: errorPerElement(): argument 'kind' must be "absolute" or "signed" or "percentage"; received "relative".]`,
  );
  expect(() =>
    histogramWithLevels({ values: [1], ...grid, bins: 0 }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: histogramWithLevels(): argument 'bins' must be an integer in [1, 10000]; received 0.]`,
  );
  expect(() => mappingCurve({ ...grid, range: [1, 1] })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: mappingCurve(): argument 'range[1]' must be a number > range[0] (1); received 1.]`,
  );
  expect(() => mappingCurve({ ...grid, range: loose([0]) })).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: mappingCurve(): argument 'range' must be an array [lo, hi] of two numbers; received an array of length 1.]`,
  );
  expect(() => mappingCurve({ ...grid, y: loose("q") })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: mappingCurve(): argument 'y' must be "dequantized" or "code"; received "q".]`,
  );
  expect(() =>
    originalVsDequantized({ original: [1], dequantized: [1], title: loose(3) }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: originalVsDequantized(): argument 'title' must be a string; received 3.]`,
  );
});

test("compareErrors: 1 to 8 named schemes", () => {
  expect(() => compareErrors({ original: [1], schemes: [] })).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: compareErrors(): argument 'schemes' must be an array of 1 to 8 schemes; received an array of length 0.]`,
  );
  expect(() =>
    compareErrors({ original: [1], schemes: loose({}) }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: compareErrors(): argument 'schemes' must be an array of { name, dequantized, scale? }; received an object.]`,
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
    compareErrors({ original: [1], schemes: [{ name: "a", dequantized: [1], scale: 0 }] }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[RangeError: compareErrors(): argument 'schemes[0].scale' must be a finite number > 0; received 0.]`,
  );
  expect(() =>
    compareErrors({ original: [1], schemes: [loose({ dequantized: [1] })] }),
  ).toThrowErrorMatchingInlineSnapshot(
    `[TypeError: compareErrors(): argument 'schemes[0].name' must be a string; received undefined.]`,
  );
});
