/**
 * Worker threads over the kernels' shared WebAssembly memory: each worker instantiates the same
 * module on the same memory (with its own scratch region) and waits on a shared control word; the
 * calling thread writes one argument list per worker, bumps the word, runs its own part, and
 * waits until every worker has finished (Atomics.wait where the thread may block, Node's main
 * thread included; a spin on Atomics.load on a browser's main thread, which may not block).
 *
 * Workers exist in Node >= 20.16 (`process.getBuiltinModule("node:worker_threads")`) and in
 * browsers whose page is cross-origin isolated (`crossOriginIsolated`: shared memory needs it);
 * elsewhere everything runs on the calling thread, and `threadSupport()` says why. The pool
 * starts at the first threaded call: Node waits (up to 10 s) for its workers to load, a browser
 * uses the workers that are ready and runs on one thread until they are.
 */
import { SCRATCH_BYTES } from "./abi.js";

/** Values per call from which `threads: "auto"` splits a tensor across the threads. */
export const THREADS_MIN_VALUES = 1 << 18;
/** The most worker threads a pool starts. */
const MAX_THREADS = 16;
/** Float64 slots of one argument list (the widest export takes 10 arguments). */
const ARGS = 16;

// The control words (Int32Array over a SharedArrayBuffer).
const GEN = 0;
const PENDING = 1;
const FN = 2;
const NARGS = 3;
/** Workers with an index below this run the current call (the others wait for the next). */
const ACTIVE = 4;
const READY = 8; // + worker index

/** The exports a worker may run, by index (the FN word). */
export const THREAD_EXPORTS = [
  "quantizeTensor",
  "dequantizeTensor",
  "fakeQuantizeTensor",
  "quantizeInt4Packed",
  "encodeHalf",
  "decodeHalf",
  "quantizeQ8_0",
  "dequantizeQ8_0",
  "quantizeQ4_0",
  "dequantizeQ4_0",
  "quantizeQ4_K",
  "dequantizeQ4_K",
  "quantizeQ6_K",
  "dequantizeQ6_K",
  "quantizeMxfp4",
  "dequantizeMxfp4",
  "quantize4bit",
  "dequantize4bit",
] as const;
export type ThreadExport = (typeof THREAD_EXPORTS)[number];

/** What a worker runs (plain JavaScript: it is the worker's whole source, Node's and browsers'). */
const WORKER_BODY = `
function run(d) {
  const ex = new WebAssembly.Instance(d.module, { env: { memory: d.memory } }).exports;
  ex.useScratch(d.scratch);
  const I = new Int32Array(d.control);
  const F = new Float64Array(d.args);
  const names = d.names;
  const base = (1 + d.index) * ${ARGS};
  let gen = Atomics.load(I, ${GEN});
  Atomics.store(I, ${READY} + d.index, 1);
  Atomics.notify(I, ${READY} + d.index);
  for (;;) {
    Atomics.wait(I, ${GEN}, gen);
    gen = Atomics.load(I, ${GEN});
    if (d.index >= I[${ACTIVE}]) continue;
    const n = I[${NARGS}];
    const a = [];
    for (let i = 0; i < n; i++) a.push(F[base + i]);
    const r = ex[names[I[${FN}]]](...a);
    F[base + ${ARGS - 1}] = typeof r === "number" ? r : 0;
    if (Atomics.sub(I, ${PENDING}, 1) === 1) Atomics.notify(I, ${PENDING});
  }
}
`;

/** Where threads run, and why not when they do not. */
export interface ThreadSupport {
  /** Threads one call may use: 1 where workers are unavailable. */
  readonly threads: number;
  readonly reason: string;
}

interface WorkerLike {
  postMessage?(data: unknown): void;
  unref?(): void;
}

interface NodeWorkerThreads {
  Worker: new (code: string, options: { eval: true; workerData: unknown }) => WorkerLike;
}

interface Globals {
  process?: { getBuiltinModule?(id: string): unknown };
  crossOriginIsolated?: boolean;
  Worker?: new (url: string) => WorkerLike;
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL?: { createObjectURL(blob: unknown): string };
  navigator?: { hardwareConcurrency?: number };
}

function cores(g: Globals): number {
  const os = g.process?.getBuiltinModule?.("node:os") as
    | { availableParallelism?(): number; cpus(): unknown[] }
    | undefined;
  const n = os?.availableParallelism?.() ?? os?.cpus().length ?? g.navigator?.hardwareConcurrency;
  return Math.max(1, Math.min(MAX_THREADS, n ?? 1));
}

type Spawn = (data: Record<string, unknown>) => WorkerLike;

