/**
 * The playground's computation, in the browser, on @quantlab/core: the settings (and their URL
 * form, the share link), the data, and one quantize-then-dequantize with its metrics. Every
 * parameter, code and metric is core's; this module only chooses which core function to call.
 */
import {
  affineParams,
  BNB_FORMATS,
  type BnbFormat,
  calibrate,
  dequantize,
  dequantizeBnb,
  dequantizeGgml,
  dequantizeMx,
  dequantizeNvfp4,
  type ErrorSummary,
  errorSummary,
  FLOAT_FORMATS,
  type FloatDType,
  GGML_TYPES,
  type GgmlType,
  INTEGER_FORMATS,
  type IntegerDType,
  MinMaxObserver,
  MX_FORMATS,
  type MxFormat,
  NVFP4,
  type QuantParams,
  qparamsFromRange,
  quantize,
  quantizeBnb,
  quantizeGgml,
  quantizeMx,
  quantizeNvfp4,
  roundToFloat,
  type Semantics,
  seededNormal,
  seededRandom,
  symmetricParams,
} from "@quantlab/core";

/** The integer dtypes offered (int32's 2^32 levels make no sense to draw). */
export const INTEGER_CHOICES: readonly IntegerDType[] = [
  "int2",
  "uint2",
  "int4",
  "uint4",
  "int8",
  "uint8",
  "int16",
  "uint16",
];
/** The float formats offered, as casts (optionally scaled). */
export const FLOAT_CHOICES: readonly FloatDType[] = [
  "float16",
  "bfloat16",
  "float8e4m3fn",
  "float8e5m2",
  "float6e2m3",
  "float6e3m2",
  "float4e2m1",
];
export const GGML_CHOICES = Object.keys(GGML_TYPES) as GgmlType[];
export const MX_CHOICES = Object.keys(MX_FORMATS) as MxFormat[];
export const BNB_CHOICES = Object.keys(BNB_FORMATS) as BnbFormat[];

export type Family = "integer" | "float" | "ggml" | "mx" | "nvfp4" | "bnb";

/** A group of the format select: a family, its label and its formats. */
export interface FormatGroup {
  family: Family;
  label: string;
  formats: readonly string[];
}

/** The families in the order the format select shows them. */
export const FORMAT_GROUPS: readonly FormatGroup[] = [
  { family: "integer", label: "Integer", formats: INTEGER_CHOICES },
  { family: "float", label: "Float", formats: FLOAT_CHOICES },
  { family: "ggml", label: "GGUF blocks", formats: GGML_CHOICES },
  { family: "mx", label: "Microscaling (OCP MX)", formats: MX_CHOICES },
  { family: "nvfp4", label: "NVIDIA", formats: ["nvfp4"] },
  { family: "bnb", label: "bitsandbytes", formats: BNB_CHOICES },
];

/** Which family a format name belongs to. */
export function familyOf(format: string): Family {
  const group = FORMAT_GROUPS.find((g) => g.formats.includes(format));
  if (group === undefined) {
    throw new RangeError(
      `familyOf(): argument 'format' must be a format the playground offers; received "${format}".`,
    );
  }
  return group.family;
}

export const DISTRIBUTIONS = ["normal", "laplace", "uniform", "outliers"] as const;
export type Source = "layer" | "typed" | (typeof DISTRIBUTIONS)[number];
export const CALIBRATIONS = ["minmax", "percentile", "mse", "entropy"] as const;
export type Calibration = (typeof CALIBRATIONS)[number];
export type Granularity = "tensor" | "channel" | "block";

/** Everything the page's controls set; the share link carries exactly this. */
export interface Settings {
  source: Source;
  /** With source "layer": the bundled model file and the tensor's name. */
  model: string;
  tensor: string;
  /** With a distribution: how many values, and the seed. */
  n: number;
  seed: number;
  /** With source "typed": the values as typed. */
  values: string;
  format: string;
  /** Integers: "symmetric" or "affine"; floats: "cast" or "scaled". */
  scheme: string;
  granularity: Granularity;
  /** The axis of per-channel parameters (and of blocks: always the last axis). */
  axis: number;
  blockSize: number;
  calibration: Calibration;
  percentile: number;
  semantics: Semantics;
}

