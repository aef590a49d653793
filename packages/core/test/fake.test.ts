import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fakeQuantizeNudged, nudgedRange, type Semantics } from "../src/index.js";
import { forEachBackend } from "./backends.js";

const f = (values: number[]) => values.map(Math.fround);

forEachBackend(({ dequantize, fakeQuantize, quantize }) => {
  describe("fakeQuantize", () => {
    it("equals dequantize(quantize(x)) bit for bit, in both semantics", () => {
      fc.assert(
        fc.property(
          fc.constantFrom<Semantics>("onnx", "pytorch"),
          fc.constantFrom("int8", "uint8", "int4", "int16", "int32"),
          fc.float({ min: Math.fround(1e-4), max: 1e4, noNaN: true }),
          fc.array(fc.float({ noNaN: true }), { maxLength: 50 }),
          (semantics, dtype, scale, x) => {
            const p = { dtype, scale } as const;
            const fake = fakeQuantize(x, p, { semantics }).data;
            const twoSteps = dequantize(quantize(x, p, { semantics })).data;
            expect(Array.from(fake)).toEqual(Array.from(twoSteps));
          },
        ),
      );
    });

    it("is idempotent", () => {
      const p = { dtype: "uint8", scale: 0.1, zeroPoint: 3 } as const;
      const once = fakeQuantize([0.123, -0.31, 7.77, 100], p).data;
      expect(Array.from(fakeQuantize(once, p).data)).toEqual(Array.from(once));
    });

    it("per axis too", () => {
      const p = { dtype: "int8", scale: [0.5, 0.25], axis: 1 } as const;
      expect(Array.from(fakeQuantize([[0.3, 0.3]], p).data)).toEqual([0.5, 0.25]);
    });
  });

  // Test vectors of TensorFlow's fake_quant_ops_test.cc (WithArgs*): each comment derives them.
  describe("fakeQuantizeNudged (TensorFlow's fake_quant_with_min_max_args)", () => {
    const cases: [string, number, boolean, number, number, number[], number[]][] = [
      // [-10, 53.75], scale 1/4, zero point 40: no nudging.
      [
        "no nudging",
        8,
        false,
        -10,
        53.75,
        [-10.1, -10, -9.9, -9.75, 53.75, 53.8],
        [-10, -10, -10, -9.75, 53.75, 53.75],
      ],
      // [-0.1, 63.65], scale 1/4, zero point 0.4 nudged down to 0: range [0, 63.75].
      [
        "nudged down",
        8,
        false,
        -0.1,
        63.65,
        [-0.1, 0, 0.1, 0.25, 63.75, 63.8],
        [0, 0, 0, 0.25, 63.75, 63.75],
      ],
      // [-0.1275, 63.6225], scale 1/4, zero point 0.51 nudged up to 1: range [-0.25, 63.5].
      [
        "nudged up",
        8,
        false,
        -0.1275,
        63.6225,
        [-0.26, -0.25, -0.24, 0, 63.5, 63.6],
        [-0.25, -0.25, -0.25, 0, 63.5, 63.5],
      ],
      // [-63.65, 0.1], zero point 254.6 nudged to 255: range [-63.75, 0].
      [
        "zero at 255",
        8,
        false,
        -63.65,
        0.1,
        [-63.8, -63.75, -63.7, -63.5, 0, 0.1],
        [-63.75, -63.75, -63.75, -63.5, 0, 0],
      ],
      // Narrow range, codes [1, 255]: [-10, 53.5], scale 1/4, zero point 41.
      [
        "narrow range",
        8,
        true,
        -10,
        53.5,
        [-10.1, -10, -9.9, -9.75, 53.5, 53.6],
        [-10, -10, -10, -9.75, 53.5, 53.5],
      ],
      // 4 bits: [-6, 1.5], scale 1/2, zero point 12.
      ["4 bits", 4, false, -6, 1.5, [-6.1, -6, -5.9, -5.5, 1.5, 1.6], [-6, -6, -6, -5.5, 1.5, 1.5]],
    ];
    it.each(cases)("%s", (_, numBits, narrowRange, min, max, x, expected) => {
      const out = fakeQuantizeNudged(x, { min, max, numBits, narrowRange });
      expect(Array.from(out.data)).toEqual(f(expected));
    });

    it("nudges so that zero is a level", () => {
      fc.assert(
        fc.property(
          fc.float({ min: -100, max: 0, noNaN: true }),
          fc.float({ min: Math.fround(0.01), max: 100, noNaN: true }),
          fc.integer({ min: 2, max: 16 }),
          fc.boolean(),
          (min, width, numBits, narrowRange) => {
            const max = Math.fround(min + width);
            if (max < 0 || !(min < max)) return;
            const r = nudgedRange({ min, max, numBits, narrowRange });
            expect(fakeQuantizeNudged([0], { min, max, numBits, narrowRange }).data[0]).toBe(0);
            expect(r.nudgedMin).toBeLessThanOrEqual(0);
            expect(r.nudgedMax).toBeGreaterThanOrEqual(0);
          },
        ),
      );
    });

    it("rejects ranges that do not contain zero, and bad bit widths", () => {
      expect(() => fakeQuantizeNudged([1], { min: 1, max: 2 })).toThrowErrorMatchingInlineSnapshot(
        `[RangeError: fakeQuantizeNudged(): argument 'options.min' must be a finite number <= 0; received 1.]`,
      );
      expect(() =>
        fakeQuantizeNudged([1], { min: -1, max: -0.5 }),
      ).toThrowErrorMatchingInlineSnapshot(
        `[RangeError: fakeQuantizeNudged(): argument 'options.max' must be a finite number >= 0; received -0.5.]`,
      );
      expect(() => fakeQuantizeNudged([1], { min: 0, max: 0 })).toThrowErrorMatchingInlineSnapshot(
        `[RangeError: fakeQuantizeNudged(): argument 'options.max' must be > min (0); received 0.]`,
      );
      expect(() => fakeQuantizeNudged([1], { numBits: 17 })).toThrowErrorMatchingInlineSnapshot(
        `[RangeError: fakeQuantizeNudged(): argument 'options.numBits' must be an integer in [2, 16]; received 17.]`,
      );
    });
  });
});
