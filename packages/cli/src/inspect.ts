/**
 * `quantlab inspect FILE`: what a model file holds. A header (format, size, metadata summary),
 * then every tensor: stored type, shape, bytes, bits per value, statistics of its values and,
 * for quantized tensors, their scheme.
 */
import type { ModelFile, StoredQuantization, StoredTensor } from "@quantlab/models";
import type { CommandSpec } from "./args.js";
import { bytesText, int, num, percent, shapeText, table } from "./format.js";
import type { LoadedModel } from "./model-file.js";
import { OUTPUT_FLAGS } from "./output-flags.js";
import { OUTLIER_SIGMAS, type TensorStats, tensorStats } from "./stats.js";

export const INSPECT: CommandSpec = {
  name: "inspect",
  summary: "every tensor of a model file, with its type, shape, bytes, statistics and scheme",
  usage: "quantlab inspect FILE [--json] [--quiet]",
  positionals: [
    {
      name: "FILE",
      help: "an ONNX, GGUF or safetensors file, or a tfjs model.json / *-weights_manifest.json (shards beside it), or a folder with a model.json",
    },
  ],
  flags: [...OUTPUT_FLAGS],
  details: [
    "Per tensor: the type as the file stores it, the shape (row-major, outermost first, in every format), the bytes it takes, bits per value (8 x bytes / values; block formats include their scales), and over its values (dequantized where stored quantized; NaN and Infinity counted apart): min, max, absmax, population std and the outliers, values with |x - mean| > 6 std.",
    "Quantized tensors show their scheme: QDQ dtype, axis and block size (ONNX DequantizeLinear), MatMulNBits blocks, the GGUF block type, tfjs uint8/uint16 {min, scale} or float16.",
  ],
  examples: [
    "quantlab inspect model.onnx",
    "quantlab inspect model.gguf --json > model.json",
    "quantlab inspect node_modules/@vladmandic/face-api/model/tiny_face_detector_model-weights_manifest.json",
  ],
};

/** One tensor, as inspect reports it. */
export interface TensorReport {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly values: number;
  readonly bytes: number;
  /** 8 × bytes / values (null for a tensor of no values). */
  readonly bitsPerValue: number | null;
  /** The scheme in words ("QDQ int8 per channel, axis 0"), null when not quantized. */
  readonly scheme: string | null;
  readonly quantization: Readonly<Record<string, unknown>> | null;
  /** null when the values cannot be decoded (see `error`). */
  readonly stats: TensorStats | null;
  readonly error?: string;
}

/** What `quantlab inspect` reports (its `--json` document). */
export interface InspectReport {
  readonly file: string;
  readonly format: ModelFile["format"];
  /** Bytes of the file itself (a tfjs manifest's shards are counted in `totals.bytes`). */
  readonly fileBytes: number;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly tensors: readonly TensorReport[];
  readonly totals: {
    readonly tensors: number;
    readonly values: number;
    readonly bytes: number;
    readonly bitsPerValue: number | null;
    readonly quantized: number;
  };
  readonly outliers: string;
}

const OUTLIERS = `values with |x - mean| > ${OUTLIER_SIGMAS} std (population std of the tensor's finite values)`;

function describeArray(a: ArrayLike<number | bigint>): { count: number; min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < a.length; i++) {
    const v = Number(a[i]);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { count: a.length, min, max };
}

/** A StoredQuantization as JSON: per-channel scale and zero point arrays summarized. */
function quantizationJson(q: StoredQuantization): Record<string, unknown> {
  if (q.kind !== "linear") return { ...q };
  const summary = (v: number | Float32Array | Int32Array) =>
    typeof v === "number" ? v : describeArray(v);
  return { ...q, scale: summary(q.scale), zeroPoint: summary(q.zeroPoint) };
}

/** The scheme of a quantized tensor in words. */
export function schemeText(q: StoredQuantization, format: ModelFile["format"]): string {
  if (q.kind === "tfjs") {
    return q.dtype === "float16"
      ? "tfjs float16"
      : `tfjs ${q.dtype} (min ${num(q.min ?? Number.NaN)}, scale ${num(q.scale ?? Number.NaN)})`;
  }
  if (q.kind === "blocks") {
    if (q.format.startsWith("MatMulNBits")) {
      return `MatMulNBits ${q.format.slice("MatMulNBits".length)}-bit, blocks of ${q.blockSize}`;
    }
    return `${format === "gguf" ? "GGUF " : ""}${q.format}, blocks of ${q.blockSize}`;
  }
  const count = typeof q.scale === "number" ? 1 : q.scale.length;
  if (q.blockSize !== undefined) {
    return `QDQ ${q.dtype} blocks of ${q.blockSize}, axis ${q.axis ?? 0} (${int(count)} scales)`;
  }
  if (typeof q.scale !== "number") {
    return `QDQ ${q.dtype} per channel, axis ${q.axis ?? 0} (${int(count)} scales)`;
  }
  return `QDQ ${q.dtype} per tensor (scale ${num(q.scale)}, zero point ${q.zeroPoint})`;
}

const elementsOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** One tensor's report: its values decoded once, for the statistics. */
export function inspectTensor(t: StoredTensor, format: ModelFile["format"]): TensorReport {
  const values = elementsOf(t.shape);
  let stats: TensorStats | null = null;
  let error: string | undefined;
  try {
    stats = tensorStats(t.values());
  } catch (e) {
    error = `values not decoded: ${(e as Error).message}`;
  }
  return {
    name: t.name,
    dtype: t.storedType,
    shape: t.shape,
    values,
    bytes: t.byteLength,
    bitsPerValue: values > 0 ? (8 * t.byteLength) / values : null,
    scheme: t.quantization === undefined ? null : schemeText(t.quantization, format),
    quantization: t.quantization === undefined ? null : quantizationJson(t.quantization),
    stats,
    ...(error === undefined ? {} : { error }),
  };
}

/** A metadata value as JSON: bigints as numbers (strings beyond 2^53), arrays summarized. */
export function jsonSafe(value: unknown, depth = 0): unknown {
  if (typeof value === "bigint") {
    return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  }
  if (ArrayBuffer.isView(value)) {
    const a = value as unknown as ArrayLike<number | bigint>;
    return {
      length: a.length,
      head: Array.from({ length: Math.min(8, a.length) }, (_, i) => jsonSafe(a[i])),
    };
  }
  if (Array.isArray(value)) {
    if (value.length > 8 || depth > 4) {
      return { length: value.length, head: value.slice(0, 8).map((v) => jsonSafe(v, depth + 1)) };
    }
    return value.map((v) => jsonSafe(v, depth + 1));
  }
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v, depth + 1)]));
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

/** The metadata as JSON: tfjs' modelTopology by its class only (it can be megabytes). */
function metadataJson(model: ModelFile): Record<string, unknown> {
  const metadata: Record<string, unknown> = { ...model.metadata };
  if (model.format === "tfjs" && "modelTopology" in metadata) {
    metadata.modelTopology = { className: topologyClass(metadata.modelTopology) };
  }
  return jsonSafe(metadata) as Record<string, unknown>;
}

function topologyClass(topology: unknown): string | null {
  if (typeof topology !== "object" || topology === null) return null;
  const t = topology as Record<string, unknown>;
  const config = t.model_config as Record<string, unknown> | undefined;
  const name = t.class_name ?? config?.class_name ?? (t.node ? "GraphDef" : undefined);
  return typeof name === "string" ? name : null;
}

/**
 * Inspects a model: each tensor's report (`onTensor` after each, for progress), totals and a
 * JSON-safe metadata summary.
 */
export function inspectModel(
  loaded: LoadedModel,
  onTensor?: (t: StoredTensor) => void,
): InspectReport {
  const { model } = loaded;
  const tensors = model.tensors.map((t) => {
    const r = inspectTensor(t, model.format);
    onTensor?.(t);
    return r;
  });
  const values = tensors.reduce((n, t) => n + t.values, 0);
  const bytes = tensors.reduce((n, t) => n + t.bytes, 0);
  return {
    file: loaded.path,
    format: model.format,
    fileBytes: loaded.bytes.byteLength,
    metadata: metadataJson(model),
    tensors,
    totals: {
      tensors: tensors.length,
      values,
      bytes,
      bitsPerValue: values > 0 ? (8 * bytes) / values : null,
      quantized: tensors.filter((t) => t.scheme !== null).length,
    },
    outliers: OUTLIERS,
  };
}

/** A GGUF metadata value in a line: strings quoted, arrays by type and length with a few items. */
function ggufValueText(v: unknown): string {
  const entry = v as { type: string; value: unknown; itemType?: string };
  if (entry.type === "array") {
    const items = entry.value as ArrayLike<unknown>;
    const head = Array.from({ length: Math.min(4, items.length) }, (_, i) => {
      const item = items[i];
      return typeof item === "string"
        ? JSON.stringify(item)
        : typeof item === "object"
          ? "[...]"
          : String(item);
    });
    return `[${int(items.length)} ${entry.itemType}] ${head.join(", ")}${items.length > 4 ? ", ..." : ""}`;
  }
  const text = typeof entry.value === "string" ? JSON.stringify(entry.value) : String(entry.value);
  return `${text.length > 100 ? `${text.slice(0, 97)}...` : text} (${entry.type})`;
}

