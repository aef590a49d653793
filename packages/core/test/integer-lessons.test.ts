/**
 * The integer functions the course's lessons 06 and 08 use: onnxruntime's float32 requantization
 * (`qlinearMultiplier`, `requantizeFloat32`), the zero-point terms of an integer matmul
 * (`zeroPointTerms`) and the three nibble orders (`packingLayout`, `packNibbles`,
 * `unpackNibbles`). onnxruntime itself checks `requantizeFloat32` in packages/zoo
 * (test/integer.test.ts runs QLinearMatMul); here the oracle is exact rational arithmetic.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  matmulInteger,
  PACKING_ORDERS,
  packCodes,
  packingLayout,
  packNibbles,
  qlinearMultiplier,
  requantizeFloat,
  requantizeFloat32,
  unpackCodes,
  unpackNibbles,
  zeroPointTerms,
} from "../src/index.js";

const TEMPLATE = /^\w+\(\): argument '[^']+' must be .+; received .+\.$/s;

/** Expects a call to throw `kind` with the template message containing `part`. */
function refuses(call: () => unknown, kind: typeof TypeError | typeof RangeError, part: string) {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(kind);
    expect((error as Error).message).toMatch(TEMPLATE);
    expect((error as Error).message).toContain(part);
    return;
  }
  throw new Error(`expected ${kind.name} containing ${part}`);
}

// ---------------------------------------------------------------------------------------------
// The oracle for float32: IEEE round-to-nearest-even of an exact rational, in BigInt. A float32 is
// sig · 2^exp with sig < 2^24; the product of two is an exact rational with a power-of-two
// denominator, rounded here to 24 significant bits without using floating point at all.

