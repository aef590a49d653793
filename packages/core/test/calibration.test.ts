import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type CalibrationMethod,
  calibrate,
  entropyRange,
  Histogram,
  mseRange,
  percentileRange,
} from "../src/params/calibration/index.js";
import { rne } from "./rounding.js";

// ---------------------------------------------------------------------------------------------------
// Independent helpers: plain float64 code, written here, not calling the module's internals.
// ---------------------------------------------------------------------------------------------------

/** The smallest power of two w with bins·w > m (m > 0), by walking powers of two. */
function expectedWidth(m: number, bins: number): number {
  let w = 1;
  while (bins * w <= m) w *= 2;
  while (w / 2 > 0 && bins * (w / 2) > m) w /= 2;
  return w;
}

/** The bin of a value by edge comparisons: the largest k < bins with k·w ≤ |x|. */
function binOf(x: number, w: number, bins: number): number {
  let k = 0;
  while (k + 1 < bins && (k + 1) * w <= Math.abs(x)) k++;
  return k;
}

function sum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

/**
 * Symmetric-quantization squared error of the histogram (bin centres) for amax = k·w, in float64.
 * v / s is formed as ((2j+1)·qmax) / (2k), a quotient of two exact integers, so that an exact tie (a
 * half-integer) reaches rne as one; c / (amax / qmax) can miss it by an ulp.
 */
function bruteMse(counts: number[], w: number, k: number, qmax: number, qmin: number): number {
  const s = (k * w) / qmax;
  let err = 0;
  counts.forEach((count, j) => {
    const c = (j + 0.5) * w;
    const q = Math.max(qmin, Math.min(qmax, rne(((2 * j + 1) * qmax) / (2 * k)))) * s;
    err += (c - q) ** 2 * count;
  });
  return err;
}

/**
 * KL(P‖Q) for "clip at edge i", written out as pytorch-quantization's `_compute_amax_entropy` defines
 * it: P = bins[:i] with the outliers added to its last entry; Q = bins[:i] grouped into nq levels by
 * the edges of linspace(0, i, nq + 1), each level's sum spread evenly over its nonzero bins; both
 * normalized; Σ p ln(p/q), infinite where p > 0 = q.
 */
function bruteKl(bins: number[], i: number, nq: number): number {
  const P = bins.slice(0, i);
  P[i - 1] += sum(bins.slice(i));
  const space = Array.from({ length: nq + 1 }, (_, k) => (k * i) / nq);
  const levelOf = (j: number) => {
    let k = 0;
    while (k + 1 < nq && space[k + 1] <= j) k++;
    return k;
  };
  const levelSum = new Array<number>(nq).fill(0);
  const levelCount = new Array<number>(nq).fill(0);
  for (let j = 0; j < i; j++) {
    if (bins[j] !== 0) {
      levelSum[levelOf(j)] += bins[j];
      levelCount[levelOf(j)] += 1;
    }
  }
  const Q = bins
    .slice(0, i)
    .map((b, j) => (b === 0 ? 0 : levelSum[levelOf(j)] / levelCount[levelOf(j)]));
  const sp = sum(P);
  const sq = sum(Q);
  if (sq === 0) return Number.POSITIVE_INFINITY;
  let kl = 0;
  for (let j = 0; j < i; j++) {
    const p = P[j] / sp;
    const q = Q[j] / sq;
    if (p === 0) continue;
    if (q === 0) return Number.POSITIVE_INFINITY;
    kl += p * Math.log(p / q);
  }
  return kl;
}

/** Candidate edge indices start, start + stride, … ≤ n. */
function candidates(start: number, stride: number, n: number): number[] {
  const ks: number[] = [];
  for (let k = start; k <= n; k += stride) ks.push(k);
  return ks;
}

/** Small histograms: 16–64 bins, about a third of them empty, at least one count. */
const smallCounts = fc
  .array(fc.oneof(fc.constant(0), fc.nat(60)), { minLength: 16, maxLength: 64 })
  .filter((c) => sum(c) > 0);
const smallWidth = fc.constantFrom(0.125, 1, 4);
const levelsArb = fc.record({ bits: fc.integer({ min: 2, max: 4 }), unsigned: fc.boolean() });

// ---------------------------------------------------------------------------------------------------
// Histogram
// ---------------------------------------------------------------------------------------------------

