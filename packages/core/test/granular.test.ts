/**
 * granularParams against the per-tensor functions it generalizes (symmetricParams, affineParams,
 * qparamsFromRange on each group, MinMaxObserver per channel), and bitsPerWeight by its formula.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  affineParams,
  bitsPerWeight,
  dequantize,
  type GranularOptions,
  granularParams,
  type IntegerDType,
  MinMaxObserver,
  qparamsFromRange,
  quantize,
  symmetricParams,
} from "../src/index.js";
import { arrayOf, shape3 } from "./arbitraries.js";

const signed: IntegerDType[] = ["int4", "int8", "int16"];

/** A [a, b, c] tensor of float32 values. */
const tensor = fc
  .record({
    shape: shape3(4, 9, 3),
    seed: arrayOf(fc.float({ min: -100, max: 100, noNaN: true }), 108),
  })
  .map(({ shape, seed }) => {
    const size = shape[0] * shape[1] * shape[2];
    return { shape: [...shape], x: Float32Array.from(seed.slice(0, size)) };
  });

/** The flat indices of group g when `shape` is cut along `axis` in blocks of `block` (dim: one block). */
function groupOf(shape: number[], axis: number, block: number, e: number): string {
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const dim = shape[axis] as number;
  const outer = Math.floor(e / (dim * inner));
  const along = Math.floor(e / inner) % dim;
  return `${outer}/${Math.floor(along / block)}/${e % inner}`;
}

