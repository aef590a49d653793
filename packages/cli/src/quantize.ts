/**
 * `quantlab quantize IN OUT`: a model's weights quantized, written, and reported per tensor.
 *
 * Conversions:
 * - ONNX → ONNX, `--format qdq` (DequantizeLinear on each weight) or `matmulnbits`
 *   (com.microsoft.MatMulNBits for MatMul weights), with static activations from `--calibrate`:
 *   @quantlab/models' quantizeOnnx, its weights spread over worker threads;
 * - ONNX, GGUF, safetensors or tfjs → GGUF, `--format gguf-<type>` (any ggml block type core
 *   quantizes): every float tensor of two or more dimensions whose rows (last dimension) are
 *   whole blocks, in that type; other float tensors as F32, F16 or BF16 as stored (GGUF input: as
 *   they were); tensors
 *   already in a block format kept as they are; integer tensors of other formats left out.
 * Anything else (an ONNX output from a file with no graph) is refused.
 */
import { basename } from "node:path";
import { GGML_TYPES, type GgmlType } from "@quantlab/core";
import {
  type ActivationParams,
  type CalibrateOnnxOptions,
  calibrateOnnx,
  type GgufTensorInput,
  type GgufValueInput,
  type ModelFile,
  type OnnxFeed,
  type OnnxRunner,
  type OnnxWeightCodes,
  planOnnxQuantization,
  type QuantizeOnnxOptions,
  type StoredTensor,
  scaleLayerInputs,
  type WeightDType,
  writeGguf,
} from "@quantlab/models";
import { type CommandSpec, UsageError } from "./args.js";
import { CliError } from "./errors.js";
import type { GgufTensorJob } from "./jobs.js";
import type { LayerLine, LayerRunner } from "./methods.js";
import type { LoadedModel } from "./model-file.js";
import type { OrtModel } from "./ort.js";
import { OUTPUT_FLAGS } from "./output-flags.js";
import { defaultThreads, MAX_THREADS, runJobs } from "./pool.js";

/**
 * Weight methods: round to nearest (the plan's own arithmetic, or the algorithms' grid with
 * `--bits`), and @quantlab/algorithms' GPTQ, AWQ (with --calibrate) and HQQ (no data).
 */
export const METHODS = ["rtn", "gptq", "awq", "hqq"] as const;
export type Method = (typeof METHODS)[number];

const GGML_NAMES = Object.keys(GGML_TYPES) as GgmlType[];
export const FORMATS = ["qdq", "matmulnbits", "gguf", ...GGML_NAMES.map((t) => `gguf-${t}`)];

