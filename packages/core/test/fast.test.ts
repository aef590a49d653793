import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { IntegerArray } from "../src/dtypes/table.js";
import { KERNELS_WASM_BASE64 } from "../src/generated/kernels-wasm.js";
import type { KernelExports } from "../src/kernels/fast/exports.js";
import { createFastKernels } from "../src/kernels/fast/kernels.js";
import {
  DEFAULT_CHUNK_SIZE,
  type FastKernels,
  hasWasmSimd,
  loadFastKernels,
  type WebAssemblyLike,
} from "../src/kernels/fast/load.js";
import {
  bfloat16BitsToFloat32,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
  float32ToFloat16Bits,
} from "../src/kernels/floats.js";
import { referenceKernels as reference } from "../src/kernels/reference.js";
import type { Kernels } from "../src/kernels/types.js";
import type { ParamLayout } from "../src/tensor.js";
import { firstDifference } from "./bits.js";

const fround = Math.fround;

const loaded = loadFastKernels();
if (loaded === undefined)
  throw new Error("these tests need WebAssembly SIMD (Node >= 16.4 has it)");
const fast: FastKernels = loaded;
/** A small chunk, so that short arrays cross several chunks. */
const small = loadFastKernels({ chunkSize: 64 }) as FastKernels;

interface Format {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly storage: new (n: number) => IntegerArray;
}

// The bounds and storage of src/dtypes/table.ts's INTEGER_FORMATS, spelled out (int4 and uint4
// hold one value per element here; packing is tested on its own).
const FORMATS: readonly Format[] = [
  { name: "int8", min: -128, max: 127, storage: Int8Array },
  { name: "uint8", min: 0, max: 255, storage: Uint8Array },
  { name: "int16", min: -32768, max: 32767, storage: Int16Array },
  { name: "uint16", min: 0, max: 65535, storage: Uint16Array },
  { name: "int4", min: -8, max: 7, storage: Int8Array },
  { name: "uint4", min: 0, max: 15, storage: Uint8Array },
];

function expectSameBits(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  context: () => string,
): void {
  const i = firstDifference(actual, expected);
  if (i !== -1) {
    throw new Error(
      `bits differ at ${i}: fast ${actual[i]}, reference ${expected[i]} (${context()})`,
    );
  }
}

/** The reference's per-tensor codes of `x` in `format`, written into `codes`. */
function referenceCodes<T extends IntegerArray>(
  pytorch: boolean,
  x: Float32Array,
  scale: number,
  zeroPoint: number,
  format: Format,
  codes: T,
): T {
  const semantics = pytorch ? "pytorch" : "onnx";
  reference.quantizeTensor(semantics, x, scale, zeroPoint, format.min, format.max, codes);
  return codes;
}

function nextUp(v: number): number {
  const b = new Float32Array([v]);
  const u = new Int32Array(b.buffer);
  if (!Number.isFinite(v)) return v;
  if (v === 0) return 1.4e-45;
  u[0] = (u[0] as number) + (v > 0 ? 1 : -1);
  return b[0] as number;
}

function nextDown(v: number): number {
  return -nextUp(-v);
}

const SPECIALS = [
  0,
  -0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  3.4028234663852886e38,
  -3.4028234663852886e38,
  1e20,
  -1e20,
  16777216,
  -16777217,
  2147483648,
  -2147483904,
  1.17549435e-38,
  -1.17549435e-38,
  1e-40,
  -1e-40,
  1.4e-45,
  -1.4e-45,
].map(fround);

/** Positive float32 scales: ordinary, awkward, tiny (even subnormal) and huge. */
const scaleArb = fc.oneof(
  fc
    .constantFrom(
      1,
      0.5,
      0.25,
      fround(20 / 255),
      fround(0.1),
      fround(1 / 3),
      fround(6 / 255),
      1e-3,
      1e-40,
      1e-45,
      3e38,
    )
    .map(fround),
  fc
    .float({ min: fround(1e-6), max: fround(1e6), noNaN: true, noDefaultInfinity: true })
    .filter((s) => s > 0),
  fc
    .float({ min: fround(1.4e-45), max: fround(3.4e38), noNaN: true, noDefaultInfinity: true })
    .filter((s) => s > 0),
);

/** A scale the public functions accept with these semantics (PyTorch needs a finite reciprocal). */
const accepted = (pytorch: boolean, scale: number) =>
  !pytorch || fround(1 / scale) < Number.POSITIVE_INFINITY;

/** Inputs around everything that decides a code: ties, neighbours of ties, bounds, specials. */
function valueArb(s: number, zp: number, qmin: number, qmax: number): fc.Arbitrary<number> {
  const k = fc.integer({ min: qmin - zp - 4, max: qmax - zp + 4 });
  return fc.oneof(
    fc.float({ noNaN: true }),
    fc.double({ min: (qmin - zp - 8) * s, max: (qmax - zp + 8) * s, noNaN: true }).map(fround),
    k.map((i) => fround((i + 0.5) * s)),
    k.map((i) => nextUp(fround((i + 0.5) * s))),
    k.map((i) => nextDown(fround((i + 0.5) * s))),
    k.map((i) => fround(i * s)),
    fc.constantFrom(...SPECIALS),
  );
}

