/**
 * `npm run bench` (root): every implementation on the same seeded data, at 1M and 16M values,
 * one thread (the quantlab-threads rows: all cores), one child process per implementation (so peak
 * RSS is per implementation). The quantlab rows: `quantlab` streams ordinary typed arrays,
 * `quantlab-inplace` holds input and output in the kernels' memory (`allocate`), each also on all
 * cores (`-threads`); `c-simd` is the C yardstick (./c.ts), where a C compiler is present, `c-simd-threads` the same split across all cores, `c-simd-128` it in SSE4.1 (WebAssembly SIMD's width).
 *
 *   --json            print one JSON document (and nothing else) on stdout
 *   --memory          measure the 256M-value case instead (RSS growth of the fast path)
 *   --algorithms      time each @quantlab/algorithms method (GPTQ, AWQ, HQQ, ...) on a 512×512
 *                     layer and the largest layers of the comparison table, instead of the comparison
 *   --breakdown       time the fast path's stages (copy-in, kernel, copy-out, allocation) at one
 *                     size (default 16M) against the copy yardstick, instead of the comparison;
 *                     with --ops, the block ops listed there too
 *   --sizes=1M,16M    sizes (squares: the per-axis and block cases are [rows, rows])
 *   --ops=a,b         operations (default: all)
 *   --impls=a,b       implementations (default: all)
 *   --alloc           allocate a new output array on every call (default: outputs allocated once,
 *                     where the implementation's API allows; quantlab, quantlab-reference and tfjs
 *                     always allocate: their functions return a new array)
 *   --whole-model     quantize a synthetic model of 200 tensors and 118M parameters with the jobs in
 *                     the main thread, on 1 worker thread and on all the cores (--threads=1,2 to
 *                     choose), ONNX QDQ int8 and GGUF Q4_0, and compare the output bytes
 *   --keep-heap       run the workers with glibc's MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_
 *                     at 1 GiB, so that freed output arrays stay in the heap and the next call's
 *                     output is not faulted in afresh (a process setting, Linux/glibc only: it
 *                     shows what the per-call allocation costs, not what users get by default)
 */
import { fork } from "node:child_process";
import { availableParallelism, cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import type { AlgorithmTiming } from "./algorithms.js";
import { BLOCK_OPS, isBlockOp } from "./blocks.js";
import type { BreakdownReport } from "./breakdown.js";
import { yardstickIsa } from "./c.js";
import { IMPLS, type ImplName, OPS, type Op } from "./impls.js";
import type { Result, Skipped } from "./measure.js";
import type { WholeModelReport, WholeModelRequest } from "./whole-model.js";
import type { WorkerRequest } from "./worker.js";

const SEED = 20240611;
/** The load average (1, 5, 15 minutes) when the run started: the machine may be shared. */
const LOAD_AT_START = loadavg();
const loadText = (l: number[]) => l.map((v) => v.toFixed(1)).join(" ");

function parseSize(text: string): number {
  const m = /^(\d+)([KM]?)$/i.exec(text.trim());
  if (!m)
    throw new RangeError(
      `bench: --sizes entries look like 1M or 65536; received ${JSON.stringify(text)}`,
    );
  const unit = (m[2] ?? "").toUpperCase();
  return Number(m[1]) * (unit === "M" ? 1 << 20 : unit === "K" ? 1 << 10 : 1);
}

function listArg<T extends string>(args: string[], name: string, all: readonly T[]): T[] {
  const arg = args.find((a) => a.startsWith(`--${name}=`));
  if (arg === undefined) return [...all];
  const items = arg.slice(name.length + 3).split(",");
  for (const item of items) {
    if (!all.includes(item as T))
      throw new RangeError(
        `bench: unknown ${name} ${JSON.stringify(item)}; expected ${all.join(", ")}`,
      );
  }
  return items as T[];
}

/** glibc settings of --keep-heap: serve large blocks from the heap and never give it back. */
const KEEP_HEAP = { MALLOC_MMAP_THRESHOLD_: "1073741824", MALLOC_TRIM_THRESHOLD_: "1073741824" };

function runWorker(
  script: string,
  request: unknown,
  execArgv: string[] = [],
  env: Record<string, string> = {},
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = fork(script, [], {
      stdio: ["ignore", "ignore", "inherit", "ipc"],
      execArgv,
      env: { ...process.env, ...env },
    });
    let answered = false;
    child.on("message", (message: { results?: unknown; error?: string }) => {
      answered = true;
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.results);
    });
    child.on("exit", (code) => {
      if (!answered) reject(new Error(`bench: worker exited with code ${code} before answering`));
    });
    child.send(request as object);
  });
}

