/**
 * `quantlab compare A B`: two ONNX models run on the same inputs by onnxruntime-node (one thread,
 * sequential: the same figures on any machine), and per output how close B comes to A.
 */

import { resolve } from "node:path";
import { errorSummary } from "@quantlab/core";
import type { OnnxMetadata, OnnxValueInfo } from "@quantlab/models";
import { type CommandSpec, UsageError } from "./args.js";
import { CliError } from "./errors.js";
import { namedValues, randomInputs, readInputs, type Sample } from "./inputs.js";
import { formatOf, loadModel } from "./model-file.js";
import type { RunOutput } from "./ort.js";
import { OUTPUT_FLAGS } from "./output-flags.js";

export const COMPARE: CommandSpec = {
  name: "compare",
  summary: "run two ONNX models on the same inputs and measure how close their outputs are",
  usage:
    "quantlab compare A B [--inputs FILE | --random N] [--seed S] [--shape NAME=D,D,...] [--set NAME=VALUE] [--json]",
  positionals: [
    { name: "A", help: "the reference model (the float one), ONNX" },
    {
      name: "B",
      help: "the model to measure (the quantized one), ONNX, with A's inputs and outputs",
    },
  ],
  flags: [
    {
      name: "inputs",
      type: "string",
      value: "FILE",
      help: "the inputs, a JSON file: one sample or an array of samples (see below)",
    },
    {
      name: "random",
      type: "integer",
      value: "N",
      min: 1,
      max: 1_000_000,
      help: "N seeded random samples (the default, with N = 16)",
    },
    {
      name: "seed",
      type: "integer",
      value: "S",
      min: 0,
      max: 2 ** 32 - 1,
      help: "the seed of --random (default 0)",
    },
    {
      name: "shape",
      type: "string",
      value: "NAME=D,D,...",
      repeatable: true,
      help: "the shape of an input for --random (named and unknown dimensions are 1 otherwise)",
    },
    {
      name: "set",
      type: "string",
      value: "NAME=VALUE",
      repeatable: true,
      help: "fill an input with one value for --random (needed for integer and bool inputs)",
    },
    {
      name: "threshold",
      type: "string",
      value: "T",
      help: "also count decisions: the share of output values on the same side of T in both (a VAD's 0.5)",
    },
    ...OUTPUT_FLAGS,
  ],
  details: [
    'Inputs file: one sample, or an array of samples; a sample maps each model input to { "dims": [1, 784], "data": [...], "type": "float32" } with data row-major (its length the product of dims) and type (float32, int64, int32, int8, uint8, bool) defaulting to the model\'s. --random N draws N samples: float inputs standard normal (mulberry32 seeded with --seed, Box-Muller), shaped as the model declares them.',
    "Per output, over all samples: cosine similarity of B's values to A's, max |A - B|, SQNR of B against A (dB), and top-1 agreement, the share of rows (the last dimension, when it has 2 or more entries) where both models pick the same largest entry; with --threshold T, the share of values on the same side of T in both (decisions: a VAD's speech probability above 0.5). Outputs with NaN or Infinity report how many instead.",
  ],
  examples: [
    "quantlab compare model.onnx model-int8.onnx",
    "quantlab compare model.onnx model-int4.onnx --inputs samples.json",
    "quantlab compare vad.onnx vad-int8.onnx --random 32 --shape input=1,576 --set sr=16000 --threshold 0.5",
  ],
};

/** How close one output of B is to A's. */
export interface OutputAgreement {
  readonly name: string;
  readonly dims: readonly number[];
  /** Values per model, over all samples. */
  readonly values: number;
  readonly cosine: number | null;
  readonly maxAbsDiff: number | null;
  readonly sqnrDb: number | null;
  /** Share of rows with the same argmax (null when rows have fewer than 2 entries). */
  readonly top1: number | null;
  readonly rows: number;
  /** With `--threshold T`: share of values on the same side of T in A and B (else null). */
  readonly decisions: number | null;
  /** NaN and ±Infinity values in A's and B's outputs (the other figures are null when any). */
  readonly nonFinite: { readonly a: number; readonly b: number };
}