function valueInfoText(v: { name: string; elemType: string; shape: unknown }): string {
  return `${v.name} ${v.elemType} ${shapeText(v.shape as (number | string | null)[] | null)}`;
}

/** The header lines of a model's metadata, by format. */
export function metadataLines(model: ModelFile): string[] {
  const m = model.metadata as Record<string, unknown>;
  if (model.format === "onnx") {
    const opsets = (m.opsets as { domain: string; version: number }[])
      .map((o) => `${o.domain || "ai.onnx"} ${o.version}`)
      .join(", ");
    const producer = m.producer as { name: string; version: string };
    const ops = Object.entries(m.ops as Record<string, number>).sort(
      (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
    );
    const opsText = ops
      .slice(0, 12)
      .map(([op, n]) => `${op} ${n}`)
      .join(", ");
    return [
      `ir_version ${m.irVersion}, opsets ${opsets}, producer ${producer.name || "?"}${producer.version ? ` ${producer.version}` : ""}, ${m.graphs} graph${m.graphs === 1 ? "" : "s"}`,
      `inputs:  ${(m.inputs as { name: string; elemType: string; shape: unknown }[]).map(valueInfoText).join("; ")}`,
      `outputs: ${(m.outputs as { name: string; elemType: string; shape: unknown }[]).map(valueInfoText).join("; ")}`,
      `ops:     ${opsText}${ops.length > 12 ? `, and ${ops.length - 12} more` : ""}`,
    ];
  }
  if (model.format === "gguf") {
    const g = model as ModelFile & { version?: number; alignment?: number };
    const entries = Object.entries(m);
    return [
      `GGUF version ${g.version}, alignment ${g.alignment}, ${entries.length} key-values`,
      ...entries.map(([k, v]) => `  ${k} = ${ggufValueText(v)}`),
    ];
  }
  if (model.format === "safetensors") {
    const entries = Object.entries(m);
    return [
      `__metadata__: ${entries.length === 0 ? "none" : `${entries.length} key${entries.length === 1 ? "" : "s"}`}`,
      ...entries.map(([k, v]) => {
        const text = JSON.stringify(v);
        return `  ${k} = ${text.length > 100 ? `${text.slice(0, 97)}...` : text}`;
      }),
    ];
  }
  const groups = new Set(model.tensors.map((t) => (t as { group?: number }).group)).size;
  const fields = ["format", "generatedBy", "convertedBy"]
    .filter((k) => typeof m[k] === "string")
    .map((k) => `${k} ${JSON.stringify(m[k])}`);
  const topology =
    "modelTopology" in m
      ? `modelTopology ${topologyClass(m.modelTopology) ?? "present"}`
      : "weights only (no modelTopology)";
  return [[...fields, topology, `${groups} weight group${groups === 1 ? "" : "s"}`].join(", ")];
}

/** The text `quantlab inspect` prints. */
export function inspectText(report: InspectReport, model: ModelFile): string {
  const t = report.totals;
  const head = `${report.file}: ${report.format}, ${bytesText(report.fileBytes)}, ${int(t.tensors)} tensors, ${int(t.values)} values, ${int(t.bytes)} bytes of tensors${t.bitsPerValue === null ? "" : ` (${num(t.bitsPerValue)} bits per value)`}, ${t.quantized} quantized`;
  const rows: string[][] = [
    [
      "name",
      "dtype",
      "shape",
      "values",
      "bytes",
      "bits",
      "min",
      "max",
      "absmax",
      "std",
      "outliers",
      "scheme",
    ],
  ];
  for (const r of report.tensors) {
    const s = r.stats;
    rows.push([
      r.name,
      r.dtype,
      shapeText(r.shape),
      int(r.values),
      int(r.bytes),
      r.bitsPerValue === null ? "-" : num(r.bitsPerValue),
      ...(s === null
        ? ["-", "-", "-", "-", "-"]
        : [num(s.min), num(s.max), num(s.absmax), num(s.std), percent(s.outlierShare)]),
      [
        r.scheme ?? "",
        r.error ?? "",
        s !== null && s.nonFinite > 0 ? `${int(s.nonFinite)} NaN/Infinity` : "",
      ]
        .filter((x) => x !== "")
        .join("; "),
    ]);
  }
  return [
    head,
    ...metadataLines(model),
    "",
    table(rows, [3, 4, 5, 6, 7, 8, 9, 10]),
    "",
    `outliers: ${report.outliers}`,
    "",
  ].join("\n");
}