function isResult(r: Result | Skipped): r is Result {
  return !("skipped" in r);
}

function format(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : "-";
}

function sizeName(n: number): string {
  return n % (1 << 20) === 0 ? `${n / (1 << 20)}M` : n % 1024 === 0 ? `${n / 1024}K` : String(n);
}

interface Target {
  readonly name: string;
  readonly value: number;
  readonly goal: number;
  readonly met: boolean;
}

/** The block formats' goals, one thread (issue 11): G values/s of quantlab's public calls. */
const BLOCK_GOALS: readonly [Op, number, string][] = [
  ["dequantize-q8_0", 1, ""],
  ["dequantize-q4_0", 1, ""],
  ["dequantize-q4_K", 1, ""],
  ["dequantize-mxfp4", 1, ""],
  ["quantize-q8_0", 0.5, ""],
  ["quantize-q4_0", 0.5, ""],
  ["quantize-q4_K", 0.015, " (ggml's scalar C here: about 0.015)"],
  ["quantize-q6_K", 0.03, " (ggml's scalar C here: about 0.03)"],
];

/** The streaming path's G values/s at 16M in the README's run before issue 16 (one thread). */
const STREAMING_BEFORE: readonly [Op, number][] = [
  ["quantize-int8", 1.768],
  ["dequantize-int8", 1.907],
];

function targets(results: Result[], size: number): Target[] {
  const get = (impl: ImplName, op: Op) =>
    results.find((r) => r.impl === impl && r.op === op && r.size === size);
  const list: Target[] = [];
  const add = (name: string, value: number | undefined, goal: number) => {
    if (value !== undefined && Number.isFinite(value))
      list.push({ name, value, goal, met: value >= goal });
  };
  const ratio = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? undefined : a / b;
  const q = get("quantlab", "quantize-int8");
  const d = get("quantlab", "dequantize-int8");
  add("quantize-int8 vs onnxruntime QuantizeLinear", q?.vsOnnxruntime, 1.2);
  add("quantize-int8 GB/s vs copy GB/s", q?.vsCopy, 0.7);
  add("dequantize-int8 vs onnxruntime DequantizeLinear", d?.vsOnnxruntime, 4);
  add(
    "quantize-int8 vs plain-js",
    ratio(q?.valuesPerSecond, get("plain-js", "quantize-int8")?.valuesPerSecond),
    5,
  );
  add(
    "dequantize-int8 vs plain-js",
    ratio(d?.valuesPerSecond, get("plain-js", "dequantize-int8")?.valuesPerSecond),
    5,
  );
  // One pass over the input, as for int8: its time within 1.3 times quantize-int8's.
  add(
    "quantize-int4-packed speed vs quantize-int8",
    ratio(get("quantlab", "quantize-int4-packed")?.valuesPerSecond, q?.valuesPerSecond),
    Math.round(100 / 1.3) / 100,
  );
  for (const [op, goal, note] of BLOCK_GOALS) {
    const value = get("quantlab", op)?.valuesPerSecond;
    add(`${op} G values/s${note}`, value === undefined ? undefined : value / 1e9, goal);
  }
  for (const op of BLOCK_OPS)
    add(`${op} vs the gguf Python package`, get("quantlab", op)?.vsGguf, 1);
  // Issue 16: in-place tensors against the C yardstick (one thread), all cores against one, and
  // the streaming path no slower than before (the figures of the README's run at 16M).
  const speed = (impl: ImplName, op: Op) => get(impl, op)?.valuesPerSecond;
  for (const op of ["quantize-int8", "dequantize-int8"] as const) {
    const narrow = ratio(speed("quantlab-inplace", op), speed("c-simd-128", op));
    add(
      `${op} in place vs the C yardstick (one thread)${narrow === undefined ? "" : ` (vs its 128-bit build: ${narrow.toFixed(2)})`}`,
      ratio(speed("quantlab-inplace", op), speed("c-simd", op)),
      0.8,
    );
  }
  for (const op of OPS) {
    const c = ratio(speed("c-simd-threads", op), speed("c-simd", op));
    add(
      `${op} in place, all cores vs one thread${c === undefined ? "" : ` (the C yardstick: ${c.toFixed(2)})`}`,
      ratio(speed("quantlab-inplace-threads", op), speed("quantlab-inplace", op)),
      1.7,
    );
  }
  for (const [op, before] of STREAMING_BEFORE) {
    const value = speed("quantlab", op);
    add(
      `${op} streaming, G values/s (before in-place tensors: ${before})`,
      value === undefined ? undefined : value / 1e9,
      before,
    );
  }
  return list;
}