export const DEFAULTS: Readonly<Settings> = Object.freeze({
  source: "layer",
  model: "digit-classifier.onnx",
  tensor: "fc1.weight",
  n: 65536,
  seed: 1,
  values: "-10, -5, 0, 5, 10",
  format: "int8",
  scheme: "symmetric",
  granularity: "tensor",
  axis: 1,
  blockSize: 32,
  calibration: "minmax",
  percentile: 99.99,
  semantics: "onnx",
});

const NUMERIC: readonly (keyof Settings)[] = ["n", "seed", "axis", "blockSize", "percentile"];

/** The settings as a query string: only what differs from the defaults, in a fixed order. */
export function toQuery(settings: Settings): string {
  const params = new URLSearchParams();
  for (const key of Object.keys(DEFAULTS) as (keyof Settings)[]) {
    if (settings[key] !== DEFAULTS[key]) params.set(key, String(settings[key]));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Settings from a query string; unknown keys and values that do not parse are left at the defaults. */
export function fromQuery(query: string): Settings {
  const params = new URLSearchParams(query);
  const out: Settings = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof Settings)[]) {
    const raw = params.get(key);
    if (raw === null) continue;
    if (NUMERIC.includes(key)) {
      const value = Number(raw);
      if (Number.isFinite(value)) (out as unknown as Record<string, number>)[key] = value;
    } else (out as unknown as Record<string, string>)[key] = raw;
  }
  out.n = Math.min(1 << 20, Math.max(1, Math.round(out.n)));
  return out;
}

/** n values of a distribution around 0 with a weight-like spread (σ = 0.05), from a seed. */
export function distribution(
  kind: (typeof DISTRIBUTIONS)[number],
  n: number,
  seed: number,
): Float32Array {
  const u = seededRandom(seed);
  const out = new Float32Array(n);
  const normal = seededNormal(u);
  for (let i = 0; i < n; i++) {
    if (kind === "normal") out[i] = 0.05 * normal();
    else if (kind === "uniform") out[i] = 0.1 * (2 * u() - 1);
    else if (kind === "laplace") {
      const v = u() - 0.5;
      out[i] = -(0.05 / Math.SQRT2) * Math.sign(v) * Math.log(1 - 2 * Math.abs(v));
    } else out[i] = 0.05 * normal() * (u() < 0.001 ? 20 : 1);
  }
  return out;
}

/** Values typed as text: numbers separated by commas, spaces or new lines. */
export function parseValues(text: string): Float32Array {
  const parts = text.split(/[\s,;]+/).filter((part) => part !== "");
  const bad = parts.find((part) => !Number.isFinite(Number(part)));
  if (bad !== undefined) throw new RangeError(`typed values: "${bad}" is not a finite number`);
  if (parts.length === 0) throw new RangeError("typed values: type at least one number");
  return Float32Array.from(parts, Number);
}

/** The shape given to distributions: rows of 256 when that divides n, else flat. */
export function distributionShape(n: number): number[] {
  return n % 256 === 0 && n > 256 ? [n / 256, 256] : [n];
}

/** One quantize-then-dequantize, and what the page shows of it. */
export interface Result {
  readonly x: Float32Array;
  readonly shape: readonly number[];
  readonly y: Float32Array;
  readonly summary: ErrorSummary;
  /** The storage cost, parameters included. */
  readonly bitsPerWeight: number;
  /** Per-tensor integer parameters (the figures with a grid take them), else null. */
  readonly params: (QuantParams & { scale: number; zeroPoint: number }) | null;
  /** What was done, in words. */
  readonly description: string;
  /** Settings that were adjusted because they did not apply, in words. */
  readonly notes: string[];
  /** Milliseconds in core: parameters, quantize, dequantize, metrics. */
  readonly computeMs: number;
}

/** x padded with zeros to a whole number of `block` values. */
function padded(x: Float32Array, block: number): Float32Array {
  if (x.length % block === 0) return x;
  const out = new Float32Array(Math.ceil(x.length / block) * block);
  out.set(x);
  return out;
}

