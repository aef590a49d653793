/**
 * ggml's block formats. The golden cases (packages/conformance, next/gguf.json) check the bytes
 * against ggml itself; here: the table, properties derived from the formats' definitions, the
 * edge values the README spells out, and every error.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  dequantizeGgml,
  float16BitsToFloat32,
  GGML_TYPES,
  type GgmlType,
  isGgmlType,
  quantizeGgml,
} from "../src/index.js";

const f = Math.fround;
const TYPES = Object.keys(GGML_TYPES) as GgmlType[];
const half = (b: Uint8Array, o: number) =>
  float16BitsToFloat32((b[o] as number) | ((b[o + 1] as number) << 8));
const int8 = (v: number) => (v << 24) >> 24;

/** The README's layout table: field sizes in bytes, in order. */
const FIELDS: Record<GgmlType, number[]> = {
  q8_0: [2, 32],
  q4_0: [2, 16],
  q4_1: [2, 2, 16],
  q5_0: [2, 4, 16],
  q5_1: [2, 2, 4, 16],
  iq4_nl: [2, 16],
  q2_K: [16, 64, 2, 2],
  q3_K: [32, 64, 12, 2],
  q4_K: [2, 2, 12, 128],
  q5_K: [2, 2, 12, 32, 128],
  q6_K: [128, 64, 16, 2],
  q8_K: [4, 256, 32],
};

/** ggml.h at d99724f2: enum ggml_type. */
const TYPE_IDS: Record<GgmlType, number> = {
  q4_0: 2,
  q4_1: 3,
  q5_0: 6,
  q5_1: 7,
  q8_0: 8,
  q2_K: 10,
  q3_K: 11,
  q4_K: 12,
  q5_K: 13,
  q6_K: 14,
  q8_K: 15,
  iq4_nl: 20,
};

/** Deterministic pseudo-random floats in (-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
}

describe("GGML_TYPES", () => {
  it.each(TYPES)("%s: sizes, bits per weight and enum value", (type) => {
    const t = GGML_TYPES[type];
    expect(t.name).toBe(type);
    expect(t.bytesPerBlock).toBe(FIELDS[type].reduce((a, b) => a + b, 0));
    expect(t.blockSize).toBe(type.endsWith("_K") ? 256 : 32);
    expect(t.bitsPerWeight).toBe((t.bytesPerBlock * 8) / t.blockSize);
    expect(t.ggmlTypeId).toBe(TYPE_IDS[type]);
    expect(t.oracle).toContain(`quantize_row_${type}_ref`);
    expect(isGgmlType(type)).toBe(true);
  });

  it("bits per weight, by hand", () => {
    const bits = Object.fromEntries(TYPES.map((t) => [t, GGML_TYPES[t].bitsPerWeight]));
    expect(bits).toEqual({
      q8_0: 8.5,
      q4_0: 4.5,
      q4_1: 5,
      q5_0: 5.5,
      q5_1: 6,
      iq4_nl: 4.5,
      q2_K: 2.625,
      q3_K: 3.4375,
      q4_K: 4.5,
      q5_K: 5.5,
      q6_K: 6.5625,
      q8_K: 9.125,
    });
  });

  it("isGgmlType rejects everything else", () => {
    for (const v of ["Q4_K", "q4_k", "q4_2", "f16", "", "toString", "__proto__", 8, null, {}]) {
      expect(isGgmlType(v)).toBe(false);
    }
  });

  it.each(TYPES)("%s: rows are independent, shapes kept, out is used", (type) => {
    const { blockSize, bytesPerBlock } = GGML_TYPES[type];
    const cols = 2 * blockSize;
    const x = values(3 * cols, 7);
    const all = quantizeGgml(x, type, { shape: [3, cols] });
    expect(all.type).toBe(type);
    expect(all.shape).toEqual([3, cols]);
    expect(all.data.length).toBe(3 * 2 * bytesPerBlock);
    for (let r = 0; r < 3; r++) {
      const row = quantizeGgml(x.subarray(r * cols, (r + 1) * cols), type);
      expect(row.data).toEqual(
        all.data.subarray(r * 2 * bytesPerBlock, (r + 1) * 2 * bytesPerBlock),
      );
    }
    const out = new Uint8Array(all.data.length);
    expect(quantizeGgml(x, type, { shape: [3, cols], out }).data).toBe(out);
    expect(out).toEqual(all.data);
    const y = new Float32Array(3 * cols);
    const back = dequantizeGgml(all, { out: y });
    expect(back.data).toBe(y);
    expect(back.shape).toEqual([3, cols]);
    // A 3-D tensor is rows of its last dimension too; so is an empty one.
    expect(quantizeGgml(x, type, { shape: [3, 1, cols] }).data).toEqual(all.data);
    expect(quantizeGgml(new Float32Array(0), type, { shape: [0, cols] }).data.length).toBe(0);
  });
});

// -------------------------------------------------------------------------------------------
// Round-trip bounds, derived from each format's definition (README, "What the reference
// quantizers do"). `slack` covers float32 rounding of the intermediate steps: a few ulps.

const ULP = 2 ** -22;

/** The extremes a block of x: signed max (first wins), min and max. */
function extremes(x: Float32Array, o: number, n: number) {
  let amax = 0;
  let max = 0;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = o; i < o + n; i++) {
    const v = x[i] as number;
    if (Math.abs(v) > amax) {
      amax = Math.abs(v);
      max = v;
    }
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return { amax, max, lo, hi };
}

