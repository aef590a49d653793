import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { INTEGER_FORMATS, type IntegerDType, type Semantics } from "../src/index.js";
import { arrayOf, shape3 } from "./arbitraries.js";
import { forEachBackend } from "./backends.js";

const dtypes = Object.keys(INTEGER_FORMATS) as IntegerDType[];

/** A [a, b, c] tensor, an axis, and per-index scales and zero points along it. */
const perAxis = fc
  .record({
    shape: shape3(4, 4, 4),
    axis: fc.integer({ min: -3, max: 2 }),
    dtype: fc.constantFrom(...dtypes),
    semantics: fc.constantFrom<Semantics>("onnx", "pytorch"),
    seed: arrayOf(fc.float({ min: -1000, max: 1000, noNaN: true }), 64),
    scales: arrayOf(fc.float({ min: Math.fround(1e-3), max: 100, noNaN: true }), 4),
    zeroFractions: arrayOf(fc.double({ min: 0, max: 1, noNaN: true }), 4),
  })
  .map(({ shape, axis, dtype, semantics, seed, scales, zeroFractions }) => {
    const a = axis < 0 ? axis + 3 : axis;
    const dim = shape[a] as number;
    const { min, max } = INTEGER_FORMATS[dtype];
    const size = shape[0] * shape[1] * shape[2];
    return {
      shape: [...shape],
      axis,
      a,
      dtype,
      semantics,
      x: Float32Array.from({ length: size }, (_, i) => seed[i % 64] as number),
      scale: scales.slice(0, dim),
      zeroPoint: zeroFractions.slice(0, dim).map((f) => Math.round(min + f * (max - min))),
    };
  });

/** Flat indices of the elements whose index along axis `a` of `shape` is `c`. */
function slice(shape: number[], a: number, c: number): number[] {
  const inner = shape.slice(a + 1).reduce((p, d) => p * d, 1);
  const dim = shape[a] as number;
  const size = shape.reduce((p, d) => p * d, 1);
  return Array.from({ length: size }, (_, e) => e).filter((e) => Math.floor(e / inner) % dim === c);
}

forEachBackend(({ dequantize, quantize }) => {
  describe("per-axis", () => {
    it("equals per-tensor quantization of each slice, in both semantics and every dtype", () => {
      fc.assert(
        fc.property(perAxis, ({ shape, axis, a, dtype, semantics, x, scale, zeroPoint }) => {
          const q = quantize(x, { dtype, scale, zeroPoint, axis }, { semantics, shape });
          const back = dequantize(q);
          scale.forEach((s, c) => {
            const idx = slice(shape, a, c);
            const part = Float32Array.from(idx, (e) => x[e] as number);
            const p = { dtype, scale: s, zeroPoint: zeroPoint[c] as number };
            const ref = quantize(part, p, { semantics });
            expect(idx.map((e) => q.data[e])).toEqual(Array.from(ref.data));
            expect(idx.map((e) => back.data[e])).toEqual(Array.from(dequantize(ref).data));
          });
        }),
        { numRuns: 200 },
      );
    });
  });

  describe("blocked", () => {
    it("with blocks of 1 equals per-axis; with one block equals per-tensor along that axis", () => {
      fc.assert(
        fc.property(perAxis, ({ shape, axis, a, dtype, semantics, x, scale, zeroPoint }) => {
          const paramShape = shape.map((d, i) => (i === a ? d : d));
          const count = paramShape.reduce((p, d) => p * d, 1);
          const inner = shape.slice(a + 1).reduce((p, d) => p * d, 1);
          const dim = shape[a] as number;
          // Blocks of 1: the parameter tensor has the input's shape, each element its channel's values.
          const blockScale = Float32Array.from(
            { length: count },
            (_, e) => scale[Math.floor(e / inner) % dim] as number,
          );
          const blockZero = Array.from(
            { length: count },
            (_, e) => zeroPoint[Math.floor(e / inner) % dim] as number,
          );
          const blocked = quantize(
            x,
            {
              dtype,
              scale: { data: blockScale, shape: paramShape },
              zeroPoint: { data: blockZero, shape: paramShape },
              axis,
              blockSize: 1,
            },
            { semantics, shape },
          );
          const axisWise = quantize(x, { dtype, scale, zeroPoint, axis }, { semantics, shape });
          expect(Array.from(blocked.data)).toEqual(Array.from(axisWise.data));
          expect(Array.from(dequantize(blocked).data)).toEqual(
            Array.from(dequantize(axisWise).data),
          );
        }),
        { numRuns: 200 },
      );
    });

    it("puts the short last block on its own parameters", () => {
      // shape [5], blocks of 2 along axis 0: [0, 1], [2, 3], [4].
      const q = quantize([1, 1, 1, 1, 1], {
        dtype: "int8",
        scale: [1, 0.5, 0.25],
        axis: 0,
        blockSize: 2,
      });
      expect(Array.from(q.data)).toEqual([1, 1, 2, 2, 4]);
      expect(() =>
        quantize([1, 1, 1, 1, 1], { dtype: "int8", scale: [1, 0.5], axis: 0, blockSize: 2 }),
      ).toThrow("must be shape [3] (axis 0 in blocks of 2)");
    });
  });
});
