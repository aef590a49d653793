/**
 * The 256M-value memory check: RSS growth of the fast path's quantize beyond its input and output.
 * Input and output are allocated and touched first; the run then may add only the module's fixed
 * working buffer (WebAssembly memory never grows with the tensor).
 */
import { quantize } from "@quantlab/core";
import { loadFastKernels } from "@quantlab/core/kernels";
import type { MemoryReport } from "./cli.js";
import { countMismatches } from "./measure.js";

const MiB = 1024 * 1024;
const LIMIT_MiB = 64;

function run(size: number): MemoryReport {
  const fast = loadFastKernels();
  if (fast === undefined) throw new Error("bench --memory: WebAssembly SIMD is not available");
  const x = new Float32Array(size);
  // Deterministic values in [-5, 5] (a seeded normal generator at this size would take seconds).
  let state = 12345;
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1103515245) + 12345) | 0;
    x[i] = ((state >>> 8) / 16777216) * 10 - 5;
  }
  const out = new Int8Array(size);
  out.fill(1);
  const scale = Math.fround(5 / 127);
  // Warm the kernel on a small input so JIT and module code are resident before measuring.
  const params = { dtype: "int8", scale } as const;
  quantize(x.subarray(0, 1 << 16), params, { out: out.subarray(0, 1 << 16) });
  const wasmBefore = fast.memoryBytes;
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  quantize(x, params, { out }); // the public call, writing into the caller's array
  const seconds = (performance.now() - t0) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  const growth = (Math.max(peak, process.memoryUsage().rss) - rssBefore) / MiB;
  const sample = 1 << 24;
  const expected = quantize(
    x.subarray(size - sample),
    { dtype: "int8", scale },
    { backend: "reference" },
  ).data;
  return {
    size,
    inputMiB: x.byteLength / MiB,
    outputMiB: out.byteLength / MiB,
    rssBeforeRunMiB: rssBefore / MiB,
    peakRssAfterRunMiB: peak / MiB,
    growthMiB: growth,
    wasmMemoryMiB: fast.memoryBytes / MiB,
    wasmMemoryGrew: fast.memoryBytes !== wasmBefore,
    seconds,
    valuesPerSecond: size / seconds,
    sampleMismatches: countMismatches(out.subarray(size - sample), expected),
    limitMiB: LIMIT_MiB,
    withinLimit: growth < LIMIT_MiB,
  };
}

process.on("message", (request: { size: number }) => {
  try {
    process.send?.({ results: run(request.size) }, () => process.exit(0));
  } catch (error) {
    process.send?.({ error: String((error as Error).stack ?? error) }, () => process.exit(1));
  }
});