/**
 * For one block: `bound(i)` the largest |x - x̂| the definition allows for element i, or
 * `exact(i)` the value x̂ must be.
 */
type Check = (x: Float32Array, o: number, q: Uint8Array, qo: number, y: Float32Array) => void;

function near(x: number, y: number, bound: number, what: string): void {
  if (!(Math.abs(x - y) <= bound)) {
    throw new Error(`${what}: |${x} - ${y}| = ${Math.abs(x - y)} > ${bound}`);
  }
}

/**
 * Symmetric 32-value formats (q4_0: top 8, q5_0: top 16): d = max / -top, t = x / d in
 * [-top, top], x̂ = (n - top) d16 with n - top = floor(t + 0.5) capped at top - 1, so half a
 * step from x, a whole one above t = top - 0.5; plus d's rounding to fp16 times the largest code.
 */
function symmetric(top: number): Check {
  return (x, o, q, qo, y) => {
    const { amax, max } = extremes(x, o, 32);
    const d = f(max / -top);
    const d16 = half(q, qo);
    for (let i = 0; i < 32; i++) {
      const t = d === 0 ? 0 : (x[o + i] as number) / d;
      const steps = t > top - 0.5 ? 1 : 0.5;
      const bound = steps * Math.abs(d) + top * Math.abs(d - d16) + amax * ULP * 4;
      near(x[o + i] as number, y[o + i] as number, bound, `element ${i}`);
    }
  };
}

/** Affine 32-value formats: x̂ = n d16 + m16, n nearest (x - min) / d in [0, levels - 1]. */
function affine(levels: number): Check {
  return (x, o, q, qo, y) => {
    const { lo, hi } = extremes(x, o, 32);
    const d = f(f(hi - lo) / (levels - 1));
    const d16 = half(q, qo);
    const m16 = half(q, qo + 2);
    const scale = Math.max(Math.abs(lo), Math.abs(hi));
    const bound = 0.5 * d + (levels - 1) * Math.abs(d - d16) + Math.abs(lo - m16) + scale * ULP * 4;
    for (let i = 0; i < 32; i++)
      near(x[o + i] as number, y[o + i] as number, bound, `element ${i}`);
  };
}