export const QUANTIZE: CommandSpec = {
  name: "quantize",
  summary: "quantize a model's weights, write it, and report each tensor's SQNR and bytes",
  usage:
    "quantlab quantize IN OUT --weights int8|uint8|int4|uint4 [--per-channel | --block N] [--method rtn|gptq|awq|hqq [--bits N]] [--format qdq|matmulnbits|gguf|gguf-TYPE] [--calibrate DIR [--activations int8|uint8]] [--threads N] [--json]",
  positionals: [
    {
      name: "IN",
      help: "the float model: ONNX (any output), or GGUF, safetensors, tfjs (GGUF output)",
    },
    { name: "OUT", help: "the quantized model to write: .onnx (qdq, matmulnbits) or .gguf" },
  ],
  flags: [
    {
      name: "weights",
      type: "string",
      value: "DTYPE",
      choices: ["int8", "uint8", "int4", "uint4"],
      help: "weight codes: signed symmetric, unsigned affine (required, except with gguf-TYPE)",
    },
    { name: "per-channel", type: "boolean", help: "one scale per output channel (QDQ)" },
    {
      name: "reduce-range",
      type: "boolean",
      help: "8-bit weights with one bit less, PyTorch's reduce_range: int8 in [-63, 63], uint8 (affine) in [0, 127]. With --activations and int8 weights, onnxruntime on x86 CPUs without VNNI adds pairs of products in int16, which saturates at full range",
    },
    {
      name: "block",
      type: "integer",
      value: "N",
      min: 2,
      max: 1 << 20,
      help: "one scale per block of N values along the reduction axis (QDQ int4 at opset 21, MatMulNBits: a power of two >= 16, default 32)",
    },
    {
      name: "format",
      type: "string",
      value: "FORMAT",
      choices: FORMATS,
      help: `qdq (default for .onnx), matmulnbits, gguf (int8 → q8_0, int4 → q4_0, uint4 → q4_1; default for .gguf) or gguf-TYPE, TYPE one of ${GGML_NAMES.join(", ")}`,
    },
    {
      name: "scheme",
      type: "string",
      value: "SCHEME",
      choices: ["symmetric", "affine"],
      help: "override the scheme of --weights (ONNX)",
    },
    {
      name: "method",
      type: "string",
      value: "METHOD",
      choices: [...METHODS],
      help: "how weights are rounded: rtn, round to nearest (default); gptq (GPTQ, needs --calibrate), awq (AWQ, needs --calibrate; MatMul and Gemm weights), hqq (HQQ, no data): ONNX QDQ, per channel or in blocks, one layer at a time with a line per layer",
    },
    {
      name: "bits",
      type: "integer",
      value: "N",
      min: 2,
      max: 8,
      help: "bits per weight, 2 to the width of --weights (3 and 2 stored in 4-bit codes); on the algorithms' grid (min-max, zero point rounded), as --method gptq|awq|hqq use it",
    },
    {
      name: "ops",
      type: "string",
      value: "OPS",
      help: "ONNX ops whose weights are quantized, comma-separated (default MatMul,Gemm,Conv; LSTM, GRU, RNN may be added)",
    },
    {
      name: "exclude",
      type: "string",
      value: "NAME",
      repeatable: true,
      help: "a tensor to leave as it is (repeat the flag for more)",
    },
    {
      name: "min-size",
      type: "integer",
      value: "N",
      min: 0,
      help: "tensors of fewer values stay float (default 16)",
    },
    {
      name: "calibrate",
      type: "string",
      value: "DIR",
      help: "sample inputs in every *.json file of DIR (the inputs format of `quantlab compare --help`), run by onnxruntime-node: the calibration set of --method gptq|awq, and with --activations static activation quantization",
    },
    {
      name: "activations",
      type: "string",
      value: "DTYPE",
      choices: ["int8", "uint8"],
      help: "activation codes with --calibrate: int8 symmetric or uint8 affine",
    },
    {
      name: "calibration",
      type: "string",
      value: "METHOD",
      choices: ["minmax", "percentile", "mse", "entropy"],
      help: "how --calibrate turns ranges into scales (default minmax; the others are int8 only)",
    },
    {
      name: "threads",
      type: "integer",
      value: "N",
      min: 1,
      max: MAX_THREADS,
      help: "worker threads (default: the available cores, at most 16; 1 runs in the main thread)",
    },
    ...OUTPUT_FLAGS,
  ],
  details: [
    "Conversions: ONNX to ONNX (qdq, matmulnbits; --calibrate adds QuantizeLinear/DequantizeLinear pairs on the activations around MatMul, Gemm and Conv), and ONNX, GGUF, safetensors or tfjs to GGUF (gguf, gguf-TYPE). GGUF output: every float tensor of two or more dimensions whose last dimension is a multiple of the block size (and at least --min-size values) in the block type, in ggml's layout (blocks along the last dimension as stored); other float tensors as F32 (F16 and BF16 ones keep their type; from GGUF: copied as they are); tensors already in a block format copied; integer tensors of other formats left out. Other conversions are refused.",
    "The bytes written do not depend on --threads: each tensor is quantized by the same pure function in whichever thread, and the file is assembled in order.",
    "--method gptq|awq|hqq, or --bits: each MatMul, Gemm or Conv weight of the main graph is quantized as the matrix [out, in] its op multiplies (a Conv's [M, C/group·kH·kW], one group at a time), in the main thread, with a line per layer on stderr (GPTQ and AWQ: the layer's output error on its calibration rows, and RTN's on the same grid); their calibration rows are the layer's inputs recorded from the float model on the --calibrate samples (a Conv's patches), at most 2048 a layer, evenly spaced. Codes in [0, 2^bits - 1] with an integer zero point per output channel (--per-channel) or per block of inputs (--block N), stored as --weights' type (signed types shifted by 2^(bits-1)). AWQ divides each input of a MatMul or Gemm by its scale with a Mul node inserted before the op; it leaves Conv weights to RTN. Weights a method cannot take are rounded to nearest and the report says why.",
  ],
  examples: [
    "quantlab quantize model.onnx model-int8.onnx --weights int8 --per-channel",
    "quantlab quantize model.onnx model-int4.onnx --weights int4 --block 32",
    "quantlab quantize model.onnx model-nbits.onnx --weights int4 --format matmulnbits --block 32",
    "quantlab quantize model.onnx model-w8a8.onnx --weights int8 --per-channel --calibrate samples/ --activations uint8",
    "quantlab quantize model.safetensors model-q4.gguf --format gguf-q4_0",
    "quantlab quantize model.onnx model-gptq3.onnx --weights uint4 --block 32 --bits 3 --method gptq --calibrate samples/",
    "quantlab quantize model.onnx model-hqq4.onnx --weights uint4 --block 64 --method hqq",
  ],
};

