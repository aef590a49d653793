/**
 * The `quantlab` command: dispatch, output (results on stdout, progress and errors on stderr)
 * and exit codes (0 done, 1 failed, 2 bad usage).
 */
import { renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import type { OnnxMetadata } from "@quantlab/models";
import { type CommandSpec, helpText, parseArgs, suggest, UsageError } from "./args.js";
import { COMPARE, type CompareReport, compareModels, compareSettings } from "./compare.js";
import { CliError, report } from "./errors.js";
import { bytesText, int, num, percent, shapeText, table } from "./format.js";
import type { Sample } from "./inputs.js";
import { INSPECT, inspectModel, inspectText } from "./inspect.js";
import { type Io, progress } from "./io.js";
import type { LayerLine } from "./methods.js";
import { loadModel } from "./model-file.js";
import { QUANTIZE, type QuantizeResult, quantizeModel, quantizeSettings } from "./quantize.js";

const COMMANDS: readonly CommandSpec[] = [INSPECT, QUANTIZE, COMPARE];

/** The package's version. */
export function version(): string {
  const require = createRequire(import.meta.url);
  return (require("../package.json") as { version: string }).version;
}

/** The help of `quantlab` itself. */
export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "quantlab: inspect, quantize and compare neural-network model files, on every core",
    "",
    "Usage: quantlab COMMAND [ARGS] [OPTIONS]    (quantlab COMMAND --help for its options)",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Formats: ONNX (.onnx), GGUF (.gguf), safetensors (.safetensors), tfjs weights (model.json or *-weights_manifest.json, shards beside it).",
    "Output: results on stdout (--json: one JSON document), progress and errors on stderr.",
    "Exit codes: 0 done; 1 failed (a bad model file, a run that failed); 2 bad usage.",
    "",
    "Options:",
    "  -h, --help     this help",
    "  -v, --version  the version",
    "",
  ].join("\n");
}

/** "1 tensor", "2 tensors". */
const count = (n: number, word: string) => `${int(n)} ${word}${n === 1 ? "" : "s"}`;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function inspect(args: ReturnType<typeof parseArgs>, io: Io, cwd: string): Promise<void> {
  const loaded = loadModel(args.positionals[0] as string, cwd);
  const quiet = args.flags.quiet === true;
  const values = loaded.model.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  const p = progress(
    io.stderr,
    "inspect",
    loaded.model.tensors.length,
    values,
    "tensors",
    quiet,
    io.progressAfterMs,
  );
  const r = inspectModel(loaded, (t) => p.advance(t.shape.reduce((a, b) => a * b, 1)));
  p.done();
  io.stdout.write(args.flags.json ? json(r) : inspectText(r, loaded.model));
}

/** The totals of a quantize report. */
function totals(r: QuantizeResult) {
  const before = r.quantized.reduce((n, t) => n + t.bytesBefore, 0);
  const after = r.quantized.reduce((n, t) => n + t.bytesAfter, 0);
  // An all-zero tensor decodes exactly and has no SQNR (0/0, NaN): it takes no part in min and median.
  const sqnr = r.quantized
    .map((t) => t.sqnrDb)
    .filter((db) => !Number.isNaN(db))
    .sort((a, b) => a - b);
  const mid = sqnr.length >> 1;
  const median =
    sqnr.length === 0
      ? null
      : sqnr.length % 2
        ? (sqnr[mid] as number)
        : ((sqnr[mid - 1] as number) + (sqnr[mid] as number)) / 2;
  return {
    tensors: r.quantized.length,
    bytesBefore: before,
    bytesAfter: after,
    sqnrMinDb: sqnr.length === 0 ? null : (sqnr[0] as number),
    sqnrMedianDb: median,
  };
}

/** The progress line of one layer of --method gptq|awq|hqq (or --bits). */
export function layerLine(method: string, l: LayerLine, i: number, count: number): string {
  const head = `quantize: ${method} ${i + 1}/${count} ${l.name} (${l.op} [${l.matrix.join(", ")}])`;
  if (l.fallback !== undefined) return `${head}: rounded to nearest (${l.fallback})`;
  const error =
    l.outputError === undefined
      ? ""
      : `: output error ${l.outputError.toExponential(3)} (RTN ${(l.rtnOutputError as number).toExponential(3)}) on ${l.rows} rows`;
  const warn = l.warnings.length > 0 ? `; warning: ${l.warnings.join("; ")}` : "";
  return `${head}${error}, ${l.seconds.toFixed(2)} s${warn}`;
}

