/**
 * NVFP4. The golden cases (next/lowbit-nvfp4.json, torchao's recipe) check the bits; here: the
 * constants, a block worked by hand, a property checking each step of the README's recipe against
 * exhaustive nearest-value searches over the e4m3 and e2m1 codes, the clamp of tiny block scales,
 * packing, and every error, pinned.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeFloat, dequantizeNvfp4, NVFP4, quantizeNvfp4 } from "../src/index.js";
import { message } from "./show.js";

const f32 = Math.fround;
const at = (a: ArrayLike<number>, i: number): number => a[i] as number;

const E4M3 = decodeFloat(
  "float8e4m3fn",
  Array.from({ length: 256 }, (_, c) => c),
);
const E2M1 = decodeFloat(
  "float4e2m1",
  Array.from({ length: 16 }, (_, c) => c),
);

/** The nearest code of `v` among `values` (finite, of v's sign), a tie to the even code. */
function nearest(values: Float32Array, v: number): number {
  const negative = v < 0 || Object.is(v, -0);
  const signBit = values.length / 2;
  let best = Number.POSITIVE_INFINITY;
  let code = -1;
  for (let c = 0; c < values.length; c++) {
    const value = values[c] as number;
    if (!Number.isFinite(value) || c >= signBit !== negative) continue;
    const d = Math.abs(Math.abs(v) - Math.abs(value));
    if (d < best || (d === best && (c & 1) === 0)) {
      best = d;
      code = c;
    }
  }
  return code;
}

