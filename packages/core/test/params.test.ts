import { describe, expect, it } from "vitest";
import {
  affineParams,
  dequantize,
  MinMaxObserver,
  minMaxScaling,
  OBSERVER_EPS,
  qparamsFromRange,
  quantize,
  symmetricParams,
} from "../src/index.js";

describe("minMaxScaling (the source post's simple scaling)", () => {
  it("gives the source's scale, (10 - (-10)) / 255 in float32, and zero point 0", () => {
    expect(minMaxScaling([-10, -5, 0, 5, 10])).toEqual({
      dtype: "int8",
      scale: 0.0784313753247261,
      zeroPoint: 0,
    });
  });

  it("clips data that is not centred on zero", () => {
    // [2, 10]: s = 8 / 255, so 10 / s = 318.75 saturates at 127 and 2 / s = 63.75 rounds to 64.
    const p = minMaxScaling([2, 10]);
    expect(p.scale).toBe(Math.fround(8 / 255));
    expect(Array.from(quantize([2, 10], p).data)).toEqual([64, 127]);
  });
});

describe("symmetric and affine parameters", () => {
  it("symmetric int8 divides by (qmax - qmin) / 2 = 127.5, restricted by 127", () => {
    expect(symmetricParams([-10, 10]).scale).toBe(Math.fround(10 / 127.5));
    expect(symmetricParams([-10, 10], { restricted: true }).scale).toBe(Math.fround(10 / 127));
    expect(symmetricParams([-10, 10], { reduceRange: true }).scale).toBe(Math.fround(10 / 63.5));
  });

  it("symmetric uint8 puts zero at code 128, as PyTorch", () => {
    expect(symmetricParams([0, 3], { dtype: "uint8" })).toEqual({
      dtype: "uint8",
      scale: Math.fround(3 / 127.5),
      zeroPoint: 128,
    });
  });

  it("affine maps min to qmin and keeps zero exact", () => {
    const p = affineParams([0, 6], { dtype: "uint8" });
    expect(p).toEqual({ dtype: "uint8", scale: Math.fround(6 / 255), zeroPoint: 0 });
    const shifted = affineParams([-1, 3], { dtype: "int8" });
    expect(shifted.zeroPoint).toBe(-128 - Math.round(Math.fround(-1 / shifted.scale)));
    expect(dequantize([shifted.zeroPoint], shifted).data[0]).toBe(0);
  });

  it("widens the range to include zero", () => {
    expect(qparamsFromRange(2, 10, { dtype: "uint8" })).toEqual(
      qparamsFromRange(0, 10, { dtype: "uint8" }),
    );
  });

  it("never returns a scale below float32 epsilon, even for constant data", () => {
    expect(affineParams([0, 0]).scale).toBe(OBSERVER_EPS);
    expect(symmetricParams([1e-9]).scale).toBe(OBSERVER_EPS);
  });
});

describe("MinMaxObserver", () => {
  it("keeps the running extremes over batches", () => {
    const o = new MinMaxObserver({ dtype: "uint8" }).observe([0.5, 2]).observe([-1, 1]);
    expect(Array.from(o.min)).toEqual([-1]);
    expect(Array.from(o.max)).toEqual([2]);
    expect(o.qparams()).toEqual(qparamsFromRange(-1, 2, { dtype: "uint8" }));
  });

  it("observes each channel apart along an axis", () => {
    const o = new MinMaxObserver({ dtype: "int8", scheme: "symmetric", axis: 1 }).observe([
      [1, -4],
      [-2, 3],
    ]);
    const p = o.qparams();
    expect(Array.from(p.scale as Float32Array)).toEqual([
      Math.fround(2 / 127.5),
      Math.fround(4 / 127.5),
    ]);
    expect(p.axis).toBe(1);
  });
});