describe("granularParams", () => {
  it("per tensor equals symmetricParams and affineParams", () => {
    fc.assert(
      fc.property(tensor, fc.constantFrom(...signed), fc.boolean(), ({ x }, dtype, restricted) => {
        expect(granularParams(x, { granularity: "tensor", dtype, restricted })).toEqual(
          symmetricParams(x, { dtype, restricted }),
        );
        expect(
          granularParams(x, { granularity: "tensor", dtype: "uint8", scheme: "affine" }),
        ).toEqual(affineParams(x, { dtype: "uint8" }));
      }),
    );
  });

  it("per channel equals MinMaxObserver with the same axis", () => {
    fc.assert(
      fc.property(tensor, fc.integer({ min: -3, max: 2 }), ({ x, shape }, axis) => {
        for (const scheme of ["symmetric", "affine"] as const) {
          const p = granularParams(x, {
            granularity: "channel",
            axis,
            scheme,
            shape,
            dtype: "int8",
          });
          const observed = new MinMaxObserver({ dtype: "int8", scheme, axis })
            .observe(x, shape)
            .qparams();
          expect(p.scale).toEqual(observed.scale);
          expect(p.zeroPoint).toEqual(observed.zeroPoint);
          expect((p as { axis: number }).axis).toBe(axis < 0 ? axis + 3 : axis);
        }
      }),
    );
  });

  it("per block gives each block the parameters of its own range", () => {
    fc.assert(
      fc.property(
        tensor,
        fc.integer({ min: -3, max: 2 }),
        fc.integer({ min: 1, max: 10 }),
        fc.constantFrom<GranularOptions["scheme"]>("symmetric", "affine"),
        ({ x, shape }, axis, blockSize, scheme) => {
          const a = axis < 0 ? axis + 3 : axis;
          const p = granularParams(x, {
            granularity: "block",
            axis,
            blockSize,
            scheme,
            shape,
            dtype: "int4",
          });
          if (!("blockSize" in p)) throw new Error("not blocked");
          expect(p.scale.shape).toEqual(
            shape.map((d, i) => (i === a ? Math.ceil(d / blockSize) : d)),
          );
          // Gather each group's values by hand and ask qparamsFromRange for its parameters.
          const groups = new Map<string, number[]>();
          x.forEach((v, e) => {
            const key = groupOf(shape, a, blockSize, e);
            groups.set(key, [...(groups.get(key) ?? []), v]);
          });
          // quantize reads the blocked parameters; its codes must equal each group's own quantization.
          const codes = quantize(x, p, { shape }).data;
          x.forEach((v, e) => {
            const values = groups.get(groupOf(shape, a, blockSize, e)) as number[];
            const own = qparamsFromRange(Math.min(...values), Math.max(...values), {
              dtype: "int4",
              scheme,
            });
            expect(codes[e]).toBe(quantize([v], own).data[0]);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it("a block as long as the axis is per channel along the other axes", () => {
    const w = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * (1 + (i % 5)));
    const blocked = granularParams(w, { granularity: "block", blockSize: 6, shape: [4, 6] });
    const channel = granularParams(w, { granularity: "channel", axis: 0, shape: [4, 6] });
    if (!("blockSize" in blocked)) throw new Error("not blocked");
    expect(blocked.scale.data).toEqual(channel.scale);
    const back = dequantize(quantize(w, blocked, { shape: [4, 6] })).data;
    expect(back).toEqual(dequantize(quantize(w, channel, { shape: [4, 6] })).data);
  });

  it("refuses what it cannot do, naming the argument", () => {
    const x = [1, 2, 3];
    expect(() => granularParams(x, undefined as never)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: granularParams(): argument 'options' must be an object with a granularity; received undefined.]`,
    );
    expect(() =>
      granularParams(x, { granularity: "row" as never }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: granularParams(): argument 'options.granularity' must be one of "tensor", "channel", "block"; received "row".]`,
    );
    expect(() => granularParams(x, { granularity: "block" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: granularParams(): argument 'options.blockSize' must be an integer ≥ 1 for granularity "block"; received undefined.]`,
    );
    expect(() => granularParams(x, { granularity: "block", blockSize: 0 })).toThrow(RangeError);
    expect(() => granularParams(x, { granularity: "channel", blockSize: 2 })).toThrow(TypeError);
    expect(() => granularParams(x, { granularity: "tensor", axis: 0 })).toThrow(TypeError);
    expect(() =>
      granularParams(x, { granularity: "channel", axis: 1 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: granularParams(): argument 'options.axis' must be an integer in [-1, 0]; received 1.]`,
    );
    expect(() =>
      granularParams([1, Number.NaN], { granularity: "tensor" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: granularParams(): argument 'x[1]' must be a finite number; received NaN.]`,
    );
    expect(() => granularParams([], { granularity: "tensor" })).toThrow(RangeError);
    expect(() =>
      granularParams(x, { granularity: "tensor", scheme: "affine", restricted: true }),
    ).toThrow(RangeError);
    expect(() =>
      granularParams(x, { granularity: "tensor", dtype: "uint8", restricted: true }),
    ).toThrow(RangeError);
  });
});

describe("bitsPerWeight", () => {
  it("adds the scales (and nonzero zero points) to the codes", () => {
    const w = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i));
    const shape = [4, 16];
    const perTensor = quantize(w, symmetricParams(w, { dtype: "int4" }));
    const perChannel = quantize(
      w,
      granularParams(w, { granularity: "channel", dtype: "int4", shape }),
      {
        shape,
      },
    );
    const perBlock = quantize(
      w,
      granularParams(w, { granularity: "block", blockSize: 8, dtype: "int4", shape }),
      { shape },
    );
    const affine = quantize(
      w,
      granularParams(w, {
        granularity: "block",
        blockSize: 8,
        dtype: "uint4",
        scheme: "affine",
        shape,
      }),
      {
        shape,
      },
    );
    // 64 codes of 4 bits, plus 1, 4, 8 float32 scales; affine blocks add 8 uint4 zero points.
    expect(bitsPerWeight(perTensor)).toBe(4 + 32 / 64);
    expect(bitsPerWeight(perChannel)).toBe(4 + (4 * 32) / 64);
    expect(bitsPerWeight(perBlock)).toBe(4 + 32 / 8);
    expect(bitsPerWeight(perBlock, { scaleBits: 16 })).toBe(4 + 16 / 8);
    expect(bitsPerWeight(affine)).toBe(4 + (32 + 4) / 8);
  });

  it("refuses what is not a quantized tensor", () => {
    expect(() => bitsPerWeight(null as never)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: bitsPerWeight(): argument 'q' must be a quantized tensor { dtype, data, scale, zeroPoint }; received null.]`,
    );
    const q = quantize([1], { dtype: "int8", scale: 1 });
    expect(() => bitsPerWeight({ ...q, dtype: "float16" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: bitsPerWeight(): argument 'q.dtype' must be an integer dtype; received "float16".]`,
    );
    expect(() => bitsPerWeight(q, { scaleBits: 0 })).toThrow(RangeError);
    expect(() => bitsPerWeight({ ...q, data: new Int8Array(0) })).toThrow(RangeError);
    expect(() => bitsPerWeight({ ...q, scale: "1" as never })).toThrow(TypeError);
  });
});
