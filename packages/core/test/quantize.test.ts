import { matrix } from "mathjs";
import { describe, expect, it } from "vitest";
import { activeBackend, traceQuantize } from "../src/index.js";
import { forEachBackend } from "./backends.js";

// The source post's worked example: t = [-10, -5, 0, 5, 10], scale = 20 / 255 as float32.
const t = [-10, -5, 0, 5, 10];
const scale = Math.fround(20 / 255);

forEachBackend(({ dequantize, quantize }) => {
  describe("quantize", () => {
    it("reproduces the source post's int8 codes and dequantized values", () => {
      const q = quantize(t, { dtype: "int8", scale });
      expect(Array.from(q.data)).toEqual([-127, -64, 0, 64, 127]);
      const x = dequantize(q);
      expect(Array.from(x.data, (v) => v.toFixed(4))).toEqual([
        "-9.9608",
        "-5.0196",
        "0.0000",
        "5.0196",
        "9.9608",
      ]);
    });

    it("divides in ONNX semantics and multiplies by the reciprocal in PyTorch's", () => {
      // -10 / s is -127.49999237 in float32, so ONNX rounds to -127; -10 * fround(1 / s) is exactly
      // -127.5, which ties to even: -128.
      expect(Math.fround(-10 / scale)).toBe(-127.49999237060547);
      expect(Math.fround(-10 * Math.fround(1 / scale))).toBe(-127.5);
      expect(quantize([-10], { dtype: "int8", scale }).data[0]).toBe(-127);
      expect(quantize([-10], { dtype: "int8", scale }, { semantics: "pytorch" }).data[0]).toBe(
        -128,
      );
    });

    it("rounds exact ties to even", () => {
      const q = quantize([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5], { dtype: "int8", scale: 1 });
      expect(Array.from(q.data)).toEqual([-2, -2, 0, 0, 2, 2, 4]);
    });

    it("adds the zero point after rounding", () => {
      // rint(0.5) + 1 = 1, whereas rint(0.5 + 1) would be 2.
      expect(quantize([0.5], { dtype: "uint8", scale: 1, zeroPoint: 1 }).data[0]).toBe(1);
    });

    it("saturates at the dtype's bounds, infinities included", () => {
      const x = [-1e30, Number.NEGATIVE_INFINITY, -128.5, 127.5, Number.POSITIVE_INFINITY, 3.4e38];
      for (const semantics of ["onnx", "pytorch"] as const) {
        const q = quantize(x, { dtype: "int8", scale: 1 }, { semantics });
        expect(Array.from(q.data)).toEqual([-128, -128, -128, 127, 127, 127]);
        const u = quantize([-1, 256, 255.4], { dtype: "uint8", scale: 1 }, { semantics });
        expect(Array.from(u.data)).toEqual([0, 255, 255]);
      }
      const i32 = quantize([1e10, -1e10], { dtype: "int32", scale: 1 });
      expect(Array.from(i32.data)).toEqual([2147483647, -2147483648]);
    });

    it("maps ±0 to the zero point", () => {
      const q = quantize([0, -0], { dtype: "uint8", scale: 0.1, zeroPoint: 7 });
      expect(Array.from(q.data)).toEqual([7, 7]);
    });

    it("keeps the shape, the dtype and the parameters", () => {
      const q = quantize(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { dtype: "int16", scale: 0.5, zeroPoint: -3 },
      );
      expect(q.shape).toEqual([2, 3]);
      expect(q.data).toBeInstanceOf(Int16Array);
      expect(q).toMatchObject({ dtype: "int16", scale: 0.5, zeroPoint: -3, semantics: "onnx" });
    });

    it("returns an empty tensor for an empty input", () => {
      const q = quantize([], { dtype: "int8", scale: 1 });
      expect(q.data.length).toBe(0);
      expect(q.shape).toEqual([0]);
      expect(dequantize(q).data.length).toBe(0);
    });

    it("accepts arrays, typed arrays, mathjs matrices and { data, shape }", () => {
      const expected = [-127, -64, 0, 64, 127];
      const inputs = [
        t,
        Float32Array.from(t),
        Float64Array.from(t),
        Int16Array.from(t),
        matrix(t),
        { data: t, shape: [5] },
      ];
      for (const input of inputs) {
        expect(Array.from(quantize(input, { dtype: "int8", scale }).data)).toEqual(expected);
      }
      const m = quantize(
        matrix([
          [-10, -5],
          [5, 10],
        ]),
        { dtype: "int8", scale },
      );
      expect(m.shape).toEqual([2, 2]);
      expect(Array.from(m.data)).toEqual([-127, -64, 64, 127]);
    });

    it("rounds float64 input to float32 before dividing", () => {
      // 0.5 + 2^-30 is not a float32: it rounds to 0.5, a tie that goes to even (0). In float64
      // it would round up to 1.
      const x = 0.5 + 2 ** -30;
      expect(quantize([x], { dtype: "int8", scale: 1 }).data[0]).toBe(0);
      expect(quantize(Float64Array.of(x), { dtype: "int8", scale: 1 }).data[0]).toBe(0);
    });

    it("rounds the scale to float32", () => {
      const q = quantize([1], { dtype: "int8", scale: 0.1 });
      expect(q.scale).toBe(Math.fround(0.1));
    });

    it("reads a flat typed array with an explicit shape", () => {
      const q = quantize(new Float32Array(6), { dtype: "int8", scale: 1 }, { shape: [2, 3] });
      expect(q.shape).toEqual([2, 3]);
    });
  });

  describe("per-axis and blocked", () => {
    it("uses one scale and zero point per index along the axis", () => {
      const x = [
        [1, 2, 3],
        [1, 2, 3],
      ];
      const q = quantize(x, {
        dtype: "int8",
        scale: [1, 0.5, 0.25],
        zeroPoint: [0, 1, 2],
        axis: 1,
      });
      expect(Array.from(q.data)).toEqual([1, 5, 14, 1, 5, 14]);
      const back = dequantize(q);
      expect(Array.from(back.data)).toEqual([1, 2, 3, 1, 2, 3]);
    });

    it("counts a negative axis from the end", () => {
      const params = { dtype: "int8", scale: [1, 2], axis: -1 } as const;
      expect(
        Array.from(
          quantize(
            [
              [2, 2],
              [4, 4],
            ],
            params,
          ).data,
        ),
      ).toEqual([2, 1, 4, 2]);
    });

    it("uses one scale per block along the axis, the last block short", () => {
      // 1 x 5 input in blocks of 2 along axis 1: blocks [0, 1], [2, 3], [4].
      const x = [[4, 4, 4, 4, 4]];
      const q = quantize(x, { dtype: "int8", scale: [[1, 2, 4]], axis: 1, blockSize: 2 });
      expect(Array.from(q.data)).toEqual([4, 4, 2, 2, 1]);
      expect(Array.from(dequantize(q).data)).toEqual([4, 4, 4, 4, 4]);
    });
  });

  describe("dequantize", () => {
    it("computes (q - zp) * s in float32", () => {
      const x = dequantize([0, 255], { dtype: "uint8", scale: 0.1, zeroPoint: 128 });
      expect(Array.from(x.data)).toEqual([
        Math.fround(-128 * Math.fround(0.1)),
        Math.fround(127 * Math.fround(0.1)),
      ]);
    });

    it("rounds q - zp to float32 first in ONNX, q itself in PyTorch (int32)", () => {
      // 2^24 + 1 is not a float32. ONNX: fround(2^24 + 1 - 1) = 2^24. PyTorch: fround(2^24 + 1) = 2^24,
      // then 2^24 - 1 = 16777215.
      const p = { dtype: "int32", scale: 1, zeroPoint: 1 } as const;
      expect(dequantize([2 ** 24 + 1], p).data[0]).toBe(2 ** 24);
      expect(dequantize([2 ** 24 + 1], p, { semantics: "pytorch" }).data[0]).toBe(2 ** 24 - 1);
    });

    it("rejects codes outside the dtype", () => {
      expect(() => dequantize([128], { dtype: "int8", scale: 1 })).toThrow(RangeError);
      expect(() => dequantize([1.5], { dtype: "int8", scale: 1 })).toThrow(RangeError);
      expect(() => dequantize(Int8Array.of(8), { dtype: "int4", scale: 1 })).toThrow(RangeError);
    });
  });

  describe("traceQuantize", () => {
    it("shows the float32 quotient that decides -10's code", () => {
      const onnx = traceQuantize(t, { dtype: "int8", scale });
      expect(Array.from(onnx.scaled)).toEqual([
        -127.49999237060547, -63.749996185302734, 0, 63.749996185302734, 127.49999237060547,
      ]);
      expect(Array.from(onnx.code)).toEqual([-127, -64, 0, 64, 127]);
      const torch = traceQuantize(t, { dtype: "int8", scale }, { semantics: "pytorch" });
      expect(torch.inverseScale).toBe(12.75);
      expect(torch.scaled[0]).toBe(-127.5);
      expect(torch.code[0]).toBe(-128);
    });

    it("marks the values saturation changed", () => {
      const tr = traceQuantize([2, 10], { dtype: "int8", scale: Math.fround(8 / 255) });
      expect(tr.clipped).toEqual([false, true]);
      expect(Array.from(tr.shifted)).toEqual([64, 319]);
      expect(Array.from(tr.code)).toEqual([64, 127]);
    });
  });

  describe("backends", () => {
    const p = { dtype: "int8", scale: 0.1, zeroPoint: 3 } as const;
    const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 20);

    it("uses the WebAssembly SIMD kernels where they load, with the reference's bits", () => {
      expect(activeBackend()).toBe("fast");
      const fast = quantize(x, p, { backend: "fast" });
      const reference = quantize(x, p, { backend: "reference" });
      expect(Array.from(fast.data)).toEqual(Array.from(reference.data));
      expect(Array.from(dequantize(fast, undefined, { backend: "fast" }).data)).toEqual(
        Array.from(dequantize(reference, undefined, { backend: "reference" }).data),
      );
    });

    it.each(["fast", "reference"] as const)("rejects NaN at its index (%s)", (backend) => {
      const withNaN = Float32Array.from(x);
      withNaN[777] = Number.NaN;
      expect(() => quantize(withNaN, p, { backend })).toThrow(
        "argument 'x[777]' must be a number, not NaN",
      );
      const perAxis = { dtype: "int8", scale: new Array(10).fill(0.1), axis: 0 } as const;
      expect(() => quantize(withNaN, perAxis, { backend, shape: [10, 100] })).toThrow("'x[777]'");
    });

    it("names an unknown backend", () => {
      // @ts-expect-error: a backend the core does not have
      expect(() => quantize(x, p, { backend: "gpu" })).toThrowErrorMatchingInlineSnapshot(
        `[RangeError: quantize(): argument 'options.backend' must be one of "auto", "fast", "reference"; received "gpu".]`,
      );
    });
  });

  describe("caller's output arrays", () => {
    const p = { dtype: "int8", scale: 0.5 } as const;

    it("writes into `out` and returns it", () => {
      const out = new Int8Array(3);
      const q = quantize([1, -1, 100], p, { out });
      expect(q.data).toBe(out);
      expect(Array.from(out)).toEqual([2, -2, 127]);
      const back = new Float32Array(3);
      expect(dequantize(q, undefined, { out: back }).data).toBe(back);
      expect(Array.from(back)).toEqual([1, -1, 63.5]);
    });

    it("rejects an output of the wrong type or length", () => {
      expect(() => quantize([1], p, { out: new Uint8Array(1) })).toThrowErrorMatchingInlineSnapshot(
        `[TypeError: quantize(): argument 'options.out' must be an Int8Array of length 1; received a Uint8Array of length 1.]`,
      );
      expect(() => quantize([1], p, { out: new Int8Array(2) })).toThrowErrorMatchingInlineSnapshot(
        `[RangeError: quantize(): argument 'options.out' must be an Int8Array of length 1; received an Int8Array of length 2.]`,
      );
      expect(() =>
        dequantize([1], p, { out: new Float64Array(1) as never }),
      ).toThrowErrorMatchingInlineSnapshot(
        `[TypeError: dequantize(): argument 'options.out' must be a Float32Array of length 1; received a Float64Array of length 1.]`,
      );
    });
  });
});