/** What the command line asks for, checked. */
export interface QuantizeSettings {
  readonly target: "onnx" | "gguf";
  /** ONNX: qdq or matmulnbits. */
  readonly onnxFormat?: "qdq" | "matmulnbits";
  /** GGUF: the block type. */
  readonly ggufType?: GgmlType;
  readonly weights?: WeightDType;
  readonly granularity: "tensor" | "channel" | "block";
  readonly blockSize?: number;
  readonly symmetric?: boolean;
  /** 8-bit weights with one bit less of range (--reduce-range). */
  readonly reduceRange?: boolean;
  readonly method: Method;
  /** Bits per weight on the algorithms' grid (set with --bits, or by a method other than rtn). */
  readonly bits?: number;
  readonly ops?: readonly string[];
  readonly exclude: readonly string[];
  readonly minSize: number;
  /** The samples' folder (a data-aware method's calibration set, and static activations). */
  readonly samplesDir?: string;
  readonly calibrate?: {
    readonly dir: string;
    readonly dtype: "int8" | "uint8";
    readonly method: NonNullable<CalibrateOnnxOptions["method"]>;
  };
  readonly threads?: number;
}

/** The codes each GGUF block type stores, as --weights names them (none: no such flag value). */
const GGUF_WEIGHTS: Readonly<Record<GgmlType, WeightDType | undefined>> = {
  q8_0: "int8",
  q8_K: "int8",
  q4_0: "int4",
  iq4_nl: "int4",
  q4_1: "uint4",
  q4_K: "uint4",
  q5_0: undefined,
  q5_1: undefined,
  q5_K: undefined,
  q2_K: undefined,
  q3_K: undefined,
  q6_K: undefined,
};

/** llama.cpp's `general.file_type` (llama_ftype) where one block type makes the whole file. */
const GGUF_FILE_TYPE: Partial<Record<GgmlType, number>> = {
  q4_0: 2,
  q4_1: 3,
  q8_0: 7,
  q5_0: 8,
  q5_1: 9,
  q6_K: 18,
};