/** The exact value of a finite double as num · 2^exp. */
function exact(v: number): { num: bigint; exp: number } {
  if (v === 0) return { num: 0n, exp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const bits = view.getBigUint64(0);
  const sign = bits >> 63n ? -1n : 1n;
  const e = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const sig = e === 0 ? frac : frac | (1n << 52n);
  return { num: sign * sig, exp: (e === 0 ? 1 : e) - 1075 };
}

/** Round-half-even of num / 2^k (k >= 0) to an integer, in BigInt. */
function roundShift(num: bigint, k: number): bigint {
  if (k <= 0) return num << BigInt(-k);
  const d = 1n << BigInt(k);
  const negative = num < 0n;
  const a = negative ? -num : num;
  let q = a / d;
  const r = a - q * d;
  if (2n * r > d || (2n * r === d && q % 2n === 1n)) q += 1n;
  return negative ? -q : q;
}

/** The float32 nearest to num · 2^exp, ties to even (normal range only, which these tests stay in). */
function toFloat32(num: bigint, exp: number): number {
  if (num === 0n) return 0;
  const bitsOf = (n: bigint) => (n < 0n ? -n : n).toString(2).length;
  const shift = bitsOf(num) - 24; // keep 24 significant bits
  let sig = shift > 0 ? roundShift(num, shift) : num;
  let e = exp + Math.max(shift, 0);
  if (bitsOf(sig) > 24) {
    sig = roundShift(sig, 1); // the rounding carried into a 25th bit: 2^24 exactly
    e += 1;
  }
  return Number(sig) * 2 ** e;
}

/** Rounds an exact num · 2^exp to the nearest integer, ties to even. */
function rintExact(num: bigint, exp: number): number {
  return Number(exp >= 0 ? num << BigInt(exp) : roundShift(num, -exp));
}

/** MLAS's requantization of one accumulator, every rounding done by the BigInt oracle. */
function mlas(acc: number, m: number, z: number, qmin: number, qmax: number): number {
  const a = exact(toFloat32(BigInt(acc), 0)); // cvtdq2ps
  const mm = exact(m);
  const prod = exact(toFloat32(a.num * mm.num, a.exp + mm.exp)); // mulps
  const q = rintExact(prod.num, prod.exp); // cvtps2dq
  return Math.min(Math.max(q, qmin - z), qmax - z) + z;
}

describe("qlinearMultiplier", () => {
  it("is fround(fround(aScale · bScale) / yScale), per column for an array", () => {
    const f = Math.fround;
    expect(qlinearMultiplier(0.1, 0.2, 0.3)).toBe(f(f(f(0.1) * f(0.2)) / f(0.3)));
    expect(Array.from(qlinearMultiplier(0.5, [0.25, 0.125], 2))).toEqual([0.0625, 0.03125]);
  });

  it("differs from the float64 quotient where onnxruntime's order rounds twice", () => {
    // Found by search; onnxruntime-node 1.30 requantizes acc 27220 with these scales to 7.
    const [sa, sb, sy] = [0.01075000036507845, 0.00226270011626184, 0.08827999979257584];
    const m = qlinearMultiplier(sa, sb, sy);
    expect(m).toBe(0.0002755326859187335);
    expect(Math.fround((sa * sb) / sy)).toBe(0.00027553271502256393);
    expect(requantizeFloat32(Int32Array.of(27220), { multiplier: m, outputZeroPoint: 0 })[0]).toBe(
      7,
    );
  });

  it("refuses bad scales in the template", () => {
    refuses(() => qlinearMultiplier(0, 1, 1), RangeError, "'aScale'");
    refuses(() => qlinearMultiplier(1, [1, -1], 1), RangeError, "'bScale[1]'");
    refuses(() => qlinearMultiplier(1, [], 1), RangeError, "'bScale'");
    refuses(() => qlinearMultiplier(1, 1, 1e-50), RangeError, "'yScale'");
    refuses(() => qlinearMultiplier(1, "1" as never, 1), TypeError, "'bScale'");
  });
});

describe("requantizeFloat32", () => {
  it("rounds ties to even after a float32 product, as onnxruntime does", () => {
    // onnxruntime-node 1.30 QLinearMatMul gave these (packages/zoo test/integer.test.ts).
    const half = requantizeFloat32(Int32Array.of(1, 3, 5, 7, 9, 11), {
      multiplier: 0.5,
      outputZeroPoint: 0,
      dtype: "uint8",
    });
    expect(Array.from(half)).toEqual([0, 2, 2, 4, 4, 6]);
    const tenth = requantizeFloat32(Int32Array.of(2505, 2515, 25, 35, 2495), {
      multiplier: 0.1,
      outputZeroPoint: 0,
      dtype: "uint8",
    });
    expect(Array.from(tenth)).toEqual([250, 252, 2, 4, 250]);
    // The float64 product of the same float32 multiplier rounds 2505 the other way.
    expect(requantizeFloat(Int32Array.of(2505), Math.fround(0.1), 0, "uint8")[0]).toBe(251);
  });

  it("saturates to the dtype's range around the zero point", () => {
    const q = requantizeFloat32(Int32Array.of(0, 600, 1000, -1000), {
      multiplier: 0.5,
      outputZeroPoint: 10,
      dtype: "uint8",
    });
    expect(Array.from(q)).toEqual([10, 255, 255, 0]);
    const s = requantizeFloat32(Int32Array.of(-1000, 1000), {
      multiplier: 0.5,
      outputZeroPoint: -3,
    });
    expect(s).toBeInstanceOf(Int8Array);
    expect(Array.from(s)).toEqual([-128, 127]);
  });

  it("uses one multiplier per column when given an array", () => {
    const q = requantizeFloat32(Int32Array.of(10, 10, 20, 20), {
      multiplier: [0.5, 0.25],
      outputZeroPoint: 0,
    });
    expect(Array.from(q)).toEqual([5, 2, 10, 5]);
  });

  it("matches the BigInt oracle on random accumulators and multipliers, past 2^24 too", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2147483648, max: 2147483647 }),
        fc.float({ min: Math.fround(1e-9), max: Math.fround(4), noNaN: true }),
        fc.integer({ min: -128, max: 127 }),
        (acc, m, z) => {
          const big = acc % 3 === 0 ? acc : acc % 100000; // most inside the output range
          const got = requantizeFloat32(Int32Array.of(big), {
            multiplier: m,
            outputZeroPoint: z,
          })[0];
          expect(got).toBe(mlas(big, Math.fround(m), z, -128, 127));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("rounds the accumulator to float32 first (ties to even past 2^24)", () => {
    // 2^24 + 1 is not a float32: it becomes 2^24, so times 2^-17 it is 128 exactly.
    const u = requantizeFloat32(Int32Array.of(2 ** 24 + 1), {
      multiplier: 2 ** -17,
      outputZeroPoint: 0,
      dtype: "uint8",
    });
    expect(u[0]).toBe(128);
    // Accumulators past 2^24 with products near 200.5: the oracle agrees everywhere, and the
    // float64 product of the same multiplier (no conversion, no float32 product) disagrees often.
    let differ = 0;
    for (let acc = 2 ** 24; acc < 2 ** 24 + 4096; acc++) {
      const m = Math.fround(200.5 / acc);
      const opts = { multiplier: m, outputZeroPoint: 0, dtype: "uint8" } as const;
      const got = requantizeFloat32(Int32Array.of(acc), opts)[0];
      expect(got).toBe(mlas(acc, m, 0, 0, 255));
      if (got !== requantizeFloat(Int32Array.of(acc), m, 0, "uint8")[0]) differ++;
    }
    console.log(
      `past 2^24, near 200.5: float32 and float64 requantization differ on ${differ} of 4096`,
    );
    expect(differ).toBeGreaterThan(0);
  });

  it("refuses bad arguments in the template", () => {
    const acc = Int32Array.of(1, 2, 3);
    refuses(
      () => requantizeFloat32([1] as never, { multiplier: 1, outputZeroPoint: 0 }),
      TypeError,
      "'acc'",
    );
    refuses(() => requantizeFloat32(acc, undefined as never), TypeError, "'options'");
    refuses(
      () => requantizeFloat32(acc, { multiplier: [1, 2], outputZeroPoint: 0 }),
      RangeError,
      "a divisor of acc.length 3",
    );
    refuses(
      () => requantizeFloat32(acc, { multiplier: 0, outputZeroPoint: 0 }),
      RangeError,
      "'options.multiplier'",
    );
    refuses(
      () => requantizeFloat32(acc, { multiplier: 1, outputZeroPoint: 200 }),
      RangeError,
      "[-128, 127] (int8)",
    );
    refuses(
      () => requantizeFloat32(acc, { multiplier: 1, outputZeroPoint: 0, dtype: "int4" as never }),
      RangeError,
      "'options.dtype'",
    );
    refuses(
      () => requantizeFloat32(acc, { multiplier: 1, outputZeroPoint: 0, zero: 1 } as never),
      RangeError,
      'key "zero"',
    );
  });
});

describe("zeroPointTerms", () => {
  it("sums to matmulInteger's result, term by term as the expansion says", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: -128, max: 127 }),
        fc.integer(),
        (m, k, n, za, zb, seed) => {
          let s = seed;
          const next = () => {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            return s;
          };
          const a = { data: Uint8Array.from({ length: m * k }, () => next() % 256), shape: [m, k] };
          const b = {
            data: Int8Array.from({ length: k * n }, () => (next() % 256) - 128),
            shape: [k, n],
          };
          const t = zeroPointTerms(a, b, { aZeroPoint: za, bZeroPoint: zb });
          const y = matmulInteger(a, b, { aZeroPoint: za, bZeroPoint: zb });
          expect(Array.from(t.total)).toEqual(Array.from(y.data));
          for (let i = 0; i < m; i++) {
            let rowSum = 0;
            for (let p = 0; p < k; p++) rowSum += a.data[i * k + p] as number;
            expect(t.rowTerms[i]).toBe(0 - zb * rowSum);
            for (let j = 0; j < n; j++) {
              let raw = 0;
              for (let p = 0; p < k; p++)
                raw += (a.data[i * k + p] as number) * (b.data[p * n + j] as number);
              expect(t.products[i * n + j]).toBe(raw);
            }
          }
          expect(t.constant).toBe(0 + k * za * zb);
          expect(t.shape).toEqual([m, n]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses what matmulInteger refuses, under its own name", () => {
    const a = { data: new Uint8Array(4), shape: [2, 2] };
    refuses(
      () => zeroPointTerms(a, { data: new Uint8Array(3), shape: [3, 1] }),
      RangeError,
      "zeroPointTerms(): argument 'b.shape'",
    );
    refuses(() => zeroPointTerms(a, a, { aZeroPoint: 300 }), RangeError, "'options.aZeroPoint'");
    refuses(() => zeroPointTerms(a, a, { zeroPoint: 1 } as never), RangeError, 'key "zeroPoint"');
  });

  it("takes matrices only (matmulInteger also takes vectors and batches)", () => {
    const a = { data: new Uint8Array(4), shape: [2, 2] };
    refuses(
      () => zeroPointTerms({ data: new Uint8Array(8), shape: [2, 2, 2] }, a),
      RangeError,
      "zeroPointTerms(): argument 'a.shape' must be a matrix shape [rows, columns]; received [2, 2, 2] (rank 3)",
    );
    refuses(
      () => zeroPointTerms(a, { data: new Uint8Array(2), shape: [2] }),
      RangeError,
      "zeroPointTerms(): argument 'b.shape' must be a matrix shape",
    );
  });
});

