import { describe, expect, it } from "vitest";
import {
  absoluteError,
  absolutePercentageError,
  cosineSimilarity,
  errorSummary,
  signedError,
  sqnrDb,
} from "../src/index.js";

describe("metrics", () => {
  it("divides the percentage error by |x|, so it is never negative", () => {
    // The source post divided by x and printed -0.3922 for x = -10.
    const ape = absolutePercentageError([-10, 10], [-9.960784912109375, 9.960784912109375]);
    expect(ape[0]).toBeGreaterThan(0);
    expect(ape[0]).toBe(ape[1]);
    expect(ape[0]).toBeCloseTo(0.39215, 5);
  });

  it("gives 0 percentage error where x = 0, whatever y is", () => {
    expect(Array.from(absolutePercentageError([0, -0], [0.5, 0]))).toEqual([0, 0]);
  });

  it("measures the float32 values of float64 inputs", () => {
    expect(absoluteError([0.1], [Math.fround(0.1)])[0]).toBe(0);
    expect(signedError([0.1], [Math.fround(0.1)])[0]).toBe(0);
  });

  it("keeps the sign of y - x: above the original is positive", () => {
    // 1.5 - 1 and 1.75 - 2 are exact in float64.
    expect(Array.from(signedError([1, 2, -3], [1.5, 1.75, -3]))).toEqual([0.5, -0.25, 0]);
    // The float32 reading: 0 - fround(0.1) is -0.10000000149011612, not -0.1.
    expect(signedError([0.1], [0])[0]).toBe(-Math.fround(0.1));
    // |signedError| is absoluteError, element by element.
    const x = [-10, -5, 0, 5, 10];
    const y = [-9.960784912109375, -5.019608020782471, 0, 5.019608020782471, 9.960784912109375];
    expect(Array.from(signedError(x, y), Math.abs)).toEqual(Array.from(absoluteError(x, y)));
    expect(() => signedError([1, 2], [1])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: signedError(): argument 'y' must be 2 values, as many as 'x'; received 1 values.]`,
    );
  });

  it("has the documented answers at the edges", () => {
    expect(sqnrDb([1, 2], [1, 2])).toBe(Number.POSITIVE_INFINITY);
    expect(sqnrDb([0, 0], [0, 0])).toBeNaN();
    expect(sqnrDb([0, 0], [1, 0])).toBe(Number.NEGATIVE_INFINITY);
    expect(cosineSimilarity([0, 0], [1, 0])).toBeNaN();
    expect(cosineSimilarity([1, 2], [2, 4])).toBeCloseTo(1, 15);
  });

  it("summarises every metric", () => {
    const s = errorSummary([1, -1, 2, -2], [1.25, -1, 2, -1.5]);
    expect(s.mse).toBeCloseTo((0.0625 + 0.25) / 4, 15);
    expect(s.rmse).toBeCloseTo(Math.sqrt(0.3125 / 4), 15);
    expect(s.maxAbs).toBe(0.5);
    expect(s.meanAbs).toBe(0.75 / 4);
    expect(s.sqnrDb).toBeCloseTo(20 * Math.log10(Math.sqrt(10) / Math.sqrt(0.3125)), 12);
  });
});
