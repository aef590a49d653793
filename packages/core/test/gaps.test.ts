/**
 * The gaps mutation testing found (issue 9): behaviour no test pinned, so that a mutant changing it
 * survived. Each expected value is worked out by hand in the comment beside it.
 */
import { describe, expect, it } from "vitest";
import * as core from "../src/index.js";
import { forEachBackend } from "./backends.js";
import { message } from "./show.js";

const { MinMaxObserver, MovingAverageMinMaxObserver } = core;

forEachBackend(({ quantize, dequantize, encodeFloat, decodeFloat }) => {
  describe("quantize and dequantize", () => {
    it("keeps a scalar zero point with per-axis scales", () => {
      // x = [1, 4] along axis 0 with scales [1, 2] and zero point 128: 1/1 + 128, 4/2 + 128
      const q = quantize([1, 4], { dtype: "uint8", scale: [1, 2], zeroPoint: 128, axis: 0 });
      expect(Array.from(q.data)).toEqual([129, 130]);
      expect(Array.from(dequantize(q).data)).toEqual([1, 4]);
    });
    it("refuses a code below the dtype's minimum (a uint8 -1 must not wrap to 255)", () => {
      expect(message(() => dequantize([-1], { dtype: "uint8", scale: 1 }))).toBe(
        "RangeError: dequantize(): argument 'q[0]' must be an integer in [0, 255] for uint8; received -1.",
      );
      expect(message(() => dequantize([-129], { dtype: "int8", scale: 1 }))).toMatch(
        /received -129\.$/,
      );
    });
    it("finds NaN at index 0", () => {
      expect(message(() => quantize([Number.NaN, 1], { dtype: "int8", scale: 1 }))).toMatch(
        /^RangeError: quantize\(\): argument 'x\[0\]'/,
      );
    });
    it("dequantizes a quantized tensor with the semantics it recorded", () => {
      // int32, zp = 2^24 + 1: PyTorch's fround(q) - fround(zp) loses the +1 that ONNX's q - zp keeps
      const p = { dtype: "int32", scale: 1, zeroPoint: 2 ** 24 + 1 } as const;
      const codes = [2 ** 24 + 4];
      const onnx = dequantize(codes, p).data[0];
      const pytorch = dequantize(codes, p, { semantics: "pytorch" }).data[0];
      expect([onnx, pytorch]).toEqual([3, 4]); // fround(2^24 + 4) - fround(2^24 + 1) = 2^24 + 4 - 2^24
      const recorded = {
        data: Int32Array.from(codes),
        shape: [1],
        ...p,
        semantics: "pytorch",
      } as const;
      expect(dequantize(recorded).data[0]).toBe(4);
      expect(dequantize(recorded, undefined, { semantics: "onnx" }).data[0]).toBe(3);
    });
    it("takes a number scale with an axis as one scale per index when the axis has one index", () => {
      expect(Array.from(quantize([[2], [4]], { dtype: "int8", scale: 2, axis: 1 }).data)).toEqual([
        1, 2,
      ]);
      expect(message(() => quantize([[2, 4]], { dtype: "int8", scale: 2, axis: 1 }))).toBe(
        "RangeError: quantize(): argument 'params.scale' must be 2 values, one per index along axis 1; received 1 values.",
      );
    });
    it("refuses zero-point arrays of the wrong length", () => {
      expect(
        message(() =>
          quantize([[1, 2]], { dtype: "int8", scale: [1, 1], zeroPoint: [0], axis: 1 }),
        ),
      ).toBe(
        "RangeError: quantize(): argument 'params.zeroPoint' must be 2 values, one per index along axis 1; received 1 values.",
      );
    });
  });

  describe("float16 and bfloat16 codecs, into an out array", () => {
    it("encode and decode", () => {
      const out = new Uint16Array(3);
      expect(encodeFloat("float16", [1, -2, 65520], { out })).toBe(out);
      expect(Array.from(out)).toEqual([0x3c00, 0xc000, 0x7c00]); // 65520 ties up to Infinity
      const values = new Float32Array(3);
      expect(decodeFloat("bfloat16", [0x3f80, 0x4789, 0xff80], { out: values })).toBe(values);
      expect(Array.from(values)).toEqual([1, 70144, Number.NEGATIVE_INFINITY]);
    });
  });
});

