/**
 * The inspector's computation, in the browser: a model file read by @quantlab/models, a row per
 * tensor (stored type, shape, bytes, bits per weight, a small histogram), and what re-quantizing a
 * tensor to each format would cost, measured by core's metrics on core's quantizers.
 */
import { extent } from "@quantlab/core";
import { type ModelFile, readModel, type StoredTensor } from "@quantlab/models";
import { DEFAULTS, run, type Settings } from "./engine.js";
import { binCounts } from "./figures.js";

/** One tensor of the file, as the table shows it. */
export interface TensorRow {
  readonly index: number;
  readonly name: string;
  /** The stored type, with the file's own quantization where it records one. */
  readonly type: string;
  readonly shape: readonly number[];
  readonly elements: number;
  readonly bytes: number;
  readonly bitsPerWeight: number;
  /** 24 bin counts over [min, max], or null when the values cannot be decoded. */
  readonly spark: number[] | null;
  readonly min: number;
  readonly max: number;
  /** Why the values cannot be decoded, when they cannot. */
  readonly problem: string | null;
}

/** A file read: its format, its metadata in brief, and its tensors. */
export interface Inspected {
  readonly model: ModelFile;
  readonly rows: TensorRow[];
  readonly totalBytes: number;
  readonly fileBytes: number;
  readonly ms: number;
}

function typeOf(t: StoredTensor): string {
  const q = t.quantization;
  if (!q) return t.storedType;
  if (q.kind === "blocks") {
    const format = q.format === t.storedType ? t.storedType : `${t.storedType} (${q.format})`;
    return `${format}, blocks of ${q.blockSize}`;
  }
  if (q.kind === "tfjs") return `${t.storedType} (tfjs ${q.dtype})`;
  const per = q.blockSize
    ? `blocks of ${q.blockSize}`
    : q.axis !== undefined
      ? `axis ${q.axis}`
      : "per tensor";
  return `${q.dtype} linear, ${per}`;
}

/**
 * Reads a model file (ONNX, GGUF, safetensors, or tfjs with its shards in `others`, by file name).
 * @throws {ModelFileError} from @quantlab/models for a file it cannot read.
 * @example
 * const { rows } = inspect(bytes, "model.gguf");
 * rows[0].type; // => "Q4_0, blocks of 32"
 */
export function inspect(
  bytes: Uint8Array,
  file: string,
  others: ReadonlyMap<string, Uint8Array> = new Map(),
): Inspected {
  const start = performance.now();
  const resolve = (path: string): Uint8Array => {
    const name = path.split("/").pop() ?? path;
    const found = others.get(name);
    if (!found)
      throw new Error(
        `${file} refers to ${path}: open it together with the model (select both files)`,
      );
    return found;
  };
  const model = readModel(bytes, { file, resolve });
  const rows = model.tensors.map((t, index): TensorRow => {
    const elements = t.shape.reduce((a, b) => a * b, 1);
    let spark: number[] | null = null;
    let problem: string | null = null;
    let min = Number.NaN;
    let max = Number.NaN;
    try {
      const values = t.values();
      [min, max] = extent(values);
      spark = elements > 0 ? binCounts(values, 24, min, max) : [];
    } catch (error) {
      problem = (error as Error).message;
    }
    return {
      index,
      name: t.name,
      type: typeOf(t),
      shape: t.shape,
      elements,
      bytes: t.byteLength,
      bitsPerWeight: elements > 0 ? (t.byteLength * 8) / elements : 0,
      spark,
      min,
      max,
      problem,
    };
  });
  return {
    model,
    rows,
    totalBytes: rows.reduce((sum, row) => sum + row.bytes, 0),
    fileBytes: bytes.length,
    ms: performance.now() - start,
  };
}

/** The formats a tensor is re-quantized to, as playground settings (and a label). */
export const TARGETS: readonly { label: string; settings: Partial<Settings> }[] = [
  { label: "float16", settings: { format: "float16", scheme: "cast" } },
  { label: "bfloat16", settings: { format: "bfloat16", scheme: "cast" } },
  { label: "float8e4m3fn, scaled", settings: { format: "float8e4m3fn", scheme: "scaled" } },
  {
    label: "int8 symmetric, per tensor",
    settings: { format: "int8", scheme: "symmetric", granularity: "tensor" },
  },
  {
    label: "int8 symmetric, per channel (axis 0)",
    settings: { format: "int8", scheme: "symmetric", granularity: "channel", axis: 0 },
  },
  {
    label: "int8 affine, per tensor",
    settings: { format: "int8", scheme: "affine", granularity: "tensor" },
  },
  {
    label: "int4 symmetric, blocks of 32",
    settings: { format: "int4", scheme: "symmetric", granularity: "block", blockSize: 32 },
  },
  {
    label: "int4 affine, blocks of 32",
    settings: { format: "int4", scheme: "affine", granularity: "block", blockSize: 32 },
  },
  { label: "GGUF q8_0", settings: { format: "q8_0" } },
  { label: "GGUF q6_K", settings: { format: "q6_K" } },
  { label: "GGUF q4_K", settings: { format: "q4_K" } },
  { label: "GGUF q4_0", settings: { format: "q4_0" } },
  { label: "GGUF iq4_nl", settings: { format: "iq4_nl" } },
  { label: "GGUF q2_K", settings: { format: "q2_K" } },
  { label: "MXFP8 (e4m3)", settings: { format: "mxfp8e4m3" } },
  { label: "MXFP4", settings: { format: "mxfp4" } },
  { label: "NVFP4", settings: { format: "nvfp4" } },
  { label: "bitsandbytes NF4", settings: { format: "nf4" } },
];

/** What re-quantizing one tensor to one format costs. */
export interface Cost {
  readonly label: string;
  readonly format: string;
  readonly bitsPerWeight: number;
  readonly bytes: number;
  readonly sqnrDb: number;
  readonly maxAbs: number;
  readonly rmse: number;
  readonly note: string;
  readonly error: string | null;
}

/**
 * Re-quantizes `values` (of `shape`) to every one of {@link TARGETS} and measures each against
 * the stored values with core's `errorSummary`.
 * @example
 * costs(Float32Array.of(1, 2, 3, 4), [4])[0].label; // => "float16"
 */
export function costs(values: Float32Array, shape: readonly number[]): Cost[] {
  return TARGETS.map(({ label, settings }) => {
    const full: Settings = { ...DEFAULTS, ...settings, source: "layer" };
    try {
      const result = run(values, shape, full);
      const { summary } = result;
      return {
        label,
        format: full.format,
        bitsPerWeight: result.bitsPerWeight,
        bytes: Math.ceil((result.bitsPerWeight * values.length) / 8),
        sqnrDb: summary.sqnrDb,
        maxAbs: summary.maxAbs,
        rmse: summary.rmse,
        note: result.notes.join("; "),
        error: null,
      };
    } catch (error) {
      return {
        label,
        format: full.format,
        bitsPerWeight: Number.NaN,
        bytes: Number.NaN,
        sqnrDb: Number.NaN,
        maxAbs: Number.NaN,
        rmse: Number.NaN,
        note: "",
        error: (error as Error).message,
      };
    }
  });
}
