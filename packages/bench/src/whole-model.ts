/**
 * `npm run bench -- --whole-model`: a whole model quantized on one worker thread and on all the
 * cores, in one run, through what `quantlab quantize` runs (@quantlab/cli's quantizeModel), with
 * the output bytes compared.
 *
 * The model is synthetic, built in memory (never written to disk): `layers` MatMul weights of
 * `[rows, cols]` chained in one graph, seeded standard normal values (default 200 weights of
 * [768, 768]: 117,964,800 parameters, 472 MB of float32). Two conversions: ONNX → ONNX QDQ int8
 * per channel, and ONNX → GGUF Q4_0. Each is run with the jobs in the main thread (no worker),
 * on one worker, and on N workers; a run's time is the whole conversion (read, plan, quantize,
 * write the file's bytes), `quantize s` the part spread over the workers.
 */
import { createHash } from "node:crypto";
import { availableParallelism, cpus } from "node:os";
import { type LoadedModel, type QuantizeSettings, quantizeModel } from "@quantlab/cli";
import { createOnnxModel, readModel } from "@quantlab/models";
import { normalValues } from "./data.js";

export interface WholeModelRequest {
  readonly layers: number;
  readonly rows: number;
  readonly cols: number;
  readonly seed: number;
  /** Worker counts to time, besides the main thread. */
  readonly threads: readonly number[];
}

export interface WholeModelRun {
  readonly conversion: string;
  /** "main thread", "1 worker", "2 workers", ... */
  readonly where: string;
  readonly workers: number;
  readonly seconds: number;
  /** The time the jobs took (spread over the workers). */
  readonly quantizeSeconds: number;
  readonly outputBytes: number;
  readonly sha256: string;
  /** Same bytes as the main thread's output. */
  readonly sameBytes: boolean;
  readonly tensors: number;
}

export interface WholeModelReport {
  readonly tensors: number;
  readonly parameters: number;
  readonly modelBytes: number;
  readonly buildSeconds: number;
  readonly cores: number;
  readonly cpu: string;
  readonly node: string;
  readonly runs: readonly WholeModelRun[];
}

/** The synthetic model: x [1, rows] → MatMul w0 [rows, cols] → ... (square weights chain). */
export function syntheticModel(request: WholeModelRequest): Uint8Array {
  const { layers, rows, cols, seed } = request;
  const initializers = [];
  const nodes = [];
  let x = "x";
  for (let l = 0; l < layers; l++) {
    const name = `layer${String(l).padStart(3, "0")}.weight`;
    const values = normalValues(rows * cols, seed + l);
    // Scaled as an initialized layer would be, 1 / sqrt(fan-in).
    const scale = 1 / Math.sqrt(rows);
    for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) * scale;
    initializers.push({ name, dtype: "FLOAT", shape: [rows, cols], data: values });
    nodes.push({ op: "MatMul", inputs: [x, name], outputs: [`h${l}`] });
    x = `h${l}`;
  }
  return createOnnxModel({
    inputs: [{ name: "x", dtype: "FLOAT", shape: [1, rows] }],
    outputs: [{ name: x, dtype: "FLOAT", shape: [1, cols] }],
    initializers,
    nodes,
  });
}

const CONVERSIONS: Readonly<Record<string, QuantizeSettings>> = {
  "ONNX -> ONNX QDQ int8 per channel": {
    target: "onnx",
    onnxFormat: "qdq",
    weights: "int8",
    granularity: "channel",
    method: "rtn",
    exclude: [],
    minSize: 16,
  },
  "ONNX -> GGUF Q4_0": {
    target: "gguf",
    ggufType: "q4_0",
    granularity: "block",
    blockSize: 32,
    method: "rtn",
    exclude: [],
    minSize: 16,
  },
};