function quantizeText(
  r: QuantizeResult,
  input: string,
  output: string,
  seconds: number,
  inputBytes: number,
): string {
  const t = totals(r);
  const lines = [
    `quantize ${input} -> ${output}: ${r.scheme}; ${count(r.quantized.length, "tensor")} on ${count(r.threads, "thread")}`,
  ];
  if (r.quantized.length > 0) {
    const errors = r.quantized.some((q) => q.outputError !== undefined);
    const rows = [
      [
        "name",
        "op",
        "shape",
        "from",
        "to",
        "bytes before",
        "bytes after",
        "SQNR dB",
        ...(errors ? ["output error", "RTN's"] : []),
      ],
    ];
    for (const q of r.quantized) {
      rows.push([
        q.name,
        q.op ?? "-",
        shapeText(q.shape),
        q.from,
        q.to,
        int(q.bytesBefore),
        int(q.bytesAfter),
        Number.isNaN(q.sqnrDb) ? "- (all 0)" : q.sqnrDb.toFixed(2),
        ...(errors
          ? [
              q.outputError?.toExponential(3) ?? (q.fallback ? "RTN" : "-"),
              q.rtnOutputError?.toExponential(3) ?? "-",
            ]
          : []),
      ]);
    }
    lines.push(table(rows, errors ? [5, 6, 7, 8, 9] : [5, 6, 7]));
  }
  if (r.kept.length > 0) {
    lines.push(`not quantized: ${count(r.kept.length, "tensor")}`);
    const groups = new Map<string, string[]>();
    for (const k of r.kept) {
      const key = `${k.written}: ${k.reason}`;
      groups.set(key, [...(groups.get(key) ?? []), k.name]);
    }
    for (const [key, names] of groups) {
      const shown = names.slice(0, 4).join(", ");
      lines.push(
        `  ${key}: ${names.length === 1 ? shown : `${names.length} tensors (${shown}${names.length > 4 ? ", ..." : ""})`}`,
      );
    }
  }
  if (r.activations.length > 0)
    lines.push(
      `activations: ${count(r.activations.length, "tensor")} with QuantizeLinear/DequantizeLinear pairs`,
    );
  for (const n of r.notes) lines.push(`note: ${n}`);
  const ratio =
    t.bytesAfter === 0
      ? ""
      : t.bytesBefore >= t.bytesAfter
        ? ` (${(t.bytesBefore / t.bytesAfter).toFixed(2)}x smaller)`
        : ` (${(t.bytesAfter / t.bytesBefore).toFixed(2)}x larger)`;
  lines.push(
    `total: ${count(t.tensors, "tensor")} quantized, ${int(t.bytesBefore)} -> ${int(t.bytesAfter)} bytes${ratio}` +
      (t.sqnrMinDb === null
        ? ""
        : `, SQNR min ${t.sqnrMinDb.toFixed(2)} dB, median ${(t.sqnrMedianDb as number).toFixed(2)} dB`),
    `wrote ${output}: ${int(r.bytes.byteLength)} bytes (${bytesText(r.bytes.byteLength)}; the input ${int(inputBytes)} bytes) in ${seconds.toFixed(2)} s`,
    "",
  );
  return lines.join("\n");
}

async function quantize(args: ReturnType<typeof parseArgs>, io: Io, cwd: string): Promise<void> {
  const [input, output] = args.positionals as [string, string];
  const settings = quantizeSettings(args.flags, output);
  if (resolve(cwd, input) === resolve(cwd, output)) {
    throw new UsageError("quantize", "OUT is IN: write the quantized model to another file");
  }
  const quiet = args.flags.quiet === true;
  const started = performance.now();
  const loaded = loadModel(input, cwd);
  let samples: Sample[] | undefined;
  if (settings.samplesDir !== undefined) {
    if (loaded.model.format !== "onnx") {
      throw new CliError(
        `${loaded.path}: --calibrate runs ONNX models; this is a ${loaded.model.format} file`,
      );
    }
    const { readInputFolder } = await import("./inputs.js");
    // The graph inputs a runtime feeds: those that are not initializers (old IR lists both).
    const meta = loaded.model.metadata as unknown as OnnxMetadata;
    const constants = new Set(loaded.model.tensors.map((t) => t.name));
    const inputs = meta.inputs.filter((i) => !constants.has(i.name));
    samples = readInputFolder(settings.samplesDir, cwd, inputs);
  }
  const result = await quantizeModel(loaded, settings, {
    ...(samples === undefined ? {} : { samples }),
    onLayer: (line, i, count) => {
      if (!quiet) io.stderr.write(`${layerLine(settings.method, line, i, count)}\n`);
    },
    onJobs: (count, values) => {
      const p = progress(
        io.stderr,
        "quantize",
        count,
        values,
        "tensors",
        quiet,
        io.progressAfterMs,
      );
      let left = count;
      return (v: number) => {
        p.advance(v);
        if (--left === 0) p.done();
      };
    },
  });
  const out = resolve(cwd, output);
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, result.bytes);
    renameSync(tmp, out);
  } catch (error) {
    throw new CliError(`${output}: cannot write it: ${(error as Error).message}`);
  }
  const seconds = (performance.now() - started) / 1000;
  if (args.flags.json) {
    io.stdout.write(
      json({
        input: loaded.path,
        output,
        format: settings.target,
        scheme: result.scheme,
        threads: result.threads,
        seconds,
        bytes: { input: loaded.inputBytes(), output: result.bytes.byteLength },
        totals: totals(result),
        quantized: result.quantized,
        kept: result.kept,
        activations: result.activations,
        notes: result.notes,
      }),
    );
  } else {
    io.stdout.write(quantizeText(result, loaded.path, output, seconds, loaded.inputBytes()));
  }
}