/** What `quantlab compare` reports. */
export interface CompareReport {
  readonly a: string;
  readonly b: string;
  readonly inputs: string;
  readonly samples: number;
  readonly outputs: readonly OutputAgreement[];
  /** `--threshold`, when given. */
  readonly threshold: number | null;
}

function argmax(data: Float32Array, from: number, length: number): number {
  let best = from;
  for (let i = from + 1; i < from + length; i++)
    if ((data[i] as number) > (data[best] as number)) best = i;
  return best - from;
}

const nonFinite = (data: Float32Array) => {
  let n = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) n++;
  return n;
};

/** Agreement of one output, from the per-sample outputs of A and B. */
export function agreement(
  name: string,
  a: readonly RunOutput[],
  b: readonly RunOutput[],
  threshold?: number,
): OutputAgreement {
  const total = a.reduce((n, o) => n + o.data.length, 0);
  const joined = (outs: readonly RunOutput[]) => {
    const out = new Float32Array(total);
    let at = 0;
    for (const o of outs) {
      out.set(o.data, at);
      at += o.data.length;
    }
    return out;
  };
  const x = joined(a);
  const y = joined(b);
  let rows = 0;
  let same = 0;
  let classes = 0;
  a.forEach((o, s) => {
    const last = o.dims[o.dims.length - 1] ?? 1;
    classes = last;
    if (last < 2) return;
    const other = b[s] as RunOutput;
    for (let r = 0; r < o.data.length / last; r++) {
      rows++;
      if (argmax(o.data, r * last, last) === argmax(other.data, r * last, last)) same++;
    }
  });
  const bad = { a: nonFinite(x), b: nonFinite(y) };
  let sameSide = 0;
  if (threshold !== undefined) {
    for (let i = 0; i < total; i++) {
      if ((x[i] as number) > threshold === (y[i] as number) > threshold) sameSide++;
    }
  }
  const summary = total > 0 && bad.a === 0 && bad.b === 0 ? errorSummary(x, y) : undefined;
  return {
    name,
    dims: a[0]?.dims ?? [],
    values: total,
    cosine: summary?.cosine ?? null,
    maxAbsDiff: summary?.maxAbs ?? null,
    sqnrDb: summary?.sqnrDb ?? null,
    top1: classes >= 2 && rows > 0 ? same / rows : null,
    rows,
    decisions: threshold === undefined || total === 0 ? null : sameSide / total,
    nonFinite: bad,
  };
}

/** The settings of compare, from its flags. */
export interface CompareSettings {
  readonly inputs?: string;
  readonly random: number;
  readonly seed: number;
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  readonly values: ReadonlyMap<string, number>;
  readonly threshold?: number;
}

export function compareSettings(flags: Readonly<Record<string, unknown>>): CompareSettings {
  const fail = (message: string) => new UsageError("compare", message);
  const inputs = flags.inputs as string | undefined;
  if (inputs !== undefined) {
    for (const flag of ["random", "seed", "shape", "set"]) {
      if (flags[flag] === undefined) continue;
      throw fail(
        flag === "random"
          ? "--inputs and --random exclude each other"
          : `--${flag} applies to --random inputs, not to an --inputs file`,
      );
    }
  }
  const shapes = new Map<string, number[]>();
  for (const [name, text] of namedValues("compare", "shape", (flags.shape as string[]) ?? [])) {
    const dims = text.split(",").map((d) => d.trim());
    if (!dims.every((d) => /^\d+$/.test(d)))
      throw fail(`--shape ${name}=${text}: dimensions are non-negative integers, comma-separated`);
    shapes.set(name, dims.map(Number));
  }
  const values = new Map<string, number>();
  for (const [name, text] of namedValues("compare", "set", (flags.set as string[]) ?? [])) {
    const v = Number(text);
    if (text.trim() === "" || !Number.isFinite(v))
      throw fail(`--set ${name}=${text}: the value is a finite number`);
    values.set(name, v);
  }
  const thresholdText = flags.threshold as string | undefined;
  const threshold = thresholdText === undefined ? undefined : Number(thresholdText);
  if (threshold !== undefined && (thresholdText?.trim() === "" || !Number.isFinite(threshold))) {
    throw fail(`--threshold takes a finite number; received ${JSON.stringify(thresholdText)}`);
  }
  return {
    ...(threshold === undefined ? {} : { threshold }),
    ...(inputs === undefined ? {} : { inputs }),
    random: (flags.random as number | undefined) ?? 16,
    seed: (flags.seed as number | undefined) ?? 0,
    shapes,
    values,
  };
}

