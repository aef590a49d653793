/**
 * The block formats' fast kernels (assembly/blocks.ts through src/kernels/fast/blocks.ts) against
 * the reference kernels, bit for bit: q8_0, q4_0, q4_K, q6_K, MXFP4 and bitsandbytes' NF4 and FP4,
 * on random blocks and on adversarial ones (ties, zero blocks, +M and -M in one block, huge and
 * tiny magnitudes, subnormals, NaN and ±Infinity), through the Kernels members and through the
 * public functions on both backends. A small-chunk instance streams short tensors over several
 * chunks; a poisoned one fills its WebAssembly memory with NaN first.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { KERNELS_WASM_BASE64 } from "../src/generated/kernels-wasm.js";
import {
  type BnbFormat,
  dequantizeBnb,
  dequantizeGgml,
  dequantizeMx,
  GGML_TYPES,
  type GgmlType,
  type MxRounding,
  quantizeBnb,
  quantizeGgml,
  quantizeMx,
} from "../src/index.js";
import type { KernelExports } from "../src/kernels/fast/exports.js";
import { createFastKernels } from "../src/kernels/fast/kernels.js";
import {
  type FastKernels,
  loadFastKernels,
  type WebAssemblyLike,
} from "../src/kernels/fast/load.js";
import { referenceKernels as reference } from "../src/kernels/reference.js";
import type { Kernels } from "../src/kernels/types.js";
import { firstDifference } from "./bits.js";

const fround = Math.fround;
const fast = loadFastKernels() as FastKernels;
/** chunkSize 64: the block kernels stream 4096 values a chunk (their least). */
const small = loadFastKernels({ chunkSize: 64 }) as FastKernels;

/** An instance whose WebAssembly memory is all NaN bits (0xFFFFFFFF) before each call. */
function poisoned(): Kernels {
  const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyLike }).WebAssembly;
  const module = new wasm.Module(Buffer.from(KERNELS_WASM_BASE64, "base64"));
  const ex = new wasm.Instance(module as never, {}).exports as KernelExports;
  const kernels = createFastKernels(ex, 64);
  const fill = () => new Uint32Array(ex.memory.buffer, ex.bufferBase()).fill(0xffffffff);
  // The instance is frozen: wrap each member in a copy that poisons the memory first.
  const wrapped = Object.entries(kernels).map(([key, member]) => [
    key,
    typeof member === "function"
      ? (...args: unknown[]) => {
          fill();
          return (member as (...a: unknown[]) => unknown)(...args);
        }
      : member,
  ]);
  return Object.fromEntries(wrapped) as Kernels;
}

const INSTANCES: readonly [string, Kernels][] = [
  ["fast", fast],
  ["fast, small chunks", small],
  ["fast, poisoned memory", poisoned()],
];

function expectSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string) {
  const i = firstDifference(actual, expected);
  if (i !== -1) {
    throw new Error(`${what}: bits differ at ${i}: fast ${actual[i]}, reference ${expected[i]}`);
  }
}

const bitsOf = (v: number) => new Uint32Array(Float32Array.of(v).buffer)[0] as number;
const ofBits = (b: number) => new Float32Array(Uint32Array.of(b).buffer)[0] as number;

// ---------------------------------------------------------------------------------------------
// Inputs: blocks of one kind each

/** Values that sit on the formats' edges: ties of every grid here, signed zeros, extremes. */
const EDGES = [
  0, -0, 0.5, -0.5, 0.25, -0.25, 0.75, 1.25, 1.75, 2.5, -2.5, 3.5, 5, -5, 6, 7.5, 8.5, 1, -1, 2, 3,
  4, -8, 8, 16, 127, 127.5, -127.5, 0.49999997, 0.50000006, 1e-15, -1e-15, 1e-16, 1e-38, 1e-40,
  -1e-45, 1.1754944e-38, 65504, 65520, 8.32e6, 5.24e5, 1e18, -1e19, 3.4028235e38, -3.4028235e38,
].map(fround);

/** A float32 (any, NaN and ±Infinity excluded). */
const anyFloat = fc.float({ noNaN: true, noDefaultInfinity: true });