/** Checks the flags of `quantize` against each other (exit code 2 when they disagree). */
export function quantizeSettings(
  flags: Readonly<Record<string, unknown>>,
  out: string,
): QuantizeSettings {
  const fail = (message: string) => new UsageError("quantize", message);
  const ext = out.toLowerCase().endsWith(".gguf")
    ? "gguf"
    : out.toLowerCase().endsWith(".onnx")
      ? "onnx"
      : undefined;
  const weights = flags.weights as WeightDType | undefined;
  let format = flags.format as string | undefined;
  if (format === undefined) {
    if (ext === undefined) {
      throw fail(
        `OUT ${JSON.stringify(out)} ends in neither .onnx nor .gguf: name the format with --format`,
      );
    }
    format = ext === "onnx" ? "qdq" : "gguf";
  }
  const target = format.startsWith("gguf") ? "gguf" : "onnx";
  if (ext !== undefined && ext !== target) {
    throw fail(
      `--format ${format} writes ${target === "gguf" ? "GGUF" : "ONNX"}, but OUT ${JSON.stringify(out)} ends in .${ext}`,
    );
  }
  const perChannel = flags["per-channel"] === true;
  const reduceRange = flags["reduce-range"] === true;
  const block = flags.block as number | undefined;
  if (perChannel && block !== undefined) throw fail("--per-channel and --block exclude each other");
  const method = (flags.method as Method | undefined) ?? "rtn";
  const exclude = (flags.exclude as string[] | undefined) ?? [];
  const minSize = (flags["min-size"] as number | undefined) ?? 16;
  const threads = flags.threads as number | undefined;
  const scheme = flags.scheme as "symmetric" | "affine" | undefined;
  const calibrateDir = flags.calibrate as string | undefined;
  const activations = flags.activations as "int8" | "uint8" | undefined;
  const calibration = flags.calibration as NonNullable<CalibrateOnnxOptions["method"]> | undefined;
  const bits = flags.bits as number | undefined;
  const dataAware = method === "gptq" || method === "awq";
  if (calibrateDir !== undefined && activations === undefined && !dataAware)
    throw fail(
      method === "hqq"
        ? "--method hqq uses no data: leave --calibrate out (or add --activations for static activations)"
        : "--calibrate needs --activations int8 or uint8 (or a data-aware --method gptq or awq)",
    );
  if (dataAware && calibrateDir === undefined)
    throw fail(
      `--method ${method} is data-aware: give its calibration samples with --calibrate DIR`,
    );
  if (activations !== undefined && calibrateDir === undefined)
    throw fail("--activations needs --calibrate DIR (the sample inputs)");
  if (calibration !== undefined && calibrateDir === undefined)
    throw fail("--calibration needs --calibrate DIR");
  if (calibration !== undefined && calibration !== "minmax" && activations !== "int8") {
    throw fail(`--calibration ${calibration} gives symmetric int8 scales: use --activations int8`);
  }
  const common = {
    method,
    exclude,
    minSize,
    ...(threads === undefined ? {} : { threads }),
    ...(calibrateDir === undefined ? {} : { samplesDir: calibrateDir }),
  };
  if (method !== "rtn" || bits !== undefined) {
    const what = method !== "rtn" ? `--method ${method}` : "--bits";
    if (target === "gguf" || format === "matmulnbits")
      throw fail(`${what} writes ONNX QDQ: use --format qdq (an .onnx output)`);
    if (weights === undefined) throw fail(`${what} needs --weights int8, uint8, int4 or uint4`);
    if (!perChannel && block === undefined)
      throw fail(`${what} quantizes per channel or in blocks: add --per-channel or --block N`);
    const width = weights.endsWith("4") ? 4 : 8;
    if (bits !== undefined && bits > width)
      throw fail(`--bits ${bits} does not fit --weights ${weights} (${width}-bit codes)`);
    if (method === "hqq" && scheme === "symmetric")
      throw fail(
        "--method hqq is affine (it optimizes the zero point): leave out --scheme symmetric",
      );
    if (method === "awq" && activations !== undefined)
      throw fail("--method awq is weight-only here: leave out --activations");
    if (reduceRange)
      throw fail(
        method === "rtn"
          ? "--reduce-range and --bits exclude each other (--bits sets the grid)"
          : `--reduce-range applies to round to nearest, not to --method ${method}`,
      );
  }

  if (target === "gguf") {
    for (const flag of ["per-channel", "scheme", "ops", "calibrate", "reduce-range"]) {
      if (flags[flag] !== undefined)
        throw fail(`--${flag} applies to ONNX outputs, not to --format ${format}`);
    }
    let type: GgmlType;
    if (format === "gguf") {
      const byWeights: Partial<Record<WeightDType, GgmlType>> = {
        int8: "q8_0",
        int4: "q4_0",
        uint4: "q4_1",
      };
      if (weights === undefined)
        throw fail(
          "--format gguf needs --weights int8, int4 or uint4 (or name the type: --format gguf-q8_0)",
        );
      const t = byWeights[weights];
      if (t === undefined)
        throw fail(
          "--format gguf has no uint8 block type: use --weights int8 (q8_0), int4 (q4_0) or uint4 (q4_1)",
        );
      type = t;
    } else {
      type = format.slice(5) as GgmlType;
      const stores = GGUF_WEIGHTS[type];
      if (weights !== undefined && weights !== stores) {
        throw fail(
          stores === undefined
            ? `gguf-${type} stores codes --weights cannot name: leave --weights out`
            : `gguf-${type} stores ${stores} codes; --weights ${weights} disagrees (leave it out, or pick another type)`,
        );
      }
    }
    const size = GGML_TYPES[type].blockSize;
    if (block !== undefined && block !== size)
      throw fail(`gguf-${type} has blocks of ${size}; --block ${block} disagrees`);
    return {
      target,
      ggufType: type,
      ...(weights === undefined ? {} : { weights }),
      granularity: "block",
      blockSize: size,
      ...common,
    };
  }

  if (weights === undefined) throw fail("--weights is required: int8, uint8, int4 or uint4");
  if (reduceRange && weights !== "int8" && weights !== "uint8")
    throw fail(
      `--reduce-range applies to 8-bit weights (int8, uint8), not to --weights ${weights}`,
    );
  if (reduceRange && weights === "uint8" && scheme === "symmetric")
    throw fail("--reduce-range takes affine uint8 weights: leave out --scheme symmetric");
  const onnxFormat = format as "qdq" | "matmulnbits";
  if (onnxFormat === "matmulnbits") {
    if (weights !== "int4" && weights !== "uint4")
      throw fail(
        `--format matmulnbits stores 4-bit weights: use --weights int4 or uint4, not ${weights}`,
      );
    if (perChannel)
      throw fail("--format matmulnbits quantizes in blocks: use --block N, not --per-channel");
    const size = block ?? 32;
    if (size < 16 || (size & (size - 1)) !== 0)
      throw fail(`--format matmulnbits takes --block a power of two >= 16; received ${size}`);
  }
  const ops =
    flags.ops === undefined
      ? undefined
      : String(flags.ops)
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "");
  const granularity =
    onnxFormat === "matmulnbits" || block !== undefined
      ? "block"
      : perChannel
        ? "channel"
        : "tensor";
  return {
    target,
    onnxFormat,
    weights,
    granularity,
    ...(granularity === "block" ? { blockSize: block ?? 32 } : {}),
    ...(scheme === undefined ? {} : { symmetric: scheme === "symmetric" }),
    ...(reduceRange ? { reduceRange } : {}),
    ...(ops === undefined ? {} : { ops }),
    ...(calibrateDir === undefined || activations === undefined
      ? {}
      : { calibrate: { dir: calibrateDir, dtype: activations, method: calibration ?? "minmax" } }),
    ...(method !== "rtn" || bits !== undefined
      ? { bits: bits ?? (weights.endsWith("4") ? 4 : 8) }
      : {}),
    ...common,
  };
}

