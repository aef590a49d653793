/**
 * OCP MX formats. The golden cases (next/lowbit-mx.json, microxcaling's values) check the bits of
 * many blocks; here: the table against the element formats, hand-worked blocks (ties both ways,
 * saturation, zeros, subnormal and huge scales, NaN blocks), a property that checks every code
 * against an exhaustive nearest-value search and the scale against float64's log2, packing, axes,
 * and every error, pinned.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeFloat,
  dequantizeMx,
  FLOAT_FORMATS,
  isMxFormat,
  MX_FORMATS,
  type MxFormat,
  type MxRounding,
  type MxTensor,
  packCodes,
  quantizeMx,
} from "../src/index.js";
import { message } from "./show.js";

const FORMATS = Object.keys(MX_FORMATS) as MxFormat[];
const f32 = Math.fround;

const signOf = (format: MxFormat) => 1 << (MX_FORMATS[format].elementBits - 1);

const codesOf = (x: number[], format: MxFormat, rounding: MxRounding = "even") =>
  Array.from(quantizeMx([x], format, { rounding }).codes);

describe("MX_FORMATS", () => {
  it.each(FORMATS)("%s: emax and largest element follow from the element format", (name) => {
    const m = MX_FORMATS[name];
    expect(m.name).toBe(name);
    expect(isMxFormat(name)).toBe(true);
    if (m.element === "int8") {
      expect([m.elementBits, m.emax, m.maxElement]).toEqual([8, 0, 127 / 64]);
    } else {
      const f = FLOAT_FORMATS[m.element];
      expect(m.elementBits).toBe(f.bits);
      expect(m.maxElement).toBe(f.maxFinite);
      expect(m.emax).toBe(Math.floor(Math.log2(f.maxFinite)));
    }
    expect(m.bitsPerWeight).toBe(m.elementBits + 8 / 32);
  });

  it("by hand: the standard's emax and bits per weight", () => {
    const rows = FORMATS.map((n) => [n, MX_FORMATS[n].emax, MX_FORMATS[n].bitsPerWeight]);
    expect(rows).toEqual([
      ["mxfp8e4m3", 8, 8.25],
      ["mxfp8e5m2", 15, 8.25],
      ["mxfp6e3m2", 4, 6.25],
      ["mxfp6e2m3", 2, 6.25],
      ["mxfp4", 2, 4.25],
      ["mxint8", 0, 8.25],
    ]);
    for (const v of ["MXFP4", "mxfp8", "", "toString", 4, null]) expect(isMxFormat(v)).toBe(false);
  });
});

describe("blocks worked by hand", () => {
  it("mxfp8e4m3: amax 256 gives shared 8 - 8 = 0 (scale 127); codes of 2^8, 1, -0.5, 0", () => {
    const q = quantizeMx([[256, 1, -0.5, 0]], "mxfp8e4m3");
    // 256: E = 8 + 7 = 15, M = 0 -> 0x78; 1: E = 7 -> 0x38; -0.5: sign | E 6 -> 0xB0.
    expect([Array.from(q.scales), Array.from(q.codes)]).toEqual([[127], [0x78, 0x38, 0xb0, 0]]);
    expect(Array.from(dequantizeMx(q).data)).toEqual([256, 1, -0.5, 0]);
  });

  it.each([
    // value / 4 in a block of amax 4 (shared 0): 2.5 ties 2|3, 0.25 ties 0|0.5, 5 ties 4|6
    ["even", [4, 2.5, 0.25, 5, -2.5], [6, 4, 0, 6, 12]],
    ["away", [4, 2.5, 0.25, 5, -2.5], [6, 5, 1, 7, 13]],
  ] as const)("mxfp4 ties, rounding %s", (rounding, x, codes) => {
    expect(codesOf([...x], "mxfp4", rounding)).toEqual(codes);
  });

  it.each([
    // A block whose amax is 2^emax (shared 0) and a value halfway between 1 and the next value up.
    ["mxfp8e4m3", 256, 1.0625, 0x38], // 1 = E 7 (bias 7), M 0
    ["mxfp8e5m2", 2 ** 15, 1.125, 0x3c], // 1 = E 15, M 0
    ["mxfp6e3m2", 16, 1.125, 0x0c], // 1 = E 3, M 0
    ["mxfp6e2m3", 4, 1.0625, 0x08], // 1 = E 1, M 0
  ] as const)("%s: a tie goes to the even code, or away from zero", (format, amax, tie, one) => {
    expect(codesOf([amax, tie, -tie], format, "even").slice(1)).toEqual([
      one,
      one | signOf(format),
    ]);
    expect(codesOf([amax, tie, -tie], format, "away").slice(1)).toEqual([
      one + 1,
      (one + 1) | signOf(format),
    ]);
  });

  it.each([
    // amax 1.5: shared 0; 64 x = 96, 0.5 (tie 0|1), -0.5, 1.5 (tie 1|2), 2.5 (tie 2|3)
    ["even", [1.5, 1 / 128, -1 / 128, 1.5 / 64, 2.5 / 64], [96, 0, 0, 2, 2]],
    ["away", [1.5, 1 / 128, -1 / 128, 1.5 / 64, 2.5 / 64], [96, 1, 0xff, 2, 3]],
  ] as const)("mxint8 ties, rounding %s (k = round(64 x / 2^shared))", (rounding, x, codes) => {
    expect(codesOf([...x], "mxint8", rounding)).toEqual(codes);
  });

  it("saturates past the largest element, never to NaN", () => {
    // 7 in a block of amax 7 (shared 0) is past 6; 500 in e4m3 (shared 0) is past 448.
    expect(codesOf([7, -7], "mxfp4")).toEqual([7, 15]);
    expect(codesOf([500, -500], "mxfp8e4m3")).toEqual([0x7e, 0xfe]);
    // mxint8: amax 1.999 -> k = round(127.94) = 128, clamped to 127 (0x80 never appears).
    expect(codesOf([1.999, -1.999], "mxint8")).toEqual([127, 0x81]);
  });

  it("all-zero blocks get the lowest scale (shared -127) and keep the sign of zero", () => {
    for (const format of FORMATS) {
      const q = quantizeMx([[0, -0, 0]], format);
      const negativeZero = format === "mxint8" ? 0 : 1 << (MX_FORMATS[format].elementBits - 1);
      expect([format, Array.from(q.scales), Array.from(q.codes)]).toEqual([
        format,
        [0],
        [0, negativeZero, 0],
      ]);
      expect(Array.from(dequantizeMx(q).data).map((v) => Object.is(v, -0))).toEqual([
        false,
        format !== "mxint8",
        false,
      ]);
    }
  });

  it("subnormal and huge amax: the exponent is exact, the scale clamped at 2^-127", () => {
    // 1.5 * 2^-126: floor(log2) = -126, shared -128 -> -127 (code 0); element 3 (code 5).
    const tiny = quantizeMx([[f32(1.5 * 2 ** -126), 2 ** -140]], "mxfp4");
    expect([Array.from(tiny.scales), Array.from(tiny.codes)]).toEqual([[0], [5, 0]]);
    expect(Array.from(dequantizeMx(tiny).data)).toEqual([f32(1.5 * 2 ** -126), 0]);
    // A subnormal amax 2^-140 alone: floor(log2) is -140, not the exponent field's -127.
    expect(Array.from(quantizeMx([[2 ** -140]], "mxfp8e5m2").scales)).toEqual([0]);
    // FLT_MAX = (2 - 2^-23) 2^127: shared 127 - 8 = 119 (code 246); element 511.99... -> 448.
    const big = quantizeMx([[3.4028234663852886e38, 1]], "mxfp8e4m3");
    expect([Array.from(big.scales), Array.from(big.codes)]).toEqual([[246], [0x7e, 0]]);
    expect(dequantizeMx(big).data[0]).toBe(448 * 2 ** 119);
    // An amax one ulp below a power of two keeps the lower exponent, 8 itself the higher
    // (microxcaling's float32 log2 rounds the first up: the README's spec-edges).
    expect(Array.from(quantizeMx([[f32(8 - 2 ** -21)], [8]], "mxfp4").scales)).toEqual([127, 128]);
  });

  it("a block with NaN or ±Infinity gets scale 0xFF, codes 0 and NaN values; others are unaffected", () => {
    const x = [
      [1, Number.NaN, ...new Array(30).fill(0.5), 3, 2],
      [Number.NEGATIVE_INFINITY, ...new Array(31).fill(1), 1, 0.25],
    ];
    for (const format of FORMATS) {
      const q = quantizeMx(x, format);
      expect(Array.from(q.scales)).toEqual([255, q.scales[1], 255, q.scales[3]]);
      expect(Array.from(q.codes.subarray(0, 32)).every((c) => c === 0)).toBe(true);
      const y = dequantizeMx(q).data;
      expect(y.subarray(0, 32).every(Number.isNaN)).toBe(true);
      expect(y.subarray(34, 66).every(Number.isNaN)).toBe(true);
      expect([y[32], y[33], y[66], y[67]]).toEqual([3, 2, 1, 0.25]);
    }
  });
});

// -------------------------------------------------------------------------------------------
// Every code against an exhaustive search: for each element v = x / 2^shared (shared from float64's
// log2 of the block's amax), the code must be that of the nearest element value of v's sign, a tie
// going to the even code ("even") or the larger magnitude ("away"); mxint8: the nearest integer to
// 64 |v| (ties likewise), clamped to 127. The dequantized value is fround(value · 2^shared).

/** The finite codes of an element format with their values, by sign. */
function grid(format: MxFormat): { code: number; value: number }[] {
  const m = MX_FORMATS[format];
  if (m.element === "int8") return [];
  const codes = Array.from({ length: 2 ** m.elementBits }, (_, c) => c);
  const values = decodeFloat(m.element, codes);
  return codes
    .map((code) => ({ code, value: values[code] as number }))
    .filter((e) => Number.isFinite(e.value));
}