describe("NVFP4", () => {
  it("constants: 16 values a scale, 2688 = 448 · 6, scales in [2^-6, 448], 4.5 bits a value", () => {
    expect([NVFP4.blockSize, NVFP4.globalDivisor, NVFP4.minScale, NVFP4.maxScale]).toEqual([
      16,
      448 * 6,
      2 ** -6,
      448,
    ]);
    expect(NVFP4.bitsPerWeight).toBe((16 * 4 + 8) / 16);
  });

  it("a block by hand: amax 11, S = 448, r = 6/11", () => {
    const x = Array.from({ length: 16 }, (_, i) => i - 4);
    const q = quantizeNvfp4([x]);
    const g = f32(11 / 2688);
    expect(q.globalScale).toBe(g);
    // s = (11 / 6) / g is 448 up to rounding, clamped to 448: code 0x7E.
    expect(Array.from(q.scales)).toEqual([0x7e]);
    // x · r, r = (1 / g) / 448 ≈ 0.5454: -4 -> -2.18 (2), -3 -> -1.64 (1.5), ..., 9 -> 4.91 (4),
    // 10 -> 5.45 (6), 11 -> 6.
    const values = Array.from(q.codes, (c) => E2M1[c]);
    expect(values).toEqual([-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3, 3, 4, 4, 4, 6, 6]);
    const scale = f32(g * 448);
    expect(Array.from(dequantizeNvfp4(q).data)).toEqual(
      values.map((v) => f32((v as number) * scale)),
    );
    // Two codes a byte, the first in the low nibble.
    expect(q.packed[0]).toBe((q.codes[0] as number) | ((q.codes[1] as number) << 4));
  });

  it("tiny and zero blocks: the scale is clamped to 2^-6 (code 0x08), never an e4m3 subnormal", () => {
    const x = [
      [100, ...new Array(15).fill(1), ...new Array(16).fill(1e-6), ...new Array(16).fill(0)],
    ];
    const q = quantizeNvfp4(x);
    expect(Array.from(q.scales)).toEqual([0x7e, 0x08, 0x08]);
    expect(Array.from(q.codes.subarray(32))).toEqual(new Array(16).fill(0));
    expect(Array.from(dequantizeNvfp4(q).data.subarray(32))).toEqual(new Array(16).fill(0));
  });

  it("-0 and small negatives give the -0 code (8)", () => {
    const q = quantizeNvfp4([[-0, -1e-3, 6, ...new Array(13).fill(1)]]);
    expect(Array.from(q.codes.subarray(0, 3))).toEqual([8, 8, 7]);
    const y = dequantizeNvfp4(q).data;
    expect([Object.is(y[0], -0), Object.is(y[1], -0)]).toEqual([true, true]);
  });

  it("each step as the README writes it, codes by exhaustive search (any shape, any values)", () => {
    const value = fc.oneof(
      { weight: 6, arbitrary: fc.float({ min: -50, max: 50, noNaN: true }) },
      { weight: 2, arbitrary: fc.float({ min: f32(-1e30), max: f32(1e30), noNaN: true }) },
      { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e-30, -1e-30) },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(value, { minLength: 192, maxLength: 192 }),
        (rows, blocksPerRow, pool) => {
          const cols = 16 * blocksPerRow;
          const x = Float32Array.from(pool.slice(0, rows * cols));
          if (x.every((v) => v === 0)) x[0] = 1;
          const amax = Math.max(...Array.from(x, Math.abs));
          const g = f32(amax / 2688);
          if (!Number.isFinite(f32(f32(1 / g) / 2 ** -6))) return; // see the underflow test
          const q = quantizeNvfp4(x, { shape: [rows, cols] });
          expect(q.globalScale).toBe(g);
          const y = dequantizeNvfp4(q).data;
          for (let b = 0; b < x.length / 16; b++) {
            const block = x.subarray(b * 16, b * 16 + 16);
            const s = f32(f32(Math.max(...Array.from(block, Math.abs)) / 6) / g);
            const clamped = Math.min(448, Math.max(2 ** -6, s));
            expect(q.scales[b]).toBe(nearest(E4M3, clamped));
            const S = E4M3[q.scales[b] as number] as number;
            const r = f32(f32(1 / g) / S);
            for (let i = 0; i < 16; i++) {
              const k = b * 16 + i;
              const t = Math.min(6, Math.max(-6, f32((x[k] as number) * r)));
              expect(q.codes[k], `value ${k} = ${x[k]}`).toBe(nearest(E2M1, t));
              const code = q.codes[k] as number;
              expect((at(q.packed, k >> 1) >> (4 * (k & 1))) & 15).toBe(code);
              expect(Object.is(y[k], f32((E2M1[code] as number) * f32(g * S)))).toBe(true);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  // The order of the float32 operations matters where a result lands near a midpoint of e4m3 or
  // e2m1: these search for inputs where the README's order and another give different codes.

  /** Float32 neighbours of v, `n` ulps either side. */
  function around(v: number, n: number): number[] {
    const a = new Float32Array([v]);
    const bits = new Int32Array(a.buffer);
    const base = bits[0] as number;
    return Array.from({ length: 2 * n + 1 }, (_, i) => {
      bits[0] = base + i - n;
      return a[0] as number;
    });
  }

  it("step 2 is (max / 6) / g, not max / (6 g) nor (max / g) / 6", () => {
    let found = 0;
    for (let k = 0; k < 400 && found < 5; k++) {
      const A = f32(1 + k * 0.37);
      const g = f32(A / 2688);
      // Block maxima near 6 g times the e4m3 midpoints 1.0625 and 1.1875 (s near a tie).
      for (const M of [...around(f32(6.375 * g), 12), ...around(f32(7.125 * g), 12)]) {
        const readme = nearest(E4M3, f32(f32(M / 6) / g));
        const others = [f32(M / f32(6 * g)), f32(f32(M / g) / 6)].map((s) => nearest(E4M3, s));
        if (others.every((c) => c === readme)) continue;
        const q = quantizeNvfp4([[A, ...new Array(15).fill(0), M, ...new Array(15).fill(0)]]);
        expect(q.scales[1], `A = ${A}, M = ${M}`).toBe(readme);
        found++;
      }
    }
    console.log(
      `nvfp4 step 2: ${found} inputs where the order of operations changes the scale code`,
    );
    expect(found).toBeGreaterThan(0);
  });

  it("step 3 is r = (1 / g) / S, not 1 / (g S)", () => {
    let found = 0;
    for (let k = 0; k < 2000 && found < 5; k++) {
      const A = f32(1 + k * 0.173);
      const g = f32(A / 2688);
      const M = f32(A / 3); // a second block whose scale is about 448 / 3
      const s = Math.min(448, Math.max(2 ** -6, f32(f32(M / 6) / g)));
      const S = E4M3[nearest(E4M3, s)] as number;
      const r = f32(f32(1 / g) / S);
      const other = f32(1 / f32(g * S));
      if (r === other) continue;
      // Values whose product lands on the e2m1 midpoints 2.5 and 5 (ties), within an ulp.
      for (const x of [...around(f32(2.5 / r), 2), ...around(f32(5 / r), 2)]) {
        if (!(x <= M)) continue;
        const code = nearest(E2M1, f32(x * r));
        if (code === nearest(E2M1, f32(x * other))) continue;
        const q = quantizeNvfp4([[A, ...new Array(15).fill(0), M, x, ...new Array(14).fill(0)]]);
        expect(q.codes[17], `A = ${A}, x = ${x}`).toBe(code);
        found++;
      }
    }
    console.log(`nvfp4 step 3: ${found} inputs where the order of operations changes a code`);
    expect(found).toBeGreaterThan(0);
  });

  it("writes into options.out; a 1-D and a 3-D tensor block along their last axis", () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i) * 3);
    const flat = quantizeNvfp4(x);
    const cube = quantizeNvfp4(x, { shape: [2, 2, 16] });
    expect([flat.scales, flat.codes]).toEqual([cube.scales, cube.codes]);
    const out = new Float32Array(64);
    expect(dequantizeNvfp4(cube, { out }).data).toBe(out);
    expect(dequantizeNvfp4(cube).shape).toEqual([2, 2, 16]);
    // What it stores is enough: codes are not read back.
    const { codes: _, ...stored } = cube;
    expect(dequantizeNvfp4(stored).data).toEqual(out);
  });
});

describe("errors", () => {
  const q = quantizeNvfp4([Array.from({ length: 32 }, (_, i) => i)]);
  it.each([
    [
      () => quantizeNvfp4([[1, 2, 3]]),
      "RangeError: quantizeNvfp4(): argument 'x' must be a shape whose last dimension is a multiple of 16 (the NVFP4 block size); received [1, 3].",
    ],
    [
      () => quantizeNvfp4(new Float32Array(32), { shape: [4, 8] }),
      "RangeError: quantizeNvfp4(): argument 'options.shape' must be a shape whose last dimension is a multiple of 16 (the NVFP4 block size); received [4, 8].",
    ],
    [
      () => quantizeNvfp4(2),
      "RangeError: quantizeNvfp4(): argument 'x' must be a tensor of at least one dimension (blocks run along an axis); received a scalar (shape []).",
    ],
    [
      () => quantizeNvfp4([...new Array(15).fill(1), Number.NaN]),
      "RangeError: quantizeNvfp4(): argument 'x[15]' must be a finite number (NVFP4 has no code for NaN or ±Infinity); received NaN.",
    ],
    [
      () => quantizeNvfp4([Number.NEGATIVE_INFINITY, ...new Array(15).fill(1)]),
      "RangeError: quantizeNvfp4(): argument 'x[0]' must be a finite number (NVFP4 has no code for NaN or ±Infinity); received -Infinity.",
    ],
    [
      () => quantizeNvfp4(new Float32Array(16)),
      "RangeError: quantizeNvfp4(): argument 'x' must be a tensor with a nonzero value (NVFP4's tensor scale amax / 2688 must not be 0); received all values 0.",
    ],
    [
      // g = 1e-35 / 2688 is finite, (1 / g) / 448 too; but the zero block's S = 2^-6 overflows.
      () => quantizeNvfp4([[...new Array(16).fill(1e-35), ...new Array(16).fill(0)]]),
      "RangeError: quantizeNvfp4(): argument 'x' must be a tensor whose scales NVFP4 can hold: (1 / g) / S finite in float32 for every block, g = amax / 2688 the tensor scale and S the block's e4m3 scale; received g = 3.720239e-39 (amax 1e-35), infinite for block 1 of row 0 (columns 16..31).",
    ],
    [
      () => quantizeNvfp4(new Float32Array(16), { out: new Uint8Array(8) } as never),
      `RangeError: quantizeNvfp4(): argument 'options' must be an object with keys among 'shape'; received an object with key "out".`,
    ],
    [
      () => dequantizeNvfp4({ ...q, packed: q.packed.subarray(0, 15) }),
      "RangeError: dequantizeNvfp4(): argument 't.packed' must be a Uint8Array of length 16 (two float4e2m1 codes a byte for shape [1, 32]); received a Uint8Array of length 15.",
    ],
    [
      () => dequantizeNvfp4({ ...q, scales: new Uint8Array(1) }),
      "RangeError: dequantizeNvfp4(): argument 't.scales' must be a Uint8Array of length 2 (one float8e4m3fn code per 16 values of shape [1, 32]); received a Uint8Array of length 1.",
    ],
    [
      () => dequantizeNvfp4({ ...q, globalScale: "1" } as never),
      `TypeError: dequantizeNvfp4(): argument 't.globalScale' must be a number; received "1".`,
    ],
    [
      () => dequantizeNvfp4({ ...q, shape: [2, 8] }),
      "RangeError: dequantizeNvfp4(): argument 't.shape' must be a shape whose last dimension is a multiple of 16 (the NVFP4 block size); received [2, 8].",
    ],
    [
      () => dequantizeNvfp4({ ...q, blockSize: 16 } as never),
      `RangeError: dequantizeNvfp4(): argument 't' must be an object with keys among 'shape', 'globalScale', 'scales', 'packed', 'codes'; received an object with key "blockSize".`,
    ],
  ])("%#", (call, expected) => {
    expect(message(call)).toBe(expected);
  });
});