function compareText(r: CompareReport): string {
  const decisions = r.threshold === null ? [] : [`decisions > ${r.threshold}`];
  const rows = [
    ["output", "dims", "values", "cosine", "max abs diff", "SQNR dB", "top-1", ...decisions],
  ];
  for (const o of r.outputs) {
    const bad = o.nonFinite.a + o.nonFinite.b > 0;
    rows.push([
      o.name,
      shapeText(o.dims),
      int(o.values),
      bad
        ? `NaN/Infinity: ${o.nonFinite.a} in A, ${o.nonFinite.b} in B`
        : (o.cosine?.toFixed(6) ?? "-"),
      o.maxAbsDiff === null ? "-" : num(o.maxAbsDiff),
      o.sqnrDb === null ? "-" : Number.isFinite(o.sqnrDb) ? o.sqnrDb.toFixed(2) : String(o.sqnrDb),
      o.top1 === null ? "-" : `${percent(o.top1, 4)} of ${int(o.rows)} rows`,
      ...(o.decisions === null ? [] : [`${percent(o.decisions, 4)} of ${int(o.values)}`]),
    ]);
  }
  return `compare ${r.a} ${r.b}: ${count(r.samples, "sample")}, ${r.inputs}\n${table(rows, [2, 4, 5])}\n`;
}

async function compare(args: ReturnType<typeof parseArgs>, io: Io, cwd: string): Promise<void> {
  const [a, b] = args.positionals as [string, string];
  const settings = compareSettings(args.flags);
  const quiet = args.flags.quiet === true;
  const r = await compareModels(a, b, settings, cwd, (count) => {
    const p = progress(io.stderr, "compare", count, 0, "samples", quiet, io.progressAfterMs);
    let left = count;
    return () => {
      p.advance(0);
      if (--left === 0) p.done();
    };
  });
  io.stdout.write(args.flags.json ? json(r) : compareText(r));
}

const RUN: Readonly<
  Record<string, (args: ReturnType<typeof parseArgs>, io: Io, cwd: string) => Promise<void>>
> = {
  inspect,
  quantize,
  compare,
};

/**
 * Runs `quantlab ARGV...` and returns the exit code: 0 done, 1 failed, 2 bad usage. Never
 * throws: errors are printed on `io.stderr` as `quantlab <command>: <message>`.
 *
 * @example
 * const code = await main(["inspect", "model.onnx", "--json"], { stdout: process.stdout, stderr: process.stderr });
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(mainHelp());
    return 2;
  }
  if (first === "-h" || first === "--help" || first === "help") {
    const topic = first === "help" ? rest[0] : undefined;
    const spec = COMMANDS.find((c) => c.name === topic);
    if (topic !== undefined && spec === undefined) {
      return fail(
        new UsageError(undefined, `no command ${JSON.stringify(topic)}`),
        undefined,
        io,
        false,
      );
    }
    io.stdout.write(spec === undefined ? mainHelp() : helpText(spec));
    return 0;
  }
  if (first === "-v" || first === "--version") {
    io.stdout.write(`${version()}\n`);
    return 0;
  }
  const spec = COMMANDS.find((c) => c.name === first);
  if (spec === undefined) {
    const near = suggest(
      first,
      COMMANDS.map((c) => c.name),
    );
    const what = first.startsWith("-")
      ? `unknown option ${first}`
      : `unknown command ${JSON.stringify(first)}`;
    return fail(
      new UsageError(
        undefined,
        `${what}${near === undefined ? "" : `; did you mean ${near}?`} (commands: ${COMMANDS.map((c) => c.name).join(", ")})`,
      ),
      undefined,
      io,
      false,
    );
  }
  const debug = rest.includes("--debug");
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(spec, rest);
  } catch (error) {
    return fail(error, spec.name, io, debug);
  }
  if (args.help) {
    io.stdout.write(helpText(spec));
    return 0;
  }
  try {
    await (RUN[spec.name] as (typeof RUN)[string])(args, io, cwd);
    return 0;
  } catch (error) {
    return fail(error, spec.name, io, debug);
  }
}

function fail(error: unknown, command: string | undefined, io: Io, debug: boolean): number {
  const { text, code } = report(error, command, debug);
  io.stderr.write(text);
  return code;
}
