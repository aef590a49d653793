/**
 * One function per golden op: run the case through @quantlab/core's public API and return the
 * first difference from the expected result, or undefined when it matches bit for bit.
 */
import * as core from "@quantlab/core";
import { compareFloats, compareIntegers, compareRelative, compareShapes } from "./compare.js";
import { float32Data, type GoldenCase, type GoldenTensor } from "./golden.js";
import { onnxNode } from "./onnx.js";

/** Runs a case with the given backend; returns the first difference, or undefined. */
type Op = (c: GoldenCase, backend: core.Backend) => string | undefined;

interface GoldenParams {
  dtype: core.IntegerDType;
  scale: number | number[] | GoldenTensor;
  zeroPoint: number | number[] | GoldenTensor;
  axis?: number;
  blockSize?: number;
}

function params(p: GoldenParams): core.QuantParams {
  const tensor = (v: number | number[] | GoldenTensor) =>
    typeof v === "object" && !Array.isArray(v) ? { data: float32Data(v), shape: v.shape } : v;
  return { ...p, scale: tensor(p.scale), zeroPoint: tensor(p.zeroPoint) };
}

function first(...checks: (() => string | undefined)[]): string | undefined {
  for (const check of checks) {
    const difference = check();
    if (difference !== undefined) return difference;
  }
  return undefined;
}

const quantize: Op = (c, backend) => {
  const input = c.input as GoldenTensor;
  const expected = c.expected as GoldenTensor;
  const q = core.quantize(float32Data(input), params(c.params as GoldenParams), {
    semantics: c.semantics as core.Semantics,
    shape: input.shape,
    backend,
  });
  return first(
    () =>
      q.dtype === expected.dtype ? undefined : `dtype: expected ${expected.dtype}, got ${q.dtype}`,
    () => compareShapes(expected.shape, q.shape),
    () => compareIntegers(expected.data as number[], q.data),
  );
};

const dequantize: Op = (c, backend) => {
  const input = c.input as GoldenTensor;
  const expected = c.expected as GoldenTensor;
  const x = core.dequantize(input.data as number[], params(c.params as GoldenParams), {
    semantics: c.semantics as core.Semantics,
    shape: input.shape,
    backend,
  });
  return first(
    () => compareShapes(expected.shape, x.shape),
    () => compareFloats(float32Data(expected), x.data),
  );
};

interface GoldenObserver {
  method: "minmax" | "moving_average_minmax";
  scheme: core.Scheme;
  dtype: core.IntegerDType;
  axis?: number;
  reduceRange?: boolean;
  averagingConstant?: number;
}

const qparams: Op = (c) => {
  const o = c.observer as GoldenObserver;
  const options = { dtype: o.dtype, scheme: o.scheme, reduceRange: o.reduceRange, axis: o.axis };
  const observer =
    o.method === "minmax"
      ? new core.MinMaxObserver(options)
      : new core.MovingAverageMinMaxObserver({
          ...options,
          averagingConstant: o.averagingConstant,
        });
  for (const batch of c.batches as GoldenTensor[])
    observer.observe(float32Data(batch), batch.shape);
  const p = observer.qparams();
  const expected = c.expected as { scale: number[]; zeroPoint: number[] };
  const scale = typeof p.scale === "number" ? [p.scale] : p.scale;
  const zeroPoint = typeof p.zeroPoint === "number" ? [p.zeroPoint] : p.zeroPoint;
  return first(
    () => compareFloats(Float32Array.from(expected.scale), scale),
    () => compareIntegers(expected.zeroPoint, zeroPoint),
  );
};

const METRICS: Record<string, (x: Float32Array, y: Float32Array) => number | Float64Array> = {
  mse: core.meanSquaredError,
  rmse: core.rootMeanSquaredError,
  maxAbs: core.maxAbsoluteError,
  meanAbs: core.meanAbsoluteError,
  sqnrDb: core.sqnrDb,
  cosine: core.cosineSimilarity,
  absPercentage: core.absolutePercentageError,
};

const metrics: Op = (c) => {
  const x = float32Data(c.x as GoldenTensor);
  const y = float32Data(c.y as GoldenTensor);
  const { rel } = c.tolerance as { rel: number };
  for (const [key, expected] of Object.entries(c.expected as Record<string, number | number[]>)) {
    const metric = METRICS[key];
    if (metric === undefined) return `${key}: no such metric in @quantlab/core`;
    const actual = metric(x, y);
    const difference = compareRelative(
      typeof expected === "number" ? [expected] : expected,
      typeof actual === "number" ? [actual] : actual,
      rel,
    );
    if (difference !== undefined) return `${key}${difference}`;
  }
  return undefined;
};