const BOUNDS: Partial<Record<GgmlType, Check>> = {
  // roundf(x * id) * d16: half a step, plus d's rounding to fp16 times the largest code.
  q8_0: (x, o, q, qo, y) => {
    const { amax } = extremes(x, o, 32);
    const d = f(amax / 127);
    const bound = 0.5 * d + 127 * Math.abs(d - half(q, qo)) + amax * ULP * 4;
    for (let i = 0; i < 32; i++)
      near(x[o + i] as number, y[o + i] as number, bound, `element ${i}`);
  },
  q4_0: symmetric(8),
  q5_0: symmetric(16),
  q4_1: affine(16),
  q5_1: affine(32),
  // n is the nearest level of T to x / d0 (d0 = max / -127): the widest gap of T is 24 (89..113),
  // and x / d0 reaches 127, 14 beyond T's top; the stored d differs from d0 by at most |d0 - d16|.
  iq4_nl: (x, o, q, qo, y) => {
    const { amax, max } = extremes(x, o, 32);
    const d0 = f(max / -127);
    const bound = 14 * Math.abs(d0) + 127 * Math.abs(d0 - half(q, qo)) + amax * ULP * 4;
    for (let i = 0; i < 32; i++)
      near(x[o + i] as number, y[o + i] as number, bound, `element ${i}`);
  },
  // q8_K: x̂ = d q, q = rne(x / d) up to the float32 rounding of 1 / iscale.
  q8_K: (x, o, q, qo, y) => {
    const d = new DataView(q.buffer, q.byteOffset + qo, 4).getFloat32(0, true);
    const { amax } = extremes(x, o, 256);
    for (let i = 0; i < 256; i++) {
      near(x[o + i] as number, y[o + i] as number, 0.5 * Math.abs(d) + amax * ULP * 4, `${i}`);
    }
  },
};

/**
 * The k-quants end with the levels recomputed from the stored fields: each is the nearest level
 * to x, clamped to the code range, in its sub-block: x̂ = dj * l - dm with l in [lo, hi].
 */
function kquant(
  sub: (q: Uint8Array, qo: number, j: number) => [number, number],
  lo: number,
  hi: number,
  n: number,
): Check {
  return (x, o, q, qo, y) => {
    for (let i = 0; i < 256; i++) {
      const [dj, dm] = sub(q, qo, Math.floor(i / n));
      if (dj === 0) continue;
      const v = x[o + i] as number;
      const t = (v + dm) / dj;
      const slack = (Math.abs(v) + Math.abs(dm) + Math.abs(dj) * hi) * ULP * 4;
      if (t > hi + 0.5 + 1e-4) expect(y[o + i]).toBe(f(f(dj * hi) - dm));
      else if (t < lo - 0.5 - 1e-4) expect(y[o + i]).toBe(f(f(dj * lo) - dm));
      else near(v, y[o + i] as number, 0.5 * Math.abs(dj) + slack, `element ${i}, t ${t}`);
    }
  };
}

/** q4_K / q5_K: sub-block j's d·sc and dmin·m, from its 6-bit scale and min (README, "q4_K, q5_K"). */
function scaleMin(q: Uint8Array, qo: number, j: number): [number, number] {
  const s = (k: number) => q[qo + 4 + k] as number;
  const [sc, mn] =
    j < 4
      ? [s(j) & 63, s(j + 4) & 63]
      : [(s(j + 4) & 15) | ((s(j - 4) >> 6) << 4), (s(j + 4) >> 4) | ((s(j) >> 6) << 4)];
  return [f(half(q, qo) * sc), f(half(q, qo + 2) * mn)];
}

BOUNDS.q2_K = kquant(
  (q, qo, j) => {
    const sc = q[qo + j] as number;
    return [f(half(q, qo + 80) * (sc & 15)), f(half(q, qo + 82) * (sc >> 4))];
  },
  0,
  3,
  16,
);
BOUNDS.q3_K = kquant(
  (q, qo, j) => {
    const sb = (k: number) => q[qo + 96 + k] as number;
    const low = j < 8 ? sb(j) & 15 : sb(j - 8) >> 4;
    const s = low | (((sb(8 + (j % 4)) >> (2 * Math.floor(j / 4))) & 3) << 4);
    return [f(half(q, qo + 108) * (s - 32)), 0];
  },
  -4,
  3,
  16,
);
BOUNDS.q4_K = kquant(scaleMin, 0, 15, 32);
BOUNDS.q5_K = kquant(scaleMin, 0, 31, 32);
BOUNDS.q6_K = kquant(
  (q, qo, j) => [f(half(q, qo + 208) * int8(q[qo + 192 + j] as number)), 0],
  -32,
  31,
  16,
);

