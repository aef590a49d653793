/**
 * bitsandbytes NF4 / FP4. The golden cases (next/lowbit-bnb.json, bitsandbytes itself) check the
 * bits; here: the tables against their definitions, values on and beside every midpoint, fp4's two
 * zeros, a property restating each step of the README's rules (absmax, full and short blocks, the
 * midpoint rule by a linear scan, both nibble orders, double quantization), and every error.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BNB_BLOCK_SIZES,
  BNB_FORMATS,
  BNB_TABLES,
  type BnbFormat,
  type BnbNested,
  type BnbTensor,
  dequantizeBnb,
  isBnbFormat,
  quantizeBnb,
} from "../src/index.js";
import { message } from "./show.js";

const f32 = Math.fround;
const at = (a: ArrayLike<number>, i: number): number => a[i] as number;
const FLOOR = f32(1e-38);

/** The table sorted ascending (equal values in code order) and its float32 midpoints. */
function sorted(table: readonly number[]) {
  const order = table.map((_, c) => c).sort((a, b) => at(table, a) - at(table, b) || a - b);
  const bounds = order.slice(1).map((c, k) => f32(f32(at(table, at(order, k)) + at(table, c)) / 2));
  return { order, bounds };
}

/** The README's rule, by a linear scan: the first sorted value whose upper midpoint is >= y. */
function codeOf(table: readonly number[], y: number): number {
  const { order, bounds } = sorted(table);
  const k = bounds.findIndex((m) => m >= y);
  return at(order, k === -1 ? order.length - 1 : k);
}

const nextUp = (v: number) => {
  const a = new Float32Array([v]);
  const bits = new Int32Array(a.buffer);
  bits[0] = (bits[0] as number) + (v >= 0 ? 1 : -1);
  return at(a, 0);
};

