/**
 * Tensors in the kernels' memory (`allocate`) and worker threads: every combination of an
 * in-place input, an in-place output, and 1 or 2 threads gives the reference backend's bits, on
 * lengths around the in-place grain (64) and the chunk, after the memory has grown, and with NaN
 * reported at the same index.
 */
import { describe, expect, it } from "vitest";
import {
  allocate,
  decodeFloat,
  dequantize,
  dequantizeBnb,
  dequantizeGgml,
  dequantizeMx,
  dequantizePacked,
  dispose,
  fakeQuantize,
  granularParams,
  isAllocated,
  quantize,
  quantizeBnb,
  quantizeGgml,
  quantizeMx,
  quantizePacked,
  threadSupport,
} from "../src/index.js";
import { loadFastKernels } from "../src/kernels/fast/load.js";
import { firstDifference } from "./bits.js";

/** Seeded values: a normal-ish spread, with exact ties (k + 0.5) * scale mixed in. */
function data(n: number, seed: number, scale = 0.05): Float32Array {
  const x = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 2 ** 32;
    x[i] = i % 7 === 0 ? (Math.floor(u * 300) - 150 + 0.5) * scale : (u - 0.5) * 400 * scale;
  }
  return x;
}

function inPlace(x: Float32Array): Float32Array {
  const a = allocate("float32", x.length);
  a.set(x);
  return a;
}

const SIZES = [0, 1, 63, 64, 65, 1000, 65536 + 129, 300007];
const THREADS = [1, 2] as const;

describe("allocate", () => {
  it("gives in-place arrays here (Node has shared memory), and threads on 2 cores", () => {
    const support = threadSupport();
    console.log("threadSupport:", support);
    expect(support.inPlace).toBe(true);
    const a = allocate("float32", 16);
    expect(isAllocated(a)).toBe(true);
    expect(isAllocated(a.subarray(4))).toBe(true);
    expect(isAllocated(new Float32Array(16))).toBe(false);
    expect(Array.from(a)).toEqual(new Array(16).fill(0));
    dispose(a);
    expect(isAllocated(a)).toBe(false);
    expect(() => dispose(a)).toThrow(
      "dispose(): argument 'array' must be an array from allocate() that is not disposed yet",
    );
    expect(() => dispose(new Float32Array(2))).not.toThrow();
  });

  it("rejects bad arguments, naming them", () => {
    expect(() => allocate("float64" as never, 4)).toThrow(
      `allocate(): argument 'dtype' must be one of "float32", "int32", "int16", "uint16", "int8", "uint8"; received "float64".`,
    );
    expect(() => allocate("int8", -1)).toThrow(
      "allocate(): argument 'n' must be an integer from 0 to 2^30; received -1.",
    );
    expect(() => quantize([1], { dtype: "int8", scale: 1 }, { threads: 0 })).toThrow(
      `quantize(): argument 'options.threads' must be "auto" or an integer from 1 to 256; received 0.`,
    );
    expect(() => quantize([1], { dtype: "int8", scale: 1 }, { threads: "all" as never })).toThrow(
      TypeError,
    );
  });

  it("keeps every array valid and recognised after the memory grows", () => {
    const x = data(5000, 7);
    const a = inPlace(x);
    const before = loadFastKernels()?.heap?.stats().memoryBytes as number;
    const big = allocate("float32", 24 << 20); // 96 MiB: the memory must grow
    const after = loadFastKernels()?.heap?.stats().memoryBytes as number;
    console.log(`memory grew from ${before} to ${after} bytes`);
    expect(after).toBeGreaterThan(before);
    expect(a.length).toBe(5000);
    expect(firstDifference(a, x)).toBe(-1);
    expect(isAllocated(a)).toBe(true);
    const out = allocate("int8", 5000);
    const p = { dtype: "int8", scale: 0.05 } as const;
    quantize(a, p, { out });
    expect(firstDifference(out, quantize(x, p, { backend: "reference" }).data)).toBe(-1);
    big[big.length - 1] = 1;
    dispose(big);
    // Freed space is reused, zeroed.
    const again = allocate("float32", 1 << 20);
    expect(again.every((v) => v === 0)).toBe(true);
    dispose(again);
  });
});

