import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { INTEGER_FORMATS, type IntegerDType, type Semantics } from "../src/index.js";
import { forEachBackend } from "./backends.js";

const f32 = (min: number, max: number) =>
  fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true, noDefaultInfinity: true });

const dtypes: IntegerDType[] = ["int4", "uint4", "int8", "uint8", "int16", "uint16", "int32"];

/** A scale, a zero point of the dtype, and float32 inputs inside the representable range. */
const setup = fc
  .record({
    dtype: fc.constantFrom(...dtypes),
    semantics: fc.constantFrom<Semantics>("onnx", "pytorch"),
    scale: f32(1e-3, 1e3),
    zeroFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    fractions: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
      minLength: 1,
      maxLength: 64,
    }),
  })
  .map(({ dtype, semantics, scale, zeroFraction, fractions }) => {
    const { min, max } = INTEGER_FORMATS[dtype];
    // Keep int32 codes below 2^24 so that every code is a float32 in both semantics.
    const lo = dtype === "int32" ? -(2 ** 23) : min;
    const hi = dtype === "int32" ? 2 ** 23 : max;
    const zeroPoint = Math.round(lo + zeroFraction * (hi - lo));
    const s = Math.fround(scale);
    const x = fractions.map((f) => Math.fround((lo - zeroPoint + f * (hi - lo)) * s));
    return { dtype, semantics, scale: s, zeroPoint, x, lo, hi };
  });

forEachBackend(({ dequantize, quantize }) => {
  describe("properties", () => {
    it("round-trip error is at most scale / 2 inside the range", () => {
      fc.assert(
        fc.property(setup, ({ dtype, semantics, scale, zeroPoint, x }) => {
          const q = quantize(x, { dtype, scale, zeroPoint }, { semantics });
          const back = dequantize(q);
          x.forEach((v, i) => {
            // scale/2 plus the float32 rounding of the quotient and of the product.
            const bound = scale / 2 + 4 * 2 ** -24 * (Math.abs(v) + scale);
            expect(Math.abs((back.data[i] as number) - v)).toBeLessThanOrEqual(bound);
          });
        }),
        { numRuns: 300 },
      );
    });

    it("quantize is monotonic (non-decreasing) in x", () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...dtypes),
          fc.constantFrom<Semantics>("onnx", "pytorch"),
          f32(1e-6, 1e6),
          fc.array(f32(-1e9, 1e9), { minLength: 2, maxLength: 64 }),
          (dtype, semantics, scale, values) => {
            const x = Float32Array.from(values).sort();
            const q = quantize(x, { dtype, scale }, { semantics }).data;
            for (let i = 1; i < q.length; i++)
              expect(q[i]).toBeGreaterThanOrEqual(q[i - 1] as number);
          },
        ),
        { numRuns: 300 },
      );
    });

    it("codes always lie inside the dtype", () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...dtypes),
          f32(1e-30, 1e30),
          fc.array(fc.float({ noNaN: true }), { maxLength: 64 }),
          (dtype, scale, x) => {
            const { min, max } = INTEGER_FORMATS[dtype];
            for (const q of quantize(x, { dtype, scale }).data) {
              expect(q).toBeGreaterThanOrEqual(min);
              expect(q).toBeLessThanOrEqual(max);
            }
          },
        ),
      );
    });

    it("quantizing dequantized codes gives the same codes back (8 and 16 bits)", () => {
      fc.assert(
        fc.property(setup, ({ dtype, semantics, scale, zeroPoint, x }) => {
          if (dtype === "int32") return;
          const params = { dtype, scale, zeroPoint };
          const q = quantize(x, params, { semantics });
          const again = quantize(dequantize(q).data, params, { semantics });
          expect(Array.from(again.data)).toEqual(Array.from(q.data));
        }),
        { numRuns: 300 },
      );
    });

    it("the two semantics agree except near ties", () => {
      fc.assert(
        fc.property(setup, ({ dtype, scale, zeroPoint, x }) => {
          const onnx = quantize(x, { dtype, scale, zeroPoint }).data;
          const torch = quantize(x, { dtype, scale, zeroPoint }, { semantics: "pytorch" }).data;
          for (let i = 0; i < x.length; i++) {
            expect(Math.abs((onnx[i] as number) - (torch[i] as number))).toBeLessThanOrEqual(1);
          }
        }),
      );
    });
  });
});