/** How this runtime starts a worker, or why it cannot. */
function spawner(g: Globals, shared: boolean): Spawn | string {
  if (!shared) {
    return "one thread: no shared WebAssembly memory (SharedArrayBuffer missing: in a browser, the page is not cross-origin isolated)";
  }
  const wt = g.process?.getBuiltinModule?.("node:worker_threads") as NodeWorkerThreads | undefined;
  if (wt !== undefined) {
    const code = `${WORKER_BODY}\nrun(require("node:worker_threads").workerData);`;
    return (data) => {
      const w = new wt.Worker(code, { eval: true, workerData: data });
      w.unref?.();
      return w;
    };
  }
  if (g.process !== undefined)
    return "one thread: this Node has no process.getBuiltinModule (Node >= 20.16 has)";
  if (g.crossOriginIsolated !== true) {
    return "one thread: the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)";
  }
  if (g.Worker === undefined || g.Blob === undefined || g.URL === undefined) {
    return "one thread: no Worker in this context";
  }
  const url = g.URL.createObjectURL(
    new g.Blob([`${WORKER_BODY}\nself.onmessage = (e) => run(e.data);`], {
      type: "text/javascript",
    }),
  );
  const W = g.Worker;
  return (data) => {
    const w = new W(url);
    w.postMessage?.(data);
    return w;
  };
}

// Stryker disable all: blocking only picks Atomics.wait over a spin (and bounds the wait for the
// workers to load): the same results either way
/** True where this thread may block in Atomics.wait (not a browser's main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}
// Stryker restore all

/** One part of a call: the arguments of one export call. */
export type Part = readonly number[];

export interface ThreadPool {
  readonly support: ThreadSupport;
  /**
   * Runs `name` once per part, in parallel (part 0 on the calling thread, `run0`), and returns
   * each call's result. Uses at most `support.threads` parts; the caller splits accordingly.
   */
  run(name: ThreadExport, parts: readonly Part[], run0: (args: Part) => number): number[];
  /** Threads ready now (the calling one included). */
  ready(): number;
}

/**
 * The pool of a module instance on a shared memory. `reserve` gives each worker its scratch
 * region. The workers start at the first `ready()` call.
 */
export function createThreadPool(
  module: unknown,
  memory: unknown,
  shared: boolean,
  reserve: (bytes: number) => number,
): ThreadPool {
  const g = globalThis as Globals;
  const spawn = spawner(g, shared);
  const threads = typeof spawn === "string" ? 1 : cores(g);
  const support: ThreadSupport = {
    threads,
    reason:
      typeof spawn === "string"
        ? threads === 1 && cores(g) === 1
          ? "one thread: one core"
          : spawn
        : threads === 1
          ? "one thread: one core"
          : `${threads} threads: worker threads over a shared WebAssembly memory`,
  };
  const workers = threads - 1;
  let started = false;
  let control: Int32Array | undefined;
  let args: Float64Array | undefined;
  const blocking = canBlock();

  function start(): void {
    started = true;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,StringLiteral: a string spawn means one thread, so workers is 0, and with no workers the rest starts nothing
    if (typeof spawn === "string" || workers === 0) return;
    const controlBuffer = new SharedArrayBuffer(4 * (READY + MAX_THREADS));
    const argsBuffer = new SharedArrayBuffer(8 * ARGS * (1 + MAX_THREADS));
    control = new Int32Array(controlBuffer);
    args = new Float64Array(argsBuffer);
    for (let index = 0; index < workers; index++) {
      spawn({
        module,
        memory,
        control: controlBuffer,
        args: argsBuffer,
        names: THREAD_EXPORTS,
        index,
        scratch: reserve(SCRATCH_BYTES),
      });
    }
    // Stryker disable all: the wait for the workers to load only decides how soon they take part
    // (ready() counts those that did), never a value
    if (blocking) {
      const deadline = Date.now() + 10000;
      for (let w = 0; w < workers; w++) {
        while (Atomics.load(control, READY + w) === 0 && Date.now() < deadline) {
          Atomics.wait(control, READY + w, 0, Math.max(1, deadline - Date.now()));
        }
      }
    }
    // Stryker restore all
  }

  function ready(): number {
    if (!started) start();
    if (control === undefined) return 1;
    let n = 1;
    while (n - 1 < workers && Atomics.load(control, READY + n - 1) === 1) n++;
    return n;
  }

  function run(name: ThreadExport, parts: readonly Part[], run0: (a: Part) => number): number[] {
    const results = new Array<number>(parts.length).fill(0);
    if (parts.length === 0) return results;
    const I = control;
    const F = args;
    if (parts.length > 1 && I !== undefined && F !== undefined) {
      const n = (parts[0] as Part).length;
      for (let w = 1; w < parts.length; w++) F.set(parts[w] as Part, w * ARGS);
      I[FN] = THREAD_EXPORTS.indexOf(name);
      I[NARGS] = n;
      I[ACTIVE] = parts.length - 1;
      Atomics.store(I, PENDING, parts.length - 1);
      Atomics.add(I, GEN, 1);
      Atomics.notify(I, GEN);
    }
    results[0] = run0(parts[0] as Part);
    if (parts.length > 1 && I !== undefined && F !== undefined) {
      for (let p = Atomics.load(I, PENDING); p !== 0; p = Atomics.load(I, PENDING)) {
        if (blocking) Atomics.wait(I, PENDING, p);
      }
      for (let w = 1; w < parts.length; w++) results[w] = F[w * ARGS + ARGS - 1] as number;
    }
    return results;
  }

  return { support, run, ready };
}