describe("parameters from data", () => {
  it("finds the maximum wherever it is (not the last element)", () => {
    // affine uint8 over [0, 6] with 6 first: s = 6 / 255
    expect(core.affineParams([6, 1, 0], { dtype: "uint8" }).scale).toBe(Math.fround(6 / 255));
  });
  it("refuses an infinite bound", () => {
    expect(message(() => core.qparamsFromRange(Number.NEGATIVE_INFINITY, 1))).toBe(
      "RangeError: qparamsFromRange(): argument 'min' must be a finite number; received -Infinity.",
    );
  });
  it("reduces uint8's range to [0, 127]", () => {
    // affine over [0, 1.27]: s = 1.27 / 127 with reduceRange, 1.27 / 255 without
    const r = core.qparamsFromRange(0, 1.27, { dtype: "uint8", reduceRange: true });
    expect(r.scale).toBe(Math.fround(Math.fround(1.27) / 127));
  });
});

describe("requantizeFloat", () => {
  it.each([
    [
      Number.POSITIVE_INFINITY,
      "RangeError: requantizeFloat(): argument 'realMultiplier' must be a finite number > 0; received Infinity.",
    ],
    [
      "0.5",
      "TypeError: requantizeFloat(): argument 'realMultiplier' must be a number; received \"0.5\".",
    ],
  ])("refuses the multiplier %s", (m, text) => {
    expect(message(() => core.requantizeFloat(Int32Array.of(1), m as number, 0))).toBe(text);
  });
});

describe("fakeQuantizeNudged", () => {
  it("clamps far outside the range", () => {
    // nudged range [-1, 1.0039216] on 8 bits (s = 2 / 255): -100 -> -1, 100 -> the top level
    const r = core.fakeQuantizeNudged([-100, 100], { min: -1, max: 1 });
    expect(r.data[0]).toBe(r.nudgedMin);
    expect(r.data[1]).toBe(r.nudgedMax);
  });
});

describe("per-channel observers", () => {
  it("track the maximum and the minimum of each channel, on a non-last axis", () => {
    // x of shape [2, 3], axis 0: channel 0 = [1, -2, 3], channel 1 = [-4, 5, 0]
    const o = new MinMaxObserver({ dtype: "int8", scheme: "affine", axis: 0 });
    o.observe({ data: [1, -2, 3, -4, 5, 0], shape: [2, 3] });
    expect(Array.from(o.min)).toEqual([-2, -4]);
    expect(Array.from(o.max)).toEqual([3, 5]);
    o.observe({ data: [7, 0, 0, 0, 0, -9], shape: [2, 3] });
    expect(Array.from(o.max)).toEqual([7, 5]);
    expect(Array.from(o.min)).toEqual([-2, -9]);
  });
  it("move the minimum by the averaging constant", () => {
    // min: -4 then -2 with c = 0.5: -4 + 0.5 * (-2 - -4) = -3
    const o = new MovingAverageMinMaxObserver({ averagingConstant: 0.5 });
    o.observe([-4, 1]).observe([-2, 1]);
    expect(Array.from(o.min)).toEqual([-3]);
  });
  it.each([
    [
      "an axis out of range",
      { axis: 2 },
      [[1, 2]],
      "RangeError: MinMaxObserver.observe(): argument 'options.axis' must be an integer in [-2, 1] for an input of rank 2; received 2.",
    ],
    [
      "an empty tensor",
      { axis: 0 },
      [[]],
      "RangeError: MinMaxObserver.observe(): argument 'x' must be a non-empty tensor; received an empty tensor.",
    ],
    [
      "Infinity",
      { axis: 0 },
      [[1, Number.POSITIVE_INFINITY]],
      "RangeError: MinMaxObserver.observe(): argument 'x[1]' must be a finite number; received Infinity.",
    ],
  ])("refuse %s", (_, options, x, text) => {
    expect(message(() => new MinMaxObserver(options).observe(x))).toBe(text);
  });
});