const caseArb = (format: Format) =>
  fc
    .record({
      scale: scaleArb,
      zeroPoint: fc.integer({ min: format.min, max: format.max }),
      length: fc.integer({ min: 0, max: 300 }),
    })
    .chain(({ scale, zeroPoint, length }) =>
      fc.record({
        scale: fc.constant(scale),
        zeroPoint: fc.constant(zeroPoint),
        x: fc
          .array(valueArb(scale, zeroPoint, format.min, format.max), {
            minLength: length,
            maxLength: length,
          })
          .map((v) => Float32Array.from(v)),
      }),
    );

describe("loading", () => {
  it("loads in Node and reports its fixed memory", () => {
    expect(hasWasmSimd()).toBe(true);
    expect(fast.chunkSize).toBe(DEFAULT_CHUNK_SIZE);
    expect(loadFastKernels()).toBe(fast);
    // Four buffers of chunkSize * 4 bytes plus the module's own page: far below 64 MiB.
    expect(fast.memoryBytes).toBeLessThan(8 * 1024 * 1024);
  });

  it("returns undefined where WebAssembly SIMD is missing, so callers use the reference", () => {
    const real = (globalThis as unknown as { WebAssembly: WebAssemblyLike }).WebAssembly;
    const noSimd: WebAssemblyLike = {
      validate: () => false,
      Module: real.Module,
      Instance: real.Instance,
    };
    expect(hasWasmSimd(noSimd)).toBe(false);
    expect(loadFastKernels({ webAssembly: noSimd })).toBeUndefined();
    // No WebAssembly at all (the global removed for the duration of the check).
    const descriptor = Object.getOwnPropertyDescriptor(
      globalThis,
      "WebAssembly",
    ) as PropertyDescriptor;
    Object.defineProperty(globalThis, "WebAssembly", {
      value: undefined,
      configurable: true,
      writable: true,
    });
    try {
      expect(hasWasmSimd()).toBe(false);
      expect(loadFastKernels({ chunkSize: 128 })).toBeUndefined();
    } finally {
      Object.defineProperty(globalThis, "WebAssembly", descriptor);
    }
    expect(hasWasmSimd()).toBe(true);
    const broken: WebAssemblyLike = {
      validate: () => true,
      Module: class {
        constructor() {
          throw new Error("no compiler");
        }
      } as unknown as WebAssemblyLike["Module"],
      Instance: real.Instance,
    };
    expect(loadFastKernels({ webAssembly: broken })).toBeUndefined();
    const throwing: WebAssemblyLike = {
      validate: () => {
        throw new Error("validate failed");
      },
      Module: real.Module,
      Instance: real.Instance,
    };
    expect(loadFastKernels({ webAssembly: throwing })).toBeUndefined();
    expect(loadFastKernels({ webAssembly: real, chunkSize: 128 })?.chunkSize).toBe(128);
  });

  it("streams ordinary arrays through the module with its own memory, heap tensors through the shared one", () => {
    const real = (globalThis as unknown as { WebAssembly: WebAssemblyLike }).WebAssembly;
    // Counts the kernel calls each module serves: the shared one is given `env.memory`.
    const calls = { shared: 0, own: 0 };
    class CountingInstance {
      readonly exports: Record<string, unknown>;
      constructor(module: never, imports?: object) {
        const side = imports !== undefined && "env" in imports ? "shared" : "own";
        const inner = new real.Instance(module, imports).exports as Record<string, unknown>;
        this.exports = Object.fromEntries(
          Object.entries(inner).map(([key, value]) => [
            key,
            typeof value === "function"
              ? (...args: unknown[]) => {
                  calls[side]++;
                  return (value as (...a: unknown[]) => unknown)(...args);
                }
              : value,
          ]),
        );
      }
    }
    const counting: WebAssemblyLike = {
      validate: (bytes) => real.validate(bytes),
      Module: real.Module,
      Instance: CountingInstance as unknown as WebAssemblyLike["Instance"],
      ...(real.Memory === undefined ? {} : { Memory: real.Memory }),
    };
    const k = loadFastKernels({ webAssembly: counting, chunkSize: 64 }) as FastKernels;
    const heap = k.heap;
    expect(heap).toBeDefined();
    if (heap === undefined) return;
    const n = 1000;
    const x = Float32Array.from({ length: n }, (_, i) => (i - 500) * 0.37);
    const want = new Int8Array(n);
    reference.quantizeTensor("onnx", x, 0.5, 3, -128, 127, want);
    const count = () => ({ ...calls });
    calls.shared = 0;
    calls.own = 0;
    const out = new Int8Array(n);
    k.quantizeTensor("onnx", x, 0.5, 3, -128, 127, out);
    k.withThreads(1).dequantizeQ8_0(new Uint8Array(34 * 4), new Float32Array(128));
    const streamed = count();
    console.log(`ordinary arrays: kernel calls ${JSON.stringify(streamed)}`);
    expect(streamed.shared).toBe(0);
    expect(streamed.own).toBeGreaterThan(0);
    expect(out).toEqual(want);
    calls.shared = 0;
    calls.own = 0;
    const inHeap = heap.allocate(Float32Array, n);
    inHeap.set(x);
    const out2 = new Int8Array(n);
    k.quantizeTensor("onnx", inHeap, 0.5, 3, -128, 127, out2);
    const inPlace = count();
    console.log(`an input in the heap: kernel calls ${JSON.stringify(inPlace)}`);
    expect(inPlace.own).toBe(0);
    expect(inPlace.shared).toBeGreaterThan(0);
    expect(out2).toEqual(want);
    heap.free(inHeap);
  });

  it("rejects a chunk size that is not a positive multiple of 64", () => {
    expect(() => loadFastKernels({ chunkSize: 100 })).toThrow(RangeError);
    expect(() => loadFastKernels({ chunkSize: 0 })).toThrow(RangeError);
  });

  it("documents its load example", () => {
    const out = new Int8Array(3);
    fast.quantizeTensor("onnx", new Float32Array([-1, 0.25, 1]), 0.5, 0, -128, 127, out);
    expect(Array.from(out)).toEqual([-2, 0, 2]);
  });
});