const cast: Op = (c, backend) => {
  const input = c.input as GoldenTensor;
  const expected = c.expected as GoldenTensor;
  const options: core.EncodeFloatOptions = { backend };
  if (c.saturate !== undefined) options.saturate = c.saturate as boolean;
  if (c.roundMode !== undefined) options.roundMode = c.roundMode as core.RoundMode;
  const bits = core.encodeFloat(c.to as core.FloatDType, float32Data(input), options);
  return compareIntegers(expected.data as number[], bits);
};

/** bitsandbytes' code tables, by the names the golden `decode` cases give them. */
const BNB_DECODE: Record<string, readonly number[]> = {
  bnb_nf4: core.BNB_TABLES.nf4,
  bnb_fp4: core.BNB_TABLES.fp4,
  bnb_dynamic8: core.BNB_TABLES.dynamic8,
};

const decode: Op = (c, backend) => {
  const input = c.input as GoldenTensor;
  const table = BNB_DECODE[c.from as string];
  if (table !== undefined) {
    const values = (input.data as number[]).map((code) => table[code] ?? Number.NaN);
    return compareFloats(float32Data(c.expected as GoldenTensor), values);
  }
  const bits = Uint16Array.from(input.data as number[]);
  const values = core.decodeFloat(
    c.from as core.FloatDType,
    c.from === "float16" || c.from === "bfloat16" ? bits : (input.data as number[]),
    { backend },
  );
  return compareFloats(float32Data(c.expected as GoldenTensor), values);
};

const matmulInteger: Op = (c) => {
  const matrix = (t: GoldenTensor) => ({
    data: t.data as number[],
    shape: t.shape as [number, number],
    dtype: t.dtype as core.Int8DType,
  });
  const expected = c.expected as GoldenTensor;
  const y = core.matmulInteger(matrix(c.a as GoldenTensor), matrix(c.b as GoldenTensor), {
    aZeroPoint: c.aZeroPoint as number,
    bZeroPoint: c.bZeroPoint as number,
  });
  return first(
    () => compareShapes(expected.shape, y.shape),
    () => compareIntegers(expected.data as number[], y.data),
  );
};

const pack: Op = (c) => {
  const input = c.input as GoldenTensor;
  const bytes = core.packCodes(input.data as number[], input.dtype as core.PackedDType);
  return compareIntegers((c.expected as GoldenTensor).data as number[], bytes);
};

/** ggml's quantize_row_<format>_ref bytes, and dequantize_row_<format> of them. */
const ggufQuantize: Op = (c, backend) => {
  const input = c.input as GoldenTensor;
  const expected = c.expected as { bytes: GoldenTensor; dequantized: GoldenTensor };
  const q = core.quantizeGgml(float32Data(input), c.format as core.GgmlType, {
    shape: input.shape,
    backend,
  });
  const x = core.dequantizeGgml(q, { backend });
  return first(
    () => compareShapes(input.shape, q.shape),
    () => compareIntegers(expected.bytes.data as number[], q.data),
    () => compareShapes(expected.dequantized.shape, x.shape),
    () => compareFloats(float32Data(expected.dequantized), x.data),
  );
};

/** ggml's dequantize_row_<format> of stored bytes. */
const ggufDequantize: Op = (c, backend) => {
  const input = c.input as GoldenTensor;
  const expected = c.expected as GoldenTensor;
  const x = core.dequantizeGgml(
    {
      type: c.format as core.GgmlType,
      shape: c.shape as number[],
      data: Uint8Array.from(input.data as number[]),
    },
    { backend },
  );
  return first(
    () => compareShapes(expected.shape, x.shape),
    () => compareFloats(float32Data(expected), x.data),
  );
};

/** Compares a typed array with a golden tensor: shape first, then every element. */
function compareTensor(
  expected: GoldenTensor,
  shape: readonly number[],
  actual: ArrayLike<number>,
  what: string,
): string | undefined {
  const difference = first(
    () => compareShapes(expected.shape, shape),
    () =>
      expected.dtype === "float32"
        ? compareFloats(float32Data(expected), actual)
        : compareIntegers(expected.data as number[], actual),
  );
  return difference === undefined ? undefined : `${what} ${difference}`;
}

/** The shape of an MX tensor's scales: the axis dimension in blocks. */
function blockShape(shape: readonly number[], axis: number, blockSize: number): number[] {
  return shape.map((d, i) => (i === axis ? Math.ceil(d / blockSize) : d));
}

/**
 * OCP MX: scales, element codes (not compared in a block whose scale is 0xFF, as the README says)
 * and the dequantized values.
 */