/** The ONNX inputs onnxruntime feeds: the graph inputs that are not initializers. */
function feedInputs(metadata: OnnxMetadata, names: readonly string[]): OnnxValueInfo[] {
  return names.map(
    (n) => metadata.inputs.find((i) => i.name === n) ?? { name: n, elemType: "FLOAT", shape: null },
  );
}

/**
 * Runs A and B on the same samples and measures each output's agreement. `onSample` after each
 * sample (for progress) once the sample count is known through `onSamples`.
 */
export async function compareModels(
  pathA: string,
  pathB: string,
  settings: CompareSettings,
  cwd: string,
  onSamples?: (count: number) => (() => void) | undefined,
): Promise<CompareReport> {
  const a = loadModel(pathA, cwd);
  const b = loadModel(pathB, cwd);
  for (const m of [a, b]) {
    if (formatOf(m.path, m.bytes) !== "onnx") {
      throw new CliError(
        `${m.path}: compare runs ONNX models with onnxruntime; this is a ${m.model.format} file`,
      );
    }
  }
  const { loadOrt } = await import("./ort.js");
  const ortA = await loadOrt(a.path, resolve(cwd, a.path));
  const ortB = await loadOrt(b.path, resolve(cwd, b.path));
  const missing = ortB.inputNames.filter((n) => !ortA.inputNames.includes(n));
  if (missing.length > 0)
    throw new CliError(`${b.path}: inputs ${missing.join(", ")} are not inputs of ${a.path}`);
  const absent = ortA.outputNames.filter((n) => !ortB.outputNames.includes(n));
  if (absent.length > 0)
    throw new CliError(`${b.path}: has no output ${absent.join(", ")} (outputs of ${a.path})`);
  const inputs = feedInputs(a.model.metadata as unknown as OnnxMetadata, ortA.inputNames);
  const samples: Sample[] =
    settings.inputs !== undefined
      ? readInputs(settings.inputs, cwd, inputs)
      : randomInputs(a.path, inputs, settings.random, settings);
  const tick = onSamples?.(samples.length);
  const outsA: Record<string, RunOutput>[] = [];
  const outsB: Record<string, RunOutput>[] = [];
  for (const sample of samples) {
    outsA.push(await ortA.run(sample));
    const forB = Object.fromEntries(ortB.inputNames.map((n) => [n, sample[n] as Sample[string]]));
    outsB.push(await ortB.run(forB, ortA.outputNames));
    tick?.();
  }
  for (const name of ortA.outputNames) {
    outsA.forEach((x, s) => {
      const da = (x[name] as RunOutput).dims;
      const db = (outsB[s] as Record<string, RunOutput>)[name]?.dims ?? [];
      if (da.join(",") !== db.join(",")) {
        throw new CliError(
          `${b.path}: output ${name} has dims [${db.join(", ")}] on sample ${s}; ${a.path} gives [${da.join(", ")}]`,
        );
      }
    });
  }
  const outputs = ortA.outputNames.map((name) =>
    agreement(
      name,
      outsA.map((o) => o[name] as RunOutput),
      outsB.map((o) => o[name] as RunOutput),
      settings.threshold,
    ),
  );
  const what =
    settings.inputs !== undefined
      ? `inputs from ${settings.inputs}`
      : `random inputs (seed ${settings.seed}, standard normal floats)`;
  return {
    a: a.path,
    b: b.path,
    inputs: what,
    samples: samples.length,
    outputs,
    threshold: settings.threshold ?? null,
  };
}