/**
 * One block of `n` float32 values: normal-ish values times a power of two (2^-140 to 2^100),
 * values on a half-integer grid (ties), all zeros (either sign), +M and -M together, a single
 * nonzero, edge values, or any float32.
 */
function blockOf(n: number): fc.Arbitrary<number[]> {
  const scaled = fc
    .tuple(
      // Mostly where the formats can store the block (fp16 scales), sometimes anywhere.
      fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: -24, max: 14 }) },
        { weight: 1, arbitrary: fc.integer({ min: -140, max: 100 }) },
      ),
      fc.array(fc.double({ min: -4, max: 4, noNaN: true }), { minLength: n, maxLength: n }),
    )
    .map(([e, v]) => v.map((x) => fround(x * 2 ** e)));
  const grid = fc
    .tuple(
      fc.integer({ min: -20, max: 20 }),
      fc.array(fc.integer({ min: -64, max: 64 }), { minLength: n, maxLength: n }),
    )
    .map(([e, v]) => v.map((k) => fround((k / 4) * 2 ** e)));
  const zeros = fc
    .array(fc.boolean(), { minLength: n, maxLength: n })
    .map((s) => s.map((neg) => (neg ? -0 : 0)));
  const opposite = fc
    .tuple(anyFloat, fc.nat(n - 1), fc.nat(n - 1), scaled)
    .map(([m, i, j, rest]) => {
      const v = rest.map((x) => fround(x * 1e-3));
      v[i] = Math.abs(m);
      v[j] = -Math.abs(m);
      return v;
    });
  const single = fc.tuple(anyFloat, fc.nat(n - 1)).map(([m, i]) => {
    const v = new Array<number>(n).fill(0);
    v[i] = m;
    return v;
  });
  const edges = fc.array(fc.constantFrom(...EDGES), { minLength: n, maxLength: n });
  const wild = fc.array(anyFloat, { minLength: n, maxLength: n });
  return fc.oneof(scaled, scaled, grid, zeros, opposite, single, edges, wild);
}

/** `count` blocks of `n` values, as a Float32Array. */
function blocksOf(n: number, count: { min: number; max: number }): fc.Arbitrary<Float32Array> {
  return fc
    .array(blockOf(n), { minLength: count.min, maxLength: count.max })
    .map((blocks) => Float32Array.from(blocks.flat()));
}

/** x with NaN, +Infinity or -Infinity at a few places. */
function withNonFinite(x: fc.Arbitrary<Float32Array>): fc.Arbitrary<Float32Array> {
  return fc
    .tuple(
      x.filter((v) => v.length > 0),
      fc.array(
        fc.tuple(
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          fc.constantFrom(Number.NaN, ofBits(0xffc00001), Infinity, -Infinity),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([v, places]) => {
      const y = v.slice();
      for (const [f, value] of places) y[Math.floor(f * y.length)] = value;
      return y;
    });
}

/** n standard normal float32 values from a seeded generator (Box-Muller on an LCG). */
function normal(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return Float32Array.from({ length: n }, () => {
    return Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  });
}

/** n float32 values uniform in [-2, 2) from a seeded generator. */
function uniform(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 4;
  });
}