const GRIDS = Object.fromEntries(FORMATS.map((f) => [f, grid(f)])) as Record<
  MxFormat,
  { code: number; value: number }[]
>;

function expectedCode(format: MxFormat, rounding: MxRounding, v: number): number {
  const negative = v < 0 || Object.is(v, -0);
  if (format === "mxint8") {
    const t = Math.abs(v) * 64;
    const floor = Math.floor(t);
    const up = t - floor > 0.5 || (t - floor === 0.5 && (rounding === "away" || floor % 2 === 1));
    const k = Math.min(127, floor + (up ? 1 : 0));
    return (negative ? -k : k) & 0xff;
  }
  const signBit = 1 << (MX_FORMATS[format].elementBits - 1);
  const candidates = GRIDS[format].filter((e) => (e.code & signBit) === (negative ? signBit : 0));
  const a = Math.abs(v);
  let best = Number.POSITIVE_INFINITY;
  let chosen: { code: number; value: number }[] = [];
  for (const e of candidates) {
    const d = Math.abs(a - Math.abs(e.value));
    if (d < best) {
      best = d;
      chosen = [e];
    } else if (d === best) chosen.push(e);
  }
  if (chosen.length === 1) return (chosen[0] as { code: number }).code;
  // A tie between two neighbours.
  const pick =
    rounding === "away"
      ? chosen.reduce((p, e) => (Math.abs(e.value) > Math.abs(p.value) ? e : p))
      : (chosen.find((e) => (e.code & 1) === 0) as { code: number; value: number });
  return pick.code;
}

