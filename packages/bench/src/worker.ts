/**
 * One implementation's measurements, in a process of its own (so its peak RSS is its own): the
 * parent sends { impl, sizes, ops, seed } and receives the results.
 */
import {
  BYTES_PER_VALUE,
  createImpl,
  type ExternalRun,
  type ImplName,
  INPUT_BYTES_PER_VALUE,
  OPS,
  type Op,
  type OpData,
} from "./impls.js";
import { countMismatches, quantile, type Result, type Skipped } from "./measure.js";
import { makeData, referenceOutput, seedReference } from "./setup.js";

export interface WorkerRequest {
  readonly impl: ImplName;
  readonly sizes: readonly number[];
  readonly ops: readonly Op[];
  readonly seed: number;
  /** Allocate a new output per call (see `Alloc`). */
  readonly alloc: boolean;
  /** The gguf-py peer's Python (the venv's), or why there is none. */
  readonly python?: { readonly path?: string; readonly note?: string };
}

/** Slow implementations get fewer repeats so that a whole run stays within a few minutes. */
const SLOW_MS = 400;

async function measure(request: WorkerRequest): Promise<(Result | Skipped)[]> {
  const out: (Result | Skipped)[] = [];
  const impl = await createImpl(request.impl, request.python);
  for (const size of request.sizes) {
    const data: OpData = makeData(size, request.seed);
    for (const op of request.ops) {
      if (typeof impl === "string") {
        out.push({ impl: request.impl, op, size, skipped: impl });
        continue;
      }
      const runner = await impl.prepare(op, data, request.alloc);
      if (typeof runner === "string") {
        out.push({ impl: request.impl, op, size, skipped: runner });
        continue;
      }
      if (typeof runner !== "function") {
        out.push(await external(request.impl, op, size, runner));
        continue;
      }
      // Warm-up (JIT, first-touch of pages, session caches), which also gives the output to check.
      let t0 = performance.now();
      const first = await runner();
      let warm = performance.now() - t0;
      if (warm < SLOW_MS) {
        t0 = performance.now();
        await runner();
        warm = performance.now() - t0;
      }
      if (request.impl === "quantlab-reference") seedReference(op, data, first);
      const mismatches =
        request.impl === "copy" ? -1 : countMismatches(first, referenceOutput(op, data));
      const repeats = warm > SLOW_MS ? 3 : 7;
      const times: number[] = [];
      for (let r = 0; r < repeats; r++) {
        t0 = performance.now();
        await runner();
        times.push(performance.now() - t0);
      }
      out.push(
        result(request.impl, op, size, times, process.resourceUsage().maxRSS / 1024, mismatches),
      );
    }
  }
  if (typeof impl !== "string") await impl.dispose?.();
  return out;
}

/** The statistics of one op's timed calls. */
function result(
  impl: ImplName,
  op: Op,
  size: number,
  timed: readonly number[],
  peakRssMiB: number,
  mismatches: number,
): Result {
  const times = [...timed].sort((a, b) => a - b);
  const median = quantile(times, 0.5);
  const valuesPerSecond = size / (median / 1000);
  return {
    impl,
    op,
    size,
    valuesPerSecond,
    gbPerSecond: (valuesPerSecond * (impl === "copy" ? copyBytes(op) : BYTES_PER_VALUE[op])) / 1e9,
    medianMs: median,
    minMs: times[0] as number,
    maxMs: times[times.length - 1] as number,
    q1Ms: quantile(times, 0.25),
    q3Ms: quantile(times, 0.75),
    repeats: times.length,
    peakRssMiB,
    mismatches,
  };
}

/** An implementation that times itself elsewhere (gguf-py: its own Python process). */
async function external(impl: ImplName, op: Op, size: number, run: ExternalRun): Promise<Result> {
  const m = await run.measure();
  return result(impl, op, size, m.times, m.peakRssMiB, m.mismatches);
}

/** The copy moves its input's bytes twice (read and write). */
function copyBytes(op: Op): number {
  return 2 * INPUT_BYTES_PER_VALUE[op];
}

export { OPS };

process.on("message", (request: WorkerRequest) => {
  measure(request).then(
    (results) => {
      process.send?.({ results }, () => process.exit(0));
    },
    (error: Error) => {
      process.send?.({ error: String(error?.stack ?? error) }, () => process.exit(1));
    },
  );
});