describe("dequantize(quantize(x)) stays within the format's bound", () => {
  const magnitudes = [1e-3, 1, 37, 1000];
  it.each(TYPES)("%s", (type) => {
    const { blockSize, bytesPerBlock } = GGML_TYPES[type];
    const check = BOUNDS[type] as Check;
    const block = fc.record({
      v: fc.array(fc.float({ min: -1, max: 1, noNaN: true }), {
        minLength: blockSize,
        maxLength: blockSize,
      }),
      scale: fc.constantFrom(...magnitudes),
      shift: fc.constantFrom(0, 0, 0.5, -2),
    });
    let checked = 0;
    fc.assert(
      fc.property(block, ({ v, scale, shift }) => {
        const x = Float32Array.from(v, (e) => (e + shift) * scale);
        const q = quantizeGgml(x, type);
        const y = dequantizeGgml(q).data;
        check(x, 0, q.data, 0, y);
        checked++;
        expect(q.data.length).toBe(bytesPerBlock);
      }),
      { numRuns: blockSize === 32 ? 200 : 40, seed: 20260 },
    );
    expect(checked).toBeGreaterThan(0);
  });

  it("the bounds can fail: one code off is caught", () => {
    const x = values(32, 3);
    x[5] = 0;
    const q = quantizeGgml(x, "q8_0");
    const check = BOUNDS.q8_0 as Check;
    expect(() => check(x, 0, q.data, 0, dequantizeGgml(q).data)).not.toThrow();
    // x[5] = 0 has code 0; code 1 is d16 away, more than half a step plus fp16's 127 |d - d16|.
    const wrong = Uint8Array.from(q.data);
    wrong[2 + 5] = 1;
    const z = dequantizeGgml({ ...q, data: wrong }).data;
    expect(() => check(x, 0, q.data, 0, z)).toThrow("element 5");
  });
});

// -------------------------------------------------------------------------------------------
// Edge values (README: zero blocks, ties, signs).

const zeros = (n: number) => new Float32Array(n);
const bytesOf = (type: GgmlType, x: ArrayLike<number>) =>
  Array.from(quantizeGgml(Float32Array.from(x), type).data);
const signs = (y: Float32Array) =>
  Array.from(new Set(Array.from(y, (v) => (Object.is(v, -0) ? "-0" : String(v)))));