function checkAgainstSearch(
  x: Float32Array,
  shape: number[],
  format: MxFormat,
  rounding: MxRounding,
  q: MxTensor,
) {
  const { emax } = MX_FORMATS[format];
  const axis = q.axis;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dim = shape[axis] as number;
  const blocks = Math.ceil(dim / q.blockSize);
  const y = dequantizeMx(q).data;
  const valueByCode = new Map(GRIDS[format].map((e) => [e.code, e.value]));
  for (let o = 0; o < outer; o++) {
    for (let b = 0; b < blocks; b++) {
      for (let i = 0; i < inner; i++) {
        const members: number[] = [];
        for (let j = b * q.blockSize; j < Math.min(dim, (b + 1) * q.blockSize); j++) {
          members.push((o * dim + j) * inner + i);
        }
        const block = members.map((k) => x[k] as number);
        const scale = q.scales[(o * blocks + b) * inner + i] as number;
        if (block.some((v) => !Number.isFinite(v))) {
          expect(scale).toBe(255);
          for (const k of members) expect(Number.isNaN(y[k])).toBe(true);
          continue;
        }
        const amax = Math.max(...block.map(Math.abs));
        const shared = amax === 0 ? -127 : Math.max(Math.floor(Math.log2(amax)) - emax, -127);
        expect(scale).toBe(shared + 127);
        for (const k of members) {
          const v = (x[k] as number) / 2 ** shared;
          const code = expectedCode(format, rounding, v);
          expect(q.codes[k], `element ${k} = ${x[k]} (v = ${v})`).toBe(code);
          const value =
            format === "mxint8" ? ((code << 24) >> 24) / 64 : (valueByCode.get(code) as number);
          expect(Object.is(y[k], f32(value * 2 ** shared)), `dequantized ${k}`).toBe(true);
        }
      }
    }
  }
}

