/**
 * The `onnx_node` op: one ONNX node test of ONNX's own backend suite (onnx-backend.json), run
 * through @quantlab/core's public API. The ONNX node's inputs and attributes map onto core's
 * arguments here; every number is computed by core. Sub-byte tensors carry ONNX's packed bytes
 * (`raw`) too: inputs are unpacked with core's unpackCodes and outputs packed with packCodes, so the
 * cases check core's packing against ONNX's as well.
 */
import * as core from "@quantlab/core";
import { compareFloats, compareIntegers, compareShapes } from "./compare.js";
import { type GoldenCase, type JsonFloat, readFloat } from "./golden.js";

/** A tensor of onnx-backend.json: float32 values, codes of the other float formats, integers. */
export interface OnnxTensor {
  name: string;
  dtype: string;
  shape: number[];
  data: JsonFloat[];
  /** The bytes ONNX stores a sub-byte tensor in (int2, uint2, int4, uint4, float4e2m1). */
  raw?: number[];
}

type Attributes = Record<string, number | string | number[]>;

type Run = (
  inputs: (OnnxTensor | null)[],
  attributes: Attributes,
  expected: OnnxTensor[],
  backend: core.Backend,
) => string | undefined;

const isFloatFormat = (dtype: string): dtype is core.FloatDType => core.isFloatDType(dtype);
const isPacked = (dtype: string): dtype is core.PackedDType =>
  (core.PACKED_DTYPES as readonly string[]).includes(dtype);

function first(...checks: (() => string | undefined)[]): string | undefined {
  for (const check of checks) {
    const difference = check();
    if (difference !== undefined) return difference;
  }
  return undefined;
}

/** The tensor's integers or codes: from ONNX's packed bytes through core's unpackCodes when packed. */
function codes(t: OnnxTensor): number[] {
  const data = t.data as number[];
  if (t.raw === undefined || !isPacked(t.dtype)) return data;
  const unpacked = core.unpackCodes(Uint8Array.from(t.raw), t.dtype, data.length);
  // unpackCodes gives codes for float4e2m1 and signed values for int4 / int2, as `data` holds them
  const difference = compareIntegers(data, unpacked);
  if (difference !== undefined) throw new Error(`${t.name}: unpackCodes of raw${difference}`);
  return Array.from(unpacked);
}

/** The tensor's values as float32: decoded by core for the float formats. */
function values(t: OnnxTensor, backend: core.Backend): Float32Array {
  if (t.dtype === "float32") return Float32Array.from(t.data, readFloat);
  if (isFloatFormat(t.dtype)) return core.decodeFloat(t.dtype, codes(t), { backend });
  return Float32Array.from(codes(t));
}

/** A scale or zero point: a number when it holds one value (ONNX's per-tensor case), else a tensor. */
function param(t: OnnxTensor, data: ArrayLike<number>): number | core.TensorLike {
  return data.length === 1 ? (data[0] as number) : { data: Array.from(data), shape: t.shape };
}

/**
 * Compares integer or code results exactly, except that a code of a float format compares as its
 * value does in the golden format: any NaN code equals any NaN code (ONNX's vectors hold
 * ml_dtypes' NaN codes, e5m2 0x7E and a fnuz NaN widened to float16 as 0xFE00; core writes
 * onnxruntime's, 0x7F and 0x7E00). For a sub-byte dtype, core's packCodes must also give ONNX's bytes.
 */
function compareCodes(expected: OnnxTensor, got: ArrayLike<number>): string | undefined {
  const want = expected.data as number[];
  const dtype = expected.dtype;
  const nan = (code: number) =>
    isFloatFormat(dtype) && Number.isNaN(core.decodeFloat(dtype, [code])[0] as number);
  const same = Array.from(got, (g, i) =>
    i < want.length && nan(g) && nan(want[i] as number) ? (want[i] as number) : g,
  );
  return first(
    () => compareIntegers(want, same),
    () => {
      if (expected.raw === undefined || !isPacked(expected.dtype)) return undefined;
      const difference = compareIntegers(expected.raw, core.packCodes(got, expected.dtype));
      return difference === undefined ? undefined : `packCodes: raw${difference}`;
    },
  );
}