/** Per-block parameters along the last axis: core's qparamsFromRange of each block's extent. */
function blockParams(
  x: Float32Array,
  shape: readonly number[],
  dtype: IntegerDType,
  scheme: "symmetric" | "affine",
  blockSize: number,
) {
  const row = shape[shape.length - 1] as number;
  const rows = x.length / row;
  const per = Math.ceil(row / blockSize);
  const scale = new Float32Array(rows * per);
  const zeroPoint = new Int32Array(rows * per);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < per; b++) {
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      const end = Math.min(row, (b + 1) * blockSize);
      for (let i = b * blockSize; i < end; i++) {
        const v = x[r * row + i] as number;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const p = qparamsFromRange(lo, hi, { dtype, scheme });
      scale[r * per + b] = p.scale;
      zeroPoint[r * per + b] = p.zeroPoint;
    }
  }
  const paramShape = [...shape.slice(0, -1), per];
  return {
    dtype,
    scale: { data: scale, shape: paramShape },
    zeroPoint: { data: zeroPoint, shape: paramShape },
    axis: shape.length - 1,
    blockSize,
  };
}

/** Bits of a per-group scale (float32) and zero point (the dtype's bits, when affine). */
function groupBits(dtype: IntegerDType, affine: boolean): number {
  return 32 + (affine ? INTEGER_FORMATS[dtype].bits : 0);
}

/**
 * Quantizes `x` (of `shape`) as `settings` say and dequantizes it back, with core.
 * @example
 * const r = run(Float32Array.of(-10, -5, 0, 5, 10), [5], { ...DEFAULTS, source: "typed" });
 * Array.from(r.y); // => [-10, -4.960629940032959, 0, 4.960629940032959, 10] (int8 symmetric, min-max)
 */
