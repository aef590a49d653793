/**
 * `npm run bench -- --breakdown`: where the fast path's time goes at one size (default 16M values),
 * stage by stage, against the memory-copy yardstick. Runs in a child process of its own.
 *
 * The fast kernels stream a tensor through a fixed buffer in WebAssembly memory, chunk by chunk:
 * copy a chunk in, run the SIMD loop, copy the codes out. Each stage is timed alone here, over the
 * whole tensor, with the same chunking and buffer layout as src/kernels/fast/kernels.ts (input at
 * bufferBase(), output after it), through the module's raw exports. Those are captured through
 * @quantlab/core/kernels: loadFastKernels() takes the WebAssembly implementation to use, and the one given here
 * records the instance it creates. Then the public calls (validation, output allocation) and the
 * allocation alone, so that what the kernels cost and what the API adds can be told apart.
 */
import { dequantize, quantize } from "@quantlab/core";
import { type KernelExports, loadFastKernels, type WebAssemblyLike } from "@quantlab/core/kernels";
import type { BlockOp } from "./blocks.js";
import { blockStages } from "./breakdown-blocks.js";
import { normalValues, symmetricScale } from "./data.js";

export interface Stage {
  /** quantize-int8, dequantize-int8, allocation, or a block op (./breakdown-blocks.ts). */
  readonly op: string;
  readonly stage: string;
  readonly medianMs: number;
  readonly minMs: number;
  /** Bytes read + written by the stage, per second at the median (1 GB = 1e9 B); 0 when not counted. */
  readonly gbPerSecond: number;
}

export interface BreakdownReport {
  readonly size: number;
  readonly chunkSize: number;
  readonly repeats: number;
  readonly stages: readonly Stage[];
}

const REPEATS = 11;

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[(sorted.length - 1) >> 1] as number;
}

/** Median and minimum of REPEATS runs after two warm-up runs. `setup` runs untimed before each. */
function time(run: () => unknown, setup?: () => void): { medianMs: number; minMs: number } {
  const times: number[] = [];
  for (let r = 0; r < REPEATS + 2; r++) {
    setup?.();
    const t0 = performance.now();
    run();
    const t = performance.now() - t0;
    if (r >= 2) times.push(t);
  }
  return { medianMs: median(times), minMs: Math.min(...times) };
}

/** The fast kernels, and the raw exports of the instance they run on. */
function instrumentedKernels() {
  const real = (globalThis as unknown as { WebAssembly: WebAssemblyLike }).WebAssembly;
  let raw: KernelExports | undefined;
  class RecordingInstance {
    readonly exports: unknown;
    constructor(module: never, imports?: object) {
      this.exports = new real.Instance(module, imports).exports;
      raw = this.exports as KernelExports;
    }
  }
  const webAssembly: WebAssemblyLike = {
    validate: (bytes) => real.validate(bytes),
    Module: real.Module,
    Instance: RecordingInstance,
  };
  const fast = loadFastKernels({ webAssembly });
  if (fast === undefined || raw === undefined)
    throw new Error("bench --breakdown: WebAssembly SIMD is not available");
  return { fast, raw };
}