const mxQuantize: Op = (c, backend) => {
  const input = c.input as GoldenTensor;
  const expected = c.expected as Record<"scales" | "codes" | "dequantized", GoldenTensor>;
  const q = core.quantizeMx(float32Data(input), c.format as core.MxFormat, {
    axis: c.axis as number,
    rounding: c.rounding as core.MxRounding,
    blockSize: c.blockSize as number,
    shape: input.shape,
    backend,
  });
  const codes = Uint8Array.from(q.codes);
  const wanted = (expected.codes.data as number[]).slice();
  // Element i's block: its index along the axis divided by the block size.
  const inner = q.shape.slice(q.axis + 1).reduce((a, b) => a * b, 1);
  const dim = q.shape[q.axis] as number;
  const blocks = Math.ceil(dim / q.blockSize);
  for (let i = 0; i < codes.length; i++) {
    const outer = Math.floor(i / (dim * inner));
    const j = Math.floor(i / inner) % dim;
    const scale = q.scales[(outer * blocks + Math.floor(j / q.blockSize)) * inner + (i % inner)];
    if (scale === 0xff) codes[i] = wanted[i] as number;
  }
  const x = core.dequantizeMx(q, { backend });
  return first(
    () =>
      compareTensor(expected.scales, blockShape(q.shape, q.axis, q.blockSize), q.scales, "scales"),
    () => compareTensor(expected.codes, q.shape, codes, "codes"),
    () => compareTensor(expected.dequantized, x.shape, x.data, "dequantized"),
  );
};

/** NVFP4 (torchao's recipe): tensor scale, block scales, codes, packed bytes, dequantized. */
const nvfp4Quantize: Op = (c) => {
  const input = c.input as GoldenTensor;
  const expected = c.expected as Record<
    "scales" | "codes" | "packed" | "dequantized",
    GoldenTensor
  > & { globalScale: number };
  if (c.blockSize !== core.NVFP4.blockSize) return `blockSize ${c.blockSize}: NVFP4's is 16`;
  const q = core.quantizeNvfp4(float32Data(input), { shape: input.shape });
  const x = core.dequantizeNvfp4(q);
  const scalesShape = q.shape.map((d, i) => (i === q.shape.length - 1 ? d / 16 : d));
  const packedShape = q.shape.map((d, i) => (i === q.shape.length - 1 ? d / 2 : d));
  return first(
    () => compareFloats([Math.fround(expected.globalScale)], [q.globalScale]),
    () => compareTensor(expected.scales, scalesShape, q.scales, "scales"),
    () => compareTensor(expected.codes, q.shape, q.codes, "codes"),
    () => compareTensor(expected.packed, packedShape, q.packed, "packed"),
    () => compareTensor(expected.dequantized, x.shape, x.data, "dequantized"),
  );
};

/** bitsandbytes 4-bit: codes, packed bytes, absmax (or its codes and the nested fields), values. */
const bnbQuantize: Op = (c, backend) => {
  const input = c.input as GoldenTensor;
  const expected = c.expected as Record<
    "codes" | "packed" | "absmax" | "dequantized" | "nestedAbsmax",
    GoldenTensor
  > & { nestedOffset?: number; nestedBlockSize?: number };
  const q = core.quantizeBnb(float32Data(input), c.format as core.BnbFormat, {
    blockSize: c.blockSize as number,
    doubleQuant: c.doubleQuant as boolean,
    shape: input.shape,
    backend,
  });
  const x = core.dequantizeBnb(q, { backend });
  const nested = q.nested;
  return first(
    () => compareTensor(expected.codes, q.shape, q.codes, "codes"),
    () => compareTensor(expected.packed, [q.packed.length], q.packed, "packed"),
    () => compareTensor(expected.absmax, [q.absmax.length], q.absmax, "absmax"),
    () =>
      (expected.nestedAbsmax === undefined) === (nested === null)
        ? undefined
        : `nested: expected ${expected.nestedAbsmax === undefined ? "none" : "some"}, got ${nested === null ? "none" : "some"}`,
    () =>
      nested === null
        ? undefined
        : first(
            () =>
              compareTensor(
                expected.nestedAbsmax,
                [nested.absmax.length],
                nested.absmax,
                "nestedAbsmax",
              ),
            () => compareFloats([Math.fround(expected.nestedOffset as number)], [nested.offset]),
            () => compareIntegers([expected.nestedBlockSize as number], [nested.blockSize]),
          ),
    () => compareTensor(expected.dequantized, x.shape, x.data, "dequantized"),
  );
};

export const OPS: Readonly<Record<string, Op>> = {
  quantize,
  dequantize,
  qparams,
  metrics,
  cast,
  decode,
  matmul_integer: matmulInteger,
  pack,
  gguf_quantize: ggufQuantize,
  gguf_dequantize: ggufDequantize,
  mx_quantize: mxQuantize,
  nvfp4_quantize: nvfp4Quantize,
  bnb_quantize: bnbQuantize,
  onnx_node: onnxNode,
};