/** One quantized tensor of the report. */
export interface QuantizedTensorRow {
  readonly name: string;
  /** The op it feeds (ONNX), or null. */
  readonly op: string | null;
  readonly shape: readonly number[];
  readonly from: string;
  readonly to: string;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
  readonly sqnrDb: number;
  /** --method gptq|awq: the layer's output error on its calibration rows, and RTN's. */
  readonly outputError?: number;
  readonly rtnOutputError?: number;
  /** Rounded to nearest although another method was asked for: why. */
  readonly fallback?: string;
}

/** A tensor not quantized, and why. */
export interface KeptTensorRow {
  readonly name: string;
  /** How it was written: "F32", "as stored", "left out"... */
  readonly written: string;
  readonly reason: string;
}

/** What quantizing a model produced. */
export interface QuantizeResult {
  readonly bytes: Uint8Array;
  readonly scheme: string;
  readonly quantized: readonly QuantizedTensorRow[];
  readonly kept: readonly KeptTensorRow[];
  /** Activations given QuantizeLinear/DequantizeLinear pairs (ONNX with --calibrate). */
  readonly activations: readonly string[];
  readonly notes: readonly string[];
  readonly threads: number;
}

/** Hooks of {@link quantizeModel}: progress over the jobs. */
export interface QuantizeHooks {
  /** Called once the jobs are known (their count and total values); returns a per-job callback. */
  readonly onJobs?: (count: number, values: number) => (values: number) => void;
  /** Run one worker even with one thread (the benchmark's "1 worker"). */
  readonly inline?: boolean;
  /** Samples for --calibrate, when read already. */
  readonly samples?: readonly Readonly<Record<string, OnnxFeed>>[];
  /** Runs the model for calibration (onnxruntime-node by default). */
  readonly runner?: OnnxRunner;
  /** --method gptq|awq|hqq, --bits: called after each layer (the progress lines). */
  readonly onLayer?: (line: LayerLine, index: number, count: number) => void;
}

export function schemeName(s: QuantizeSettings): string {
  if (s.target === "gguf") return `GGUF ${s.ggufType}`;
  const g =
    s.granularity === "tensor"
      ? "per tensor"
      : s.granularity === "channel"
        ? "per channel"
        : `blocks of ${s.blockSize}`;
  const signed = s.weights === "int8" || s.weights === "int4";
  const scheme =
    s.symmetric === undefined
      ? signed
        ? "symmetric"
        : "affine"
      : s.symmetric
        ? "symmetric"
        : "affine";
  const base =
    s.onnxFormat === "matmulnbits" ? `MatMulNBits ${s.weights} ${g}` : `QDQ ${s.weights} ${g}`;
  const method =
    s.bits === undefined
      ? ""
      : `, ${s.method === "rtn" ? "RTN" : s.method.toUpperCase()} ${s.bits}-bit${s.method === "hqq" ? " (affine)" : ""}`;
  const range = s.reduceRange ? ", reduced range" : "";
  return `${base}, ${s.method === "hqq" ? "affine" : scheme}${range}${method}${s.calibrate ? `, activations ${s.calibrate.dtype} (${s.calibrate.method})` : ""}`;
}

/**
 * Quantizes a loaded model as `settings` says, its tensor jobs spread over `settings.threads`
 * worker threads; returns the new file's bytes and the report.
 *
 * @throws {CliError} a conversion quantlab does not make (an ONNX output from a file without a
 *   graph), or a calibration that fails.
 */
export async function quantizeModel(
  loaded: LoadedModel,
  settings: QuantizeSettings,
  hooks: QuantizeHooks = {},
): Promise<QuantizeResult> {
  const { model } = loaded;
  if (settings.target === "onnx") {
    if (model.format !== "onnx") {
      throw new CliError(
        `${loaded.path}: --format ${settings.onnxFormat} writes ONNX, which needs an ONNX input (a graph); this is a ${model.format} file. From ${model.format}, quantlab writes GGUF: --format gguf-q8_0, gguf-q4_0, ...`,
      );
    }
    return quantizeOnnxModel(loaded, settings, hooks);
  }
  return quantizeToGguf(loaded, settings, hooks);
}