export function breakdown(n: number, ops: readonly BlockOp[] = []): BreakdownReport {
  const { fast, raw } = instrumentedKernels();
  const C = fast.chunkSize;
  if (n % C !== 0) throw new RangeError(`bench --breakdown: size must be a multiple of ${C}`);
  const stages: Stage[] = [];
  const add = (
    op: Stage["op"],
    stage: string,
    bytes: number,
    t: { medianMs: number; minMs: number },
  ) => {
    stages.push({
      op,
      stage,
      ...t,
      gbPerSecond: bytes === 0 ? 0 : bytes / (t.medianMs / 1000) / 1e9,
    });
  };
  /** The sum of the last three stages' medians, as a stage of its own. */
  const addSum = (op: Stage["op"], bytes: number) => {
    const medianMs = stages.slice(-3).reduce((a, s) => a + s.medianMs, 0);
    add(op, "sum of stages 1-3", bytes, { medianMs, minMs: Number.NaN });
  };

  const x = normalValues(n, 20240611);
  const scale = symmetricScale(x);
  const buf = raw.memory.buffer;
  const IN = raw.bufferBase();
  const OUT = IN + C * 4 + 256;
  const inF32 = new Float32Array(buf, IN, C);
  const inI8 = new Int8Array(buf, IN, C);
  const outI8 = new Int8Array(buf, OUT, C);
  const outF32 = new Float32Array(buf, OUT, C);

  /** Times `op`'s stages in order: each one's name, the bytes it moves, and its work. */
  const addStages = (op: Stage["op"], list: readonly [string, number, () => unknown][]) => {
    for (const [stage, bytes, run] of list) add(op, stage, bytes, time(run));
  };

  // --- quantize-int8: 4 bytes in, 1 byte out per value.
  const dst = new Float32Array(n);
  const codes = new Int8Array(n);
  addStages("quantize-int8", [
    ["copy yardstick: Float32Array.set, input to a preallocated array", 8 * n, () => dst.set(x)],
    [
      "stage 1, copy-in: each chunk of x into WebAssembly memory",
      8 * n,
      () => {
        for (let off = 0; off < n; off += C) inF32.set(x.subarray(off, off + C));
      },
    ],
    [
      "stage 2, kernel: the SIMD loop on a chunk in cache (f32x4.div, NaN mask), n / chunk times",
      5 * n,
      () => {
        for (let off = 0; off < n; off += C)
          raw.quantizeTensor(0, 0, IN, OUT, C, scale, 0, -128, 127);
      },
    ],
    [
      "stage 3, copy-out: each chunk's codes into a preallocated Int8Array",
      2 * n,
      () => {
        for (let off = 0; off < n; off += C) codes.set(outI8, off);
      },
    ],
  ]);
  addSum("quantize-int8", 5 * n);
  const params = { dtype: "int8", scale } as const;
  addStages("quantize-int8", [
    [
      "kernels: fast.quantizeTensor into a preallocated Int8Array",
      5 * n,
      () => fast.quantizeTensor("onnx", x, scale, 0, -128, 127, codes),
    ],
    [
      "public: quantize(x, { dtype: 'int8', scale }) (validates, allocates its output)",
      5 * n,
      () => quantize(x, params),
    ],
    [
      "the NaN pass the kernels now fuse: a separate indexOfNaN(x) scan",
      4 * n,
      () => {
        for (let i = 0; i < n; i++) if (Number.isNaN(x[i])) return i;
        return -1;
      },
    ],
  ]);

  // --- dequantize-int8: 1 byte in, 4 bytes out per value.
  const q = quantize(x, params);
  const deq = new Float32Array(n);
  addStages("dequantize-int8", [
    [
      "stage 1, copy-in: each chunk of codes into WebAssembly memory",
      2 * n,
      () => {
        for (let off = 0; off < n; off += C) inI8.set(q.data.subarray(off, off + C) as Int8Array);
      },
    ],
    [
      "stage 2, kernel: the SIMD loop on a chunk in cache, n / chunk times",
      5 * n,
      () => {
        for (let off = 0; off < n; off += C) raw.dequantizeTensor(0, IN, OUT, C, scale, 0);
      },
    ],
    [
      "stage 3, copy-out: each chunk's float32 into a preallocated Float32Array (64 MiB at 16M)",
      8 * n,
      () => {
        for (let off = 0; off < n; off += C) deq.set(outF32, off);
      },
    ],
  ]);
  addSum("dequantize-int8", 5 * n);
  addStages("dequantize-int8", [
    [
      "kernels: fast.dequantizeTensor into a preallocated Float32Array",
      5 * n,
      () => fast.dequantizeTensor("onnx", q.data, scale, 0, deq),
    ],
    ["public: dequantize(q) (allocates its output)", 5 * n, () => dequantize(q)],
  ]);

  // --- The output allocation alone: fresh pages are zeroed and faulted in on first write.
  addStages("allocation", [
    ["new Int8Array(n), not touched", 0, () => new Int8Array(n)],
    ["new Int8Array(n) then fill(1): allocation + first touch", n, () => new Int8Array(n).fill(1)],
    ["fill(1) of a warm Int8Array(n)", n, () => codes.fill(1)],
    [
      "new Float32Array(n) then fill(1): allocation + first touch",
      4 * n,
      () => new Float32Array(n).fill(1),
    ],
    ["fill(1) of a warm Float32Array(n)", 4 * n, () => deq.fill(1)],
  ]);
  blockStages(ops, n, x, fast, raw, time, add);
  return { size: n, chunkSize: C, repeats: REPEATS, stages };
}

process.on("message", (request: { size: number; ops?: BlockOp[] }) => {
  try {
    process.send?.({ results: breakdown(request.size, request.ops) }, () => process.exit(0));
  } catch (error) {
    process.send?.({ error: String((error as Error).stack ?? error) }, () => process.exit(1));
  }
});