describe("the nibble orders", () => {
  const codes = Array.from({ length: 64 }, (_, i) => (i * 7 + 3) % 16);

  it("onnx is packCodes' order for uint4, and packingLayout's onnx 2-bit order is int2's", () => {
    expect(Array.from(packNibbles(codes, "onnx"))).toEqual(Array.from(packCodes(codes, "uint4")));
    const two = [1, -2, 0, -1, 1, 1];
    const bytes = packCodes(two, "int2");
    const l = packingLayout("onnx", 2, two.length);
    expect(l.byteLength).toBe(bytes.length);
    two.forEach((v, i) => {
      expect(((bytes[l.byte[i] as number] as number) >> (l.shift[i] as number)) & 3).toBe(v & 3);
    });
    expect(Array.from(unpackCodes(bytes, "int2", two.length))).toEqual(two);
  });

  it("ggml puts element j of a block in the low nibble of byte j, element j + 16 in its high nibble", () => {
    const bytes = packNibbles(codes, "ggml");
    expect(bytes.length).toBe(32);
    for (let b = 0; b < 2; b++) {
      for (let j = 0; j < 16; j++) {
        const byte = bytes[16 * b + j] as number;
        expect(byte & 15).toBe(codes[32 * b + j]);
        expect(byte >> 4).toBe(codes[32 * b + j + 16]);
      }
    }
  });

  it("bnb puts the first of each pair in the high nibble", () => {
    const bytes = packNibbles(codes, "bnb");
    codes.forEach((c, i) => {
      const byte = bytes[i >> 1] as number;
      expect(i % 2 === 0 ? byte >> 4 : byte & 15).toBe(c);
    });
    expect(Array.from(packNibbles([5, 6, 7], "bnb"))).toEqual([0x56, 0x70]);
  });

  it("unpacks what it packs, in every order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 200 }), (raw) => {
        for (const order of PACKING_ORDERS) {
          const list = order === "ggml" ? raw.slice(0, raw.length - (raw.length % 32)) : raw;
          const bytes = packNibbles(list, order);
          expect(Array.from(unpackNibbles(bytes, order, list.length))).toEqual(list);
          const l = packingLayout(order, 4, list.length);
          expect(l.byteLength).toBe(bytes.length);
          expect(new Set(Array.from(l.byte, (b, i) => b * 8 + (l.shift[i] as number))).size).toBe(
            list.length,
          );
        }
      }),
    );
  });

  it("refuses bad arguments in the template", () => {
    refuses(
      () => packNibbles([16], "onnx"),
      RangeError,
      "'codes[0]' must be an integer in [0, 15]",
    );
    refuses(() => packNibbles(new Array(31).fill(0), "ggml"), RangeError, "a multiple of 32");
    refuses(() => packNibbles([1], "gguf" as never), RangeError, "'order'");
    refuses(() => packNibbles("ab" as never, "onnx"), TypeError, "'codes'");
    refuses(
      () => unpackNibbles(new Uint8Array(3), "bnb", 4),
      RangeError,
      "a Uint8Array of length 2",
    );
    refuses(() => unpackNibbles([1] as never, "bnb", 2), TypeError, "'bytes'");
    refuses(() => packingLayout("ggml", 2, 32), RangeError, "4 (the ggml order packs nibbles)");
    refuses(() => packingLayout("onnx", 3 as never, 4), RangeError, "2 or 4");
    refuses(() => packingLayout("onnx", 4, -1), RangeError, "an integer >= 0");
  });
});