describe.each(FORMATS)("quantize to $name: same bits as the reference", (format) => {
  for (const semantics of ["onnx", "pytorch"] as const) {
    it(`${semantics}: random and adversarial inputs`, () => {
      fc.assert(
        fc.property(caseArb(format), ({ scale, zeroPoint, x }) => {
          fc.pre(accepted(semantics === "pytorch", scale));
          const expected = new format.storage(x.length);
          reference.quantizeTensor(
            semantics,
            x,
            scale,
            zeroPoint,
            format.min,
            format.max,
            expected,
          );
          for (const k of [fast, small]) {
            const actual = new format.storage(x.length);
            k.quantizeTensor(semantics, x, scale, zeroPoint, format.min, format.max, actual);
            expectSameBits(actual, expected, () => `scale ${scale}, zp ${zeroPoint}`);
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  it("dequantizes every code to the same bits (onnx and pytorch)", () => {
    fc.assert(
      fc.property(
        scaleArb,
        fc.integer({ min: format.min, max: format.max }),
        fc.array(fc.integer({ min: format.min, max: format.max }), { maxLength: 300 }),
        (scale, zeroPoint, values) => {
          const q = new format.storage(values.length);
          q.set(values);
          for (const semantics of ["onnx", "pytorch"] as const) {
            const expected = new Float32Array(q.length);
            reference.dequantizeTensor(semantics, q, scale, zeroPoint, expected);
            for (const k of [fast, small]) {
              const actual = new Float32Array(q.length);
              k.dequantizeTensor(semantics, q, scale, zeroPoint, actual);
              expectSameBits(
                actual,
                expected,
                () => `${semantics}, scale ${scale}, zp ${zeroPoint}`,
              );
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("quantize at the extremes", () => {
  it("saturates ±Infinity, huge values and values just past the bounds, ties to even", () => {
    for (const format of FORMATS) {
      for (const zp of [format.min, 0, format.max].filter(
        (z) => z >= format.min && z <= format.max,
      )) {
        for (const scale of [1, fround(0.1), 1e-40, 3e38].map(fround)) {
          const values: number[] = [...SPECIALS];
          for (
            let k = format.min - zp - 3;
            k <= format.max - zp + 3;
            k += Math.max(1, Math.floor((format.max - format.min) / 50))
          ) {
            const t = fround((k + 0.5) * scale);
            values.push(t, nextUp(t), nextDown(t), fround(k * scale));
          }
          const x = Float32Array.from(values);
          for (const semantics of ["onnx", "pytorch"] as const) {
            if (!accepted(semantics === "pytorch", scale)) continue;
            const expected = new format.storage(x.length);
            const actual = new format.storage(x.length);
            reference.quantizeTensor(semantics, x, scale, zp, format.min, format.max, expected);
            fast.quantizeTensor(semantics, x, scale, zp, format.min, format.max, actual);
            expectSameBits(
              actual,
              expected,
              () => `${format.name} ${semantics} scale ${scale} zp ${zp}`,
            );
          }
        }
      }
    }
  });

  it("rounds exact ties to even, with the zero point added after rounding", () => {
    const x = Float32Array.from([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5]);
    const out = new Int8Array(x.length);
    fast.quantizeTensor("onnx", x, 1, 1, -128, 127, out);
    expect(Array.from(out)).toEqual([-1, -1, 1, 1, 3, 3, 5]);
    fast.quantizeTensor("pytorch", x, 1, 1, -128, 127, out);
    expect(Array.from(out)).toEqual([-1, -1, 1, 1, 3, 3, 5]);
  });

  it("divides in ONNX semantics (not a reciprocal product)", () => {
    // -10 / s is -127.49999237 in float32 (-> -127); -10 * fround(1 / s) is -127.5 (-> -128).
    const s = fround(20 / 255);
    const out = new Int8Array(1);
    fast.quantizeTensor("onnx", Float32Array.of(-10), s, 0, -128, 127, out);
    expect(out[0]).toBe(-127);
    fast.quantizeTensor("pytorch", Float32Array.of(-10), s, 0, -128, 127, out);
    expect(out[0]).toBe(-128);
  });

  it("falls back to the reference for int32 codes and arrays that are not typed", () => {
    const x = Float32Array.from([1e10, -1e10, 2.5, 3.5, Number.POSITIVE_INFINITY]);
    const expected = new Int32Array(x.length);
    const actual = new Int32Array(x.length);
    reference.quantizeTensor("onnx", x, 1, 7, -(2 ** 31), 2 ** 31 - 1, expected);
    fast.quantizeTensor("onnx", x, 1, 7, -(2 ** 31), 2 ** 31 - 1, actual);
    expect(Array.from(actual)).toEqual(Array.from(expected));
    const deq = new Float32Array(3);
    fast.dequantizeTensor("onnx", [1, 2, 3], 0.5, 1, deq);
    expect(Array.from(deq)).toEqual([0, 0.5, 1]);
  });

  it("returns the first NaN's index, without trapping", () => {
    const x = Float32Array.from({ length: 40 }, (_, i) => (i % 3 === 2 ? Number.NaN : i));
    expect(fast.quantizeTensor("onnx", x, 1, 0, -128, 127, new Int8Array(40))).toBe(2);
    expect(fast.quantizeTensor("pytorch", x, 1, 0, 0, 65535, new Uint16Array(40))).toBe(2);
  });
});

function randomValues(n: number, seed: number, s: number): Float32Array {
  let state = seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    const u = (state >>> 8) / 16777216;
    // A quarter exact ties, the rest spread over and beyond the int8 range.
    out[i] =
      i % 4 === 0 ? fround((Math.floor(u * 300) - 150 + 0.5) * s) : fround((u - 0.5) * 400 * s);
  }
  return out;
}

describe("chunking boundaries", () => {
  for (const k of [fast, small]) {
    const C = k.chunkSize;
    const lengths = [0, 1, 15, 16, 17, 31, 33, C - 1, C, C + 1, 2 * C + 17];
    it(`chunk ${C}: lengths ${lengths.join(", ")}`, () => {
      const s = fround(0.05);
      for (const n of lengths) {
        const x = randomValues(n, n + 1, s);
        for (const format of FORMATS) {
          const expected = new format.storage(n);
          const actual = new format.storage(n).fill(99);
          reference.quantizeTensor("onnx", x, s, 3, format.min, format.max, expected);
          k.quantizeTensor("onnx", x, s, 3, format.min, format.max, actual);
          expectSameBits(actual, expected, () => `quantize ${format.name} n=${n}`);
          reference.quantizeTensor("pytorch", x, s, 3, format.min, format.max, expected);
          k.quantizeTensor("pytorch", x, s, 3, format.min, format.max, actual);
          expectSameBits(actual, expected, () => `quantize pytorch ${format.name} n=${n}`);
          const d0 = new Float32Array(n);
          const d1 = new Float32Array(n);
          reference.dequantizeTensor("onnx", expected, s, 3, d0);
          k.dequantizeTensor("onnx", expected, s, 3, d1);
          expectSameBits(d1, d0, () => `dequantize ${format.name} n=${n}`);
        }
        const h0 = new Uint16Array(n);
        const h1 = new Uint16Array(n);
        for (let i = 0; i < n; i++) h0[i] = float32ToFloat16Bits(x[i] as number);
        k.encodeHalf("float16", x, h1);
        expectSameBits(h1, h0, () => `float16 encode n=${n}`);
        const f0 = Float32Array.from(h0, float16BitsToFloat32);
        const f1 = new Float32Array(n);
        k.decodeHalf("float16", h0, f1);
        expectSameBits(f1, f0, () => `float16 decode n=${n}`);
        const b0 = Uint16Array.from(x, float32ToBfloat16Bits);
        const b1 = new Uint16Array(n);
        k.encodeHalf("bfloat16", x, b1);
        expectSameBits(b1, b0, () => `bfloat16 encode n=${n}`);
        const g1 = new Float32Array(n);
        k.decodeHalf("bfloat16", b0, g1);
        expectSameBits(
          g1,
          Float32Array.from(b0, bfloat16BitsToFloat32),
          () => `bfloat16 decode n=${n}`,
        );
      }
    });
  }
});

describe("fake quantize and packed int4", () => {
  it("fake-quantizes to the bits of quantize then dequantize (onnx and pytorch)", () => {
    fc.assert(
      fc.property(
        caseArb(FORMATS[0] as Format),
        fc.constantFrom(...FORMATS),
        fc.boolean(),
        ({ scale, x }, format, pytorch) => {
          fc.pre(accepted(pytorch, scale));
          const zp = Math.max(format.min, Math.min(format.max, 3));
          const codes = referenceCodes(pytorch, x, scale, zp, format, new Int32Array(x.length));
          const expected = new Float32Array(x.length);
          reference.dequantizeTensor("onnx", codes, scale, zp, expected);
          for (const k of [fast, small]) {
            const actual = new Float32Array(x.length);
            const semantics = pytorch ? "pytorch" : "onnx";
            k.fakeQuantizeTensor(semantics, x, scale, zp, format.min, format.max, actual);
            expectSameBits(
              actual,
              expected,
              () => `${format.name} pytorch=${pytorch} scale ${scale}`,
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("packs int4 and uint4 two per byte, the first in the low nibble, an odd tail's high nibble 0", () => {
    for (const format of FORMATS.filter((f) => f.name.endsWith("4"))) {
      fc.assert(
        fc.property(caseArb(format), fc.boolean(), ({ scale, zeroPoint, x }, pytorch) => {
          fc.pre(accepted(pytorch, scale));
          const codes = referenceCodes(
            pytorch,
            x,
            scale,
            zeroPoint,
            format,
            new Int8Array(x.length),
          );
          const expected = new Uint8Array((x.length + 1) >> 1);
          for (let i = 0; i < x.length; i++)
            expected[i >> 1] |= ((codes[i] as number) & 0xf) << ((i & 1) * 4);
          const semantics = pytorch ? "pytorch" : "onnx";
          for (const k of [fast, small]) {
            const actual = new Uint8Array(expected.length).fill(0xff);
            k.quantizeInt4Packed(semantics, x, scale, zeroPoint, format.min, format.max, actual);
            expectSameBits(
              actual,
              expected,
              () => `${format.name} pytorch=${pytorch} n=${x.length}`,
            );
          }
        }),
        { numRuns: 200 },
      );
    }
    const out = new Uint8Array(2);
    fast.quantizeInt4Packed("onnx", Float32Array.from([1, -1, 7]), 1, 0, -8, 7, out);
    expect(Array.from(out)).toEqual([0xf1, 0x07]);
  });
});

describe("per-axis and blocked layouts", () => {
  const layoutArb = fc
    .record({
      shape: fc.array(fc.integer({ min: 1, max: 70 }), { minLength: 1, maxLength: 3 }),
      axisSeed: fc.nat(),
      block: fc.constantFrom(0, 0, 1, 2, 3, 5, 16, 32),
    })
    .filter(({ shape }) => shape.reduce((a, b) => a * b, 1) <= 5000)
    .map(({ shape, axisSeed, block }) => {
      const axis = axisSeed % shape.length;
      const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const dim = shape[axis] as number;
      const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      if (block === 0) {
        const layout: ParamLayout = {
          outer,
          dim,
          inner,
          blockSize: 1,
          outerStride: 0,
          axisStride: 1,
          innerStride: 0,
        };
        return { layout, params: dim, n: outer * dim * inner };
      }
      const blocks = Math.ceil(dim / block);
      const layout: ParamLayout = {
        outer,
        dim,
        inner,
        blockSize: block,
        outerStride: blocks * inner,
        axisStride: inner,
        innerStride: 1,
      };
      return { layout, params: outer * blocks * inner, n: outer * dim * inner };
    });

  for (const format of FORMATS.slice(0, 4)) {
    it(`${format.name}: quantizeLayout and dequantizeLayout give the reference's bits`, () => {
      fc.assert(
        fc.property(
          layoutArb.chain(({ layout, params, n }) =>
            fc.record({
              layout: fc.constant(layout),
              scales: fc
                .array(scaleArb, { minLength: params, maxLength: params })
                .map((v) => Float32Array.from(v)),
              zeroPoints: fc
                .array(fc.integer({ min: format.min, max: format.max }), {
                  minLength: params,
                  maxLength: params,
                })
                .map((v) => Int32Array.from(v)),
              x: fc
                .array(
                  fc.oneof(
                    fc.float({ noNaN: true }),
                    fc.constantFrom(...SPECIALS),
                    fc.integer({ min: -300, max: 300 }).map((k) => k / 2),
                  ),
                  { minLength: n, maxLength: n },
                )
                .map((v) => Float32Array.from(v)),
            }),
          ),
          fc.boolean(),
          ({ layout, scales, zeroPoints, x }, pytorch) => {
            fc.pre(scales.every((s) => accepted(pytorch, s)));
            const semantics = pytorch ? "pytorch" : "onnx";
            // The same calls for the reference and for each fast kernel set.
            const quantize = (k: Kernels, out: IntegerArray) =>
              k.quantizeLayout(
                semantics,
                x,
                scales,
                zeroPoints,
                layout,
                format.min,
                format.max,
                out,
              );
            const dequantize = (k: Kernels, codes: IntegerArray, out: Float32Array) =>
              k.dequantizeLayout(semantics, codes, scales, zeroPoints, layout, out);
            const expected = new format.storage(x.length);
            quantize(reference, expected);
            const d0 = new Float32Array(x.length);
            dequantize(reference, expected, d0);
            for (const k of [fast, small]) {
              const actual = new format.storage(x.length);
              quantize(k, actual);
              expectSameBits(
                actual,
                expected,
                () => `quantize ${JSON.stringify(layout)} pytorch=${pytorch}`,
              );
              const d1 = new Float32Array(x.length);
              dequantize(k, expected, d1);
              expectSameBits(
                d1,
                d0,
                () => `dequantize ${JSON.stringify(layout)} pytorch=${pytorch}`,
              );
            }
          },
        ),
        { numRuns: 120 },
      );
    });
  }

  it("handles rows longer than a chunk and rows that fill a chunk exactly", () => {
    for (const [rows, cols] of [
      [3, 200],
      [4, 64],
      [5, 63],
      [2, 65],
      [130, 16],
    ] as const) {
      const n = rows * cols;
      const x = randomValues(n, n, 0.05);
      const scales = Float32Array.from({ length: rows }, (_, r) => fround(0.01 * (r + 1)));
      const zps = Int32Array.from({ length: rows }, (_, r) => r - 2);
      const layout = axisLayout(n, cols, 0);
      const expected = new Int8Array(n);
      reference.quantizeLayout("onnx", x, scales, zps, layout, -128, 127, expected);
      const actual = new Int8Array(n);
      small.quantizeLayout("onnx", x, scales, zps, layout, -128, 127, actual);
      expectSameBits(actual, expected, () => `[${rows}, ${cols}]`);
    }
  });
});

describe("float16 and bfloat16 codecs", () => {
  it("decode every one of the 65536 codes to the reference's bits", () => {
    const codes = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const f = new Float32Array(65536);
    fast.decodeHalf("float16", codes, f);
    expectSameBits(f, Float32Array.from(codes, float16BitsToFloat32), () => "float16");
    fast.decodeHalf("bfloat16", codes, f);
    expectSameBits(f, Float32Array.from(codes, bfloat16BitsToFloat32), () => "bfloat16");
    // NaN codes decode to the float32 NaN 0x7FC00000 (sign dropped).
    expect(new Uint32Array(Float32Array.from([f[0xffc1] as number]).buffer)[0]).toBe(0x7fc00000);
  });

  it("encode float32 bit patterns around every rounding boundary to the reference's codes", () => {
    const lows = [
      0x0000, 0x0001, 0x0fff, 0x1000, 0x1001, 0x1fff, 0x2000, 0x3000, 0x5000, 0x7000, 0x7fff,
      0x8000, 0x8001, 0x8fff, 0x9000, 0xf000, 0xffff,
    ];
    const bits = new Uint32Array(65536 * lows.length + (1 << 20));
    let j = 0;
    for (let hi = 0; hi < 65536; hi++) for (const lo of lows) bits[j++] = (hi << 16) | lo;
    let state = 7;
    while (j < bits.length) {
      state = (Math.imul(state, 1664525) + 1013904223) | 0;
      // Half of them in the float16 subnormal range and around its overflow.
      bits[j] = j & 1 ? state : (0x33000000 + ((state >>> 0) % 0x15000000)) ^ (state & 0x80000000);
      j++;
    }
    const x = new Float32Array(bits.buffer);
    const h = new Uint16Array(x.length);
    fast.encodeHalf("float16", x, h);
    expectSameBits(h, Uint16Array.from(x, float32ToFloat16Bits), () => "float16");
    fast.encodeHalf("bfloat16", x, h);
    expectSameBits(h, Uint16Array.from(x, float32ToBfloat16Bits), () => "bfloat16");
  });
});

// ---------------------------------------------------------------------------------------------
// NaN: every quantize kernel returns the index of the first NaN in x, or -1 (the reference's
// contract). The SIMD loops flag a chunk and the wrapper scans only that chunk.

/** NaN bit patterns: quiet, negative quiet, signalling, all ones. */
const NAN_BITS = [0x7fc00000, 0xffc00000, 0x7f800001, 0xffffffff];

function nanOf(bits: number): number {
  return new Float32Array(Uint32Array.of(bits).buffer)[0] as number;
}

/**
 * A private instance whose WebAssembly memory the test can reach: `poison(bits)` fills everything
 * from the first buffer to the end of memory (inputs, outputs, parameters and their slack) with
 * `bits`, so stale lanes past a chunk hold NaN when a kernel runs.
 */
function poisonable(chunkSize: number): { kernels: FastKernels; poison(bits: number): void } {
  const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyLike }).WebAssembly;
  const module = new wasm.Module(Buffer.from(KERNELS_WASM_BASE64, "base64"));
  const ex = new wasm.Instance(module as never, {}).exports as KernelExports;
  const kernels = createFastKernels(ex, chunkSize);
  return {
    kernels,
    poison: (bits) => new Uint32Array(ex.memory.buffer, ex.bufferBase()).fill(bits),
  };
}

/** Every quantize kernel of `k` on x (the layout ones with one parameter set per row of 16+). */
interface QuantizeCall {
  readonly name: string;
  /** Runs the kernel; returns its result and its output. */
  run(k: FastKernels, x: Float32Array): { nan: number; out: ArrayLike<number> };
  /** The reference's result and output. */
  expected(x: Float32Array): { nan: number; out: ArrayLike<number> };
}

const S = fround(0.05);

function tensorCall(format: Format, pytorch: boolean): QuantizeCall {
  const semantics = pytorch ? "pytorch" : "onnx";
  return {
    name: `${semantics} ${format.name}`,
    run(k, x) {
      const out = new format.storage(x.length);
      return { nan: k.quantizeTensor(semantics, x, S, 3, format.min, format.max, out), out };
    },
    expected(x) {
      const out = new format.storage(x.length);
      return {
        nan: reference.quantizeTensor(semantics, x, S, 3, format.min, format.max, out),
        out,
      };
    },
  };
}

/** A per-axis layout over x seen as [rows, cols] along `axis` (cols of 16+ run as rows). */
function axisLayout(n: number, cols: number, axis: 0 | 1): ParamLayout {
  const rows = n / cols;
  return axis === 0
    ? {
        outer: 1,
        dim: rows,
        inner: cols,
        blockSize: 1,
        outerStride: 0,
        axisStride: 1,
        innerStride: 0,
      }
    : {
        outer: rows,
        dim: cols,
        inner: 1,
        blockSize: 1,
        outerStride: 0,
        axisStride: 1,
        innerStride: 0,
      };
}

function layoutCall(cols: number, axis: 0 | 1, pytorch: boolean): QuantizeCall {
  const params = (x: Float32Array) => {
    const layout = axisLayout(x.length, cols, axis);
    const count = axis === 0 ? layout.dim : cols;
    const scales = Float32Array.from({ length: count }, (_, i) => fround(0.01 * (1 + (i % 7))));
    const zps = Int32Array.from({ length: count }, (_, i) => (i % 5) - 2);
    return { layout, scales, zps };
  };
  return {
    name: `layout cols=${cols} axis=${axis} ${pytorch ? "pytorch" : "onnx"}`,
    run(k, x) {
      const { layout, scales, zps } = params(x);
      const out = new Int8Array(x.length);
      return {
        nan: k.quantizeLayout(pytorch ? "pytorch" : "onnx", x, scales, zps, layout, -128, 127, out),
        out,
      };
    },
    expected(x) {
      const { layout, scales, zps } = params(x);
      const out = new Int8Array(x.length);
      return {
        nan: reference.quantizeLayout(
          pytorch ? "pytorch" : "onnx",
          x,
          scales,
          zps,
          layout,
          -128,
          127,
          out,
        ),
        out,
      };
    },
  };
}

function fakeCall(pytorch: boolean): QuantizeCall {
  return {
    name: `fake ${pytorch ? "pytorch" : "onnx"}`,
    run(k, x) {
      const out = new Float32Array(x.length);
      const semantics = pytorch ? "pytorch" : "onnx";
      return { nan: k.fakeQuantizeTensor(semantics, x, S, 3, -128, 127, out), out };
    },
    expected(x) {
      const out = new Float32Array(x.length);
      const semantics = pytorch ? "pytorch" : "onnx";
      return { nan: reference.fakeQuantizeTensor(semantics, x, S, 3, -128, 127, out), out };
    },
  };
}

function packedCall(pytorch: boolean): QuantizeCall {
  return {
    name: `packed int4 ${pytorch ? "pytorch" : "onnx"}`,
    run(k, x) {
      const out = new Uint8Array((x.length + 1) >> 1);
      return { nan: k.quantizeInt4Packed(pytorch ? "pytorch" : "onnx", x, S, 0, -8, 7, out), out };
    },
    expected(x) {
      const codes = new Int8Array(x.length);
      const nan = reference.quantizeTensor(pytorch ? "pytorch" : "onnx", x, S, 0, -8, 7, codes);
      const out = new Uint8Array((x.length + 1) >> 1);
      for (let i = 0; i < x.length; i++)
        out[i >> 1] |= ((codes[i] as number) & 0xf) << ((i & 1) * 4);
      return { nan, out };
    },
  };
}

/** Lengths that are multiples of 16 and of 32 for the row layouts (cols 16 and 48). */
const CALLS: readonly QuantizeCall[] = [
  ...FORMATS.slice(0, 4).flatMap((f) => [tensorCall(f, false), tensorCall(f, true)]),
  fakeCall(false),
  fakeCall(true),
  packedCall(false),
  packedCall(true),
];

/**
 * Layout calls, for lengths that are multiples of 240: rows of 16, 20 and 48 (row kernels; rows of
 * 20 overshoot into the next row and past the last), rows of 3 (per element), and per-axis along
 * the last axis (per element).
 */
const LAYOUT_CALLS: readonly QuantizeCall[] = [
  layoutCall(16, 0, false),
  layoutCall(20, 0, false),
  layoutCall(48, 0, true),
  layoutCall(3, 0, false),
  layoutCall(48, 1, false),
  layoutCall(16, 1, true),
];

describe("NaN: the first NaN's index, fused into the kernels", () => {
  const poisoned = poisonable(64);

  it("reports no NaN when only the slack past n holds NaN (lengths 0..140, four NaN patterns)", () => {
    for (const bits of NAN_BITS) {
      for (let n = 0; n <= 140; n++) {
        const x = randomValues(n, n + 7, S);
        for (const call of CALLS) {
          const expected = call.expected(x);
          expect(expected.nan).toBe(-1);
          poisoned.poison(bits);
          const actual = call.run(poisoned.kernels, x);
          if (actual.nan !== -1)
            throw new Error(
              `${call.name} n=${n} bits ${bits.toString(16)}: false NaN at ${actual.nan}`,
            );
          expectSameBits(actual.out, expected.out, () => `${call.name} n=${n}`);
        }
      }
    }
  });

  it("reports no NaN in layouts when the slack holds NaN (rows, pieces of long rows, per element)", () => {
    for (const bits of NAN_BITS) {
      for (const n of [0, 240, 480, 720]) {
        const x = randomValues(n, n + 3, S);
        for (const call of [
          ...LAYOUT_CALLS,
          layoutCall(n / 2, 0, false),
          layoutCall(n / 3, 0, true),
        ]) {
          const expected = call.expected(x);
          poisoned.poison(bits);
          const actual = call.run(poisoned.kernels, x);
          expect(actual.nan, `${call.name} n=${n}`).toBe(-1);
          expectSameBits(actual.out, expected.out, () => `${call.name} n=${n}`);
        }
      }
    }
  });

  it("reports no NaN after a call that left NaN in the shared instance's buffers (lengths 1..33)", () => {
    const C = fast.chunkSize;
    const full = new Float32Array(C).fill(Number.NaN);
    for (let n = 1; n <= 33; n++) {
      const x = randomValues(n, n, S);
      for (const call of CALLS) {
        // A whole chunk of NaN: every input lane of the buffer now holds NaN.
        expect(call.run(fast, full).nan).toBe(0);
        const expected = call.expected(x);
        const actual = call.run(fast, x);
        expect(actual.nan, `${call.name} n=${n}`).toBe(-1);
        expectSameBits(actual.out, expected.out, () => `${call.name} n=${n}`);
      }
    }
  });

  it("finds NaN at index 0, at the last index, in the last partial vector and in the second chunk", () => {
    for (const k of [fast, small, poisoned.kernels]) {
      const C = k.chunkSize;
      for (const n of [1, 2, 15, 17, 31, 33, 47, 63, 64, 65, 100, 2 * C + 5]) {
        const positions = new Set([0, n - 1, n - (n % 16 || 16), n - 1 - (n % 4), C + 5, C - 1, C]);
        for (const at of [...positions].filter((p) => p >= 0 && p < n)) {
          const bits = NAN_BITS[at % NAN_BITS.length] as number;
          const x = randomValues(n, n + at, S);
          x[at] = nanOf(bits);
          for (const call of CALLS) {
            if (k === poisoned.kernels) poisoned.poison(0);
            const actual = call.run(k, x);
            if (actual.nan !== at)
              throw new Error(
                `${call.name} chunk ${C} n=${n}: NaN at ${at}, reported ${actual.nan}`,
              );
            expect(call.expected(x).nan).toBe(at);
          }
        }
      }
    }
  });

  it("finds the first of several NaN, in whichever chunk and vector lane", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...NAN_BITS),
        fc.constantFrom(...CALLS),
        (n, seeds, bits, call) => {
          const x = randomValues(n, n, S);
          const at = seeds.map((s) => s % n);
          for (const i of at) x[i] = nanOf(bits);
          const first = Math.min(...at);
          for (const k of [fast, small]) expect(call.run(k, x).nan).toBe(first);
          expect(call.expected(x).nan).toBe(first);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("finds the first NaN in per-axis layouts: row kernels, rows longer than a chunk, per element", () => {
    for (const k of [fast, small, poisoned.kernels]) {
      for (const n of [240, 240 * 2, 240 * 8]) {
        for (const at of [0, 15, 16, 19, 20, 47, 64, 65, 130, 239, n - 17, n - 1]) {
          const x = randomValues(n, at, S);
          x[at] = nanOf(NAN_BITS[at % 4] as number);
          if (at + 50 < n) x[at + 50] = Number.NaN;
          for (const call of [...LAYOUT_CALLS, layoutCall(n / 2, 0, false)]) {
            if (k === poisoned.kernels) poisoned.poison(0);
            expect(call.run(k, x).nan, `${call.name} chunk ${k.chunkSize} n=${n}`).toBe(at);
            expect(call.expected(x).nan).toBe(at);
          }
        }
      }
    }
  });

  it("finds the first NaN in blocked layouts", () => {
    // [4, 96] blocked along the last axis with blocks of 32 (row kernels) and of 5 (per element).
    for (const block of [32, 5]) {
      const blocks = Math.ceil(96 / block);
      const layout: ParamLayout = {
        outer: 4,
        dim: 96,
        inner: 1,
        blockSize: block,
        outerStride: blocks,
        axisStride: 1,
        innerStride: 0,
      };
      const scales = new Float32Array(4 * blocks).fill(S);
      const zps = new Int32Array(4 * blocks);
      for (const at of [0, 31, 32, 95, 96, 200, 383]) {
        const x = randomValues(384, at, S);
        x[at] = Number.NaN;
        x[383] = Number.NaN;
        for (const k of [fast, small]) {
          expect(
            k.quantizeLayout("onnx", x, scales, zps, layout, -128, 127, new Int8Array(384)),
          ).toBe(at);
        }
        const ref = reference.quantizeLayout(
          "onnx",
          x,
          scales,
          zps,
          layout,
          -128,
          127,
          new Int8Array(384),
        );
        expect(ref).toBe(at);
      }
    }
  });

  it("finds the first NaN on the reference fallback (int32 codes)", () => {
    const x = Float32Array.from([1, 2, Number.NaN, 4, Number.NaN]);
    const int32 = [-(2 ** 31), 2 ** 31 - 1] as const;
    expect(fast.quantizeTensor("onnx", x, 1, 0, ...int32, new Int32Array(5))).toBe(2);
    expect(fast.fakeQuantizeTensor("pytorch", x, 1, 0, ...int32, new Float32Array(5))).toBe(2);
    const layout = axisLayout(5, 5, 0);
    expect(
      fast.quantizeLayout(
        "pytorch",
        x,
        Float32Array.of(1),
        Int32Array.of(0),
        layout,
        ...int32,
        new Int32Array(5),
      ),
    ).toBe(2);
    expect(fast.quantizeTensor("onnx", x.subarray(0, 2), 0.1, 0, -128, 127, new Int8Array(2))).toBe(
      -1,
    );
  });
});