async function timeOne(
  bytes: Uint8Array,
  settings: QuantizeSettings,
  workers: number,
): Promise<{ seconds: number; quantizeSeconds: number; out: Uint8Array; tensors: number }> {
  const t0 = performance.now();
  const loaded: LoadedModel = {
    path: "synthetic.onnx",
    bytes,
    model: readModel(bytes, { file: "synthetic.onnx" }),
    resolve: () => {
      throw new Error("the synthetic model has no external data");
    },
    inputBytes: () => bytes.byteLength,
  };
  let jobsStart = 0;
  let jobsEnd = 0;
  const result = await quantizeModel(
    loaded,
    { ...settings, threads: Math.max(1, workers) },
    {
      inline: workers === 0,
      onJobs: (count) => {
        jobsStart = performance.now();
        let left = count;
        return () => {
          if (--left === 0) jobsEnd = performance.now();
        };
      },
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  return {
    seconds,
    quantizeSeconds: (jobsEnd - jobsStart) / 1000,
    out: result.bytes,
    tensors: result.quantized.length,
  };
}

/** Builds the model, then times each conversion in the main thread, on 1 worker and on N. */
export async function wholeModel(request: WholeModelRequest): Promise<WholeModelReport> {
  const t0 = performance.now();
  const bytes = syntheticModel(request);
  const buildSeconds = (performance.now() - t0) / 1000;
  const runs: WholeModelRun[] = [];
  for (const [conversion, settings] of Object.entries(CONVERSIONS)) {
    let reference: string | undefined;
    for (const workers of [0, ...request.threads]) {
      const r = await timeOne(bytes, settings, workers);
      const sha256 = createHash("sha256").update(r.out).digest("hex");
      reference ??= sha256;
      runs.push({
        conversion,
        where: workers === 0 ? "main thread" : `${workers} worker${workers === 1 ? "" : "s"}`,
        workers,
        seconds: r.seconds,
        quantizeSeconds: r.quantizeSeconds,
        outputBytes: r.out.byteLength,
        sha256,
        sameBytes: sha256 === reference,
        tensors: r.tensors,
      });
    }
  }
  return {
    tensors: request.layers,
    parameters: request.layers * request.rows * request.cols,
    modelBytes: bytes.byteLength,
    buildSeconds,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? "unknown",
    node: process.version,
    runs,
  };
}

/** The report as a table. */
export function formatWholeModel(r: WholeModelReport): string {
  const lines = [
    `whole model: ${r.tensors} MatMul weights, ${r.parameters.toLocaleString("en-US")} parameters, ${(r.modelBytes / 1e6).toFixed(1)} MB of ONNX (built in memory in ${r.buildSeconds.toFixed(1)} s)`,
    `${r.cpu}, ${r.cores} cores available, Node ${r.node}`,
  ];
  let conversion = "";
  for (const run of r.runs) {
    if (run.conversion !== conversion) {
      conversion = run.conversion;
      lines.push("", conversion);
      lines.push(
        `  ${"where".padEnd(12)} ${"total s".padStart(8)} ${"quantize s".padStart(10)} ${"speed-up".padStart(8)} ${"output bytes".padStart(13)}  same bytes  sha256`,
      );
    }
    const base = r.runs.find((x) => x.conversion === run.conversion && x.workers === 1);
    const speedup = base === undefined ? "-" : `${(base.seconds / run.seconds).toFixed(2)}x`;
    lines.push(
      `  ${run.where.padEnd(12)} ${run.seconds.toFixed(2).padStart(8)} ${run.quantizeSeconds.toFixed(2).padStart(10)} ${speedup.padStart(8)} ${run.outputBytes.toLocaleString("en-US").padStart(13)}  ${(run.sameBytes ? "yes" : "NO").padEnd(10)}  ${run.sha256.slice(0, 16)}`,
    );
  }
  lines.push(
    "",
    "speed-up: the 1-worker time over this row's; same bytes: the output's SHA-256 equals the main thread's",
  );
  return lines.join("\n");
}

// Run as a child process by cli.ts: one request in, one report out.
if (process.send !== undefined) {
  process.on("message", (request: WholeModelRequest) => {
    wholeModel(request).then(
      (report) => process.send?.({ results: report }, () => process.exit(0)),
      (error: Error) =>
        process.send?.({ error: error.stack ?? error.message }, () => process.exit(1)),
    );
  });
}