/** Compares float results as values: a float16/bfloat16 expectation is decoded (exactly) first. */
function compareValues(
  expected: OnnxTensor,
  got: ArrayLike<number>,
  backend: core.Backend,
): string | undefined {
  return compareFloats(values(expected, backend), got);
}

/** The arithmetic format ONNX names by a scale type or `precision` / `output_dtype` attribute. */
function precisionOf(dtype: string | undefined): core.FloatPrecision | undefined {
  return dtype === "float16" || dtype === "bfloat16" ? dtype : undefined;
}

function layout(
  scale: OnnxTensor,
  scaleCount: number,
  attributes: Attributes,
): { axis?: number; blockSize?: number } {
  const blockSize = (attributes.block_size as number | undefined) ?? 0;
  if (blockSize > 0) return { axis: (attributes.axis as number | undefined) ?? 1, blockSize };
  if (scaleCount === 1 && scale.shape.length <= 1) return {};
  return { axis: (attributes.axis as number | undefined) ?? 1 };
}

const quantizeLinear: Run = (inputs, attributes, expected, backend) => {
  const [x, scale, zeroPoint] = inputs as [OnnxTensor, OnnxTensor, OnnxTensor | null | undefined];
  const out = expected[0] as OnnxTensor;
  const scales = values(scale, backend);
  const dtype = (zeroPoint?.dtype ??
    (attributes.output_dtype as string | undefined) ??
    "uint8") as core.QuantDType;
  const zp = zeroPoint == null ? undefined : param(zeroPoint, codes(zeroPoint));
  const precision = precisionOf((attributes.precision as string | undefined) ?? scale.dtype);
  const options: core.QuantizeOptions = { shape: x.shape, backend };
  const saturate = attributes.saturate;
  const q = core.quantize(
    values(x, backend),
    {
      dtype,
      scale: param(scale, scales),
      zeroPoint: zp,
      ...layout(scale, scales.length, attributes),
    },
    {
      ...options,
      ...(precision === undefined ? {} : { precision }),
      ...(saturate === undefined || !isFloatFormat(dtype) || !core.FLOAT_FORMATS[dtype].saturates
        ? {}
        : { saturate: saturate === 1 }),
    },
  );
  return first(
    () => (q.dtype === out.dtype ? undefined : `dtype: expected ${out.dtype}, got ${q.dtype}`),
    () => compareShapes(out.shape, q.shape),
    () => compareCodes(out, q.data),
  );
};

const dequantizeLinear: Run = (inputs, attributes, expected, backend) => {
  const [x, scale, zeroPoint] = inputs as [OnnxTensor, OnnxTensor, OnnxTensor | null | undefined];
  const out = expected[0] as OnnxTensor;
  const scales = values(scale, backend);
  const precision = precisionOf((attributes.output_dtype as string | undefined) ?? scale.dtype);
  const zp = zeroPoint == null ? undefined : param(zeroPoint, codes(zeroPoint));
  const y = core.dequantize(
    codes(x),
    {
      dtype: x.dtype as core.QuantDType,
      scale: param(scale, scales),
      zeroPoint: zp,
      ...layout(scale, scales.length, attributes),
    },
    { shape: x.shape, backend, ...(precision === undefined ? {} : { precision }) },
  );
  return first(
    () => compareShapes(out.shape, y.shape),
    () => compareValues(out, y.data, backend),
  );
};

const dynamicQuantizeLinear: Run = (inputs, _attributes, expected, backend) => {
  const x = inputs[0] as OnnxTensor;
  const [y, scale, zeroPoint] = expected as [OnnxTensor, OnnxTensor, OnnxTensor];
  const q = core.dynamicQuantizeLinear(values(x, backend), { shape: x.shape, backend });
  return first(
    () => compareShapes(y.shape, q.shape),
    () => compareCodes(y, q.data),
    () => compareValues(scale, [q.scale as number], backend),
    () => compareIntegers(zeroPoint.data as number[], [q.zeroPoint as number]),
  );
};

/** A quantized operand of QLinearMatMul: per tensor, or per row (a) / per column (b). */
function operand(
  t: OnnxTensor,
  scale: OnnxTensor,
  zeroPoint: OnnxTensor | null | undefined,
  axis: number,
  backend: core.Backend,
): core.QuantizedTensor {
  const scales = values(scale, backend);
  const zps = zeroPoint == null ? [0] : codes(zeroPoint);
  const perTensor = scales.length === 1;
  return {
    dtype: t.dtype as core.IntegerDType,
    data: (t.dtype === "int8" ? Int8Array : Uint8Array).from(codes(t)),
    shape: t.shape,
    scale: perTensor ? (scales[0] as number) : scales,
    zeroPoint: perTensor ? (zps[0] as number) : Int32Array.from(zps),
    ...(perTensor ? {} : { axis }),
    semantics: "onnx",
  };
}