describe("Histogram", () => {
  it("runs the doc examples", () => {
    const h = new Histogram({ bins: 4 });
    h.observe([0.5, -1.5, 3]);
    expect([h.width, Array.from(h.counts), h.total, h.max]).toEqual([1, [1, 1, 0, 1], 3, 3]);
    h.observe([6]);
    expect([h.width, Array.from(h.counts)]).toEqual([2, [2, 1, 0, 1]]);
    const g = Histogram.fromCounts([3, 0, 1], 0.5);
    expect([g.total, g.max, Array.from(g.edges())]).toEqual([4, 1.5, [0, 0.5, 1, 1.5]]);
    expect(new Histogram({ bins: 8 }).observe(new Float32Array([1, -2, 0])).width).toBe(0.5);
  });

  it("defaults to 2048 bins and picks the smallest power-of-two width with bins·w > max|x|", () => {
    const h = new Histogram();
    expect(h.bins).toBe(2048);
    expect(h.width).toBe(0);
    h.observe([-1]); // 2048·2^-11 = 1 is not > 1
    expect(h.width).toBe(2 ** -10);
    expect(h.counts[1024]).toBe(1);
    const g = new Histogram().observe([0.999]);
    expect(g.width).toBe(2 ** -11);
    expect(g.counts[2045]).toBe(1); // 0.999·2048 = 2045.95
  });

  it("counts zeros (±0) in bin 0 while the width is still 0, then keeps them there", () => {
    const h = new Histogram({ bins: 4 });
    h.observe([0, -0, 0]).observe([]);
    expect([h.width, h.total, h.max, Array.from(h.counts)]).toEqual([0, 3, 0, [3, 0, 0, 0]]);
    expect(Array.from(h.edges())).toEqual([0, 0, 0, 0, 0]);
    h.observe([-7, 0]);
    expect([h.width, h.total, h.max, Array.from(h.counts)]).toEqual([2, 5, 7, [4, 0, 0, 1]]);
  });

  it("handles the extremes: subnormal and 2^1023 − ulp values", () => {
    const tiny = new Histogram({ bins: 2048 }).observe([Number.MIN_VALUE]);
    expect(tiny.width).toBe(Number.MIN_VALUE);
    expect(tiny.counts[1]).toBe(1);
    const big = 2 ** 1023 - 2 ** 970; // the largest double below 2^1023
    const h = new Histogram({ bins: 3 }).observe([1, -big]);
    expect(h.width).toBe(2 ** 1022);
    expect(Array.from(h.counts)).toEqual([1, 1, 0]);
    expect(h.edges()[3]).toBe(3 * 2 ** 1022);
    h.observe([1e-300]); // tiny values after a huge range fall in bin 0
    expect(Array.from(h.counts)).toEqual([2, 1, 0]);
  });

  it("re-binning by merging equals binning every value afresh at the final width", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { maxLength: 30 }), {
          minLength: 1,
          maxLength: 6,
        }),
        (bins, batches) => {
          const h = new Histogram({ bins });
          for (const b of batches) h.observe(b);
          const all = batches.flat();
          const m = Math.max(0, ...all.map(Math.abs));
          expect(h.total).toBe(all.length);
          expect(sum(h.counts)).toBe(all.length);
          expect(h.max).toBe(m);
          if (m === 0) {
            expect(h.width).toBe(0);
            expect(h.counts[0]).toBe(all.length);
            return;
          }
          const w = expectedWidth(m, bins);
          expect(h.width).toBe(w);
          const expected = new Array<number>(bins).fill(0);
          for (const x of all) expected[binOf(x, w, bins)] += 1;
          expect(Array.from(h.counts)).toEqual(expected);
        },
      ),
    );
  });

  it("preserves the total through growth, and fromCounts' counts through observe", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 64 }),
        fc.constantFrom(0.25, 1, 2),
        fc.double({ min: 1, max: 1e9, noNaN: true }),
        (counts, w, big) => {
          const h = Histogram.fromCounts(counts, w);
          const before = h.total;
          h.observe([big]);
          expect(h.total).toBe(before + 1);
          expect(sum(h.counts)).toBe(before + 1);
          // merged bin j holds exactly the old bins that lie inside [j·w', (j+1)·w')
          const f = h.width / w;
          const merged = new Array<number>(counts.length).fill(0);
          counts.forEach((c, k) => {
            merged[Math.floor(k / f)] += c;
          });
          merged[binOf(big, h.width, counts.length)] += 1;
          expect(Array.from(h.counts)).toEqual(merged);
        },
      ),
    );
  });

  it("accepts Float32Array, Float64Array and arrays alike", () => {
    const data = [0.1, -0.7, 2.5, -3.25];
    const a = new Histogram({ bins: 16 }).observe(new Float64Array(data));
    const b = new Histogram({ bins: 16 }).observe(data);
    const c = new Histogram({ bins: 16 }).observe(new Float32Array([0.5, -0.75, 2.5, -3.25]));
    expect(Array.from(a.counts)).toEqual(Array.from(b.counts));
    expect(c.width).toBe(0.25);
    expect(Array.from(c.counts)).toEqual([0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]);
  });

  it("leaves the histogram unchanged when a batch is rejected", () => {
    const h = new Histogram({ bins: 4 }).observe([1, 2]);
    expect(() => h.observe([100, 3, Number.NaN])).toThrow(RangeError);
    expect([h.width, h.total, h.max, Array.from(h.counts)]).toEqual([1, 2, 2, [0, 1, 1, 0]]);
  });

  it("rejects bad values with pinned messages", () => {
    const h = new Histogram({ bins: 8 });
    expect(() => h.observe([1, Number.NaN])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram.observe(): argument 'values[1]' must be a finite number with |x| < 2^1023; received NaN.]`,
    );
    expect(() => h.observe([Number.POSITIVE_INFINITY])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram.observe(): argument 'values[0]' must be a finite number with |x| < 2^1023; received Infinity.]`,
    );
    expect(() =>
      h.observe(new Float32Array([0, Number.NEGATIVE_INFINITY])),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram.observe(): argument 'values[1]' must be a finite number with |x| < 2^1023; received -Infinity.]`,
    );
    expect(() => h.observe([2 ** 1023])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram.observe(): argument 'values[0]' must be a finite number with |x| < 2^1023; received 8.98846567431158e+307.]`,
    );
    expect(() => h.observe([1, "2"] as unknown as number[])).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Histogram.observe(): argument 'values[1]' must be a number; received "2".]`,
    );
    expect(() =>
      h.observe(new Int8Array(2) as unknown as number[]),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Histogram.observe(): argument 'values' must be a Float32Array, a Float64Array or an array of numbers; received an Int8Array of length 2.]`,
    );
    expect(() => h.observe(3 as unknown as number[])).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Histogram.observe(): argument 'values' must be a Float32Array, a Float64Array or an array of numbers; received 3.]`,
    );
    expect(() => h.observe([1, Number.NaN])).toThrow(RangeError);
    expect(() => h.observe([1, "2"] as unknown as number[])).toThrow(TypeError);
  });

  it("rejects bad constructor options and fromCounts arguments with pinned messages", () => {
    expect(() => new Histogram({ bins: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram(): argument 'options.bins' must be an integer in [1, 16777216]; received 0.]`,
    );
    expect(() => new Histogram({ bins: 2.5 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram(): argument 'options.bins' must be an integer in [1, 16777216]; received 2.5.]`,
    );
    expect(() => new Histogram({ bins: 2 ** 24 + 1 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram(): argument 'options.bins' must be an integer in [1, 16777216]; received 16777217.]`,
    );
    expect(
      () => new Histogram({ bins: "8" as unknown as number }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Histogram(): argument 'options.bins' must be an integer in [1, 16777216]; received "8".]`,
    );
    expect(() => new Histogram(8 as unknown as object)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Histogram(): argument 'options' must be an object (keys 'bins') or undefined; received 8.]`,
    );
    expect(() => Histogram.fromCounts([], 1)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram.fromCounts(): argument 'counts' must be of length in [1, 16777216]; received an array of length 0.]`,
    );
    expect(() => Histogram.fromCounts([1, -1], 1)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram.fromCounts(): argument 'counts[1]' must be a non-negative safe integer; received -1.]`,
    );
    expect(() => Histogram.fromCounts([1, 0.5], 1)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram.fromCounts(): argument 'counts[1]' must be a non-negative safe integer; received 0.5.]`,
    );
    expect(() => Histogram.fromCounts([1, 2], 3)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram.fromCounts(): argument 'width' must be a finite power of two (2^e); received 3.]`,
    );
    expect(() => Histogram.fromCounts([1, 2], 0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram.fromCounts(): argument 'width' must be a finite power of two (2^e); received 0.]`,
    );
    expect(() =>
      Histogram.fromCounts([1, 2], Number.POSITIVE_INFINITY),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: Histogram.fromCounts(): argument 'width' must be a finite power of two (2^e); received Infinity.]`,
    );
    expect(() =>
      Histogram.fromCounts("12" as unknown as number[], 1),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: Histogram.fromCounts(): argument 'counts' must be an array or a typed array of counts; received "12".]`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// percentileRange
// ---------------------------------------------------------------------------------------------------

describe("percentileRange", () => {
  it("runs the doc example: the upper edge of the bin where the cdf reaches p", () => {
    const h = Histogram.fromCounts([50, 30, 15, 4, 1], 1);
    expect([percentileRange(h, 50), percentileRange(h, 95), percentileRange(h, 99.5)]).toEqual([
      1, 3, 5,
    ]);
    // pytorch-quantization would answer edges[searchsorted(cdf, p/100)]: 0, 2, 4 (the lower edges)
    expect(percentileRange(h, 50.01)).toBe(2);
    expect(percentileRange(h, 100)).toBe(5);
    expect(percentileRange(h, 1e-9)).toBe(1);
  });

  it("stops at the last non-empty bin for p = 100", () => {
    expect(percentileRange(Histogram.fromCounts([1, 0, 2, 0, 0], 0.5), 100)).toBe(1.5);
  });

  it("matches a sort-based search on raw data", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 4, max: 64 }),
        fc.oneof(
          fc.constantFrom(1, 25, 50, 90, 99, 99.9, 99.99, 100),
          fc.double({ min: 0, max: 100, minExcluded: true, noNaN: true }),
        ),
        (values, parts, bins, p) => {
          fc.pre(values.some((v) => v !== 0));
          const h = new Histogram({ bins });
          const size = Math.ceil(values.length / parts);
          for (let i = 0; i < values.length; i += size) h.observe(values.slice(i, i + size));
          const sorted = values.map(Math.abs).sort((a, b) => a - b);
          const n = sorted.length;
          let rank = 1; // smallest K with K ≥ p% of n
          while (100 * rank < p * n) rank++;
          const w = expectedWidth(sorted[n - 1], bins);
          expect(percentileRange(h, p)).toBe((binOf(sorted[rank - 1], w, bins) + 1) * w);
        },
      ),
    );
  });

  it("is monotonic in p", () => {
    fc.assert(
      fc.property(
        smallCounts,
        smallWidth,
        fc.double({ min: 0, max: 100, minExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 100, minExcluded: true, noNaN: true }),
        (counts, w, a, b) => {
          const h = Histogram.fromCounts(counts, w);
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          expect(percentileRange(h, lo)).toBeLessThanOrEqual(percentileRange(h, hi));
        },
      ),
    );
  });

  it("rejects bad arguments with pinned messages", () => {
    const h = Histogram.fromCounts([1, 2], 1);
    expect(() => percentileRange(h, 0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: percentileRange(): argument 'percentile' must be a number in (0, 100]; received 0.]`,
    );
    expect(() => percentileRange(h, 100.5)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: percentileRange(): argument 'percentile' must be a number in (0, 100]; received 100.5.]`,
    );
    expect(() => percentileRange(h, Number.NaN)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: percentileRange(): argument 'percentile' must be a number in (0, 100]; received NaN.]`,
    );
    expect(() => percentileRange(h, "99" as unknown as number)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: percentileRange(): argument 'percentile' must be a number in (0, 100]; received "99".]`,
    );
    expect(() => percentileRange(new Histogram(), 99)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: percentileRange(): argument 'hist' must be a Histogram holding a nonzero value; received an empty Histogram.]`,
    );
    expect(() =>
      percentileRange(new Histogram().observe([0, 0]), 99),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: percentileRange(): argument 'hist' must be a Histogram holding a nonzero value; received a Histogram of 2 values, all 0.]`,
    );
    expect(() =>
      percentileRange(Histogram.fromCounts([0, 0], 1), 99),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: percentileRange(): argument 'hist' must be a Histogram holding a nonzero value; received an empty Histogram.]`,
    );
    expect(() =>
      percentileRange([1, 2] as unknown as Histogram, 99),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: percentileRange(): argument 'hist' must be a Histogram; received an array of length 2.]`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// mseRange
// ---------------------------------------------------------------------------------------------------

describe("mseRange", () => {
  /** The inputs of a search: counts, bin width, levels and the first candidate edge. */
  const searchArbs = [smallCounts, smallWidth, levelsArb, fc.integer({ min: 1, max: 16 })] as const;

  it("runs the doc example", () => {
    expect(mseRange(Histogram.fromCounts([40, 30, 20, 5, 3, 1, 0, 1], 1), { bits: 2 })).toBe(2);
  });

  it("returns the argmin of a brute-force search over every candidate edge (ties to the smallest)", () => {
    fc.assert(
      fc.property(
        ...searchArbs,
        fc.integer({ min: 1, max: 3 }),
        (counts, w, { bits, unsigned }, start, stride) => {
          const h = Histogram.fromCounts(counts, w);
          const qmax = unsigned ? 2 ** bits - 1 : 2 ** (bits - 1) - 1;
          const qmin = unsigned ? 0 : -qmax;
          const ks = candidates(start, stride, counts.length);
          const errs = ks.map((k) => bruteMse(counts, w, k, qmax, qmin));
          const min = Math.min(...errs);
          const first = ks[errs.findIndex((e) => e <= min * (1 + 1e-12))];
          expect(mseRange(h, { bits, unsigned, start, stride })).toBe(first * w);
          if (start === 1 && stride === 1) expect(mseRange(h, { bits, unsigned })).toBe(first * w);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("stays within [first candidate edge, top edge]", () => {
    fc.assert(
      fc.property(...searchArbs, (counts, w, lv, start) => {
        const amax = mseRange(Histogram.fromCounts(counts, w), { ...lv, start });
        expect(amax).toBeGreaterThanOrEqual(start * w);
        expect(amax).toBeLessThanOrEqual(counts.length * w);
        expect(Number.isInteger(amax / w)).toBe(true);
      }),
    );
  });

  it("breaks exact ties toward the smallest amax", () => {
    // one value at the centre 0.5 with qmax = 1: every amax ≥ 1 rounds it to 0, error 0.25 each
    expect(mseRange(Histogram.fromCounts([1, 0, 0, 0], 1), { bits: 2 })).toBe(1);
    // amax 1.25 and 1.375 tie exactly (Σ count·d² = 15627, times (w/6)², each); in float64 the second comes out
    // one ulp smaller (6.782552083333332 against …334), which a float search would pick
    const h = Histogram.fromCounts([0, 0, 60, 0, 0, 36, 24, 0, 36, 22, 35, 0, 20, 10, 0, 0], 0.125);
    expect(mseRange(h, { bits: 3 })).toBe(1.25);
  });

  it("reads the dtype table: int8 → qmax 127, uint4 → 15, int4 → 7", () => {
    const h = Histogram.fromCounts([90, 50, 30, 20, 12, 8, 5, 3, 2, 1, 1, 0, 0, 0, 0, 1], 1);
    expect(mseRange(h, { dtype: "int4" })).toBe(mseRange(h, { bits: 4 }));
    expect(mseRange(h, { dtype: "uint4" })).toBe(mseRange(h, { bits: 4, unsigned: true }));
    expect(mseRange(h, { dtype: "int8" })).toBe(mseRange(h));
  });

  it("rejects bad options with pinned messages", () => {
    const h = Histogram.fromCounts([1, 2, 3, 4], 1);
    expect(() => mseRange(h, { bits: 1 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: mseRange(): argument 'options.bits' must be an integer in [2, 32]; received 1.]`,
    );
    expect(() => mseRange(h, { bits: 33 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: mseRange(): argument 'options.bits' must be an integer in [2, 32]; received 33.]`,
    );
    expect(() =>
      mseRange(h, { bits: "8" as unknown as number }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: mseRange(): argument 'options.bits' must be an integer in [2, 32]; received "8".]`,
    );
    expect(() => mseRange(h, { dtype: "int3" as "int4" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: mseRange(): argument 'options.dtype' must be an integer dtype (int4, uint4, int8, uint8, int16, uint16, int32); received "int3".]`,
    );
    expect(() => mseRange(h, { dtype: "int8", bits: 8 })).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: mseRange(): argument 'options.bits' must be undefined when options.dtype is given; received 8.]`,
    );
    expect(() =>
      mseRange(h, { dtype: "int8", unsigned: false }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: mseRange(): argument 'options.unsigned' must be undefined when options.dtype is given; received false.]`,
    );
    expect(() =>
      mseRange(h, { unsigned: 1 as unknown as boolean }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: mseRange(): argument 'options.unsigned' must be a boolean; received 1.]`,
    );
    expect(() => mseRange(h, { start: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: mseRange(): argument 'options.start' must be an integer in [1, 4] (the histogram's bin count); received 0.]`,
    );
    expect(() => mseRange(h, { start: 5 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: mseRange(): argument 'options.start' must be an integer in [1, 4] (the histogram's bin count); received 5.]`,
    );
    expect(() => mseRange(h, { stride: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: mseRange(): argument 'options.stride' must be an integer ≥ 1; received 0.]`,
    );
    expect(() => mseRange(h, null as unknown as object)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: mseRange(): argument 'options' must be an object (keys 'dtype', 'bits', 'unsigned', 'start', 'stride') or undefined; received null.]`,
    );
    expect(() => mseRange(new Histogram(), {})).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: mseRange(): argument 'hist' must be a Histogram holding a nonzero value; received an empty Histogram.]`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// entropyRange
// ---------------------------------------------------------------------------------------------------

/**
 * Deterministic histograms shared with the reference script: MINSTD noise, integer arithmetic only, so
 * Python and TypeScript build the same counts. counts_j = ⌊peak·s^p / (s^p + j^p)⌋ (+ noise where > 0),
 * some bins emptied, `tail` outliers dropped in the upper half.
 */
function synth(c: {
  n: number;
  seed: number;
  scale: number;
  power: number;
  peak: number;
  noise: number;
  zeroPct: number;
  tail: number;
}): number[] {
  let s = c.seed;
  const next = () => {
    s = (s * 48271) % 2147483647;
    return s;
  };
  const sp = c.scale ** c.power;
  const counts: number[] = [];
  for (let j = 0; j < c.n; j++) {
    const base = Math.floor((c.peak * sp) / (sp + j ** c.power));
    let count = base > 0 ? base + (next() % (c.noise + 1)) : 0;
    if (next() % 100 < c.zeroPct) count = 0;
    counts.push(count);
  }
  for (let t = 0; t < c.tail; t++) {
    const idx = c.n - 1 - (next() % Math.floor(c.n / 2));
    counts[idx] += 1 + (next() % 3);
  }
  return counts;
}

/**
 * amax (edge index, width 1) from pytorch-quantization's `_compute_amax_entropy` itself (transcribed
 * with numpy 2.4 / scipy 1.17, torch removed, calib_bin_edges = 0..n) on `synth` histograms. Each
 * minimum beats the runner-up by a relative margin of at least 3e-4, so summation order cannot flip it.
 */
const ENTROPY_REFERENCE = [
  {
    n: 2048,
    seed: 1,
    scale: 100,
    power: 4,
    peak: 10000,
    noise: 0,
    zeroPct: 0,
    tail: 1,
    bits: 8,
    amax: 1000,
  },
  {
    n: 2048,
    seed: 2,
    scale: 300,
    power: 4,
    peak: 10000,
    noise: 0,
    zeroPct: 0,
    tail: 30,
    bits: 8,
    amax: 2048,
  },
  {
    n: 2048,
    seed: 3,
    scale: 150,
    power: 4,
    peak: 5000,
    noise: 3,
    zeroPct: 30,
    tail: 40,
    bits: 8,
    amax: 1472,
  },
  {
    n: 2048,
    seed: 4,
    scale: 40,
    power: 2,
    peak: 20000,
    noise: 2,
    zeroPct: 5,
    tail: 10,
    bits: 8,
    amax: 2048,
  },
  {
    n: 2048,
    seed: 13,
    scale: 400,
    power: 4,
    peak: 3000,
    noise: 1,
    zeroPct: 0,
    tail: 200,
    bits: 8,
    amax: 2048,
  },
  {
    n: 2048,
    seed: 14,
    scale: 250,
    power: 2,
    peak: 500,
    noise: 20,
    zeroPct: 2,
    tail: 20,
    bits: 8,
    amax: 2048,
  },
  {
    n: 1024,
    seed: 5,
    scale: 30,
    power: 2,
    peak: 1000,
    noise: 1,
    zeroPct: 0,
    tail: 5,
    bits: 8,
    unsigned: true,
    amax: 949,
  },
  {
    n: 512,
    seed: 6,
    scale: 60,
    power: 4,
    peak: 3000,
    noise: 1,
    zeroPct: 10,
    tail: 3,
    bits: 8,
    stride: 3,
    amax: 446,
  },
  {
    n: 512,
    seed: 7,
    scale: 20,
    power: 2,
    peak: 3000,
    noise: 0,
    zeroPct: 0,
    tail: 0,
    bits: 7,
    start: 100,
    amax: 512,
  },
  {
    n: 256,
    seed: 8,
    scale: 15,
    power: 2,
    peak: 500,
    noise: 1,
    zeroPct: 20,
    tail: 8,
    bits: 6,
    amax: 255,
  },
  {
    n: 48,
    seed: 9,
    scale: 5,
    power: 2,
    peak: 300,
    noise: 2,
    zeroPct: 15,
    tail: 2,
    bits: 3,
    amax: 36,
  },
  {
    n: 64,
    seed: 10,
    scale: 12,
    power: 4,
    peak: 300,
    noise: 1,
    zeroPct: 10,
    tail: 3,
    bits: 4,
    amax: 43,
  },
  {
    n: 32,
    seed: 11,
    scale: 5,
    power: 2,
    peak: 200,
    noise: 4,
    zeroPct: 20,
    tail: 1,
    bits: 2,
    amax: 18,
  },
  {
    n: 40,
    seed: 12,
    scale: 8,
    power: 4,
    peak: 100,
    noise: 1,
    zeroPct: 0,
    tail: 4,
    bits: 3,
    start: 2,
    amax: 22,
  },
];

describe("entropyRange", () => {
  it("runs the doc example", () => {
    expect(
      entropyRange(Histogram.fromCounts([9, 9, 7, 6, 4, 3, 2, 2, 1, 0, 0, 1], 1), { bits: 3 }),
    ).toBe(9);
  });

  it.each(ENTROPY_REFERENCE)(
    "matches pytorch-quantization on synth #$seed ($n bins, $bits bits)",
    (c) => {
      const counts = synth(c);
      const { bits, unsigned, start, stride } = c as typeof c & {
        unsigned?: boolean;
        start?: number;
        stride?: number;
      };
      expect(entropyRange(Histogram.fromCounts(counts, 1), { bits, unsigned, start, stride })).toBe(
        c.amax,
      );
      expect(
        entropyRange(Histogram.fromCounts(counts, 0.5), { bits, unsigned, start, stride }),
      ).toBe(c.amax / 2);
    },
  );

  it("returns the argmin of a brute-force KL search over every candidate", () => {
    fc.assert(
      fc.property(
        smallCounts,
        smallWidth,
        levelsArb,
        fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (counts, w, { bits, unsigned }, start, stride, keepFirstBin) => {
          const nq = 2 ** (bits - 1 + (unsigned ? 1 : 0));
          const bins = counts.slice();
          if (!keepFirstBin) bins[0] = bins[1];
          const ks = candidates(start ?? nq, stride, counts.length);
          const kls = ks.map((i) => bruteKl(bins, i, nq));
          const min = Math.min(...kls);
          const amax = entropyRange(Histogram.fromCounts(counts, w), {
            bits,
            unsigned,
            start,
            stride,
            keepFirstBin,
          });
          if (min === Number.POSITIVE_INFINITY) {
            expect(amax).toBe(ks[ks.length - 1] * w); // every KL infinite: the largest candidate
            return;
          }
          // KL has logs, so values equal in exact arithmetic may differ by an ulp, in either code: the
          // answer must be one of the candidates within 1e-13 of the minimum; where that is a single
          // candidate (nearly always), it is the argmin itself. Exact ties are pinned below.
          const argmins = ks.filter((_, n) => kls[n] <= min + 1e-13).map((k) => k * w);
          expect(argmins).toContain(amax);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("replaces bin 0 by bin 1 unless keepFirstBin", () => {
    // a spike of zeros in bin 0 drags amax down to the first candidate unless it is discounted;
    // the replaced answers (11, 12, 16) are those of the transcribed reference
    const h = Histogram.fromCounts([1000, 2, 5, 9, 7, 6, 4, 3, 2, 2, 1, 1, 0, 1, 0, 1], 1);
    const answers = [2, 3, 4].map((bits) => [
      entropyRange(h, { bits, keepFirstBin: true }),
      entropyRange(h, { bits }),
    ]);
    expect(answers).toEqual([
      [2, 11],
      [4, 12],
      [8, 16],
    ]);
    // a one-bin histogram has no bin 1: kept as is
    expect(entropyRange(Histogram.fromCounts([3], 1), { bits: 2, start: 1 })).toBe(1);
  });

  it("breaks exact ties toward the largest amax, and takes the largest candidate when every KL is +∞", () => {
    // nquant 8 ≥ 4 bins: i = 1 (one bin holding everything) and i = 4 (Q = P) both have KL 0
    expect(
      entropyRange(Histogram.fromCounts([4, 4, 4, 4], 1), {
        bits: 4,
        start: 1,
        keepFirstBin: true,
      }),
    ).toBe(4);
    // i = 1 and i = 3: nothing below the edge, so Q is empty (the reference gets NaN): +∞ both
    expect(
      entropyRange(Histogram.fromCounts([0, 0, 0, 1], 1), {
        bits: 2,
        start: 1,
        stride: 2,
        keepFirstBin: true,
      }),
    ).toBe(3);
    // a last bin that is empty while outliers lie beyond gives +∞ (no smoothing, as the reference)
    expect(
      entropyRange(Histogram.fromCounts([5, 5, 0, 5], 1), {
        bits: 2,
        start: 3,
        keepFirstBin: true,
      }),
    ).toBe(4);
  });

  it("stays within [first candidate edge, top edge]", () => {
    fc.assert(
      fc.property(smallCounts, smallWidth, levelsArb, (counts, w, lv) => {
        const amax = entropyRange(Histogram.fromCounts(counts, w), lv);
        expect(amax).toBeGreaterThanOrEqual(2 ** (lv.bits - 1 + (lv.unsigned ? 1 : 0)) * w);
        expect(amax).toBeLessThanOrEqual(counts.length * w);
      }),
    );
  });

  it("rejects bad options with pinned messages", () => {
    const h = Histogram.fromCounts([1, 2, 3, 4, 5, 6, 7, 8], 1);
    expect(() => entropyRange(h)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: entropyRange(): argument 'hist' must be a Histogram of at least 128 bins (nquant = 2^(bits-1+unsigned), the default options.start); received a Histogram of 8 bins.]`,
    );
    expect(() => entropyRange(h, { bits: 5 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: entropyRange(): argument 'hist' must be a Histogram of at least 16 bins (nquant = 2^(bits-1+unsigned), the default options.start); received a Histogram of 8 bins.]`,
    );
    expect(entropyRange(h, { bits: 4 })).toBe(8); // nquant 8 = 8 bins: one candidate
    expect(() => entropyRange(h, { bits: 3, stride: 1.5 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: entropyRange(): argument 'options.stride' must be an integer ≥ 1; received 1.5.]`,
    );
    expect(() =>
      entropyRange(h, { bits: 3, keepFirstBin: "yes" as unknown as boolean }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: entropyRange(): argument 'options.keepFirstBin' must be a boolean; received "yes".]`,
    );
    expect(() =>
      entropyRange(new Histogram().observe([0]), { bits: 3 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: entropyRange(): argument 'hist' must be a Histogram holding a nonzero value; received a Histogram of 1 values, all 0.]`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// calibrate
// ---------------------------------------------------------------------------------------------------

describe("calibrate", () => {
  it("runs the doc examples", () => {
    expect(calibrate([0.5, -2, 1.25, 3.5], { method: "minmax" })).toEqual({
      amax: 3.5,
      scale: 0.027559055015444756,
    });
    expect(
      calibrate(Histogram.fromCounts([50, 30, 15, 4, 1], 1), {
        method: "percentile",
        percentile: 95,
      }),
    ).toEqual({
      amax: 3,
      scale: 0.023622047156095505,
    });
  });

  it("divides by the restricted qmax: 127 int8, 255 uint8, 7 int4, 2^(bits−1) − 1", () => {
    const x = [1, -2.5, 10];
    // Math.fround(10 / 127) etc., as float32 constants
    expect(calibrate(x, { method: "minmax" }).scale).toBe(0.07874015718698502);
    expect(calibrate(x, { method: "minmax", dtype: "uint8" }).scale).toBe(0.03921568766236305);
    expect(calibrate(x, { method: "minmax", dtype: "int4" }).scale).toBe(1.4285714626312256);
    expect(calibrate(x, { method: "minmax", bits: 3 }).scale).toBe(3.3333332538604736);
    expect(calibrate(x, { method: "minmax", bits: 16 }).scale).toBe(Math.fround(10 / 32767));
  });

  it("rounds amax to float32 before dividing", () => {
    const r = calibrate([0.1], { method: "minmax" });
    expect(r.amax).toBe(Math.fround(0.1));
    expect(r.amax).not.toBe(0.1);
    expect(r.scale).toBe(Math.fround(Math.fround(0.1) / 127));
  });

  it("agrees with the range functions, from raw values or from the histogram", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.constantFrom<CalibrationMethod>("percentile", "mse", "entropy", "minmax"),
        (values, method) => {
          fc.pre(values.some((v) => Math.abs(v) > 1e-30));
          const bins = 32;
          const h = new Histogram({ bins }).observe(values);
          const amax = {
            percentile: () => percentileRange(h, 99),
            mse: () => mseRange(h, { bits: 4 }),
            entropy: () => entropyRange(h, { bits: 4 }),
            minmax: () => h.max,
          }[method]();
          const options = {
            method,
            bits: 4,
            ...(method === "percentile" ? { percentile: 99 } : {}),
          };
          const expected = { amax: Math.fround(amax), scale: Math.fround(Math.fround(amax) / 7) };
          expect(calibrate(values, { ...options, bins })).toEqual(expected);
          expect(calibrate(h, options)).toEqual(expected);
        },
      ),
    );
  });

  it("uses 2048 bins and percentile 99.99 by default", () => {
    const values = Array.from({ length: 20000 }, (_, i) => ((i * 7919) % 20011) / 100 - 100);
    const h = new Histogram().observe(values);
    expect(calibrate(values, { method: "percentile" }).amax).toBe(
      Math.fround(percentileRange(h, 99.99)),
    );
    expect(calibrate(values, { method: "entropy" }).amax).toBe(Math.fround(entropyRange(h)));
  });

  it("rejects bad inputs with pinned messages", () => {
    const h = Histogram.fromCounts([1, 2], 1);
    expect(() => calibrate([1], { method: "max" as "minmax" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: calibrate(): argument 'options.method' must be one of minmax, percentile, mse, entropy; received "max".]`,
    );
    expect(() =>
      calibrate([1], { method: 1 as unknown as "minmax" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: calibrate(): argument 'options.method' must be one of minmax, percentile, mse, entropy; received 1.]`,
    );
    expect(() =>
      calibrate([1], undefined as unknown as { method: "minmax" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: calibrate(): argument 'options' must be an object with a method; received undefined.]`,
    );
    expect(() =>
      calibrate([1], { method: "mse", percentile: 99 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: calibrate(): argument 'options.percentile' must be undefined with method "mse"; received 99.]`,
    );
    expect(() => calibrate([1], { method: "minmax", start: 3 })).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: calibrate(): argument 'options.start' must be undefined with method "minmax"; received 3.]`,
    );
    expect(() => calibrate(h, { method: "mse", bins: 16 })).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: calibrate(): argument 'options.bins' must be undefined when data is a Histogram; received 16.]`,
    );
    expect(() => calibrate([1], { method: "minmax", bins: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: calibrate(): argument 'options.bins' must be an integer in [1, 16777216]; received 0.]`,
    );
    expect(() =>
      calibrate([1], { method: "percentile", percentile: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: calibrate(): argument 'options.percentile' must be a number in (0, 100]; received 0.]`,
    );
    expect(() =>
      calibrate([1, Number.NaN], { method: "minmax" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: calibrate(): argument 'data[1]' must be a finite number with |x| < 2^1023; received NaN.]`,
    );
    expect(() => calibrate([0, -0], { method: "minmax" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: calibrate(): argument 'data' must be a batch with at least one nonzero value; received 2 values, all 0.]`,
    );
    expect(() => calibrate([], { method: "mse" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: calibrate(): argument 'data' must be a batch with at least one nonzero value; received no values.]`,
    );
    expect(() => calibrate([1e-45], { method: "minmax" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: calibrate(): argument 'data' must be a range whose scale amax / qmax is a finite float32 > 0; received amax 1e-45 (scale 0).]`,
    );
    expect(() => calibrate([1e39], { method: "minmax" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: calibrate(): argument 'data' must be a range whose scale amax / qmax is a finite float32 > 0; received amax 1e+39 (scale Infinity).]`,
    );
    expect(() => calibrate(h, { method: "entropy" })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: calibrate(): argument 'data' must be a Histogram of at least 128 bins (nquant = 2^(bits-1+unsigned), the default options.start); received a Histogram of 2 bins.]`,
    );
  });
});
