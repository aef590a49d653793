import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { type Int8DType, type Int8Matrix, matmulInteger } from "../src/index.js";

interface GoldenMatrix {
  dtype: Int8DType;
  shape: [number, number];
  data: number[];
}

// The `matmul_integer` cases of /work/shared/golden/integer-ops.json (oracle: numpy 1.24 int64),
// copied verbatim: the core package's tests run from a clean clone without the shared folder.
const GOLDEN_MATMUL: {
  id: string;
  a: GoldenMatrix;
  b: GoldenMatrix;
  aZeroPoint: number;
  bZeroPoint: number;
  expected: { shape: [number, number]; data: number[] };
}[] = [
  {
    id: "matmul-integer-int8-int8",
    a: {
      dtype: "int8",
      shape: [5, 3],
      data: [7, 67, 17, -56, -39, 71, 48, 108, 80, 121, 127, 123, 30, 9, -17],
    },
    b: {
      dtype: "int8",
      shape: [3, 8],
      data: [
        -100, 67, 5, -35, -87, 113, 10, 7, -109, -99, 52, 59, -113, 14, -57, 84, 91, -79, -102, -93,
        -76, 100, -35, -72,
      ],
    },
    aZeroPoint: -40,
    bZeroPoint: 16,
    expected: {
      shape: [5, 8],
      data: [
        -14552, -15323, -3391, -4009, -23888, 9133, -11000, 1837, 10056, -11476, -12886, -11240,
        -8693, 7770, -5638, -9556, -19708, -23932, -9800, -11204, -39196, 18320, -17452, -1288,
        -27326, -26479, -14993, -18797, -53122, 28975, -21470, -4437, -12520, -4250, -1720, -3970,
        -15647, 8624, -5170, 678,
      ],
    },
  },
  {
    id: "matmul-integer-uint8-int8",
    a: {
      dtype: "uint8",
      shape: [7, 3],
      data: [
        224, 108, 224, 207, 44, 201, 16, 234, 91, 6, 40, 254, 115, 103, 99, 231, 7, 253, 82, 111,
        213,
      ],
    },
    b: { dtype: "int8", shape: [3, 1], data: [3, 13, -9] },
    aZeroPoint: 254,
    bZeroPoint: 127,
    expected: { shape: [7, 1], data: [24444, 36976, 53960, 55148, 55530, 31146, 43206] },
  },
  {
    id: "matmul-integer-uint8-uint8",
    a: {
      dtype: "uint8",
      shape: [5, 5],
      data: [
        171, 47, 109, 84, 184, 145, 178, 37, 186, 121, 146, 208, 119, 74, 80, 51, 139, 247, 140, 60,
        156, 115, 14, 3, 25,
      ],
    },
    b: {
      dtype: "uint8",
      shape: [5, 8],
      data: [
        87, 189, 163, 190, 93, 32, 126, 195, 231, 243, 74, 242, 135, 143, 191, 37, 108, 199, 181,
        132, 189, 231, 215, 137, 248, 54, 166, 30, 211, 6, 24, 228, 18, 236, 88, 24, 95, 174, 249,
        75,
      ],
    },
    aZeroPoint: 167,
    bZeroPoint: 223,
    expected: {
      shape: [5, 8],
      data: [
        -394, 13104, 22512, 15502, 10832, 25550, 20875, 24265, 27935, 279, 10268, 18252, 11972, 413,
        -2155, 16653, 24214, 17272, 14213, 41102, 13006, 24791, 17354, 9501, 27612, 4636, 23756,
        22520, 28844, 36138, 14099, 17277, 43685, 28876, 43352, 73208, 31352, 47583, 32899, 43334,
      ],
    },
  },
];

function typed(m: GoldenMatrix): Int8Matrix {
  return m.dtype === "int8"
    ? { data: Int8Array.from(m.data), shape: m.shape }
    : { data: Uint8Array.from(m.data), shape: m.shape };
}

/** Naive BigInt reference: sum_k (a[i,k] - azp) * (b[k,j] - bzp), i-j-k order, no int32 anywhere. */
function matmulReference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
  azp: number,
  bzp: number,
): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0n;
      for (let p = 0; p < k; p++) sum += BigInt(a[i * k + p] - azp) * BigInt(b[p * n + j] - bzp);
      out.push(sum);
    }
  }
  return out;
}