const qlinearMatMul: Run = (inputs, _attributes, expected, backend) => {
  const [a, aScale, aZero, b, bScale, bZero, yScale, yZero] = inputs as (OnnxTensor | null)[];
  const out = expected[0] as OnnxTensor;
  const y = core.qlinearMatMul(
    operand(a as OnnxTensor, aScale as OnnxTensor, aZero, -2, backend),
    operand(b as OnnxTensor, bScale as OnnxTensor, bZero, -1, backend),
    {
      dtype: (yZero?.dtype ?? (a as OnnxTensor).dtype) as core.Int8DType,
      scale: values(yScale as OnnxTensor, backend)[0] as number,
      zeroPoint: yZero == null ? 0 : (codes(yZero)[0] as number),
    },
  );
  return first(
    () => compareShapes(out.shape, y.shape),
    () => compareCodes(out, y.data),
  );
};

const matMulInteger: Run = (inputs, _attributes, expected) => {
  const [a, b, aZero, bZero] = inputs as (OnnxTensor | null)[];
  const out = expected[0] as OnnxTensor;
  const matrix = (t: OnnxTensor) => ({
    data: codes(t),
    shape: t.shape,
    dtype: t.dtype as core.Int8DType,
  });
  const zero = (t: OnnxTensor | null | undefined) =>
    t == null ? undefined : (param(t, codes(t)) as number | core.TensorLike);
  const y = core.matmulInteger(matrix(a as OnnxTensor), matrix(b as OnnxTensor), {
    aZeroPoint: zero(aZero),
    bZeroPoint: zero(bZero),
  });
  return first(
    () => compareShapes(out.shape, y.shape),
    () => compareIntegers(out.data as number[], y.data),
  );
};

/** Cast and CastLike: decode the source (core), encode to the target (core). */
const cast: Run = (inputs, attributes, expected, backend) => {
  const x = inputs[0] as OnnxTensor;
  const out = expected[0] as OnnxTensor;
  const to = (attributes.to as string | undefined) ?? (inputs[1] as OnnxTensor).dtype;
  if (to !== out.dtype) return `dtype: expected ${out.dtype}, got ${to}`;
  const integerSource = core.isIntegerDType(x.dtype);
  if (core.isIntegerDType(to)) {
    if (integerSource) {
      // Integer to a wider integer (int4 -> int8): the values are unchanged; core's part is the
      // unpacking of the source and the packing checks.
      return compareCodes(out, codes(x));
    }
    const got = core.castWrapping(values(x, backend), to as core.PackedIntegerDType);
    return compareCodes(out, got);
  }
  const source = values(x, backend);
  if (to === "float32") return compareFloats(values(out, backend), source);
  if (!isFloatFormat(to)) return `Cast to ${to} is not an op of this suite`;
  const format = core.FLOAT_FORMATS[to];
  const options: core.EncodeFloatOptions = { backend };
  if (format.saturates) options.saturate = (attributes.saturate ?? 1) === 1;
  if (!format.signed) options.roundMode = (attributes.round_mode ?? "up") as core.RoundMode;
  return compareCodes(out, core.encodeFloat(to, source, options));
};

const RUNS: Readonly<Record<string, Run>> = {
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  DynamicQuantizeLinear: dynamicQuantizeLinear,
  QLinearMatMul: qlinearMatMul,
  MatMulInteger: matMulInteger,
  Cast: cast,
  CastLike: cast,
};

/** Runs one `onnx_node` case; returns the first difference, or undefined. */
export function onnxNode(c: GoldenCase, backend: core.Backend): string | undefined {
  const run = RUNS[c.opType as string];
  if (run === undefined) return `ONNX op ${String(c.opType)} is not supported`;
  return run(
    c.inputs as (OnnxTensor | null)[],
    (c.attributes ?? {}) as Attributes,
    c.expected as OnnxTensor[],
    backend,
  );
}