/** The outcome of a public call: its result, or its error's message. */
function outcome<T>(call: () => T): T | string {
  try {
    return call();
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

/**
 * Runs `call` on both backends: the same error, or the same bits in each array it returns
 * (each named by its key).
 */
function expectBackendsAgree(
  call: (backend: "fast" | "reference") => Record<string, ArrayLike<number>>,
): void {
  const f = outcome(() => call("fast"));
  const r = outcome(() => call("reference"));
  if (typeof r === "string" || typeof f === "string") {
    expect(f).toEqual(r);
    return;
  }
  for (const [what, expected] of Object.entries(r)) {
    expectSameBits(f[what] as ArrayLike<number>, expected, what);
  }
}

// ---------------------------------------------------------------------------------------------
// ggml

const GGML: readonly { type: GgmlType; member: "Q8_0" | "Q4_0" | "Q4_K" | "Q6_K" }[] = [
  { type: "q8_0", member: "Q8_0" },
  { type: "q4_0", member: "Q4_0" },
  { type: "q4_K", member: "Q4_K" },
  { type: "q6_K", member: "Q6_K" },
];

describe.each(GGML)("ggml $type", ({ type, member }) => {
  const { blockSize, bytesPerBlock } = GGML_TYPES[type];
  const quantize = `quantize${member}` as const;
  const dequantize = `dequantize${member}` as const;
  // 32-value types: up to 9 blocks (a last group of 1 to 3); 256: up to 3 super-blocks; with the
  // small-chunk instance, a long tensor crosses chunks.
  const x = blocksOf(blockSize, { min: 0, max: blockSize === 32 ? 9 : 4 });
  const long = blocksOf(blockSize, { min: 1, max: 2 }).map((v) => {
    const reps = Math.ceil((4096 * 2 + 3 * blockSize) / v.length);
    const out = new Float32Array(reps * v.length);
    for (let r = 0; r < reps; r++)
      out.set(
        v.map((e) => fround(e * (1 + r / 7))),
        r * v.length,
      );
    return out;
  });

  function compare(k: Kernels, v: Float32Array, name: string) {
    const a = new Uint8Array((v.length / blockSize) * bytesPerBlock);
    const b = new Uint8Array(a.length);
    const expected = reference[quantize](v, a);
    expect(k[quantize](v, b), `${name}: the first block it cannot store`).toBe(expected);
    if (expected >= 0) return;
    expectSameBits(b, a, `${name} ${quantize}`);
    const ya = new Float32Array(v.length);
    const yb = new Float32Array(v.length);
    reference[dequantize](a, ya);
    k[dequantize](a, yb);
    expectSameBits(yb, ya, `${name} ${dequantize}`);
  }

  it.each(INSTANCES)(
    "quantize and dequantize: the reference's bytes and values (%s)",
    (name, k) => {
      fc.assert(
        fc.property(x, (v) => compare(k, v, name)),
        { numRuns: blockSize === 32 ? 300 : 120 },
      );
    },
  );

  it.each([1e-3, 1, 300])("seeded normal and uniform values times %s, 64 super-blocks", (scale) => {
    for (const v of [normal(64 * 256, 11), uniform(64 * 256, 12)]) {
      const scaled = v.map((e) => fround(e * scale));
      for (const [name, k] of INSTANCES) compare(k, scaled, name);
    }
  });

  it("over several chunks", () => {
    fc.assert(
      fc.property(long, (v) => compare(small, v, "small chunks")),
      { numRuns: blockSize === 32 ? 40 : 8 },
    );
  });

  it("NaN and ±Infinity: the same block reported", () => {
    fc.assert(
      fc.property(withNonFinite(x), (v) => {
        const a = new Uint8Array((v.length / blockSize) * bytesPerBlock);
        const expected = reference[quantize](v, a);
        expect(expected).toBeGreaterThanOrEqual(0);
        for (const [name, k] of INSTANCES) {
          expect(k[quantize](v, new Uint8Array(a.length)), name).toBe(expected);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("dequantize of any bytes: the reference's values (NaN where it has NaN)", () => {
    const bytes = fc
      .array(fc.uint8Array({ minLength: bytesPerBlock, maxLength: bytesPerBlock }), {
        minLength: 1,
        maxLength: 6,
      })
      .map((blocks) => Uint8Array.from(blocks.flatMap((b) => Array.from(b))));
    fc.assert(
      fc.property(bytes, (q) => {
        const n = (q.length / bytesPerBlock) * blockSize;
        const ya = new Float32Array(n);
        reference[dequantize](q, ya);
        for (const [name, k] of INSTANCES) {
          const yb = new Float32Array(n);
          k[dequantize](q, yb);
          // A NaN's sign and payload are whatever the float unit makes of it, in JavaScript
          // too: NaN is compared as NaN, every other value bit for bit.
          for (let i = 0; i < n; i++) {
            const same = Number.isNaN(ya[i])
              ? Number.isNaN(yb[i])
              : bitsOf(ya[i] as number) === bitsOf(yb[i] as number);
            if (!same) throw new Error(`${name}: value ${i}: fast ${yb[i]}, reference ${ya[i]}`);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("the public functions agree on both backends, errors included", () => {
    fc.assert(
      fc.property(fc.oneof(x, withNonFinite(x)), fc.nat(3), (v, rows) => {
        const shape =
          rows > 0 && v.length % (rows * blockSize) === 0 ? [rows, v.length / rows] : [v.length];
        expectBackendsAgree((backend) => {
          const q = quantizeGgml(v, type, { shape, backend });
          return { quantizeGgml: q.data, dequantizeGgml: dequantizeGgml(q, { backend }).data };
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe("ggml: chosen cases", () => {
  it("a q4_0 block of +M then -M takes +M (ggml's first), and -M then +M takes -M", () => {
    const x = new Float32Array(32);
    x[3] = 5;
    x[9] = -5;
    const y = x.slice();
    y[3] = -5;
    y[9] = 5;
    for (const [v, d] of [
      [x, 0xb900],
      [y, 0x3900],
    ] as const) {
      for (const backend of ["fast", "reference"] as const) {
        const q = quantizeGgml(v, "q4_0", { backend }).data;
        expect(q[0] | (q[1] << 8), backend).toBe(d); // d = max / -8 = ∓0.625
      }
    }
  });

  it("q8_0 rounds a tie away from zero on both backends: 63.5 / 127 * 127", () => {
    const x = new Float32Array(32);
    x[0] = 127;
    x[1] = 63.5;
    x[2] = -63.5;
    for (const backend of ["fast", "reference"] as const) {
      const q = new Int8Array(quantizeGgml(x, "q8_0", { backend }).data.buffer);
      expect([q[2], q[3], q[4]], backend).toEqual([127, 64, -64]);
    }
  });

  it("an unstorable block after a NaN: the NaN is reported on both backends", () => {
    const x = new Float32Array(64);
    x[0] = 1e7; // q8_0: d = 1e7 / 127 overflows fp16
    x[40] = Number.NaN;
    for (const backend of ["fast", "reference"] as const) {
      expect(() => quantizeGgml(x, "q8_0", { backend })).toThrow("argument 'x[40]'");
    }
    x[40] = 0;
    for (const backend of ["fast", "reference"] as const) {
      expect(() => quantizeGgml(x, "q8_0", { backend })).toThrow("block 0 of row 0");
    }
  });

  it("a NaN with a wrong `out`: the NaN is reported first, as before the fast path", () => {
    const x = new Float32Array(32);
    x[5] = Number.NaN;
    for (const backend of ["fast", "reference"] as const) {
      expect(() => quantizeGgml(x, "q8_0", { backend, out: new Uint8Array(3) })).toThrow(
        "argument 'x[5]'",
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------
// MXFP4

describe("MXFP4", () => {
  const x = blocksOf(32, { min: 0, max: 9 });
  const withSpecials = fc.oneof(x, withNonFinite(x));

  function compare(
    k: Kernels,
    v: Float32Array,
    rounding: MxRounding,
    packed: boolean,
    name: string,
  ) {
    const blocks = v.length / 32;
    const sa = new Uint8Array(blocks);
    const sb = new Uint8Array(blocks);
    const ca = new Uint8Array(packed ? v.length / 2 : v.length);
    const cb = new Uint8Array(ca.length);
    reference.quantizeMxfp4(rounding, v, sa, ca, packed);
    k.quantizeMxfp4(rounding, v, sb, cb, packed);
    expectSameBits(sb, sa, `${name} scales`);
    expectSameBits(cb, ca, `${name} codes`);
    const ya = new Float32Array(v.length);
    const yb = new Float32Array(v.length);
    reference.dequantizeMxfp4(sa, ca, packed, ya);
    k.dequantizeMxfp4(sa, ca, packed, yb);
    expectSameBits(yb, ya, `${name} values`);
  }

  it.each(INSTANCES)("scales, codes and values: the reference's (%s)", (name, k) => {
    fc.assert(
      fc.property(
        withSpecials,
        fc.constantFrom<MxRounding>("even", "away"),
        fc.boolean(),
        (v, rounding, packed) => compare(k, v, rounding, packed, name),
      ),
      { numRuns: 300 },
    );
  });

  it("every e2m1 tie and its neighbours, both roundings", () => {
    // Block amax 6 (scale 2^0): each value is its own element. The midpoints, one float32 either
    // side, and the signed zeros.
    const points = [0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5].flatMap((t) => {
      const b = bitsOf(t);
      return [ofBits(b - 1), t, ofBits(b + 1)];
    });
    const values = [...points, ...points.map((v) => -v), 0, -0, 6, -6, 7, 100].map(fround);
    const v = new Float32Array(Math.ceil(values.length / 31) * 32);
    for (let i = 0, j = 0; i < values.length; i++, j++) {
      if (j % 32 === 0) v[j++] = 6; // each block's amax
      v[j] = values[i] as number;
    }
    for (const rounding of ["even", "away"] as const) {
      for (const packed of [false, true])
        compare(fast, v, rounding, packed, `${rounding} ${packed}`);
    }
  });

  it("over several chunks", () => {
    const v = new Float32Array(4096 * 3 + 96).map((_, i) =>
      fround(Math.sin(i) * 2 ** ((i % 40) - 20)),
    );
    for (const packed of [false, true]) compare(small, v, "even", packed, "small chunks");
  });

  it("the public functions agree on both backends: rows of 32k along the last axis", () => {
    fc.assert(
      fc.property(
        withSpecials,
        fc.boolean(),
        fc.constantFrom<MxRounding>("even", "away"),
        (v, pack, rounding) => {
          const shape = v.length % 64 === 0 && v.length > 0 ? [2, v.length / 2] : [v.length];
          expectBackendsAgree((backend) => {
            const q = quantizeMx(v, "mxfp4", { shape, pack, rounding, backend });
            return {
              scales: q.scales,
              codes: q.codes,
              dequantizeMx: dequantizeMx(q, { backend }).data,
            };
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// bitsandbytes NF4 and FP4

describe.each(["nf4", "fp4"] as const)("bitsandbytes %s", (format: BnbFormat) => {
  const input = fc
    .tuple(
      fc.constantFrom(32, 64, 64, 128, 256, 4096),
      fc.array(blockOf(32), { minLength: 0, maxLength: 12 }),
      fc.nat(31),
    )
    .map(([blockSize, blocks, cut]) => {
      const v = Float32Array.from(blocks.flat());
      return { blockSize, x: v.subarray(0, Math.max(0, v.length - cut)) };
    });

  function compare(k: Kernels, x: Float32Array, blockSize: number, name: string) {
    const n = x.length;
    const blocks = Math.ceil(n / blockSize);
    const ca = new Uint8Array(n);
    const cb = new Uint8Array(n);
    const pa = new Uint8Array(Math.ceil(n / 2));
    const pb = new Uint8Array(pa.length);
    const aa = new Float32Array(blocks);
    const ab = new Float32Array(blocks);
    const expected = reference.quantize4bit(format, x, blockSize, ca, pa, aa);
    expect(k.quantize4bit(format, x, blockSize, cb, pb, ab), `${name}: the first non-finite`).toBe(
      expected,
    );
    if (expected >= 0) return;
    expectSameBits(cb, ca, `${name} codes`);
    expectSameBits(pb, pa, `${name} packed`);
    expectSameBits(ab, aa, `${name} absmax`);
    const ya = new Float32Array(n);
    const yb = new Float32Array(n);
    reference.dequantize4bit(format, pa, aa, blockSize, ya);
    k.dequantize4bit(format, pa, aa, blockSize, yb);
    expectSameBits(yb, ya, `${name} values`);
  }

  it.each(INSTANCES)("codes, packed bytes, absmax and values: the reference's (%s)", (name, k) => {
    fc.assert(
      fc.property(input, ({ x, blockSize }) => compare(k, x, blockSize, name)),
      { numRuns: 200 },
    );
  });

  it("NaN and ±Infinity: the same index reported", () => {
    fc.assert(
      fc.property(
        input,
        fc.nat(),
        fc.constantFrom(Number.NaN, Infinity, -Infinity),
        ({ x, blockSize }, at, bad) => {
          if (x.length === 0) return;
          const v = x.slice();
          v[at % v.length] = bad;
          for (const [name, k] of INSTANCES) compare(k, v, blockSize, name);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("over several chunks, with a short last block", () => {
    const x = new Float32Array(4096 * 3 + 77).map((_, i) =>
      fround(Math.cos(i * 0.37) * 2 ** ((i % 30) - 15)),
    );
    for (const blockSize of [64, 4096])
      compare(small, x, blockSize, `small chunks, blocks of ${blockSize}`);
  });

  it("the public functions agree on both backends, double quantization and errors included", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          input,
          input.map(({ x, blockSize }) => ({
            blockSize,
            x: x.length > 0 ? x.map((v, i) => (i === 0 ? Number.NaN : v)) : x,
          })),
        ),
        fc.boolean(),
        ({ x, blockSize }, doubleQuant) => {
          expectBackendsAgree((backend) => {
            const q = quantizeBnb(x, format, { blockSize, doubleQuant, backend });
            return {
              codes: q.codes,
              packed: q.packed,
              absmax: q.absmax,
              dequantizeBnb: dequantizeBnb(q, { backend }).data,
            };
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("the backend option", () => {
  it("is checked by every block function", () => {
    const x = new Float32Array(32);
    expect(() => quantizeGgml(x, "q8_0", { backend: "gpu" as never })).toThrow(
      `quantizeGgml(): argument 'options.backend' must be one of "auto", "fast", "reference"; received "gpu".`,
    );
    expect(() => quantizeMx(x, "mxfp4", { backend: 1 as never })).toThrow(TypeError);
    expect(() => quantizeBnb(x, "nf4", { backend: "slow" as never })).toThrow(RangeError);
    const q = quantizeGgml(x, "q8_0");
    expect(() => dequantizeGgml(q, { backend: "gpu" as never })).toThrow(RangeError);
    expect(() => dequantizeMx(quantizeMx(x, "mxfp4"), { backend: "gpu" as never })).toThrow(
      RangeError,
    );
    expect(() => dequantizeBnb(quantizeBnb(x, "nf4"), { backend: "gpu" as never })).toThrow(
      RangeError,
    );
  });

  it("chooses the kernels: each backend's members are the ones called", () => {
    const x = Float32Array.from({ length: 256 }, (_, i) => Math.sin(i));
    const calls: string[] = [];
    const watch = (kernels: Kernels, key: keyof Kernels, tag: string) => {
      const target = kernels as unknown as Record<string, (...args: unknown[]) => unknown>;
      const original = target[key] as (...args: unknown[]) => unknown;
      target[key] = (...args) => {
        calls.push(`${tag} ${key}`);
        return original(...args);
      };
      return () => {
        target[key] = original;
      };
    };
    const restore = [
      watch(reference, "quantizeQ4_K", "reference"),
      watch(reference, "quantizeMxfp4", "reference"),
      watch(reference, "quantize4bit", "reference"),
    ];
    try {
      quantizeGgml(x, "q4_K", { backend: "reference" });
      quantizeMx(x, "mxfp4", { backend: "reference" });
      quantizeBnb(x, "nf4", { backend: "reference" });
      quantizeGgml(x, "q4_K", { backend: "fast" });
      quantizeMx(x, "mxfp4", { backend: "fast" });
      quantizeBnb(x, "nf4", { backend: "fast" });
      // mxfp8 and mxfp4 along axis 0 have no Kernels member: the reference kernels of ../mx.
      quantizeMx(x, "mxfp8e4m3", { backend: "reference" });
      quantizeMx(x, "mxfp4", { backend: "reference", shape: [8, 32], axis: 0 });
    } finally {
      for (const r of restore) r();
    }
    expect(calls).toEqual([
      "reference quantizeQ4_K",
      "reference quantizeMxfp4",
      "reference quantize4bit",
    ]);
  });
});