describe("every code is the nearest element value (exhaustive search), every scale floor(log2 amax) - emax", () => {
  const value = fc.oneof(
    { weight: 8, arbitrary: fc.float({ min: -100, max: 100, noNaN: true }) },
    { weight: 2, arbitrary: fc.float() }, // any float32: NaN, ±Infinity, -0, subnormals, huge
    { weight: 1, arbitrary: fc.constantFrom(0, -0, 2.5, -2.5, 0.25, 6, 448, 1e-40, 3.4e38) },
  );
  it.each(FORMATS)("%s", (format) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 70 }),
        fc.constantFrom(-1, 0),
        fc.constantFrom(32, 16, 7, 1),
        fc.constantFrom<MxRounding>("even", "away"),
        fc.array(value, { minLength: 210, maxLength: 210 }),
        (rows, cols, axis, blockSize, r, pool) => {
          const x = Float32Array.from(pool.slice(0, rows * cols));
          const shape = [rows, cols];
          const q = quantizeMx(x, format, { shape, axis, blockSize, rounding: r });
          expect(q.shape).toEqual(shape);
          expect(q.axis).toBe(axis === -1 ? 1 : 0);
          checkAgainstSearch(x, shape, format, r, q);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("layout", () => {
  const x = Float32Array.from({ length: 3 * 40 }, (_, i) => Math.sin(i * 0.7) * (1 + (i % 9)));

  it("axis 0 is axis -1 of the transpose; scales are shaped [blocks, rest]", () => {
    const t = new Float32Array(x.length);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 40; c++) t[c * 3 + r] = x[r * 40 + c] as number;
    for (const format of FORMATS) {
      const rows = quantizeMx(x, format, { shape: [3, 40] });
      const cols = quantizeMx(t, format, { shape: [40, 3], axis: 0 });
      expect(rows.scales.length).toBe(3 * 2);
      expect(cols.scales.length).toBe(2 * 3);
      for (let r = 0; r < 3; r++) {
        for (let b = 0; b < 2; b++) expect(cols.scales[b * 3 + r]).toBe(rows.scales[r * 2 + b]);
        for (let c = 0; c < 40; c++) expect(cols.codes[c * 3 + r]).toBe(rows.codes[r * 40 + c]);
      }
    }
  });

  it("a middle axis of a 3-D tensor, and a 1-D tensor", () => {
    const q = quantizeMx(x, "mxfp6e2m3", { shape: [2, 20, 3], axis: 1, blockSize: 8 });
    expect([q.axis, q.scales.length]).toEqual([1, 2 * 3 * 3]);
    checkAgainstSearch(x, [2, 20, 3], "mxfp6e2m3", "even", q);
    const flat = quantizeMx(x, "mxint8");
    expect([flat.shape, flat.axis, flat.scales.length]).toEqual([[120], 0, 4]);
  });

  it("mxfp4 packs two codes a byte, the first in the low nibble (packCodes' order)", () => {
    const odd = x.subarray(0, 33);
    const plain = quantizeMx(odd, "mxfp4");
    const packed = quantizeMx(odd, "mxfp4", { pack: true });
    expect(packed.packed).toBe(true);
    expect(packed.scales).toEqual(plain.scales);
    expect(packed.codes).toEqual(packCodes(plain.codes, "float4e2m1"));
    expect(packed.codes.length).toBe(17);
    expect(dequantizeMx(packed).data).toEqual(dequantizeMx(plain).data);
  });

  it("writes into options.out, and quantizing what it decoded gives the same bits", () => {
    for (const format of FORMATS) {
      const q = quantizeMx(x, format, { shape: [3, 40] });
      const out = new Float32Array(120);
      const y = dequantizeMx(q, { out });
      expect(y.data).toBe(out);
      const again = quantizeMx(y.data, format, { shape: [3, 40] });
      expect([again.scales, again.codes]).toEqual([q.scales, q.codes]);
    }
  });

  it("quantizes into options.out, every byte written over what was there", () => {
    for (const format of FORMATS) {
      for (const pack of format === "mxfp4" ? [false, true] : [false]) {
        for (const shape of [
          [3, 40],
          [4, 64],
          [5, 7],
        ]) {
          const n = (shape[0] as number) * (shape[1] as number);
          const values = Float32Array.from(
            { length: n },
            (_, i) => Math.sin(i * 0.7) * (1 + (i % 9)),
          );
          const q = quantizeMx(values, format, { shape, pack, backend: "reference" });
          for (const backend of ["reference", "fast"] as const) {
            const out = new Uint8Array(q.codes.length).fill(0xa5);
            const got = quantizeMx(values, format, { shape, pack, out, backend });
            expect(got.codes).toBe(out);
            expect([got.scales, got.codes]).toEqual([q.scales, q.codes]);
          }
        }
      }
    }
  });

  it("an empty tensor gives empty scales and codes", () => {
    const q = quantizeMx(new Float32Array(0), "mxfp4", { shape: [2, 0] });
    expect([q.scales.length, q.codes.length, dequantizeMx(q).data.length]).toEqual([0, 0, 0]);
  });
});

describe("errors", () => {
  const q = quantizeMx([[1, 2, 3]], "mxfp4");
  it.each([
    [
      () => quantizeMx([1], "mxfp5" as MxFormat),
      `RangeError: quantizeMx(): argument 'format' must be one of "mxfp8e4m3", "mxfp8e5m2", "mxfp6e3m2", "mxfp6e2m3", "mxfp4", "mxint8"; received "mxfp5".`,
    ],
    [
      () => quantizeMx([1], 4 as unknown as MxFormat),
      `TypeError: quantizeMx(): argument 'format' must be one of "mxfp8e4m3", "mxfp8e5m2", "mxfp6e3m2", "mxfp6e2m3", "mxfp4", "mxint8"; received 4.`,
    ],
    [
      () => quantizeMx(3, "mxfp4"),
      "RangeError: quantizeMx(): argument 'x' must be a tensor of at least one dimension (blocks run along an axis); received a scalar (shape []).",
    ],
    [
      () => quantizeMx([[1, 2]], "mxfp4", { axis: 2 }),
      "RangeError: quantizeMx(): argument 'options.axis' must be an integer in [-2, 1]; received 2.",
    ],
    [
      () => quantizeMx([1, 2], "mxfp4", { rounding: "nearest" as MxRounding }),
      `RangeError: quantizeMx(): argument 'options.rounding' must be one of "even", "away"; received "nearest".`,
    ],
    [
      () => quantizeMx([1, 2], "mxfp4", { blockSize: 0 }),
      "RangeError: quantizeMx(): argument 'options.blockSize' must be an integer ≥ 1; received 0.",
    ],
    [
      () => quantizeMx([1, 2], "mxfp6e2m3", { pack: true }),
      "RangeError: quantizeMx(): argument 'options.pack' must be false for mxfp6e2m3 (only mxfp4's 4-bit codes pack two a byte); received true.",
    ],
    [
      () => quantizeMx([1, 2], "mxfp4", { block_size: 16 } as never),
      `RangeError: quantizeMx(): argument 'options' must be an object with keys among 'axis', 'rounding', 'blockSize', 'pack', 'shape', 'out', 'backend', 'threads' (did you mean 'blockSize'?); received an object with key "block_size".`,
    ],
    [
      () => dequantizeMx({ ...q, scales: new Uint8Array(0) }),
      "RangeError: dequantizeMx(): argument 't.scales' must be a Uint8Array of length 1 (one float8e8m0 code per block for shape [1, 3], axis 1, blocks of 32); received a Uint8Array of length 0.",
    ],
    [
      () => dequantizeMx({ ...q, codes: q.codes.subarray(0, 2) }),
      "RangeError: dequantizeMx(): argument 't.codes' must be a Uint8Array of length 3 (one mxfp4 code per value of shape [1, 3]); received a Uint8Array of length 2.",
    ],
    [
      () => dequantizeMx({ ...q, codes: Uint8Array.of(1, 16, 2) }),
      "RangeError: dequantizeMx(): argument 't.codes[1]' must be a float4e2m1 code in [0, 15]; received 16.",
    ],
    [
      () => dequantizeMx({ ...q, packed: true, codes: Uint8Array.of(0x21, 0x13) }),
      "RangeError: dequantizeMx(): argument 't.codes[1]' must be a byte with 0 in its high nibble (padding after 3 codes); received 19 (0x13).",
    ],
    [
      () => dequantizeMx({ ...q, axis: undefined } as never),
      "TypeError: dequantizeMx(): argument 't.axis' must be an integer; received undefined.",
    ],
    [
      () => dequantizeMx({ ...q, rounding: "even" } as never),
      `RangeError: dequantizeMx(): argument 't' must be an object with keys among 'format', 'shape', 'axis', 'blockSize', 'scales', 'codes', 'packed'; received an object with key "rounding".`,
    ],
    [
      () => quantizeMx([1, 2, 3], "mxfp4", { pack: true, out: new Uint8Array(3) }),
      "RangeError: quantizeMx(): argument 'options.out' must be a Uint8Array of length 2; received a Uint8Array of length 3.",
    ],
    [
      () => quantizeMx([1, 2, 3], "mxfp8e4m3", { out: new Int8Array(3) as never }),
      "TypeError: quantizeMx(): argument 'options.out' must be a Uint8Array of length 3; received an Int8Array of length 3.",
    ],
    [
      () => dequantizeMx(q, { out: new Float32Array(2) }),
      "RangeError: dequantizeMx(): argument 'options.out' must be a Float32Array of length 3; received a Float32Array of length 2.",
    ],
  ])("%#", (call, expected) => {
    expect(message(call)).toBe(expected);
  });
});