describe("per tensor, in place and threaded: the reference's bits", () => {
  const cases = [
    { dtype: "int8", scale: 0.05, zeroPoint: 3, semantics: "onnx" },
    { dtype: "uint8", scale: 0.07, zeroPoint: 128, semantics: "pytorch" },
    { dtype: "int16", scale: 0.001, zeroPoint: -7, semantics: "onnx" },
  ] as const;
  for (const n of SIZES) {
    it(`${n} values`, () => {
      const x = data(n, n + 1);
      for (const { semantics, ...p } of cases) {
        const ref = quantize(x, p, { semantics, backend: "reference" });
        const refFake = fakeQuantize(x, p, { semantics, backend: "reference" }).data;
        const refDeq = dequantize(ref, undefined, { backend: "reference" }).data;
        for (const threads of THREADS) {
          for (const [xIn, outIn] of [
            [false, true],
            [true, false],
            [true, true],
            [false, false],
          ]) {
            const xs = xIn ? inPlace(x) : x.slice();
            const Storage = ref.data.constructor as Int8ArrayConstructor;
            const out = outIn ? allocate(p.dtype, n) : new Storage(n);
            quantize(xs, p, { semantics, out: out as Int8Array, threads });
            expect(firstDifference(out, ref.data)).toBe(-1);
            const y = outIn ? allocate("float32", n) : new Float32Array(n);
            const q = { ...ref, data: xIn ? out : (ref.data.slice() as Int8Array) };
            dequantize(q, undefined, { out: y, threads });
            expect(firstDifference(y, refDeq)).toBe(-1);
            const f = outIn ? allocate("float32", n) : new Float32Array(n);
            fakeQuantize(xs, p, { semantics, out: f, threads });
            expect(firstDifference(f, refFake)).toBe(-1);
            // In place onto its own input.
            fakeQuantize(xs, p, { semantics, out: xs, threads });
            expect(firstDifference(xs, refFake)).toBe(-1);
          }
        }
      }
    });
  }

  it("packed int4 and float16 decoding", () => {
    for (const n of [65, 4097, 300001]) {
      const x = data(n, 3, 0.2);
      const p = { dtype: "int4", scale: 0.2 } as const;
      const ref = quantizePacked(x, p, { backend: "reference" });
      const bits = new Uint16Array(n).map((_, i) => (i * 2654435761) >>> 16);
      const refHalf = decodeFloat("float16", bits, { backend: "reference" });
      for (const threads of THREADS) {
        const out = allocate("uint8", ref.data.length);
        const got = quantizePacked(inPlace(x), p, { out, threads });
        expect(firstDifference(got.data, ref.data)).toBe(-1);
        const back = dequantizePacked(got, { threads }).data;
        expect(firstDifference(back, dequantizePacked(ref, { backend: "reference" }).data)).toBe(
          -1,
        );
        const bitsIn = allocate("uint16", n);
        bitsIn.set(bits);
        const h = allocate("float32", n);
        decodeFloat("float16", bitsIn, { out: h, threads });
        expect(firstDifference(h, refHalf)).toBe(-1);
      }
    }
  });

  it("reports the first NaN at the same index on every path", () => {
    const n = 300007;
    for (const at of [5, 70000, 299990, n - 1]) {
      const x = data(n, 9);
      x[at] = Number.NaN;
      if (at < n - 2) x[n - 2] = Number.NaN;
      const p = { dtype: "int8", scale: 0.05 } as const;
      const message = `quantize(): argument 'x[${at}]'`;
      for (const threads of THREADS) {
        expect(() => quantize(x, p, { threads })).toThrow(message);
        expect(() => quantize(inPlace(x), p, { threads })).toThrow(message);
        expect(() => quantize(inPlace(x), p, { threads, out: allocate("int8", n) })).toThrow(
          message,
        );
      }
    }
  });

  it("gives the same bits on 2 threads as on 1 at 2^20 values (the default threshold is 2^18)", () => {
    const n = 1 << 20;
    const x = inPlace(data(n, 11));
    const p = { dtype: "int8", scale: 0.05 } as const;
    const one = quantize(x, p, { threads: 1 }).data;
    const auto = quantize(x, p).data;
    const two = quantize(x, p, { threads: 2 }).data;
    expect(firstDifference(auto, one)).toBe(-1);
    expect(firstDifference(two, one)).toBe(-1);
  });
});

describe("per axis and per block, in place: the reference's bits", () => {
  // Each layout path of the fast kernels (kernels/fast/stream.ts), with tails that are not a
  // whole vector and, for the rows, chunks whose last row's overshoot reads the next chunk.
  const layouts = [
    { name: "rows of 1001 along axis 0", shape: [300, 1001], axis: 0 },
    { name: "per channel along the last axis", shape: [1001, 300], axis: 1 },
    { name: "rows longer than a chunk", shape: [3, 70001], axis: 0 },
    { name: "blocks of 32 along the last axis", shape: [64, 4096], axis: 1, blockSize: 32 },
    { name: "blocks of 32, the last one short", shape: [65, 4100], axis: 1, blockSize: 32 },
    { name: "short inner rows", shape: [7, 5, 9], axis: 1 },
  ];
  for (const { name, shape, axis, blockSize } of layouts) {
    it(name, () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x = data(n, n, 0.03);
      for (const dtype of ["int8", "uint16"] as const) {
        const p = granularParams(x, {
          granularity: blockSize === undefined ? "channel" : "block",
          axis,
          ...(blockSize === undefined ? {} : { blockSize }),
          scheme: "affine",
          shape,
          dtype,
        });
        const ref = quantize(x, p, { shape, backend: "reference" });
        const refBack = dequantize(ref, undefined, { backend: "reference" }).data;
        for (const [xIn, outIn] of [
          [true, false],
          [false, true],
          [true, true],
        ]) {
          const Storage = ref.data.constructor as Uint16ArrayConstructor;
          const out = outIn ? allocate(dtype, n) : new Storage(n);
          quantize(xIn ? inPlace(x) : x, p, { shape, out: out as Uint16Array });
          expect(firstDifference(out, ref.data)).toBe(-1);
          const y = outIn ? allocate("float32", n) : new Float32Array(n);
          // Likely the block after y (first fit): no kernel may write past the tensor's end.
          const guard = allocate("float32", 64).fill(7);
          dequantize({ ...ref, data: xIn ? out : ref.data }, undefined, { out: y });
          expect(firstDifference(y, refBack)).toBe(-1);
          expect(guard.every((v) => v === 7)).toBe(true);
          dispose(guard);
        }
      }
    });
  }

  it("reports the first NaN, also where it lies in the overshoot of the call before", () => {
    const shape = [300, 1001];
    const n = 300 * 1001;
    const p = granularParams(data(n, 1), { granularity: "channel", axis: 0, shape, dtype: "int8" });
    // 65 rows of 1001 fill a 65,536-value chunk; row 65 starts the second chunk.
    for (const at of [3, 65 * 1001, 65 * 1001 + 5, n - 1]) {
      const x = data(n, 2);
      x[at] = Number.NaN;
      if (at + 40 < n) x[at + 40] = Number.NaN;
      const message = `quantize(): argument 'x[${at}]' must be a number`;
      expect(() => quantize(x, p, { shape, backend: "reference" })).toThrow(message);
      expect(() => quantize(inPlace(x), p, { shape })).toThrow(message);
      expect(() => quantize(inPlace(x), p, { shape, out: allocate("int8", n) })).toThrow(message);
    }
  });
});