/**
 * The venv of the gguf-py peer (build/venv/bench, scripts/lib/venv.mjs), made when a run needs
 * it; its messages go to stderr. Without Python (or its index) the peer is skipped with the note.
 */
async function ggufPython(): Promise<{ path?: string; note?: string }> {
  const root = new URL("../../../", import.meta.url);
  const log = console.log;
  console.log = (...parts: unknown[]) => process.stderr.write(`${parts.join(" ")}\n`);
  try {
    const venv = await import(new URL("scripts/lib/venv.mjs", root).href);
    const requirements = fileURLToPath(new URL("packages/bench/python/requirements.txt", root));
    return { path: await venv.ensureVenv("bench", requirements) };
  } catch (error) {
    const first = String((error as Error).message ?? error).split("\n")[0];
    return { note: `no Python for the gguf package: ${first}` };
  } finally {
    console.log = log;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes("--json");
  const keepHeap = args.includes("--keep-heap");
  const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
  const log = (text: string) => {
    if (!json) process.stdout.write(`${text}\n`);
    else process.stderr.write(`${text}\n`);
  };

  if (args.includes("--memory")) {
    const sizeArg = args.find((a) => a.startsWith("--sizes="));
    const size = sizeArg === undefined ? 256 << 20 : parseSize(sizeArg.slice(8));
    const report = await runWorker(here("./memory.js"), { size }, ["--max-old-space-size=4096"]);
    if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else log(formatMemory(report as MemoryReport));
    return;
  }

  if (args.includes("--algorithms")) {
    const t0 = performance.now();
    const timings = (await runWorker(here("./algorithms.js"), {
      seed: SEED,
      repeats: 3,
    })) as AlgorithmTiming[];
    if (json)
      process.stdout.write(
        `${JSON.stringify({ node: process.version, cpu: cpus()[0]?.model, timings }, null, 2)}\n`,
      );
    else log(formatAlgorithms(timings, (performance.now() - t0) / 1000));
    return;
  }

  if (args.includes("--whole-model")) {
    const threadsArg = args.find((a) => a.startsWith("--threads="));
    const threads =
      threadsArg === undefined
        ? [...new Set([1, availableParallelism()])]
        : threadsArg
            .slice(10)
            .split(",")
            .map((t) => {
              const n = Number(t);
              if (!Number.isInteger(n) || n < 1)
                throw new RangeError(`bench: --threads entries are integers >= 1; received ${t}`);
              return n;
            });
    const request: WholeModelRequest = { layers: 200, rows: 768, cols: 768, seed: SEED, threads };
    const { formatWholeModel } = await import("./whole-model.js");
    const report = (await runWorker(here("./whole-model.js"), request, [
      "--max-old-space-size=8192",
    ])) as WholeModelReport;
    if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else log(formatWholeModel(report));
    if (report.runs.some((r) => !r.sameBytes)) {
      process.stderr.write("bench: the output bytes depend on the thread count\n");
      process.exitCode = 1;
    }
    return;
  }

  if (args.includes("--breakdown")) {
    const sizeArg = args.find((a) => a.startsWith("--sizes="));
    const size = sizeArg === undefined ? 1 << 24 : parseSize(sizeArg.slice(8));
    const blockOps = args.some((a) => a.startsWith("--ops="))
      ? listArg(args, "ops", OPS).filter(isBlockOp)
      : [];
    const report = (await runWorker(
      here("./breakdown.js"),
      { size, ops: blockOps },
      [],
      keepHeap ? KEEP_HEAP : {},
    )) as BreakdownReport;
    if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else log(formatBreakdown(report));
    return;
  }

  const sizeArg = args.find((a) => a.startsWith("--sizes="));
  const sizes =
    sizeArg === undefined ? [1 << 20, 1 << 24] : sizeArg.slice(8).split(",").map(parseSize);
  const ops = listArg(args, "ops", OPS);
  const impls = listArg(args, "impls", IMPLS);
  const started = performance.now();
  const all: (Result | Skipped)[] = [];
  const python =
    impls.includes("gguf-py") && ops.some(isBlockOp) ? await ggufPython() : { note: "not needed" };
  for (const impl of impls) {
    const t0 = performance.now();
    const request: WorkerRequest = {
      impl,
      sizes,
      ops,
      seed: SEED,
      alloc: args.includes("--alloc"),
      ...(impl === "gguf-py" ? { python } : {}),
    };
    const results = (await runWorker(
      here("./worker.js"),
      request,
      [],
      keepHeap ? KEEP_HEAP : {},
    )) as (Result | Skipped)[];
    all.push(...results);
    log(`  ${impl}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const results = all.filter(isResult);
  for (const r of results) {
    const ort = results.find((o) => o.impl === "onnxruntime" && o.op === r.op && o.size === r.size);
    const copy = results.find((o) => o.impl === "copy" && o.op === r.op && o.size === r.size);
    const gguf = results.find((o) => o.impl === "gguf-py" && o.op === r.op && o.size === r.size);
    if (ort !== undefined) r.vsOnnxruntime = r.valuesPerSecond / ort.valuesPerSecond;
    if (copy !== undefined) r.vsCopy = r.gbPerSecond / copy.gbPerSecond;
    if (gguf !== undefined) r.vsGguf = r.valuesPerSecond / gguf.valuesPerSecond;
  }
  const meta = {
    node: process.version,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    seed: SEED,
    sizes,
    threads: 1,
    loadAverage: { start: LOAD_AT_START, end: loadavg() },
    keepHeap,
    outputs: args.includes("--alloc")
      ? "allocated per call"
      : "allocated once (quantlab through its public `out` option), except tfjs (per call: its API returns a new tensor)",
    seconds: (performance.now() - started) / 1000,
    notes: [
      "valuesPerSecond and gbPerSecond at the median time; gbPerSecond counts input + output bytes (1 GB = 1e9 B).",
      "copy is TypedArray.prototype.set of the op's input into a preallocated array (2x the input's bytes).",
      "quantlab: @quantlab/core's public functions as users call them (quantize(x, params, { out }), dequantize(q, undefined, { out }), quantize(x, { ...params, axis }, { shape, out }), encodeFloat/decodeFloat('float16', ..., { out })), validation included; quantlab-reference: the same calls with { backend: 'reference' }.",
      "mismatches: output values that differ, bit for bit, from quantlab-reference's (-1: not compared).",
      "block ops, on [rows, rows] values: quantlab's quantizeGgml(x, type, { shape, out }) / dequantizeGgml(q, { out }) for q8_0, q4_0, q4_K, q6_K; quantizeMx(x, 'mxfp4', { shape, pack: true }) and quantizeBnb(x, 'nf4', { shape }), which have no `out` and allocate (their codes compared: mxfp4's packed codes, nf4's packed bytes); dequantizeMx / dequantizeBnb(q, { out }). The dequantize inputs are quantized once, on the default backend.",
      "gguf-py: the gguf Python package's numpy gguf.quants.quantize / dequantize (packages/bench/python/requirements.txt) on [rows, cols], timed in its own Python process; its mxfp4 is GGML's block_mxfp4 (its own layout and rounding, not OCP's bytes: not compared).",
    ],
  };
  const byTarget = sizes.map((size) => ({ size, targets: targets(results, size) }));
  if (json) {
    process.stdout.write(`${JSON.stringify({ meta, results: all, targets: byTarget }, null, 2)}\n`);
    return;
  }
  log(
    `\nquantlab bench: ${meta.cpu}, ${meta.cores} cores, Node ${meta.node}, one thread (the *-threads rows: all cores), ${impls.some((i) => i.startsWith("c-simd")) ? `c-simd in ${yardstickIsa()?.toUpperCase() ?? "none"}, ` : ""}seed ${SEED}, load average ${loadText(LOAD_AT_START)} at the start, ${loadText(loadavg())} at the end`,
  );
  log(`outputs ${meta.outputs}`);
  for (const size of sizes) {
    for (const op of ops) {
      log(`\n${op} @ ${sizeName(size)} values`);
      const header = [
        "impl",
        "Gvalues/s",
        "GB/s",
        "median ms",
        "min-max ms",
        "reps",
        "peak RSS MiB",
        "vs ORT",
        "vs copy",
        "vs gguf",
        "mismatch",
      ];
      const rows: string[][] = [header];
      for (const r of all.filter((e) => e.op === op && e.size === size)) {
        if (!isResult(r)) {
          rows.push([r.impl, `skipped: ${r.skipped}`]);
          continue;
        }
        rows.push([
          r.impl,
          format(r.valuesPerSecond / 1e9, 3),
          format(r.gbPerSecond),
          format(r.medianMs, 1),
          `${format(r.minMs, 1)}-${format(r.maxMs, 1)}`,
          String(r.repeats),
          format(r.peakRssMiB, 0),
          r.vsOnnxruntime === undefined ? "-" : `${format(r.vsOnnxruntime)}x`,
          r.vsCopy === undefined ? "-" : format(r.vsCopy),
          r.vsGguf === undefined ? "-" : `${format(r.vsGguf)}x`,
          r.mismatches < 0 ? "-" : String(r.mismatches),
        ]);
      }
      const widths = header.map((_, i) =>
        Math.max(...rows.map((row) => (row.length > 2 || i === 0 ? (row[i] ?? "").length : 0))),
      );
      for (const row of rows) {
        if (row.length === 2) log(`  ${(row[0] as string).padEnd(widths[0] as number)}  ${row[1]}`);
        else
          log(
            `  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join("  ")}`,
          );
      }
    }
  }
  for (const { size, targets: list } of byTarget) {
    if (list.length === 0) continue;
    log(`\ntargets @ ${sizeName(size)}`);
    for (const t of list)
      log(
        `  ${t.met ? "met    " : "NOT MET"}  ${t.name}: ${format(t.value, t.goal < 0.1 ? 3 : 2)} (goal >= ${t.goal})`,
      );
  }
  log(`\n${format(meta.seconds, 0)} s in all`);
}

export interface MemoryReport {
  readonly size: number;
  readonly inputMiB: number;
  readonly outputMiB: number;
  readonly rssBeforeRunMiB: number;
  readonly peakRssAfterRunMiB: number;
  readonly growthMiB: number;
  readonly wasmMemoryMiB: number;
  readonly wasmMemoryGrew: boolean;
  readonly seconds: number;
  readonly valuesPerSecond: number;
  readonly sampleMismatches: number;
  readonly limitMiB: number;
  readonly withinLimit: boolean;
}

function formatAlgorithms(timings: readonly AlgorithmTiming[], seconds: number): string {
  const lines = [
    `algorithms: @quantlab/algorithms on ${cpus()[0]?.model ?? "unknown"}, Node ${process.version}, single-threaded, medians of 3 calls after a warm-up`,
    "",
    "| layer | method | median ms | min-max ms |",
    "|---|---|--:|--:|",
  ];
  for (const t of timings)
    lines.push(
      `| ${t.layer} | ${t.method} | ${format(t.medianMs, 1)} | ${format(t.minMs, 1)}-${format(t.maxMs, 1)} |`,
    );
  lines.push("", `${format(seconds, 0)} s in all`);
  return lines.join("\n");
}

function formatBreakdown(r: BreakdownReport): string {
  const lines = [
    `breakdown: fast path at ${sizeName(r.size)} values, chunks of ${r.chunkSize}, median of ${r.repeats}`,
  ];
  let op = "";
  const width = Math.max(...r.stages.map((s) => s.stage.length));
  for (const s of r.stages) {
    if (s.op !== op) {
      op = s.op;
      lines.push(`\n${op}`);
    }
    const gb = s.gbPerSecond > 0 ? `${format(s.gbPerSecond)} GB/s` : "";
    lines.push(
      `  ${s.stage.padEnd(width)}  ${format(s.medianMs).padStart(8)} ms  ${gb.padStart(11)}`,
    );
  }
  return lines.join("\n");
}

function formatMemory(r: MemoryReport): string {
  return [
    `memory: quantize(x, { dtype: "int8", scale }, { out }) (fast path) of ${sizeName(r.size)} float32 values`,
    `  input ${format(r.inputMiB, 0)} MiB + output ${format(r.outputMiB, 0)} MiB (allocated and touched before the run)`,
    `  RSS before the run ${format(r.rssBeforeRunMiB, 1)} MiB, peak RSS after ${format(r.peakRssAfterRunMiB, 1)} MiB`,
    `  growth during the run ${format(r.growthMiB, 1)} MiB (limit ${r.limitMiB} MiB): ${r.withinLimit ? "within" : "OVER"}`,
    `  WebAssembly memory ${format(r.wasmMemoryMiB, 2)} MiB, grew during the run: ${r.wasmMemoryGrew}`,
    `  ${format(r.seconds, 2)} s, ${format(r.valuesPerSecond / 1e9, 3)} Gvalues/s; mismatches vs reference on a 16M sample: ${r.sampleMismatches}`,
  ].join("\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