export function run(x: Float32Array, shape: readonly number[], settings: Settings): Result {
  const start = performance.now();
  const notes: string[] = [];
  const family = familyOf(settings.format);
  const n = x.length;
  let y: Float32Array;
  let bits: number;
  let params: Result["params"] = null;
  let description: string;
  if (family === "integer") {
    const dtype = settings.format as IntegerDType;
    const format = INTEGER_FORMATS[dtype];
    const scheme = settings.scheme === "affine" ? "affine" : "symmetric";
    let granularity = settings.granularity;
    if (granularity === "channel" && shape.length < 2) {
      notes.push("per-channel needs a tensor of 2 or more dimensions: per tensor instead");
      granularity = "tensor";
    }
    let calibration = settings.calibration;
    if (
      calibration !== "minmax" &&
      (granularity !== "tensor" || scheme !== "symmetric" || format.min >= 0)
    ) {
      notes.push(
        `${calibration} calibration is core's calibrate(), symmetric, signed and per tensor: min-max used here`,
      );
      calibration = "minmax";
    }
    let p: QuantParams;
    if (granularity === "tensor") {
      if (calibration === "minmax") {
        p = scheme === "symmetric" ? symmetricParams(x, { dtype }) : affineParams(x, { dtype });
        description = `${scheme} min-max per tensor (core's ${scheme}Params)`;
      } else {
        const c = calibrate(x, {
          method: calibration,
          dtype,
          ...(calibration === "percentile" ? { percentile: settings.percentile } : {}),
        });
        p = { dtype, scale: c.scale, zeroPoint: 0 };
        description = `symmetric per tensor, amax ${c.amax.toPrecision(5)} by core's calibrate(${calibration}${calibration === "percentile" ? ` ${settings.percentile}` : ""})`;
      }
      params = p as Result["params"];
      bits = format.bits + groupBits(dtype, scheme === "affine") / n;
    } else if (granularity === "channel") {
      const axis = Math.min(shape.length - 1, Math.max(0, settings.axis));
      if (axis !== settings.axis) notes.push(`axis ${settings.axis} is out of range: axis ${axis}`);
      p = new MinMaxObserver({ dtype, scheme, axis }).observe(x, shape).qparams() as QuantParams;
      const channels = shape[axis] as number;
      description = `${scheme} min-max per channel along axis ${axis} (${channels} channels, core's MinMaxObserver)`;
      bits = format.bits + (groupBits(dtype, scheme === "affine") * channels) / n;
    } else {
      const row = shape[shape.length - 1] as number;
      const blockSize = Math.max(1, Math.round(settings.blockSize));
      p = blockParams(x, shape, dtype, scheme, blockSize) as unknown as QuantParams;
      const blocks = (n / row) * Math.ceil(row / blockSize);
      description = `${scheme} min-max per block of ${blockSize} along the last axis (${blocks} blocks, core's qparamsFromRange)`;
      bits = format.bits + (groupBits(dtype, scheme === "affine") * blocks) / n;
    }
    const q = quantize({ data: x, shape }, p, { semantics: settings.semantics });
    y = dequantize(q).data;
  } else if (family === "float") {
    const dtype = settings.format as FloatDType;
    const info = FLOAT_FORMATS[dtype];
    bits = info.bits;
    if (settings.scheme === "scaled") {
      let amax = 0;
      for (let i = 0; i < n; i++) amax = Math.max(amax, Math.abs(x[i] as number));
      const s = Math.fround(amax > 0 ? amax / info.maxFinite : 1);
      const scaled = new Float32Array(n);
      for (let i = 0; i < n; i++) scaled[i] = Math.fround((x[i] as number) / s);
      y = roundToFloat(dtype, scaled);
      for (let i = 0; i < n; i++) y[i] = Math.fround((y[i] as number) * s);
      bits += 32 / n;
      description = `x / s cast to ${dtype} (core's roundToFloat), times s = amax / ${info.maxFinite} = ${s.toPrecision(5)}`;
    } else {
      y = roundToFloat(dtype, x);
      description = `cast to ${dtype} (core's roundToFloat: nearest, ties to even)`;
    }
  } else {
    const flat = x;
    let block: number;
    let deq: Float32Array;
    if (family === "ggml") {
      const type = settings.format as GgmlType;
      block = GGML_TYPES[type].blockSize;
      const data = padded(flat, block);
      deq = dequantizeGgml(quantizeGgml(data, type)).data;
      bits = GGML_TYPES[type].bitsPerWeight;
      description = `ggml ${type} (core's quantizeGgml, ggml's reference bytes) in blocks of ${block}`;
    } else if (family === "mx") {
      const format = settings.format as MxFormat;
      block = 32;
      deq = dequantizeMx(quantizeMx(flat, format)).data;
      bits = MX_FORMATS[format].bitsPerWeight;
      description = `OCP ${format} (core's quantizeMx) in blocks of 32, scale float8e8m0`;
    } else if (family === "nvfp4") {
      block = NVFP4.blockSize;
      const data = padded(flat, block);
      deq = dequantizeNvfp4(quantizeNvfp4(data)).data;
      bits = NVFP4.bitsPerWeight + 32 / n;
      description =
        "NVFP4 (core's quantizeNvfp4): e2m1 in blocks of 16, e4m3 block scales, a float32 tensor scale";
    } else {
      const format = settings.format as BnbFormat;
      block = 64;
      deq = dequantizeBnb(quantizeBnb(flat, format)).data;
      bits = BNB_FORMATS[format].bitsPerWeight;
      description = `bitsandbytes ${format} (core's quantizeBnb) in blocks of 64, float32 absmax`;
    }
    if (flat.length % block !== 0 && family !== "mx" && family !== "bnb") {
      notes.push(
        `${n} values are not whole blocks of ${block}: zeros pad the last block, and are not measured`,
      );
    }
    y = deq.length === n ? deq : deq.slice(0, n);
    if (shape.length > 1 && (shape[shape.length - 1] as number) % block !== 0) {
      notes.push(
        `blocks run over the flattened tensor (its rows of ${shape[shape.length - 1]} are not whole blocks of ${block})`,
      );
    }
  }
  const summary = errorSummary(x, y);
  return {
    x,
    shape,
    y,
    summary,
    bitsPerWeight: bits,
    params,
    description,
    notes,
    computeMs: performance.now() - start,
  };
}