describe("block formats, in place and threaded: the reference's bytes", () => {
  const rows = 64;
  for (const type of ["q8_0", "q4_0", "q4_K", "q6_K"] as const) {
    it(type, () => {
      const cols = 1024;
      const x = data(rows * cols, 5, 0.01);
      const ref = quantizeGggmlRef(x, type, rows, cols);
      const refOut = dequantizeGgml(ref, { backend: "reference" }).data;
      for (const threads of THREADS) {
        const out = allocate("uint8", ref.data.length);
        const got = quantizeGgml(inPlace(x), type, { shape: [rows, cols], out, threads });
        expect(firstDifference(got.data, ref.data)).toBe(-1);
        const y = allocate("float32", rows * cols);
        dequantizeGgml(got, { out: y, threads });
        expect(firstDifference(y, refOut)).toBe(-1);
        const plain = quantizeGgml(x, type, { shape: [rows, cols], threads });
        expect(firstDifference(plain.data, ref.data)).toBe(-1);
      }
    });
  }

  it("mxfp4 and nf4, with their codes written into options.out", () => {
    const x = data(rows * 512, 13, 0.01);
    const mxRef = quantizeMx(x, "mxfp4", { shape: [rows, 512], pack: true, backend: "reference" });
    const bnbRef = quantizeBnb(x, "nf4", { blockSize: 64, backend: "reference" });
    for (const threads of THREADS) {
      const mx = quantizeMx(inPlace(x), "mxfp4", { shape: [rows, 512], pack: true, threads });
      expect(firstDifference(mx.codes, mxRef.codes)).toBe(-1);
      expect(firstDifference(mx.scales, mxRef.scales)).toBe(-1);
      const y = allocate("float32", x.length);
      dequantizeMx(mx, { out: y, threads });
      expect(firstDifference(y, dequantizeMx(mxRef, { backend: "reference" }).data)).toBe(-1);
      const codes = allocate("uint8", mxRef.codes.length);
      const mxOut = quantizeMx(inPlace(x), "mxfp4", {
        shape: [rows, 512],
        pack: true,
        out: codes,
        threads,
      });
      expect([mxOut.codes === codes, firstDifference(codes, mxRef.codes)]).toEqual([true, -1]);
      expect(firstDifference(mxOut.scales, mxRef.scales)).toBe(-1);
      const bnb = quantizeBnb(inPlace(x), "nf4", { blockSize: 64, threads });
      expect(firstDifference(bnb.packed, bnbRef.packed)).toBe(-1);
      expect(firstDifference(bnb.absmax, bnbRef.absmax)).toBe(-1);
      const out = {
        packed: allocate("uint8", bnbRef.packed.length),
        codes: allocate("uint8", x.length),
      };
      const bnbOut = quantizeBnb(inPlace(x), "nf4", { blockSize: 64, out, threads });
      expect([bnbOut.packed === out.packed, bnbOut.codes === out.codes]).toEqual([true, true]);
      expect([
        firstDifference(out.packed, bnbRef.packed),
        firstDifference(out.codes, bnbRef.codes),
      ]).toEqual([-1, -1]);
      const z = allocate("float32", x.length);
      dequantizeBnb(bnb, { out: z, threads });
      expect(firstDifference(z, dequantizeBnb(bnbRef, { backend: "reference" }).data)).toBe(-1);
    }
  });
});

function quantizeGggmlRef(
  x: Float32Array,
  type: "q8_0" | "q4_0" | "q4_K" | "q6_K",
  r: number,
  c: number,
) {
  return quantizeGgml(x, type, { shape: [r, c], backend: "reference" });
}