/** A layer's figures for its report row. */
function layerFigures(line: LayerLine | undefined): Partial<QuantizedTensorRow> {
  if (line === undefined) return {};
  return {
    ...(line.outputError === undefined ? {} : { outputError: line.outputError }),
    ...(line.rtnOutputError === undefined ? {} : { rtnOutputError: line.rtnOutputError }),
    ...(line.fallback === undefined ? {} : { fallback: line.fallback }),
  };
}

async function quantizeOnnxModel(
  loaded: LoadedModel,
  s: QuantizeSettings,
  hooks: QuantizeHooks,
): Promise<QuantizeResult> {
  let activations: Record<string, ActivationParams> | undefined;
  const notes: string[] = [];
  const samples = hooks.samples;
  if (s.samplesDir !== undefined && samples === undefined)
    throw new Error("quantizeModel(): calibration samples were not read");
  if (s.calibrate !== undefined) {
    if (samples === undefined)
      throw new Error("quantizeModel(): calibration samples were not read");
    const { ortRunner } = await import("./ort.js");
    activations = await calibrateOnnx(
      loaded.bytes,
      samples,
      hooks.runner ?? ortRunner(loaded.path),
      {
        dtype: s.calibrate.dtype,
        method: s.calibrate.method,
        file: loaded.path,
      },
    );
    notes.push(
      `calibration: ${Object.keys(activations).length} activations observed over ${samples.length} samples (${s.calibrate.method})`,
    );
    if (!s.reduceRange && s.weights === "int8")
      notes.push(
        "full-range int8 weights with 8-bit activations: onnxruntime on x86 CPUs without VNNI adds pairs of products in int16, which saturates; --reduce-range keeps every pair exact",
      );
  }
  const options: QuantizeOnnxOptions = {
    weights: s.weights,
    granularity: s.granularity,
    format: s.onnxFormat,
    ...(s.blockSize === undefined ? {} : { blockSize: s.blockSize }),
    ...(s.symmetric === undefined ? {} : { symmetric: s.symmetric }),
    ...(s.reduceRange ? { reduceRange: true } : {}),
    ...(s.ops === undefined ? {} : { ops: s.ops }),
    exclude: s.exclude,
    minSize: s.minSize,
    ...(activations === undefined ? {} : { activations }),
    file: loaded.path,
    resolve: loaded.resolve,
  };
  const plan = planOnnxQuantization(loaded.bytes, options);
  const sizes = plan.jobs.map((j) => j.values.length);
  const threads = Math.min(s.threads ?? defaultThreads(), Math.max(1, plan.jobs.length));
  let codes: OnnxWeightCodes[];
  let lines: readonly LayerLine[] = [];
  let factors = new Map<string, Float32Array>();
  if (s.bits !== undefined) {
    const { quantizeByMethod } = await import("./methods.js");
    const dataAware = s.method === "gptq" || s.method === "awq";
    let run: LayerRunner | undefined;
    if (dataAware) {
      const { loadOrt } = await import("./ort.js");
      const sessions = new WeakMap<Uint8Array, Promise<OrtModel>>();
      run = async (model, sample, outputs) => {
        let m = sessions.get(model);
        if (m === undefined) {
          m = loadOrt(loaded.path, model);
          sessions.set(model, m);
        }
        return (await m).run(sample, outputs);
      };
    }
    const r = await quantizeByMethod(
      loaded.bytes,
      loaded.path,
      plan.jobs,
      {
        method: s.method,
        bits: s.bits,
        symmetric: s.symmetric ?? (s.weights === "int8" || s.weights === "int4"),
      },
      samples,
      run,
      (line, i, count) => hooks.onLayer?.(line, i, count),
    );
    codes = r.codes;
    lines = r.lines;
    factors = r.inputFactors;
  } else {
    const tick = hooks.onJobs?.(
      plan.jobs.length,
      sizes.reduce((a, b) => a + b, 0),
    );
    codes = await runJobs("rtn-onnx", plan.jobs, {
      threads,
      ...(hooks.inline === undefined ? {} : { inline: hooks.inline }),
      onDone: (i) => tick?.(sizes[i] as number),
    }).catch((error: Error) => {
      throw new CliError(`${loaded.path}: cannot quantize: ${error.message}`);
    });
  }
  const result = plan.finish(codes);
  const bytes =
    factors.size === 0 ? result.bytes : scaleLayerInputs(result.bytes, factors, loaded.path);
  if (factors.size > 0)
    notes.push(`AWQ: ${factors.size} Mul nodes scale the inputs of the layers it quantized`);
  const fallbacks = lines.filter((l) => l.fallback !== undefined);
  if (fallbacks.length > 0)
    notes.push(
      `${fallbacks.length} of ${lines.length} weights rounded to nearest instead of ${s.method.toUpperCase()}: ${[...new Set(fallbacks.map((l) => l.fallback))].join("; ")}`,
    );
  const byName = new Map(lines.map((l) => [l.name, l]));
  if (result.opset.to !== result.opset.from) {
    const rewritten = Object.entries(result.opset.rewritten).map(([op, n]) => `${op} ${n}`);
    notes.push(
      `opset ${result.opset.from} → ${result.opset.to}${rewritten.length ? ` (rewrote ${rewritten.join(", ")})` : ""}`,
    );
  }
  const stored = new Map(loaded.model.tensors.map((t) => [t.name, t.storedType]));
  return {
    bytes,
    scheme: schemeName(s),
    quantized: result.weights.map((w) => ({
      name: w.name,
      op: w.op,
      shape: w.shape,
      from: stored.get(w.name) ?? "FLOAT",
      to:
        s.onnxFormat === "matmulnbits"
          ? `MatMulNBits ${w.dtype} b${w.blockSize}`
          : `${w.dtype} ${w.granularity === "tensor" ? "tensor" : w.granularity === "channel" ? `axis ${w.axis}` : `b${w.blockSize} axis ${w.axis}`}`,
      bytesBefore: w.bytesBefore,
      bytesAfter: w.bytesAfter,
      sqnrDb: w.sqnrDb,
      ...layerFigures(byName.get(w.name)),
    })),
    kept: result.skipped.map((k) => ({ name: k.name, written: "as stored", reason: k.reason })),
    activations: result.activations,
    notes,
    threads,
  };
}

