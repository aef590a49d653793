import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { packInt4, type Semantics } from "../src/index.js";
import { forEachBackend } from "./backends.js";

forEachBackend(({ dequantize, dequantizePacked, quantize, quantizePacked }) => {
  describe("quantizePacked", () => {
    it("equals packInt4(quantize(x)) on both backends, and dequantizes back", () => {
      fc.assert(
        fc.property(
          fc.constantFrom("int4", "uint4"),
          fc.constantFrom<Semantics>("onnx", "pytorch"),
          fc.constantFrom("fast", "reference"),
          fc.float({ min: Math.fround(1e-3), max: 100, noNaN: true }),
          fc.array(fc.float({ noNaN: true }), { maxLength: 300 }),
          (dtype, semantics, backend, scale, x) => {
            const p = { dtype, scale, zeroPoint: dtype === "uint4" ? 8 : 0 } as const;
            const codes = quantize(x, p, { semantics, backend: "reference" });
            const packed = quantizePacked(x, p, { semantics, backend });
            expect(Array.from(packed.data)).toEqual(Array.from(packInt4(codes.data, dtype)));
            expect(Array.from(dequantizePacked(packed).data)).toEqual(
              Array.from(dequantize(codes).data),
            );
          },
        ),
        { numRuns: 300 },
      );
    });

    it("packs per-axis codes too", () => {
      const packed = quantizePacked(
        [
          [1, 2],
          [3, 4],
        ],
        { dtype: "int4", scale: [1, 0.5], axis: 1 },
      );
      expect(Array.from(packed.data)).toEqual([(4 << 4) | 1, (7 << 4) | 3]);
      expect(Array.from(dequantizePacked(packed).data)).toEqual([1, 2, 3, 3.5]);
    });

    it("rejects other dtypes and NaN", () => {
      expect(() =>
        quantizePacked([1], { dtype: "int8", scale: 1 }),
      ).toThrowErrorMatchingInlineSnapshot(
        `[RangeError: quantizePacked(): argument 'params.dtype' must be one of "int4", "uint4"; received "int8".]`,
      );
      expect(() => quantizePacked([1, Number.NaN], { dtype: "int4", scale: 1 })).toThrow("'x[1]'");
    });
  });
});