describe("all-zero blocks", () => {
  it("q4_0 and q5_0 store d = -0 and decode to -0", () => {
    expect(bytesOf("q4_0", zeros(32))).toEqual([0x00, 0x80, ...Array(16).fill(0x88)]);
    // n = trunc(0 + 16.5) = 16: low nibbles 0, every fifth bit set.
    expect(bytesOf("q5_0", zeros(32))).toEqual([
      0x00,
      0x80,
      255,
      255,
      255,
      255,
      ...Array(16).fill(0),
    ]);
    for (const t of ["q4_0", "q5_0"] as const) {
      expect(signs(dequantizeGgml(quantizeGgml(zeros(32), t)).data)).toEqual(["-0"]);
    }
  });

  it("q8_0, q4_1, q5_1 store zeros and decode to +0", () => {
    expect(bytesOf("q8_0", zeros(32))).toEqual(Array(34).fill(0));
    expect(bytesOf("q4_1", zeros(32))).toEqual(Array(20).fill(0));
    expect(bytesOf("q5_1", zeros(32))).toEqual(Array(24).fill(0));
    for (const t of ["q8_0", "q4_1", "q5_1"] as const) {
      expect(signs(dequantizeGgml(quantizeGgml(zeros(32), t)).data)).toEqual(["0"]);
    }
  });

  it("q4_1 keeps the first zero's sign for m", () => {
    const negative = Float32Array.from({ length: 32 }, (_, i) => (i === 0 ? -0 : 0));
    expect(bytesOf("q4_1", negative).slice(0, 4)).toEqual([0, 0, 0x00, 0x80]);
    const positive = Float32Array.from({ length: 32 }, (_, i) => (i === 0 ? 0 : -0));
    expect(bytesOf("q4_1", positive).slice(0, 4)).toEqual([0, 0, 0, 0]);
    // n * 0 + (-0) is +0 (0 + -0), so both decode to +0.
    expect(signs(dequantizeGgml(quantizeGgml(negative, "q4_1")).data)).toEqual(["0"]);
  });

  it("iq4_nl: d = 0 and nibbles 8 (T[8] = 1; ggml leaves them unset), decoding to +0", () => {
    expect(bytesOf("iq4_nl", zeros(32))).toEqual([0, 0, ...Array(16).fill(0x88)]);
    // Below 1e-15 counts as zero too.
    expect(
      bytesOf(
        "iq4_nl",
        Float32Array.from({ length: 32 }, () => 1e-16),
      ),
    ).toEqual([0, 0, ...Array(16).fill(0x88)]);
    expect(signs(dequantizeGgml(quantizeGgml(zeros(32), "iq4_nl")).data)).toEqual(["0"]);
  });

  it("k-quants: zero bytes (q5_0-style levels stay 0)", () => {
    for (const t of ["q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "q8_K"] as const) {
      expect(bytesOf(t, zeros(256))).toEqual(Array(GGML_TYPES[t].bytesPerBlock).fill(0));
    }
  });

  it("k-quants decode zero blocks to +0, except q6_K: (0 * 0) * (0 - 32) = -0", () => {
    for (const t of ["q2_K", "q3_K", "q4_K", "q5_K", "q8_K"] as const) {
      expect(signs(dequantizeGgml(quantizeGgml(zeros(256), t)).data), t).toEqual(["0"]);
    }
    // q3_K: (d * (0 - 32)) = -0, times (0 + 0 - 4) = +0.
    expect(signs(dequantizeGgml(quantizeGgml(zeros(256), "q6_K")).data)).toEqual(["-0"]);
  });
});

describe("ties", () => {
  it("q8_0 rounds ties away from zero (roundf)", () => {
    // amax 127: d = 1, id = 1, so qs = roundf(x).
    const x = Float32Array.from({ length: 32 }, (_, i) => [127, 2.5, -2.5, 0.5, -0.5, 1.5][i] ?? 0);
    const b = bytesOf("q8_0", x);
    expect(b.slice(0, 8)).toEqual([0x00, 0x3c, 127, 3, 0xfd, 1, 0xff, 2]);
  });

  it("q4_0 truncates x * id + 8.5: a tie goes up, and so does one float32 step below it", () => {
    // max = -8: d = 1, id = 1. n = trunc(x + 8.5).
    const below = f(0.5 - 2 ** -25); // 0.49999997: + 8.5 rounds to 9 in float32
    const x = Float32Array.from(
      { length: 32 },
      (_, i) => [-8, -7.5, 0.5, below, 0.25, 6.5][i] ?? 0,
    );
    const b = bytesOf("q4_0", x);
    expect(b.slice(0, 2)).toEqual([0x00, 0x3c]);
    // Low nibbles: -8 -> 0, -7.5 -> 1, 0.5 -> 9, below -> 9, 0.25 -> 8, 6.5 -> 15; high nibbles (zeros) 8.
    expect(b.slice(2, 8)).toEqual([0x80, 0x81, 0x89, 0x89, 0x88, 0x8f]);
  });

  it("q8_K rounds ties to even (nearest_int) and sums each 16 codes", () => {
    // max = 127: iscale = -127 / 127 = -1, so qs = rne(-x), d = 1 / iscale = -1.
    const x = Float32Array.from({ length: 256 }, (_, i) => [127, 2.5, 3.5, -0.5, -1.5][i] ?? 0);
    const b = quantizeGgml(x, "q8_K").data;
    expect(Array.from(b.subarray(0, 4))).toEqual([0, 0, 0x80, 0xbf]); // -1 as float32
    expect(Array.from(b.subarray(4, 9))).toEqual([0x81, 0xfe, 0xfc, 0, 2]); // -127, -2, -4, 0, 2
    // bsums[0] = -127 - 2 - 4 + 0 + 2 = -131 (int16 little-endian), the rest 0.
    expect(Array.from(b.subarray(260, 264))).toEqual([0x7d, 0xff, 0, 0]);
    const y = dequantizeGgml({ type: "q8_K", shape: [256], data: b }).data;
    expect(Array.from(y.subarray(0, 5))).toEqual([127, 2, 4, -0, -2]);
  });

  it("iq4_nl: a value halfway between two levels takes the upper one", () => {
    // max = -127: d0 = 1, so a = x. -115.5 is halfway between T[0] = -127 and T[1] = -104; -115.25
    // is nearer T[1] only by the strict <, -115.75 nearer T[0].
    const x = Float32Array.from(
      { length: 32 },
      (_, i) => [-127, -115.5, -115.75, -115.25, 7][i] ?? 0,
    );
    const b = bytesOf("iq4_nl", x);
    // 0 -> T[8] = 1 (|0 - 1| < |0 + 10|), 7 -> between 1 and 13, the tie 7 - 1 = 13 - 7 goes up: 9.
    expect(b.slice(2, 7).map((v) => v & 15)).toEqual([0, 1, 0, 1, 9]);
  });
});

describe("q8_K on tiny values: ggml's nearest_int bits, reproduced", () => {
  it("iscale = -127 / 1e-38 overflows to -Infinity: codes 0 and d = -0", () => {
    const x = Float32Array.from({ length: 256 }, (_, i) => (i % 2 ? 1e-38 : 0));
    const b = quantizeGgml(x, "q8_K").data;
    expect(Array.from(b.subarray(0, 4))).toEqual([0, 0, 0, 0x80]);
    expect(b.subarray(4).every((v) => v === 0)).toBe(true);
    expect(signs(dequantizeGgml({ type: "q8_K", shape: [256], data: b }).data)).toEqual(["-0"]);
  });

  it("stores values up to float32's largest (d is float32)", () => {
    const x = Float32Array.from({ length: 256 }, (_, i) => (i === 3 ? 3e38 : -1e30));
    const y = dequantizeGgml(quantizeGgml(x, "q8_K")).data;
    near(y[3] as number, f(3e38), 3e38 / 254, "the largest");
  });
});

describe("dequantizeGgml reads fields as stored", () => {
  it("q4_K: (d * sc) * q - dmin * m with the 6-bit packing of j >= 4", () => {
    const data = new Uint8Array(144);
    data.set([0x00, 0x3c, 0x00, 0x38], 0); // d = 1, dmin = 0.5
    // Sub-block 5: sc = (scales[9] & 15) | (scales[1] >> 6) << 4 = 3 | 1 << 4 = 19;
    // mn = (scales[9] >> 4) | (scales[5] >> 6) << 4 = 2 | 2 << 4 = 34.
    data[4 + 9] = 0x23;
    data[4 + 1] = 0x40;
    data[4 + 5] = 0x80;
    // Value 160 (a = 2, b = 1, c = 0): the high nibble of qs[64].
    data[16 + 64] = 0x70;
    const y = dequantizeGgml({ type: "q4_K", shape: [256], data }).data;
    expect(y[160]).toBe(19 * 7 - 0.5 * 34);
    expect(y[161]).toBe(-17);
    // Sub-block 1: sc = scales[1] & 63 = 0 and mn = scales[5] & 63 = 0: (1 * 0) * 0 - 0.5 * 0 = +0.
    expect(Object.is(y[32], 0)).toBe(true);
  });

  it("q6_K: int8 scales and the 2 high bits", () => {
    const data = new Uint8Array(210);
    data.set([0x00, 0x40], 208); // d = 2
    data[192 + 12] = 0xfd; // scales[12] = -3, values 192..207
    // Value 200: a = 1, b = 2, c = 8: low bits from ql[64 + 8] high nibble, high bits qh[32 + 8] >> 4.
    data[64 + 8] = 0x50;
    data[128 + 32 + 8] = 0x30;
    const y = dequantizeGgml({ type: "q6_K", shape: [256], data }).data;
    expect(y[200]).toBe(2 * -3 * ((5 | (3 << 4)) - 32));
    expect(y[192]).toBe(2 * -3 * -32);
  });

  it("fp16 fields holding Infinity decode as float32 arithmetic does", () => {
    const data = new Uint8Array(34);
    data.set([0x00, 0x7c, 1, 0], 0); // d = Infinity, qs[0] = 1, qs[1] = 0
    const y = dequantizeGgml({ type: "q8_0", shape: [32], data }).data;
    expect([y[0], y[1]]).toEqual([Number.POSITIVE_INFINITY, Number.NaN]);
  });
});

// -------------------------------------------------------------------------------------------

describe("bad input", () => {
  const x32 = values(32, 1);

  it("an unknown type lists the known ones", () => {
    expect(() => quantizeGgml(x32, "q4_2" as GgmlType)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: quantizeGgml(): argument 'type' must be one of "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "q8_K"; received "q4_2".]`,
    );
    expect(() => quantizeGgml(x32, 4 as unknown as GgmlType)).toThrow(TypeError);
    expect(() =>
      dequantizeGgml({ type: "f16" as GgmlType, shape: [32], data: new Uint8Array(64) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: dequantizeGgml(): argument 't.type' must be one of "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "q8_K"; received "f16".]`,
    );
  });

  it("a last dimension that is not a multiple of the block size", () => {
    expect(() => quantizeGgml(values(33, 1), "q8_0")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeGgml(): argument 'x' must be a tensor whose last dimension is a multiple of 32 (the q8_0 block size); received shape [33].]`,
    );
    expect(() =>
      quantizeGgml(values(64, 1), "q4_K", { shape: [2, 32] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeGgml(): argument 'options.shape' must be a shape whose last dimension is a multiple of 256 (the q4_K block size); received [2, 32].]`,
    );
    expect(() => quantizeGgml(3, "q8_0")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeGgml(): argument 'x' must be a tensor whose last dimension is a multiple of 32 (the q8_0 block size); received shape [].]`,
    );
    expect(() =>
      dequantizeGgml({ type: "q8_0", shape: [2, 16], data: new Uint8Array(34) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: dequantizeGgml(): argument 't.shape' must be a shape whose last dimension is a multiple of 32 (the q8_0 block size); received [2, 16].]`,
    );
  });

  it("a shape that is not a list of non-negative integers", () => {
    expect(() =>
      quantizeGgml(x32, "q8_0", { shape: [-1, -32] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeGgml(): argument 'options.shape' must be a shape of non-negative integers; received [-1, -32].]`,
    );
    expect(() => quantizeGgml(x32, "q8_0", { shape: [1, 16] })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeGgml(): argument 'options.shape' must be a shape of 32 elements to match 'x'; received [1, 16].]`,
    );
    expect(() =>
      dequantizeGgml({ type: "q8_0", shape: [1.5, 32], data: new Uint8Array(34) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: dequantizeGgml(): argument 't.shape' must be a shape of non-negative integers; received [1.5, 32].]`,
    );
    expect(() =>
      dequantizeGgml({
        type: "q8_0",
        shape: "32" as unknown as number[],
        data: new Uint8Array(34),
      }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: dequantizeGgml(): argument 't.shape' must be an array of non-negative integers; received "32".]`,
    );
  });

  it("NaN or ±Infinity, by index", () => {
    const x = values(64, 1);
    x[37] = Number.NaN;
    expect(() => quantizeGgml(x, "q4_0", { shape: [2, 32] })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeGgml(): argument 'x[37]' must be a finite number (ggml's result for NaN and ±Infinity is undefined); received NaN.]`,
    );
    const big = values(256, 1);
    big[37] = Number.NEGATIVE_INFINITY;
    expect(() => quantizeGgml(big, "q6_K", { shape: [1, 256] })).toThrow(
      "argument 'x[37]' must be a finite number",
    );
    expect(() => quantizeGgml([[1, Number.POSITIVE_INFINITY]], "q8_0")).toThrow(RangeError);
  });

  it("byte buffers of the wrong length or kind", () => {
    expect(() =>
      dequantizeGgml({ type: "q4_K", shape: [2, 256], data: new Uint8Array(287) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: dequantizeGgml(): argument 't.data' must be a Uint8Array of length 288 (2 q4_K blocks of 144 bytes for shape [2, 256]); received a Uint8Array of length 287.]`,
    );
    expect(() =>
      dequantizeGgml({ type: "q8_0", shape: [32], data: [0, 0] as unknown as Uint8Array }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: dequantizeGgml(): argument 't.data' must be a Uint8Array; received an array of length 2.]`,
    );
    expect(() => dequantizeGgml(null as unknown as never)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: dequantizeGgml(): argument 't' must be a { type, shape, data } ggml tensor; received null.]`,
    );
  });

  it("out of the wrong type or length", () => {
    expect(() =>
      quantizeGgml(x32, "q8_0", { out: new Uint8Array(33) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeGgml(): argument 'options.out' must be a Uint8Array of length 34; received a Uint8Array of length 33.]`,
    );
    expect(() =>
      quantizeGgml(x32, "q8_0", { out: new Int8Array(34) as unknown as Uint8Array }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: quantizeGgml(): argument 'options.out' must be a Uint8Array of length 34; received an Int8Array of length 34.]`,
    );
    const q = quantizeGgml(x32, "q8_0");
    expect(() =>
      dequantizeGgml(q, { out: new Float32Array(31) }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: dequantizeGgml(): argument 'options.out' must be a Float32Array of length 32; received a Float32Array of length 31.]`,
    );
    expect(() =>
      dequantizeGgml(q, { out: new Float64Array(32) as unknown as Float32Array }),
    ).toThrow(TypeError);
  });

  it("a block whose fp16 scale overflows: q8_0 with amax 65520 * 127", () => {
    // d = amax / 127 = 65520 rounds to fp16 Infinity (halfway to 65536, ties to even);
    // one float32 step less stays 65504.
    const x = new Float32Array(64);
    x[40] = 65520 * 127;
    expect(() => quantizeGgml(x, "q8_0", { shape: [1, 64] })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeGgml(): argument 'x' must be a tensor whose blocks q8_0 can store, with d = amax / 127 finite in fp16 (amax below about 8.32e6) and 1 / d finite in float32 (amax 0 or above about 3.7e-37); received block 1 of row 0 (columns 32..63) with values in [0, 8321040].]`,
    );
    x[40] = f(65519 * 127);
    expect(half(quantizeGgml(x, "q8_0").data, 34)).toBe(65504);
  });

  it("q4_1's min overflowing fp16", () => {
    const x = Float32Array.from({ length: 32 }, (_, i) => 1e5 + i);
    expect(() => quantizeGgml(x, "q4_1")).toThrow(
      "received block 0 of row 0 (columns 0..31) with values in [100000, 100031]",
    );
  });

  it("k-quant scales overflowing fp16", () => {
    for (const t of ["q2_K", "q3_K", "q4_K", "q5_K", "q6_K", "iq4_nl"] as const) {
      const x = values(GGML_TYPES[t].blockSize, 5).map((v) => v * 1e9);
      expect(() => quantizeGgml(x, t), t).toThrow(`a tensor whose blocks ${t} can store`);
    }
  });

  it("a reciprocal scale overflowing float32 (ggml converts Infinity to an integer)", () => {
    const x = new Float32Array(32);
    x[3] = 1e-38;
    expect(() => quantizeGgml(x, "q8_0")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeGgml(): argument 'x' must be a tensor whose blocks q8_0 can store, with d = amax / 127 finite in fp16 (amax below about 8.32e6) and 1 / d finite in float32 (amax 0 or above about 3.7e-37); received block 0 of row 0 (columns 0..31) with values in [0, 9.99999935e-39].]`,
    );
    for (const t of ["q4_0", "q5_0", "q4_1", "q5_1"] as const) {
      expect(() => quantizeGgml(x, t), t).toThrow(`a tensor whose blocks ${t} can store`);
    }
    // 1e-30: 1 / d is finite, and d rounds to 0 in fp16.
    x[3] = 1e-30;
    expect(dequantizeGgml(quantizeGgml(x, "q8_0")).data.every((v) => v === 0)).toBe(true);
  });

  it("q3_K and q6_K sums overflowing into a NaN scale", () => {
    for (const t of ["q3_K", "q6_K"] as const) {
      const x = Float32Array.from({ length: 256 }, () => 1e30);
      expect(() => quantizeGgml(x, t), t).toThrow(`a tensor whose blocks ${t} can store`);
    }
  });
});