const FLOAT_TYPES = new Set([
  // ONNX
  "FLOAT",
  "DOUBLE",
  "FLOAT16",
  "BFLOAT16",
  "FLOAT8E4M3FN",
  "FLOAT8E5M2",
  // safetensors and GGUF
  "F32",
  "F64",
  "F16",
  "BF16",
  "F8_E4M3",
  "F8_E5M2",
  // tfjs
  "float32",
]);

/** Whether a tensor holds real-valued weights (its values() are floats, or dequantized codes). */
function isFloat(t: StoredTensor): boolean {
  if (FLOAT_TYPES.has(t.storedType) || t.quantization !== undefined) return true;
  return (t as { dtype?: string }).dtype === "float32";
}

/** GGUF's name of a stored half-precision type (ONNX, safetensors). */
const HALF_TYPES: Readonly<Record<string, string>> = {
  FLOAT16: "F16",
  F16: "F16",
  BFLOAT16: "BF16",
  BF16: "BF16",
};

const PLAIN_GGUF = new Set(["F32", "F16", "BF16", "F64", "I8", "I16", "I32", "I64"]);

async function quantizeToGguf(
  loaded: LoadedModel,
  s: QuantizeSettings,
  hooks: QuantizeHooks,
): Promise<QuantizeResult> {
  const { model } = loaded;
  const type = s.ggufType as GgmlType;
  const info = GGML_TYPES[type];
  const upper = ggufTypeName(type);
  const exclude = new Set(s.exclude);
  const fromGguf = model.format === "gguf";
  const jobs: GgufTensorJob[] = [];
  const plan: ({ job: number; tensor: StoredTensor } | { input: GgufTensorInput } | null)[] = [];
  const kept: KeptTensorRow[] = [];
  for (const name of exclude) {
    if (!model.tensors.some((t) => t.name === name))
      kept.push({ name, written: "-", reason: "--exclude names no tensor of the model" });
  }
  for (const t of model.tensors) {
    const asStored = (reason: string) => {
      plan.push({ input: { name: t.name, type: t.storedType, shape: t.shape, data: t.bytes() } });
      kept.push({ name: t.name, written: `${t.storedType} (as stored)`, reason });
    };
    // Half-precision tensors keep their type (their values are exact in it); others are F32.
    const asFloat = (values: Float32Array, reason: string) => {
      const type = HALF_TYPES[t.storedType] ?? "F32";
      plan.push({ input: { name: t.name, type, shape: t.shape, values } });
      kept.push({ name: t.name, written: type, reason });
    };
    const leftOut = (reason: string) => {
      plan.push(null);
      kept.push({ name: t.name, written: "left out", reason });
    };
    if (fromGguf && !PLAIN_GGUF.has(t.storedType)) {
      asStored(`already ${t.storedType}`);
      continue;
    }
    if (!isFloat(t)) {
      if (fromGguf) asStored(`${t.storedType}, not a float tensor`);
      else leftOut(`${t.storedType}, not a float tensor (GGUF output holds the float weights)`);
      continue;
    }
    const keep = (reason: string) => {
      if (fromGguf) asStored(reason);
      else asFloat(t.values(), reason);
    };
    const values = t.shape.reduce((a, b) => a * b, 1);
    const row = t.shape[t.shape.length - 1] ?? 0;
    if (exclude.has(t.name)) keep("excluded");
    else if (t.shape.length < 2) keep(`${t.shape.length}-D (block types take matrices)`);
    else if (values < s.minSize) keep(`${values} values, fewer than --min-size ${s.minSize}`);
    else if (row % info.blockSize !== 0)
      keep(`rows of ${row}, not a multiple of ${upper}'s block of ${info.blockSize}`);
    else {
      plan.push({ job: jobs.length, tensor: t });
      jobs.push({ name: t.name, values: t.values(), shape: t.shape, type });
    }
  }
  const sizes = jobs.map((j) => j.values.length);
  const threads = Math.min(s.threads ?? defaultThreads(), Math.max(1, jobs.length));
  const tick = hooks.onJobs?.(
    jobs.length,
    sizes.reduce((a, b) => a + b, 0),
  );
  const codes = await runJobs("rtn-gguf", jobs, {
    threads,
    ...(hooks.inline === undefined ? {} : { inline: hooks.inline }),
    onDone: (i) => tick?.(sizes[i] as number),
  }).catch((error: Error) => {
    throw new CliError(`${loaded.path}: cannot write ${upper}: ${error.message}`);
  });
  const tensors: GgufTensorInput[] = [];
  const quantized: QuantizedTensorRow[] = [];
  for (const p of plan) {
    if (p === null) continue;
    if ("input" in p) {
      tensors.push(p.input);
      continue;
    }
    const c = codes[p.job] as (typeof codes)[number];
    tensors.push({ name: p.tensor.name, type: upper, shape: p.tensor.shape, data: c.data });
    quantized.push({
      name: p.tensor.name,
      op: null,
      shape: p.tensor.shape,
      from: p.tensor.storedType,
      to: upper,
      bytesBefore: p.tensor.byteLength,
      bytesAfter: c.data.byteLength,
      sqnrDb: c.sqnrDb,
    });
  }
  const notes: string[] = [];
  const metadata = ggufMetadata(loaded, model, type, notes);
  const long = tensors.filter((t) => new TextEncoder().encode(t.name).length > 63).length;
  if (long > 0) {
    notes.push(
      `${long} tensor name${long === 1 ? " is" : "s are"} longer than 63 bytes: llama.cpp (GGML_MAX_NAME 64) will not load them; other GGUF readers do`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = writeGguf({ metadata, tensors });
  } catch (error) {
    throw new CliError(`${loaded.path}: cannot write GGUF: ${(error as Error).message}`);
  }
  return { bytes, scheme: schemeName(s), quantized, kept, activations: [], notes, threads };
}

/** The GGUF tensor type name of a core ggml type: q4_0 → Q4_0, q4_K → Q4_K, iq4_nl → IQ4_NL. */
export function ggufTypeName(type: GgmlType): string {
  return type.toUpperCase();
}

/** The metadata of the GGUF output: the input's key-values (GGUF), or its name; the file type. */
function ggufMetadata(
  loaded: LoadedModel,
  model: ModelFile,
  type: GgmlType,
  notes: string[],
): Record<string, GgufValueInput> {
  const metadata: Record<string, GgufValueInput> = {};
  if (model.format === "gguf") {
    for (const [k, v] of Object.entries(model.metadata)) metadata[k] = v as GgufValueInput;
  } else {
    metadata["general.name"] = basename(loaded.path).replace(/\.[^.]*$/, "");
    notes.push(
      `metadata: general.name ${JSON.stringify(metadata["general.name"])}; the ${model.format} file's own metadata is not carried`,
    );
  }
  metadata["general.quantization_version"] = { type: "uint32", value: 2 };
  const fileType = GGUF_FILE_TYPE[type];
  if (fileType !== undefined) metadata["general.file_type"] = { type: "uint32", value: fileType };
  else if ("general.file_type" in metadata) {
    delete metadata["general.file_type"];
    notes.push(
      `general.file_type removed: llama.cpp has no file type made of ${ggufTypeName(type)} alone`,
    );
  }
  return metadata;
}