describe("matmulInteger: golden cases (integer-ops.json)", () => {
  test.each(GOLDEN_MATMUL)(
    "$id, plain arrays with dtype",
    ({ a, b, aZeroPoint, bZeroPoint, expected }) => {
      const y = matmulInteger(a, b, { aZeroPoint, bZeroPoint });
      expect(y.dtype).toBe("int32");
      expect(y.data).toBeInstanceOf(Int32Array);
      expect(y.shape).toEqual(expected.shape);
      expect(Array.from(y.data)).toEqual(expected.data);
    },
  );

  test.each(GOLDEN_MATMUL)(
    "$id, typed arrays (dtype read from the array)",
    ({ a, b, aZeroPoint, bZeroPoint, expected }) => {
      const y = matmulInteger(typed(a), typed(b), { aZeroPoint, bZeroPoint });
      expect(Array.from(y.data)).toEqual(expected.data);
    },
  );
});

describe("matmulInteger: semantics", () => {
  test("doc example", () => {
    // a - 1 = [[0, 1], [2, 3]]; b = [[5, -6], [7, 8]]:
    // [0*5 + 1*7, 0*-6 + 1*8; 2*5 + 3*7, 2*-6 + 3*8] = [7, 8; 31, 12].
    expect(
      matmulInteger(
        { data: new Uint8Array([1, 2, 3, 4]), shape: [2, 2] },
        { data: [5, -6, 7, 8], shape: [2, 2], dtype: "int8" },
        { aZeroPoint: 1 },
      ),
    ).toEqual({ dtype: "int32", data: new Int32Array([7, 8, 31, 12]), shape: [2, 2] });
  });

  test("zero points default to 0", () => {
    // [1 2] @ [3; 4] = 11.
    const y = matmulInteger(
      { data: [1, 2], shape: [1, 2], dtype: "uint8" },
      { data: [3, 4], shape: [2, 1], dtype: "uint8" },
    );
    expect(Array.from(y.data)).toEqual([11]);
    expect(y.shape).toEqual([1, 1]);
  });

  test("widest terms: (0 - 255) * (255 - 0) and (127 - -128) * (-128 - 127)", () => {
    const y1 = matmulInteger(
      { data: new Uint8Array([0]), shape: [1, 1] },
      { data: new Uint8Array([255]), shape: [1, 1] },
      { aZeroPoint: 255 },
    );
    expect(Array.from(y1.data)).toEqual([-65025]);
    const y2 = matmulInteger(
      { data: new Int8Array([127]), shape: [1, 1] },
      { data: new Int8Array([-128]), shape: [1, 1] },
      { aZeroPoint: -128, bZeroPoint: 127 },
    );
    expect(Array.from(y2.data)).toEqual([-65025]);
  });

  test("empty dimensions: K = 0 gives zeros, M = 0 or N = 0 an empty result", () => {
    const zeros = matmulInteger(
      { data: [], shape: [2, 0], dtype: "int8" },
      { data: [], shape: [0, 3], dtype: "int8" },
    );
    expect(zeros).toEqual({ dtype: "int32", data: new Int32Array(6), shape: [2, 3] });
    const noRows = matmulInteger(
      { data: new Int8Array(0), shape: [0, 2] },
      { data: new Int8Array(6), shape: [2, 3] },
    );
    expect(noRows).toEqual({ dtype: "int32", data: new Int32Array(0), shape: [0, 3] });
    const noCols = matmulInteger(
      { data: new Int8Array(4), shape: [2, 2] },
      { data: new Int8Array(0), shape: [2, 0] },
    );
    expect(noCols).toEqual({ dtype: "int32", data: new Int32Array(0), shape: [2, 0] });
  });

  test("inputs are not modified", () => {
    const a = new Int8Array([1, -2, 3, -4]);
    const b = new Uint8Array([5, 6, 7, 8]);
    matmulInteger(
      { data: a, shape: [2, 2] },
      { data: b, shape: [2, 2] },
      { aZeroPoint: 3, bZeroPoint: 200 },
    );
    expect(Array.from(a)).toEqual([1, -2, 3, -4]);
    expect(Array.from(b)).toEqual([5, 6, 7, 8]);
  });

  test("results at the int32 bounds are exact; one past them throws", () => {
    // 33025 terms of 255 * 255 = 65025 give 2147450625; 254 * 130 + 1 * 2 = 33022 more make
    // 2147483647 = INT32_MAX exactly.
    const k = 33027;
    const a = new Uint8Array(k).fill(255);
    const b = new Uint8Array(k).fill(255);
    a[k - 2] = 254;
    b[k - 2] = 130;
    a[k - 1] = 1;
    b[k - 1] = 2;
    const max = matmulInteger({ data: a, shape: [1, k] }, { data: b, shape: [k, 1] });
    expect(Array.from(max.data)).toEqual([2147483647]);
    b[k - 1] = 3; // + 1
    expect(() =>
      matmulInteger({ data: a, shape: [1, k] }, { data: b, shape: [k, 1] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): result [0, 0] = 2147483648 leaves the int32 range [-2147483648, 2147483647]; ONNX MatMulInteger would wrap it, this function does not.]`,
    );

    // With aZeroPoint 255: a = 0 gives -255, a = 1 gives -254, a = 254 gives -1; so
    // 33025 * -65025 + -254 * 130 + -1 * 3 = -2147450625 - 33020 - 3 = -2147483648 = INT32_MIN.
    const c = new Uint8Array(k);
    c[k - 2] = 1;
    c[k - 1] = 254;
    b[k - 2] = 130;
    b[k - 1] = 3;
    const min = matmulInteger(
      { data: c, shape: [1, k] },
      { data: b, shape: [k, 1] },
      { aZeroPoint: 255 },
    );
    expect(Array.from(min.data)).toEqual([-2147483648]);
    b[k - 1] = 4; // - 1
    expect(() =>
      matmulInteger({ data: c, shape: [1, k] }, { data: b, shape: [k, 1] }, { aZeroPoint: 255 }),
    ).toThrow(RangeError);
  });

  test("partial sums may leave int32 as long as the final sum fits", () => {
    // Terms (127 - -128) * 127 = 32385 for the first 70000, then 255 * -128 = -32640: the running
    // sum passes 70000 * 32385 = 2266950000 > INT32_MAX, the total is 70000 * -255 = -17850000.
    const k = 140000;
    const a = new Int8Array(k).fill(127);
    const b = new Int8Array(k).fill(127);
    b.fill(-128, 70000);
    const y = matmulInteger(
      { data: a, shape: [1, k] },
      { data: b, shape: [k, 1] },
      { aZeroPoint: -128 },
    );
    expect(Array.from(y.data)).toEqual([-17850000]);
  });
});

describe("matmulInteger: property against a naive BigInt reference", () => {
  const matrixCase = fc
    .record({
      m: fc.integer({ min: 0, max: 6 }),
      k: fc.integer({ min: 0, max: 9 }),
      n: fc.integer({ min: 0, max: 6 }),
      aDType: fc.constantFrom<Int8DType>("int8", "uint8"),
      bDType: fc.constantFrom<Int8DType>("int8", "uint8"),
      typedA: fc.boolean(),
      typedB: fc.boolean(),
    })
    .chain((s) => {
      const range = (d: Int8DType) =>
        d === "int8" ? { min: -128, max: 127 } : { min: 0, max: 255 };
      return fc.record({
        s: fc.constant(s),
        a: fc.array(fc.integer(range(s.aDType)), { minLength: s.m * s.k, maxLength: s.m * s.k }),
        b: fc.array(fc.integer(range(s.bDType)), { minLength: s.k * s.n, maxLength: s.k * s.n }),
        azp: fc.integer(range(s.aDType)),
        bzp: fc.integer(range(s.bDType)),
      });
    });

  test("matmulInteger = (a - azp) @ (b - bzp) exactly", () => {
    fc.assert(
      fc.property(matrixCase, ({ s, a, b, azp, bzp }) => {
        const asMatrix = (
          data: number[],
          dtype: Int8DType,
          shape: [number, number],
          asTyped: boolean,
        ): Int8Matrix =>
          !asTyped
            ? { data, shape, dtype }
            : dtype === "int8"
              ? { data: Int8Array.from(data), shape }
              : { data: Uint8Array.from(data), shape };
        const y = matmulInteger(
          asMatrix(a, s.aDType, [s.m, s.k], s.typedA),
          asMatrix(b, s.bDType, [s.k, s.n], s.typedB),
          { aZeroPoint: azp, bZeroPoint: bzp },
        );
        expect(y.shape).toEqual([s.m, s.n]);
        expect(Array.from(y.data, BigInt)).toEqual(matmulReference(a, b, s.m, s.k, s.n, azp, bzp));
      }),
      { numRuns: 3000 },
    );
  });
});

describe("matmulInteger: errors", () => {
  const a23: Int8Matrix = { data: new Int8Array(6), shape: [2, 3] };
  const b34: Int8Matrix = { data: new Int8Array(12), shape: [3, 4] };

  test("inner dimensions must match", () => {
    expect(() =>
      matmulInteger(a23, { data: new Int8Array(8), shape: [2, 4] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'b.shape' must be [3, N] to match a.shape [2, 3]; received [2, 4].]`,
    );
    expect(() => matmulInteger(b34, a23)).toThrow(RangeError);
  });

  test("shapes must be non-negative integers, at least 1-D", () => {
    // A vector a [6] is a row [1, 6]: it does not multiply a [3, 4] matrix.
    expect(() =>
      matmulInteger({ data: new Int8Array(6), shape: [6] }, b34),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'b.shape' must be [6, N] to match a.shape [6]; received [3, 4].]`,
    );
    expect(() =>
      matmulInteger({ data: new Int8Array(1), shape: [] }, b34),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'a.shape' must be at least 1-D (numpy.matmul takes no scalars); received [].]`,
    );
    expect(() =>
      matmulInteger(a23, { data: new Int8Array(12), shape: [3, -4] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'b.shape[1]' must be an integer >= 0; received -4.]`,
    );
    expect(() => matmulInteger(a23, { data: new Int8Array(12), shape: [3, 4.5] })).toThrow(
      RangeError,
    );
    expect(() =>
      matmulInteger({ data: new Int8Array(6), shape: "2x3" as unknown as number[] }, b34),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: matmulInteger(): argument 'a.shape' must be an array of dimensions [..., rows, columns]; received "2x3".]`,
    );
  });

  test("data length must match the shape", () => {
    expect(() =>
      matmulInteger({ data: new Int8Array(5), shape: [2, 3] }, b34),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'a.data' must be of length 6 for shape [2, 3]; received an Int8Array of length 5.]`,
    );
    expect(() => matmulInteger(a23, { data: [1, 2], shape: [3, 4], dtype: "uint8" })).toThrow(
      RangeError,
    );
  });

  test("a typed array must agree with its dtype; a plain array needs one", () => {
    expect(() =>
      matmulInteger(
        { data: new Int8Array(6), shape: [2, 3], dtype: "uint8" } as unknown as Int8Matrix,
        b34,
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: matmulInteger(): argument 'a.data' must be a Uint8Array for dtype "uint8"; received an Int8Array of length 6.]`,
    );
    expect(() =>
      matmulInteger({ data: [0, 0, 0, 0, 0, 0], shape: [2, 3] } as unknown as Int8Matrix, b34),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: matmulInteger(): argument 'a.dtype' must be "int8" or "uint8" (required when data is an array); received undefined.]`,
    );
    expect(() =>
      matmulInteger(
        { data: [0, 0, 0, 0, 0, 0], shape: [2, 3], dtype: "int16" } as unknown as Int8Matrix,
        b34,
      ),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'a.dtype' must be one of "int8", "uint8"; received "int16".]`,
    );
    expect(() =>
      matmulInteger({ data: new Int16Array(6), shape: [2, 3] } as unknown as Int8Matrix, b34),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: matmulInteger(): argument 'a.data' must be an Int8Array, a Uint8Array or an array of integers; received an Int16Array of length 6.]`,
    );
    expect(() =>
      matmulInteger(new Int8Array(6) as unknown as Int8Matrix, b34),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: matmulInteger(): argument 'a' must be an object { data, shape, dtype }; received an Int8Array of length 6.]`,
    );
  });

  test("plain array elements must be integers in the dtype's range", () => {
    expect(() =>
      matmulInteger({ data: [0, 1, 2, 3, 256, 5], shape: [2, 3], dtype: "uint8" }, b34),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'a.data[4]' must be an integer in [0, 255] (uint8); received 256.]`,
    );
    expect(() =>
      matmulInteger({ data: [0, 1, 2, 3, 4, -129], shape: [2, 3], dtype: "int8" }, b34),
    ).toThrow(RangeError);
    expect(() =>
      matmulInteger({ data: [0, 1, 2, 3, 4, 0.5], shape: [2, 3], dtype: "int8" }, b34),
    ).toThrow(RangeError);
    expect(() =>
      matmulInteger(
        { data: [0, 1, 2, 3, 4, "5"] as unknown as number[], shape: [2, 3], dtype: "int8" },
        b34,
      ),
    ).toThrow(TypeError);
  });

  test("zero points must be integers in their matrix's dtype range", () => {
    expect(() => matmulInteger(a23, b34, { aZeroPoint: 128 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'options.aZeroPoint' must be an integer in [-128, 127] (int8); received 128.]`,
    );
    expect(() =>
      matmulInteger(a23, { data: new Uint8Array(12), shape: [3, 4] }, { bZeroPoint: -1 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'options.bZeroPoint' must be an integer in [0, 255] (uint8); received -1.]`,
    );
    expect(() => matmulInteger(a23, b34, { aZeroPoint: 1.5 })).toThrow(RangeError);
    expect(() => matmulInteger(a23, b34, { bZeroPoint: Number.NaN })).toThrow(RangeError);
    expect(() =>
      matmulInteger(a23, b34, { aZeroPoint: "0" as unknown as number }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: matmulInteger(): argument 'options.aZeroPoint' must be a number, or a tensor of zero points per row or column; received "0".]`,
    );
    expect(() => matmulInteger(a23, b34, null as unknown as object)).toThrow(TypeError);
  });
});
