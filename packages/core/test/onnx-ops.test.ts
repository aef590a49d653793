/**
 * ONNX's quantization ops beyond the integer QuantizeLinear: float formats, float16 / bfloat16
 * arithmetic, DynamicQuantizeLinear, QLinearMatMul, N-D MatMulInteger and Cast to the sub-byte
 * integers. Expected values are ONNX's own backend test vectors (onnx 1.23.1,
 * onnx/backend/test/case/node) where they exist, and otherwise worked out by hand in the comments;
 * none comes from the code under test.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  castWrapping,
  decodeFloat,
  dequantize,
  dynamicQuantizeLinear,
  type Int8DType,
  matmulInteger,
  qlinearMatMul,
  quantize,
} from "../src/index.js";
import { BACKENDS_UNDER_TEST } from "./backends.js";

describe.each(BACKENDS_UNDER_TEST)("quantize to float formats (%s backend)", (backend) => {
  it("QuantizeLinear to float8e4m3fn and float8e5m2: ONNX's vectors", () => {
    // test_quantizelinear_e4m3fn / _e5m2: x / 2 = [0, 0.5, 1, 50000, 100]; 50000 saturates to 448
    // (e4m3fn) and rounds to 49152 (e5m2); 100 is a tie between 96 and 104 (e4m3fn): 96, even.
    const x = [0, 1, 2, 100000, 200];
    expect(Array.from(quantize(x, { dtype: "float8e4m3fn", scale: 2 }, { backend }).data)).toEqual([
      0, 48, 56, 126, 108,
    ]);
    expect(Array.from(quantize(x, { dtype: "float8e5m2", scale: 2 }, { backend }).data)).toEqual([
      0, 56, 60, 122, 86,
    ]);
  });

  it("saturate: false sends overflow to NaN (e4m3fn, fnuz) or Infinity (e5m2)", () => {
    const big = [1e6, -1e6];
    const e4 = quantize(big, { dtype: "float8e4m3fn", scale: 1 }, { saturate: false, backend });
    expect(Array.from(e4.data)).toEqual([0x7f, 0xff]); // NaN, with the sign
    const e5 = quantize(big, { dtype: "float8e5m2", scale: 1 }, { saturate: false, backend });
    expect(Array.from(e5.data)).toEqual([0x7c, 0xfc]); // ±Infinity
    const e5s = quantize(big, { dtype: "float8e5m2", scale: 1 }, { backend });
    expect(Array.from(e5s.data)).toEqual([0x7b, 0xfb]); // ±57344
    const fnuz = quantize(big, { dtype: "float8e4m3fnuz", scale: 1 }, { saturate: false, backend });
    expect(Array.from(fnuz.data)).toEqual([0x80, 0x80]); // the one NaN
    const fnuzs = quantize(big, { dtype: "float8e4m3fnuz", scale: 1 }, { backend });
    expect(Array.from(fnuzs.data)).toEqual([0x7f, 0xff]); // ±240
  });

  it("NaN gives the NaN code; -0 keeps its sign in float8, not in fnuz", () => {
    const e4 = quantize([Number.NaN, -0], { dtype: "float8e4m3fn", scale: 1 }, { backend });
    expect(Array.from(e4.data)).toEqual([0x7f, 0x80]);
    const fnuz = quantize([Number.NaN, -0], { dtype: "float8e5m2fnuz", scale: 1 }, { backend });
    expect(Array.from(fnuz.data)).toEqual([0x80, 0x00]);
  });

  it("float4e2m1: ties to the even code, saturation to ±6, the zero point's +0 added to -0", () => {
    // 0.3 -> 0.5 (code 1); 0.25 ties 0 / 0.5 -> 0 (code 0); 0.75 ties 0.5 / 1 -> 1 (code 2);
    // 5 ties 4 / 6 -> 4 (code 6); 7 -> 6 (code 7); -100 -> -6 (code 15); -0 + 0 = +0 (code 0).
    const q = quantize([0.3, 0.25, 0.75, 5, 7, -100, -0], { dtype: "float4e2m1", scale: 1 });
    expect(Array.from(q.data)).toEqual([1, 0, 2, 6, 7, 15, 0]);
    // With the -0 code as zero point, -0 + -0 = -0 (code 8).
    const neg = quantize([-0, 1], { dtype: "float4e2m1", scale: 1, zeroPoint: 8 });
    expect(Array.from(neg.data)).toEqual([8, 2]);
  });

  it("QuantizeLinear to float4e2m1 per axis: ONNX's vector", () => {
    // test_quantizelinear_float4e2m1: scales [2, 3, 4] along axis 0, zero point 0.
    const x = [
      [0, 2.5, 4.8, 8.6],
      [-30, -20, 6, 9],
      [-0, -2.5, -4.8, -8.6],
    ];
    const q = quantize(x, { dtype: "float4e2m1", scale: [2, 3, 4], zeroPoint: [0, 0, 0], axis: 0 });
    // values [0, 1, 2, 4, -6, -6, 2, 3, 0, -0.5, -1, -2]
    expect(Array.from(q.data)).toEqual([0, 2, 4, 6, 15, 15, 4, 5, 0, 9, 10, 12]);
  });

  it("per axis and blocked float8", () => {
    // Row 0 by 1: 1 -> 0x38, 2 -> 0x40; row 1 by 0.5: 6 -> 0x4c, 8 -> 0x50.
    const x = [
      [1, 2],
      [3, 4],
    ];
    const perAxis = quantize(x, { dtype: "float8e4m3fn", scale: [1, 0.5], axis: 0 }, { backend });
    expect(Array.from(perAxis.data)).toEqual([0x38, 0x40, 0x4c, 0x50]);
    const blocked = quantize(
      x,
      { dtype: "float8e4m3fn", scale: [[1], [0.5]], axis: 1, blockSize: 2 },
      { backend },
    );
    expect(Array.from(blocked.data)).toEqual([0x38, 0x40, 0x4c, 0x50]);
  });

  it("refuses what has no defined answer", () => {
    expect(() =>
      quantize([Number.NaN], { dtype: "float4e2m1", scale: 1 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'x[0]' must be a number, not NaN (float4e2m1 has no NaN code); received NaN.]`,
    );
    expect(() =>
      quantize([1], { dtype: "float8e4m3fn", scale: 1, zeroPoint: 1 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.zeroPoint' must be the code of a zero for float8e4m3fn (0, or 128 for -0); received 1.]`,
    );
    expect(() =>
      quantize([1], { dtype: "float8e4m3fnuz", scale: 1, zeroPoint: 128 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.zeroPoint' must be the code of a zero for float8e4m3fnuz (0); received 128.]`,
    );
    expect(() =>
      quantize([1], { dtype: "float8e5m2", scale: 1 }, { semantics: "pytorch" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'options.semantics' must be "onnx" for float8e5m2 (quantization to float formats is ONNX's); received "pytorch".]`,
    );
    expect(() =>
      quantize([1], { dtype: "int8", scale: 1 }, { saturate: false }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'options.saturate' must be undefined for int8 (only float8 formats saturate); received false.]`,
    );
    expect(() => quantize([1], { dtype: "float4e2m1", scale: 1 }, { saturate: true })).toThrow(
      RangeError,
    );
    expect(() =>
      quantize([1], { dtype: "float8e4m3fn", scale: 1 }, { saturate: "no" as unknown as boolean }),
    ).toThrow(TypeError);
  });
});

describe.each(BACKENDS_UNDER_TEST)("dequantize from float formats (%s backend)", (backend) => {
  it("value times scale; the zero point is not subtracted; NaN codes give NaN", () => {
    // 0x38 = 1, 0x7e = 448, 0xff NaN, 0x80 = -0: times 0.5.
    const y = dequantize(
      [0x38, 0x7e, 0xff, 0x80],
      { dtype: "float8e4m3fn", scale: 0.5 },
      { backend },
    );
    expect(Array.from(y.data)).toEqual([0.5, 224, Number.NaN, -0]);
    const withZero = dequantize(
      [0x80],
      { dtype: "float8e4m3fn", scale: 2, zeroPoint: 0x80 },
      { backend },
    );
    expect(Object.is(withZero.data[0], -0)).toBe(true);
  });

  it("DequantizeLinear from float4e2m1 and float8e5m2: ONNX's vectors", () => {
    // test_dequantizelinear_float4e2m1: codes of [0, 1, -1, 1.5, -4], scale 2.
    const f4 = dequantize([0, 2, 10, 3, 14], { dtype: "float4e2m1", scale: 2, zeroPoint: 0 });
    expect(Array.from(f4.data)).toEqual([0, 2, -2, 3, -8]);
    // test_dequantizelinear_e5m2: codes of [0, 0.5, 1, 49152, -96], scale 2.
    const e5 = dequantize([0, 56, 60, 122, 214], { dtype: "float8e5m2", scale: 2 }, { backend });
    expect(Array.from(e5.data)).toEqual([0, 1, 2, 98304, -192]);
  });

  it("a quantized float tensor reads back alone", () => {
    // 1.5 and -3 are e5m2 values: they come back unchanged.
    const q = quantize([1.5, -3], { dtype: "float8e5m2", scale: 1 }, { backend });
    expect(q.dtype).toBe("float8e5m2");
    expect(Array.from(dequantize(q, undefined, { backend }).data)).toEqual([1.5, -3]);
  });

  it("codes must be in the format's range", () => {
    expect(() =>
      dequantize([16], { dtype: "float4e2m1", scale: 1 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: dequantize(): argument 'q[0]' must be an integer in [0, 15] for float4e2m1; received 16.]`,
    );
  });
});

describe.each(BACKENDS_UNDER_TEST)("precision float16 / bfloat16 (%s backend)", (backend) => {
  it("quantize divides in the precision: x, s and the quotient rounded to it", () => {
    // float16: 2049 ties 2048 / 2050 -> 2048; 2051 ties 2050 / 2052 -> 2052 (even mantissas).
    const x = [2049, 2051];
    const half = quantize(x, { dtype: "int16", scale: 1 }, { precision: "float16", backend });
    expect(Array.from(half.data)).toEqual([2048, 2052]);
    expect(Array.from(quantize(x, { dtype: "int16", scale: 1 }, { backend }).data)).toEqual([
      2049, 2051,
    ]);
    // s = 0.3: float16 0.300048828125, 1000 / s = 3332.79 -> 3332 (float16 steps of 2 there);
    // bfloat16 0.30078125, 1000 / s = 3324.68 -> 3328 (steps of 16); float32: 3333.33 -> 3333.
    const p = { dtype: "int16", scale: 0.3 } as const;
    expect(quantize([1000], p, { precision: "float16", backend }).data[0]).toBe(3332);
    expect(quantize([1000], p, { precision: "bfloat16", backend }).data[0]).toBe(3328);
    expect(quantize([1000], p, { precision: "float32", backend }).data[0]).toBe(3333);
  });

  it("dequantize rounds the float32 result to the precision (output_dtype)", () => {
    // 1 * fround(0.1) = 0.100000001 -> float16 0.0999755859375; 2 * it -> 0.199951171875.
    const y = dequantize([1, 2], { dtype: "uint8", scale: 0.1 }, { precision: "float16", backend });
    expect(Array.from(y.data)).toEqual([0.0999755859375, 0.199951171875]);
    // test_dequantizelinear_e4m3fn_float16: codes of [0, 0.5, 1, 448, -104], scale 2 as float16.
    const f8 = dequantize(
      [0, 48, 56, 126, 237],
      { dtype: "float8e4m3fn", scale: 2 },
      { precision: "float16", backend },
    );
    expect(Array.from(f8.data)).toEqual([0, 1, 2, 896, -208]);
  });

  it("refuses a scale the precision cannot hold, and pytorch semantics", () => {
    // float16's smallest subnormal is 2^-24 ~ 5.96e-8: 1e-8 rounds to 0; 1e5 to Infinity.
    expect(() =>
      quantize([1], { dtype: "int8", scale: 1e-8 }, { precision: "float16" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'params.scale' must be a finite number > 0 as float16 (options.precision); received 9.99999993922529e-9.]`,
    );
    expect(() => quantize([1], { dtype: "int8", scale: 1e5 }, { precision: "float16" })).toThrow(
      RangeError,
    );
    expect(() =>
      quantize([1], { dtype: "int8", scale: 1 }, { precision: "float16", semantics: "pytorch" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantize(): argument 'options.precision' must be "float32" with "pytorch" semantics (ONNX's only); received "float16".]`,
    );
    expect(() =>
      dequantize([1], { dtype: "int8", scale: 1 }, { precision: "float64" as "float32" }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: dequantize(): argument 'options.precision' must be one of "float32", "float16", "bfloat16"; received "float64".]`,
    );
  });

  it("float8e8m0 scales: powers of two from 2^-127 to 2^127 work as any scale", () => {
    // 2^-127 is a float32 subnormal: 1 and 2 times it are exact; 3 * 2^-127 / 2^-127 = 3.
    const y = dequantize([1, 2], { dtype: "int8", scale: 2 ** -127 }, { backend });
    expect(Array.from(y.data)).toEqual([2 ** -127, 2 ** -126]);
    const tiny = quantize([3 * 2 ** -127], { dtype: "int8", scale: 2 ** -127 }, { backend });
    expect(Array.from(tiny.data)).toEqual([3]);
    // 1.5 * 2^127 / 2^127 = 1.5 ties to 2; -2^127 / 2^127 = -1.
    const big = quantize(
      [1.5 * 2 ** 127, -(2 ** 127)],
      { dtype: "int8", scale: 2 ** 127 },
      { backend },
    );
    expect(Array.from(big.data)).toEqual([2, -1]);
    const scales = decodeFloat("float8e8m0", [0, 254]);
    expect(Array.from(scales)).toEqual([2 ** -127, 2 ** 127]);
  });
});

describe.each(BACKENDS_UNDER_TEST)("dynamicQuantizeLinear (%s backend)", (backend) => {
  // ONNX's vectors: test_dynamicquantizelinear, _max_adjusted, _min_adjusted.
  it.each([
    {
      x: [0, 2, -3, -2.5, 1.34, 0.5],
      y: [153, 255, 0, 26, 221, 179],
      scale: 0.019607843831181526,
      zeroPoint: 153,
    },
    {
      x: [-1, -2.1, -1.3, -2.5, -3.34, -4],
      y: [191, 121, 172, 96, 42, 0],
      scale: 0.01568627543747425,
      zeroPoint: 255,
    },
    {
      x: [1, 2.1, 1.3, 2.5, 3.34, 4, 1.5, 2.6, 3.9, 4, 3, 2.345],
      y: [64, 134, 83, 159, 213, 255, 96, 166, 249, 255, 191, 149],
      scale: 0.01568627543747425,
      zeroPoint: 0,
    },
  ])("ONNX's vector $zeroPoint", ({ x, y, scale, zeroPoint }) => {
    const q = dynamicQuantizeLinear(x, { backend });
    expect(q.dtype).toBe("uint8");
    expect(Array.from(q.data)).toEqual(y);
    expect(q.scale).toBe(scale);
    expect(q.zeroPoint).toBe(zeroPoint);
    expect(q.semantics).toBe("onnx");
  });

  it("keeps the shape and reads back with dequantize", () => {
    // [-1, 1]: scale fround(2 / 255) = 0.0078431377; 1 / scale = 127.4999924 rounds to the float32
    // 127.49999237 (not the tie 127.5), so the zero point is 127; 0.5 / scale = 63.74999 -> 64.
    const q = dynamicQuantizeLinear({ data: [-1, 1, 0, 0.5], shape: [2, 2] }, { backend });
    expect(q.shape).toEqual([2, 2]);
    expect(q.scale).toBe(Math.fround(2 / 255));
    expect(q.zeroPoint).toBe(127);
    expect(Array.from(q.data)).toEqual([0, 254, 127, 191]);
    expect(dequantize(q).shape).toEqual([2, 2]);
  });

  it("an all-zero tensor gets scale 1 (onnxruntime's rule)", () => {
    const q = dynamicQuantizeLinear([0, -0, 0], { backend });
    expect([q.scale, q.zeroPoint, Array.from(q.data)]).toEqual([1, 0, [0, 0, 0]]);
  });

  it("refuses empty, non-finite and degenerate ranges", () => {
    expect(() => dynamicQuantizeLinear([])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: dynamicQuantizeLinear(): argument 'x' must be a non-empty tensor; received an empty tensor.]`,
    );
    expect(() => dynamicQuantizeLinear([1, Number.NaN])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: dynamicQuantizeLinear(): argument 'x[1]' must be a finite number (DynamicQuantizeLinear needs the range); received NaN.]`,
    );
    expect(() => dynamicQuantizeLinear([Number.POSITIVE_INFINITY])).toThrow(RangeError);
    // 2^-149 / 255 rounds to 0 in float32.
    expect(() => dynamicQuantizeLinear([2 ** -149])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: dynamicQuantizeLinear(): argument 'x' must be values whose range max(x, 0) - min(x, 0) gives a float32 scale (range / 255) > 0 and finite; received values from 0 to 1.401298464324817e-45: scale 0.]`,
    );
    expect(() => dynamicQuantizeLinear([-3e38, 3e38])).toThrow(RangeError);
  });
});

describe("qlinearMatMul", () => {
  // test_qlinearmatmul_2D_uint8_float32: a_scale 0.0066, a_zp 113, b_scale 0.00705, b_zp 114,
  // y_scale 0.0107, y_zp 118 (the int8 variant: every code and zero point minus 127).
  const aCodes = [208, 236, 0, 238, 3, 214, 255, 29];
  const bCodes = [152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247];
  const vector = (dtype: Int8DType, batch: number[]) => {
    const shift = dtype === "int8" ? 127 : 0;
    // ONNX's int8 codes are numpy's int64 `v - 127` cast to int8, so 255 - 127 wraps to -128.
    const codes = (values: number[]) =>
      values.map((v) => (dtype === "int8" ? ((v - shift) << 24) >> 24 : v));
    const times = batch.reduce((x, y) => x * y, 1);
    const repeat = (codes: number[]) => Array.from({ length: times }, () => codes).flat();
    /** One operand of the vector: its uint8 codes and zero point, shifted for int8, per batch. */
    const operand = (values: number[], shape: number[], scale: number, zeroPoint: number) => ({
      dtype,
      data: repeat(codes(values)),
      shape: [...batch, ...shape],
      scale,
      zeroPoint: zeroPoint - shift,
    });
    return {
      a: operand(aCodes, [2, 4], 0.0066, 113),
      b: operand(bCodes, [4, 3], 0.00705, 114),
      y: { dtype, scale: 0.0107, zeroPoint: 118 - shift },
      expected: repeat(
        dtype === "int8" ? [41, -12, -9, 1, -75, -128] : [168, 115, 255, 1, 66, 151],
      ),
    };
  };

  it.each([
    ["uint8", []],
    ["int8", []],
    ["uint8", [2]],
    ["int8", [2]],
  ] as [Int8DType, number[]][])("ONNX's vector, %s, batch %j", (dtype, batch) => {
    const { a, b, y, expected } = vector(dtype, batch);
    const out = qlinearMatMul(a, b, y);
    expect(out.dtype).toBe(dtype);
    expect(out.shape).toEqual([...batch, 2, 3]);
    expect(Array.from(out.data)).toEqual(expected);
    expect([out.scale, out.zeroPoint, out.semantics]).toEqual([
      Math.fround(0.0107),
      118 - (dtype === "int8" ? 127 : 0),
      "onnx",
    ]);
  });

  it("per row of a and per column of b", () => {
    // a - zp = [[1, 2], [3 - 1, 4 - 1]] = [[1, 2], [2, 3]]; b the identity: acc = [[1, 2], [2, 3]].
    // Row scales [1, 0.5] times column scales [1, 2]: y = [[1·1, 2·2], [2·0.5, 3·1]] = [[1, 4], [1, 3]].
    const a = {
      dtype: "uint8",
      data: [1, 2, 3, 4],
      shape: [2, 2],
      scale: [1, 0.5],
      zeroPoint: [0, 1],
      axis: 0,
    } as const;
    const b = { dtype: "int8", data: [1, 0, 0, 1], shape: [2, 2], scale: [1, 2], axis: 1 } as const;
    const y = { dtype: "int8", scale: 1 } as const;
    expect(Array.from(qlinearMatMul(a, b, y).data)).toEqual([1, 4, 1, 3]);
    // ONNX's N-D form: scale shaped [M, 1] (a) and [1, N] (b), one block spanning K.
    const aBlocks = { ...a, scale: [[1], [0.5]], zeroPoint: [[0], [1]], axis: 1, blockSize: 2 };
    const bBlocks = { ...b, scale: [[1, 2]], axis: 0, blockSize: 2 };
    expect(Array.from(qlinearMatMul(aBlocks, bBlocks, y).data)).toEqual([1, 4, 1, 3]);
  });

  it("takes quantize's tensors and saturates the output", () => {
    // a = [[100]] / 1, b = [[100]] / 1: acc 10000 times 1·1/1 saturates int8 to 127.
    const a = quantize([[100]], { dtype: "int8", scale: 1 });
    const b = quantize([[100]], { dtype: "int8", scale: 1 });
    expect(Array.from(qlinearMatMul(a, b, { dtype: "int8", scale: 1 }).data)).toEqual([127]);
    expect(
      Array.from(qlinearMatMul(a, b, { dtype: "uint8", scale: 100, zeroPoint: 3 }).data),
    ).toEqual([103]);
  });

  it("refuses other granularities, dtypes and semantics", () => {
    const b = { dtype: "int8", data: [1, 0, 0, 1], shape: [2, 2], scale: 1 } as const;
    const y = { dtype: "int8", scale: 1 } as const;
    expect(() =>
      qlinearMatMul({ ...b, scale: [1, 2], axis: 1 }, b, y),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: qlinearMatMul(): argument 'a.axis' must be parameters per tensor, per row (axis -2) or in blocks spanning each row (axis -1, blockSize >= K) for shape [2, 2]; received axis 1.]`,
    );
    expect(() => qlinearMatMul(b, { ...b, scale: [1, 2], axis: 0 }, y)).toThrow(RangeError);
    expect(() => qlinearMatMul({ ...b, dtype: "int16" }, b, y)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: qlinearMatMul(): argument 'a.dtype' must be one of "int8", "uint8"; received "int16".]`,
    );
    expect(() => qlinearMatMul({ ...b, semantics: "pytorch" }, b, y)).toThrow(RangeError);
    expect(() =>
      qlinearMatMul(b, b, { dtype: "int8", scale: [1] as unknown as number }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: qlinearMatMul(): argument 'y.scale' must be a number (the output is quantized per tensor); received an array of length 1.]`,
    );
    expect(() => qlinearMatMul(b, b, { dtype: "int8", scale: 0 })).toThrow(RangeError);
  });
});

/** numpy.matmul on integers, written out: broadcast batches, vectors as rows / columns. */
function matmulNumpy(
  a: number[],
  aShape: number[],
  b: number[],
  bShape: number[],
  aZero: (batch: number, row: number) => number,
  bZero: (batch: number, col: number) => number,
): { shape: number[]; data: bigint[] } {
  const A = aShape.length === 1 ? [1, ...aShape] : aShape;
  const B = bShape.length === 1 ? [...bShape, 1] : bShape;
  const [m, k] = A.slice(-2) as [number, number];
  const n = B[B.length - 1] as number;
  const aBatch = A.slice(0, -2);
  const bBatch = B.slice(0, -2);
  const rank = Math.max(aBatch.length, bBatch.length);
  const pad = (s: number[]) => [...Array(rank - s.length).fill(1), ...s];
  const pa = pad(aBatch);
  const pb = pad(bBatch);
  const batch = pa.map((d, i) => Math.max(d, pb[i] as number));
  const flat = (index: number[], dims: number[]) =>
    index.reduce((acc, v, i) => acc * (dims[i] as number) + ((dims[i] as number) === 1 ? 0 : v), 0);
  const data: bigint[] = [];
  const total = batch.reduce((x, y) => x * y, 1);
  for (let t = 0; t < total; t++) {
    const index: number[] = [];
    let rest = t;
    for (let d = rank - 1; d >= 0; d--) {
      index.unshift(rest % (batch[d] as number));
      rest = Math.floor(rest / (batch[d] as number));
    }
    const ai = flat(index, pa);
    const bi = flat(index, pb);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0n;
        for (let p = 0; p < k; p++) {
          const av = (a[(ai * m + i) * k + p] as number) - aZero(ai, i);
          const bv = (b[(bi * k + p) * n + j] as number) - bZero(bi, j);
          sum += BigInt(av) * BigInt(bv);
        }
        data.push(sum);
      }
    }
  }
  const shape = [
    ...batch,
    ...(aShape.length === 1 ? [] : [m]),
    ...(bShape.length === 1 ? [] : [n]),
  ];
  return { shape, data };
}

describe("matmulInteger on N-D inputs", () => {
  it("ONNX's vector test_matmulinteger", () => {
    const y = matmulInteger(
      { data: new Uint8Array([11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0]), shape: [4, 3] },
      { data: new Uint8Array([1, 4, 2, 5, 3, 6]), shape: [3, 2] },
      { aZeroPoint: 12, bZeroPoint: 0 },
    );
    expect(Array.from(y.data)).toEqual([-38, -83, -44, -98, -50, -113, -56, -128]);
  });

  it("vectors: [K] @ [K, N] = [N], [M, K] @ [K] = [M], [K] @ [K] = []", () => {
    const v = { data: [1, 2], shape: [2], dtype: "int8" } as const;
    const m = { data: [1, 2, 3, 4], shape: [2, 2], dtype: "int8" } as const;
    expect(matmulInteger(v, m)).toEqual({ dtype: "int32", data: Int32Array.of(7, 10), shape: [2] });
    expect(matmulInteger(m, v)).toEqual({ dtype: "int32", data: Int32Array.of(5, 11), shape: [2] });
    expect(matmulInteger(v, v)).toEqual({ dtype: "int32", data: Int32Array.of(5), shape: [] });
  });

  it("per-row and per-column zero points, as vectors and as ONNX's N-D shapes", () => {
    // a = [[1, 2], [3, 4]] minus rows [1, 2]: [[0, 1], [1, 2]]; b = [[5, 6], [7, 8]] minus columns
    // [5, 0]: [[0, 6], [2, 8]]; product [[2, 8], [4, 22]].
    const a = { data: [1, 2, 3, 4], shape: [2, 2], dtype: "uint8" } as const;
    const b = { data: [5, 6, 7, 8], shape: [2, 2], dtype: "uint8" } as const;
    const expected = [2, 8, 4, 22];
    expect(
      Array.from(matmulInteger(a, b, { aZeroPoint: [1, 2], bZeroPoint: [5, 0] }).data),
    ).toEqual(expected);
    const shaped = {
      aZeroPoint: { data: [1, 2], shape: [2, 1] },
      bZeroPoint: { data: [5, 0], shape: [1, 2] },
    };
    expect(Array.from(matmulInteger(a, b, shaped).data)).toEqual(expected);
  });

  const tensorCase = fc
    .record({
      aBatch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
      bBatch: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
      m: fc.integer({ min: 1, max: 4 }),
      k: fc.integer({ min: 0, max: 5 }),
      n: fc.integer({ min: 1, max: 4 }),
      aVector: fc.boolean(),
      bVector: fc.boolean(),
      perRow: fc.boolean(),
      perColumn: fc.boolean(),
    })
    .map((s) => {
      // Broadcastable batches: where both have a dimension, one of them is 1 or they are equal.
      const rank = Math.min(s.aBatch.length, s.bBatch.length);
      const bBatch = s.bBatch.map((d, i) => {
        const j = s.aBatch.length - s.bBatch.length + i;
        if (i < s.bBatch.length - rank || j < 0) return d;
        const da = s.aBatch[j] as number;
        return da === 1 || d === 1 ? d : da;
      });
      const aVector = s.aVector && s.aBatch.length === 0;
      const bVector = s.bVector && bBatch.length === 0;
      const aShape = aVector ? [s.k] : [...s.aBatch, s.m, s.k];
      const bShape = bVector ? [s.k] : [...bBatch, s.k, s.n];
      return { ...s, aShape, bShape, m: aVector ? 1 : s.m, n: bVector ? 1 : s.n };
    })
    .chain((s) => {
      const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);
      const aCount = size(s.aShape) / (s.m * s.k || 1);
      const bCount = size(s.bShape) / (s.k * s.n || 1);
      return fc.record({
        s: fc.constant(s),
        a: fc.array(fc.integer({ min: -128, max: 127 }), {
          minLength: size(s.aShape),
          maxLength: size(s.aShape),
        }),
        b: fc.array(fc.integer({ min: 0, max: 255 }), {
          minLength: size(s.bShape),
          maxLength: size(s.bShape),
        }),
        aZero: fc.array(fc.integer({ min: -128, max: 127 }), { minLength: s.m, maxLength: s.m }),
        bZero: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: s.n, maxLength: s.n }),
        counts: fc.constant([aCount, bCount]),
      });
    });

  it("equals numpy.matmul written out, broadcasting and zero points included", () => {
    fc.assert(
      fc.property(tensorCase, ({ s, a, b, aZero, bZero }) => {
        const perRow = s.perRow && s.aShape.length >= 2;
        const perColumn = s.perColumn && s.bShape.length >= 2;
        const y = matmulInteger(
          { data: a, shape: s.aShape, dtype: "int8" },
          { data: b, shape: s.bShape, dtype: "uint8" },
          {
            aZeroPoint: perRow ? aZero : (aZero[0] as number),
            bZeroPoint: perColumn ? bZero : (bZero[0] as number),
          },
        );
        const expected = matmulNumpy(
          a,
          s.aShape,
          b,
          s.bShape,
          (_, i) => (perRow ? (aZero[i] as number) : (aZero[0] as number)),
          (_, j) => (perColumn ? (bZero[j] as number) : (bZero[0] as number)),
        );
        expect(y.shape).toEqual(expected.shape);
        expect(Array.from(y.data, BigInt)).toEqual(expected.data);
      }),
      { numRuns: 2000 },
    );
  });

  it("refuses batches that do not broadcast and zero points of another shape", () => {
    const a = { data: new Int8Array(2 * 2 * 3), shape: [2, 2, 3] };
    const b = { data: new Int8Array(3 * 3 * 4), shape: [3, 3, 4] };
    expect(() => matmulInteger(a, b)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'b.shape' must be batch dimensions that broadcast with a.shape [2, 2, 3]'s (numpy.matmul); received [3, 3, 4].]`,
    );
    expect(() =>
      matmulInteger(a, { data: new Int8Array(12), shape: [3, 4] }, { aZeroPoint: [1, 2, 3] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'options.aZeroPoint' must be a number, 2 values (one per row) or shape [2, 2, 1]; received 3 values.]`,
    );
    expect(() =>
      matmulInteger(a, { data: new Int8Array(12), shape: [3, 4] }, { bZeroPoint: [0, 0, 0, 200] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): argument 'options.bZeroPoint[3]' must be an integer in [-128, 127] (int8); received 200.]`,
    );
  });

  it("names the batch coordinates of a result that leaves int32", () => {
    const k = 33027;
    const a = new Uint8Array(2 * k).fill(255);
    const b = new Uint8Array(k).fill(255);
    expect(() =>
      matmulInteger({ data: a, shape: [2, 1, k] }, { data: b, shape: [k, 1] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: matmulInteger(): result [0, 0, 0] = 2147580675 leaves the int32 range [-2147483648, 2147483647]; ONNX MatMulInteger would wrap it, this function does not.]`,
    );
  });
});

describe("castWrapping", () => {
  it("ONNX's vectors: -9..15 to int4 and uint4, -3..3 to int2 and uint2", () => {
    // test_cast_FLOAT_to_INT4: the low 4 bits, two's complement; UINT4: the low 4 bits.
    const x = Array.from({ length: 25 }, (_, i) => i - 9);
    expect(Array.from(castWrapping(x, "int4"))).toEqual([
      7, -8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7, -8, -7, -6, -5, -4, -3, -2, -1,
    ]);
    expect(Array.from(castWrapping(x, "uint4"))).toEqual([
      7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    ]);
    const y = [-3, -2, -1, 0, 1, 2, 3];
    expect(Array.from(castWrapping(y, "int2"))).toEqual([1, -2, -1, 0, 1, -2, -1]);
    expect(Array.from(castWrapping(y, "uint2"))).toEqual([1, 2, 3, 0, 1, 2, 3]);
  });

  it("rounds to nearest, ties to even, before wrapping", () => {
    // onnxruntime would give [1, 2, 3, -1, -2, -3, 7 (from -9)], ml_dtypes [0, 1, 2, 0, -1, -2, -8].
    expect(Array.from(castWrapping([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, -8.5], "int4"))).toEqual([
      0, 2, 2, 0, -2, -2, -8,
    ]);
    expect(Array.from(castWrapping([7.4, 7.6, 15.5], "uint4"))).toEqual([7, 8, 0]);
  });

  it("wraps any finite float32 exactly", () => {
    // fround(123456789) = 123456792 = 16 · 7716049 + 8; 2^40 and -2^100 are multiples of 16.
    expect(Array.from(castWrapping([123456789, 2 ** 40, -(2 ** 100)], "int4"))).toEqual([-8, 0, 0]);
    expect(Array.from(castWrapping([123456789], "uint4"))).toEqual([8]);
    expect(Array.from(castWrapping(Float32Array.of(3.4028234663852886e38), "uint2"))).toEqual([0]);
  });

  it("refuses NaN, ±Infinity and other dtypes", () => {
    expect(() => castWrapping([1, Number.NaN], "int4")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: castWrapping(): argument 'values[1]' must be a finite number (NaN and ±Infinity have no integer); received NaN.]`,
    );
    expect(() => castWrapping([Number.NEGATIVE_INFINITY], "uint2")).toThrow(RangeError);
    expect(() => castWrapping([1], "int8" as "int4")).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: castWrapping(): argument 'dtype' must be one of "int2", "uint2", "int4", "uint4"; received "int8".]`,
    );
    expect(() => castWrapping("1" as unknown as number[], "int4")).toThrow(TypeError);
  });
});