describe("the tables", () => {
  it("nf4: 16 values ascending from -1 to 1, code 7 is 0", () => {
    const t = BNB_TABLES.nf4;
    expect(t.length).toBe(16);
    for (let c = 1; c < 16; c++) expect(at(t, c) > at(t, c - 1)).toBe(true);
    expect([t[0], t[7], t[15]]).toEqual([-1, 0, 1]);
    for (const v of t) expect(f32(v)).toBe(v);
  });

  it("fp4: [0, 0.0625, 8, 12, 4, 6, 2, 3] / 12 and their negatives, code 8 a second +0", () => {
    const half = [0, 0.0625, 8, 12, 4, 6, 2, 3].map((v) => f32(v / 12));
    expect(BNB_TABLES.fp4).toEqual([...half, 0, ...half.slice(1).map((v) => -v)]);
    expect(Object.is(BNB_TABLES.fp4[8], 0)).toBe(true);
  });

  it("dynamic8: the create_dynamic_map formula, symmetric, 0 at 127 and 1 at 255, no -1", () => {
    const t = BNB_TABLES.dynamic8;
    expect(t.length).toBe(256);
    for (let c = 1; c < 256; c++) expect(at(t, c) > at(t, c - 1)).toBe(true);
    expect([t[127], t[255], at(t, 0) > -1]).toEqual([0, 1, true]);
    for (let k = 0; k < 127; k++) expect(t[k]).toBe(-at(t, 254 - k));
    // In float64: for i = 0..6, 10^(i - 6) times the midpoints of linspace(0.1, 1, 2^i + 1).
    const exact: number[] = [];
    for (let i = 0; i < 7; i++) {
      const n = 2 ** i + 1;
      const b = Array.from({ length: n }, (_, j) => 0.1 + (0.9 * j) / (n - 1));
      for (let j = 0; j + 1 < n; j++) exact.push(10 ** (i - 6) * ((at(b, j) + at(b, j + 1)) / 2));
    }
    const positives = t.slice(128, 255);
    const worst = Math.max(...positives.map((v, k) => Math.abs(v - at(exact, k)) / at(exact, k)));
    // bitsandbytes computes it in float32 (linspace, the midpoints, the product): a few float32
    // ulps (2^-24 = 6e-8 relative each). Measured 1.42e-7; the bound, 3e-7, is about twice that.
    console.log(`dynamic8: largest relative difference from the float64 formula ${worst}`);
    expect(worst).toBeLessThan(3e-7);
  });

  it("the formats' rows and the block sizes bitsandbytes allows", () => {
    expect(BNB_BLOCK_SIZES).toEqual([32, 64, 128, 256, 512, 1024, 2048, 4096]);
    expect([BNB_FORMATS.nf4.bitsPerWeight, BNB_FORMATS.fp4.bitsPerWeight]).toEqual([4.5, 4.5]);
    expect(BNB_FORMATS.fp4.table).toBe(BNB_TABLES.fp4);
    expect([isBnbFormat("nf4"), isBnbFormat("fp4"), isBnbFormat("NF4"), isBnbFormat(4)]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe("codes by hand", () => {
  it.each(["nf4", "fp4"] as const)(
    "%s: a value on a midpoint takes the lower value, the next float32 the upper",
    (format) => {
      const table = BNB_TABLES[format];
      const { order, bounds } = sorted(table);
      // One short block with absmax 1: y = x / 1 = x exactly.
      const x = [1, ...bounds.flatMap((m) => [m, nextUp(m)])];
      const codes = Array.from(quantizeBnb(x, format).codes.subarray(1));
      const expected = bounds.flatMap((_, k) => [order[k], order[k + 1]]);
      expect(codes).toEqual(expected);
    },
  );

  it("fp4's two zeros: y in (-0.0026, 0] gets code 0, y in (0, 0.0026] code 8", () => {
    const q = quantizeBnb([1, 0.002, -0.002, -0, 0, 0.003, -0.003], "fp4");
    expect(Array.from(q.codes)).toEqual([3, 8, 0, 0, 0, 1, 9]);
    expect(Array.from(dequantizeBnb(q).data.subarray(1, 5)).map((v) => Object.is(v, 0))).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it("a full block multiplies by fround(1 / absmax), stores absmax as is; a short one divides by max(absmax, 1e-38)", () => {
    // 3 * fround(1/3) rounds to 1 and 1 / 3 ... the block of 64 with absmax 3 and one of 2 after it.
    const full = [3, ...new Array(63).fill(1)];
    const q = quantizeBnb([...full, 2, 0.5], "nf4");
    expect(Array.from(q.absmax)).toEqual([3, 2]);
    const y = f32(1 * f32(1 / 3));
    expect(q.codes[1]).toBe(codeOf(BNB_TABLES.nf4, y));
    expect(q.codes[65]).toBe(codeOf(BNB_TABLES.nf4, 0.25));
    // Zero blocks: a full one stores 0, a short one 1e-38 (as float32).
    const zeros = quantizeBnb(new Float32Array(64 + 3), "fp4");
    expect(Array.from(zeros.absmax)).toEqual([0, FLOOR]);
    expect(Array.from(zeros.codes).every((c) => c === 0)).toBe(true);
    expect(Array.from(quantizeBnb(new Float32Array(3), "nf4").codes)).toEqual([7, 7, 7]);
  });

  it("where x / absmax and x · fround(1 / absmax) fall on either side of a midpoint, each block uses its own", () => {
    const table = BNB_TABLES.nf4;
    const { bounds } = sorted(table);
    let found = 0;
    for (let k = 0; k < 3000 && found < 8; k++) {
      const a = f32(1 + k * 0.0137);
      const m = at(bounds, k % bounds.length);
      const inverse = f32(1 / a);
      for (const x of [-1, 0, 1].map(
        (d) => f32(m * a) + d * 2 ** (Math.floor(Math.log2(Math.abs(m * a))) - 23),
      )) {
        const divided = codeOf(table, f32(x / a));
        const multiplied = codeOf(table, f32(x * inverse));
        if (divided === multiplied || Math.abs(x) > a) continue;
        const short = quantizeBnb([a, x], "nf4").codes[1];
        const full = quantizeBnb([a, x, ...new Array(62).fill(0)], "nf4").codes[1];
        expect([short, full], `absmax ${a}, x ${x}`).toEqual([divided, multiplied]);
        found++;
      }
    }
    console.log(`bnb: ${found} values whose code depends on dividing or multiplying`);
    expect(found).toBeGreaterThan(0);
  });

  it("packs the first code in the HIGH nibble; an odd tail's low nibble is the code of 0", () => {
    const x = [0.5, -1, 0.25, 1, -0.5];
    for (const format of ["nf4", "fp4"] as const) {
      const q = quantizeBnb(x, format);
      const c = Array.from(q.codes);
      // bitsandbytes pads the scaled values with 0.0 before its lookup: nf4's 0 is code 7.
      const pad = format === "nf4" ? 7 : 0;
      expect(Array.from(q.packed)).toEqual([
        (at(c, 0) << 4) | at(c, 1),
        (at(c, 2) << 4) | at(c, 3),
        (at(c, 4) << 4) | pad,
      ]);
      expect(Array.from(dequantizeBnb(q).data)).toEqual(c.map((k) => BNB_TABLES[format][k]));
    }
  });
});

// -------------------------------------------------------------------------------------------
// The README's rules restated, step by step, for random tensors, formats, block sizes and both
// double-quantization settings.

function blockwise(x: Float32Array, blockSize: number, table: readonly number[]) {
  const codes: number[] = [];
  const absmax: number[] = [];
  for (let from = 0; from < x.length; from += blockSize) {
    const block = Array.from(x.subarray(from, from + blockSize));
    const m = Math.max(0, ...block.map(Math.abs));
    const full = block.length === blockSize;
    const floored = Math.max(m, FLOOR);
    absmax.push(full ? m : floored);
    for (const v of block) {
      const y = full ? f32(v * f32(1 / floored)) : f32(v / floored);
      codes.push(codeOf(table, Math.min(1, Math.max(-1, y))));
    }
  }
  return { codes, absmax };
}

function check(x: Float32Array, format: BnbFormat, blockSize: number, q: BnbTensor): void {
  const table = BNB_TABLES[format];
  const { codes, absmax } = blockwise(x, blockSize, table);
  expect(Array.from(q.codes)).toEqual(codes);
  const pad = codeOf(table, 0);
  const packed = [];
  for (let i = 0; i < codes.length; i += 2)
    packed.push((at(codes, i) << 4) | (codes[i + 1] ?? pad));
  expect(Array.from(q.packed)).toEqual(packed);
  let scales = absmax.map(f32);
  if (q.nested === null) {
    expect(Array.from(q.absmax)).toEqual(scales);
  } else {
    // An empty tensor has no absmax to average: offset 0 (torch's mean of nothing is NaN).
    const offset = absmax.length === 0 ? 0 : f32(absmax.reduce((a, b) => a + b, 0) / absmax.length);
    expect(q.nested.offset).toBe(offset);
    expect(q.nested.blockSize).toBe(256);
    const nested = blockwise(
      Float32Array.from(absmax, (a) => a - offset),
      256,
      BNB_TABLES.dynamic8,
    );
    expect(Array.from(q.absmax)).toEqual(nested.codes);
    expect(Array.from(q.nested.absmax)).toEqual(nested.absmax.map(f32));
    scales = nested.codes.map((c, i) =>
      f32(f32(at(BNB_TABLES.dynamic8, c) * at(nested.absmax, Math.floor(i / 256))) + offset),
    );
  }
  const y = dequantizeBnb(q).data;
  for (let i = 0; i < x.length; i++) {
    const expected = f32(at(table, at(codes, i)) * at(scales, Math.floor(i / blockSize)));
    expect(Object.is(y[i], expected), `value ${i}: ${y[i]} vs ${expected}`).toBe(true);
  }
}

describe("every step as the README writes it", () => {
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.float({ min: -10, max: 10, noNaN: true }) },
    { weight: 1, arbitrary: fc.float({ min: f32(-1e20), max: f32(1e20), noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e-40, -1e-39) },
  );
  it.each(["nf4", "fp4"] as const)("%s", (format) => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 0, maxLength: 700 }),
        fc.constantFrom(32, 64, 128, 256),
        fc.boolean(),
        (values, blockSize, doubleQuant) => {
          const x = Float32Array.from(values);
          const q = quantizeBnb(x, format, { blockSize, doubleQuant });
          expect([q.format, q.blockSize, q.shape]).toEqual([format, blockSize, [x.length]]);
          check(x, format, blockSize, q);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("double quantization over more than 256 blocks (two nested groups, the last short)", () => {
    const x = Float32Array.from(
      { length: 64 * 300 + 5 },
      (_, i) => Math.sin(i * 1.3) * (1 + (i % 97)),
    );
    const q = quantizeBnb(x, "nf4", { doubleQuant: true, shape: [5, 64 * 60 + 1] });
    expect([q.absmax.length, q.nested?.absmax.length, q.shape]).toEqual([301, 2, [5, 3841]]);
    check(x, "nf4", 64, q);
    const out = new Float32Array(x.length);
    expect(dequantizeBnb(q, { out }).data).toBe(out);
    const { codes: _, ...stored } = q;
    expect(dequantizeBnb(stored).data).toEqual(out);
  });

  it.each(BNB_BLOCK_SIZES.map((b) => [b]))("block size %i", (blockSize) => {
    const x = Float32Array.from({ length: 4100 }, (_, i) => Math.cos(i) * (i % 13));
    check(x, "fp4", blockSize, quantizeBnb(x, "fp4", { blockSize }));
  });
});

describe("options.out", () => {
  it("writes packed and codes into the given arrays, every byte over what was there", () => {
    for (const n of [1, 63, 64, 130, 1001]) {
      const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 5)));
      for (const format of ["nf4", "fp4"] as const) {
        const ref = quantizeBnb(x, format, { backend: "reference" });
        for (const backend of ["reference", "fast"] as const) {
          const packed = new Uint8Array(ref.packed.length).fill(0xa5);
          const codes = new Uint8Array(n).fill(0xa5);
          const both = quantizeBnb(x, format, { out: { packed, codes }, backend });
          expect([both.packed === packed, both.codes === codes]).toEqual([true, true]);
          expect([both.packed, both.codes, both.absmax]).toEqual([
            ref.packed,
            ref.codes,
            ref.absmax,
          ]);
          const only = new Uint8Array(ref.packed.length).fill(0xff);
          const one = quantizeBnb(x, format, { out: { packed: only }, backend, doubleQuant: true });
          expect(one.packed).toBe(only);
          expect(one.packed).toEqual(ref.packed);
        }
      }
    }
  });
});

describe("errors", () => {
  const q = quantizeBnb(new Float32Array(130).fill(0.5), "nf4");
  const dq = quantizeBnb(new Float32Array(130).fill(0.5), "nf4", { doubleQuant: true });
  it.each([
    [
      () => quantizeBnb([1], "int4" as BnbFormat),
      `RangeError: quantizeBnb(): argument 'format' must be one of "nf4", "fp4"; received "int4".`,
    ],
    [
      () => quantizeBnb([1], "nf4", { blockSize: 16 }),
      "RangeError: quantizeBnb(): argument 'options.blockSize' must be one of 32, 64, 128, 256, 512, 1024, 2048, 4096 (the block sizes bitsandbytes allows); received 16.",
    ],
    [
      () => quantizeBnb([1], "nf4", { blockSize: "64" as never }),
      `TypeError: quantizeBnb(): argument 'options.blockSize' must be one of 32, 64, 128, 256, 512, 1024, 2048, 4096 (the block sizes bitsandbytes allows); received "64".`,
    ],
    [
      () => quantizeBnb([1, Number.NaN], "fp4"),
      "RangeError: quantizeBnb(): argument 'x[1]' must be a finite number (fp4 has no code for NaN or ±Infinity); received NaN.",
    ],
    [
      () => quantizeBnb([Number.POSITIVE_INFINITY], "nf4"),
      "RangeError: quantizeBnb(): argument 'x[0]' must be a finite number (nf4 has no code for NaN or ±Infinity); received Infinity.",
    ],
    [
      () => quantizeBnb([1], "nf4", { double_quant: true } as never),
      `RangeError: quantizeBnb(): argument 'options' must be an object with keys among 'blockSize', 'doubleQuant', 'shape', 'out', 'backend', 'threads' (did you mean 'doubleQuant'?); received an object with key "double_quant".`,
    ],
    [
      () => quantizeBnb([1, 2, 3], "nf4", { out: { packed: new Uint8Array(3) } }),
      "RangeError: quantizeBnb(): argument 'options.out.packed' must be a Uint8Array of length 2; received a Uint8Array of length 3.",
    ],
    [
      () => quantizeBnb([1, 2, 3], "nf4", { out: { codes: new Float32Array(3) as never } }),
      "TypeError: quantizeBnb(): argument 'options.out.codes' must be a Uint8Array of length 3; received a Float32Array of length 3.",
    ],
    [
      () => quantizeBnb([1], "nf4", { out: { packd: new Uint8Array(1) } as never }),
      `RangeError: quantizeBnb(): argument 'options.out' must be an object with keys among 'packed', 'codes' (did you mean 'packed'?); received an object with key "packd".`,
    ],
    [
      () => quantizeBnb([1], "nf4", { out: new Uint8Array(1) as never }),
      "TypeError: quantizeBnb(): argument 'options.out' must be an object (keys 'packed', 'codes') or undefined; received a Uint8Array of length 1.",
    ],
    [
      () => quantizeBnb([1], "nf4", { doubleQuant: 1 as never }),
      "TypeError: quantizeBnb(): argument 'options.doubleQuant' must be a boolean; received 1.",
    ],
    [
      () => dequantizeBnb({ ...q, packed: q.packed.subarray(0, 64) }),
      "RangeError: dequantizeBnb(): argument 't.packed' must be a Uint8Array of length 65 (two nf4 codes a byte for 130 values in blocks of 64); received a Uint8Array of length 64.",
    ],
    [
      () => dequantizeBnb({ ...q, absmax: new Float32Array(2) }),
      "RangeError: dequantizeBnb(): argument 't.absmax' must be a Float32Array of length 3 (one float32 absmax per block for 130 values in blocks of 64); received a Float32Array of length 2.",
    ],
    [
      () => dequantizeBnb({ ...dq, absmax: new Float32Array(3) }),
      "TypeError: dequantizeBnb(): argument 't.absmax' must be a Uint8Array of length 3 (one dynamic8 code per block for 130 values in blocks of 64 (double quantized)); received a Float32Array of length 3.",
    ],
    [
      () =>
        dequantizeBnb({
          ...dq,
          nested: { ...(dq.nested as BnbNested), absmax: new Float32Array(0) },
        }),
      "RangeError: dequantizeBnb(): argument 't.nested.absmax' must be a Float32Array of length 1 (one float32 per 256 of the 3 absmax codes); received a Float32Array of length 0.",
    ],
    [
      () => dequantizeBnb({ ...dq, nested: { ...(dq.nested as BnbNested), blockSize: 128 } }),
      "RangeError: dequantizeBnb(): argument 't.nested.blockSize' must be 256 (the block size of bitsandbytes' double quantization); received 128.",
    ],
    [
      () => dequantizeBnb({ ...q, nested: undefined } as never),
      "TypeError: dequantizeBnb(): argument 't.nested' must be null or a { absmax, offset, blockSize } record; received undefined.",
    ],
    [
      () => dequantizeBnb({ ...q, blockSize: 100 }),
      "RangeError: dequantizeBnb(): argument 't.blockSize' must be one of 32, 64, 128, 256, 512, 1024, 2048, 4096 (the block sizes bitsandbytes allows); received 100.",
    ],
    [
      () => dequantizeBnb({ ...q, quantType: "nf4" } as never),
      `RangeError: dequantizeBnb(): argument 't' must be an object with keys among 'format', 'shape', 'blockSize', 'packed', 'absmax', 'nested', 'codes'; received an object with key "quantType".`,
    ],
  ])("%#", (call, expected) => {
    expect(message(call)).toBe(expected);
  });
});
