/**
 * The fast kernels: the JavaScript side of the WebAssembly SIMD module (assembly/kernels.ts), one
 * wrapper per member of Kernels, each streaming its arrays through the module's buffers (./stream.ts)
 * and giving the reference's bits; the block formats' members are in ./blocks.ts.
 *
 * NaN: the SIMD loops OR a NaN mask as they go and return a flag per chunk; only a chunk that
 * reports NaN is scanned again, for the index, and the kernel returns at once.
 *
 * One input the SIMD loops do not take, and which goes to the reference kernels instead: int32
 * codes (and code arrays that are not 8- or 16-bit typed arrays). (A PyTorch scale whose float32
 * reciprocal overflows never reaches a kernel: the public functions refuse it.)
 */
import type { IntegerArray, Semantics } from "../../dtypes/table.js";
import type { NumericArray } from "../../tensor.js";
import type { Threads } from "../../validate/params.js";
import { referenceKernels } from "../reference.js";
import type { HalfDType, Kernels } from "../types.js";
import {
  HALF_BFLOAT16,
  HALF_FLOAT16,
  KIND_INT8,
  KIND_INT16,
  KIND_UINT8,
  KIND_UINT16,
  SEMANTICS_ONNX,
  SEMANTICS_PYTORCH,
} from "./abi.js";
import { type BlockRunner, createBlockKernels } from "./blocks.js";
import type { KernelExports } from "./exports.js";
import { createHeap, type Heap } from "./heap.js";
import { type Buffers, createBuffers, firstNaN, type Placement, streamLayout } from "./stream.js";
import {
  createThreadPool,
  type Part,
  THREADS_MIN_VALUES,
  type ThreadExport,
  type ThreadSupport,
} from "./threads.js";

/** The fast backend's kernels, and what they hold in WebAssembly memory. */
export interface FastKernels extends Kernels {
  readonly name: "fast";
  /** Elements per chunk streamed through WebAssembly memory. */
  readonly chunkSize: number;
  /**
   * Bytes of WebAssembly memory the streaming buffers take, both modules' where two serve (fixed:
   * they do not grow with the tensors).
   */
  readonly memoryBytes: number;
  /** The tensors in the module's memory (`allocate`), or undefined on a non-shared memory. */
  readonly heap: Heap | undefined;
  /** How many threads a call may use here, and why. */
  readonly threadSupport: ThreadSupport;
  /** These kernels with a `threads` setting: "auto" (all cores from THREADS_MIN_VALUES on) or a count. */
  withThreads(threads: Threads): FastKernels;
}

/** What a module on a shared memory needs for the heap and the workers. */
export interface SharedModule {
  readonly module: unknown;
  readonly memory: unknown;
  /**
   * Kernels on a module with its own memory, for the calls with no array in the heap that run
   * on one thread: V8 copies into a shared memory's views far slower (measured in the bench).
   */
  readonly streaming?: FastKernels | undefined;
}

/** Values an in-place part of a call is a multiple of: no kernel reads or writes past it. */
const GRAIN = 64;

/** An array of the calling thread and its element width in bytes (1/2: packed int4). */
interface Side {
  readonly array: ArrayBufferView;
  readonly width: number;
}

/**
 * Whether two views of the module's memory, at byte offsets `pa` and `pb` (-1: not in it), share a
 * byte. Offsets, not buffer objects: views made before and after the memory grew have different ones.
 */
const overlapping = (pa: number, a: ArrayBufferView, pb: number, b: ArrayBufferView) =>
  pa >= 0 &&
  pb >= 0 &&
  a.byteLength > 0 &&
  b.byteLength > 0 &&
  pa < pb + b.byteLength &&
  pb < pa + a.byteLength;

/** Storage kind of a code array (./abi.ts), or -1 where only the reference kernels take it. */
function kindOf(a: unknown): number {
  if (a instanceof Int8Array) return KIND_INT8;
  if (a instanceof Uint8Array) return KIND_UINT8;
  if (a instanceof Int16Array) return KIND_INT16;
  if (a instanceof Uint16Array) return KIND_UINT16;
  return -1;
}

const flag = (semantics: Semantics) =>
  semantics === "pytorch" ? SEMANTICS_PYTORCH : SEMANTICS_ONNX;

type Member = (...args: unknown[]) => unknown;

/**
 * `kernels` with each kernel going to `streaming` when no argument is an array in `heap`; the
 * caller passes only a setting that runs such a call on one thread.
 */
function routeStreaming(kernels: FastKernels, streaming: FastKernels, heap: Heap): FastKernels {
  const inHeap = (args: unknown[]) =>
    args.some((a) => ArrayBuffer.isView(a) && heap.pointerOf(a) >= 0);
  const own = kernels as unknown as Record<string, unknown>;
  const other = streaming as unknown as Record<string, Member>;
  const routed: Record<string, unknown> = { ...own };
  for (const [key, member] of Object.entries(own)) {
    if (typeof member !== "function" || key === "withThreads") continue;
    const inShared = member as Member;
    const inOwn = other[key] as Member;
    routed[key] = (...args: unknown[]) => (inHeap(args) ? inShared(...args) : inOwn(...args));
  }
  return Object.freeze(routed) as unknown as FastKernels;
}

/** Builds the fast kernels on an instantiated module. */
export function createFastKernels(
  exports: KernelExports,
  chunkSize: number,
  shared?: SharedModule,
): FastKernels {
  const ex: KernelExports =
    shared === undefined
      ? exports
      : { ...exports, memory: shared.memory as KernelExports["memory"] };
  if (!Number.isInteger(chunkSize) || chunkSize < 64 || chunkSize % 64 !== 0) {
    throw new RangeError(
      `createFastKernels(): chunkSize must be a positive multiple of 64; received ${chunkSize}.`,
    );
  }
  const b: Buffers = createBuffers(ex, chunkSize);
  const { IN, OUT, PS, PZ } = b;
  const C = chunkSize;
  const heap = shared === undefined ? undefined : createHeap(ex.memory, b.memoryBytes);
  const pool = createThreadPool(shared?.module, shared?.memory, heap !== undefined, (bytes) =>
    (heap as Heap).reserve(bytes),
  );
  const bytesView = (at: number, n: number) => new Uint8Array(ex.memory.buffer, at, n);
  /** A chunk's copy from `input[off, off + m)` into the module's view `view`. */
  const copyIn = (input: NumericArray, view: NumericArray) => (off: number, m: number) =>
    view.set(input.subarray(off, off + m));
  /** A chunk's copy from the first m values of the module's view `view` to `out[off ..]`. */
  const copyOut = (view: NumericArray, out: NumericArray) => (off: number, m: number) =>
    out.set(m === C ? view : view.subarray(0, m), off);
  const call = ex as unknown as Record<ThreadExport, (...a: number[]) => number | undefined>;

  /**
   * Threads for a call of `units` (values or blocks): "auto" takes every core from `min` units on
   * when some side of the call is in the module's memory (`inPlace`); ordinary arrays would be
   * staged whole into it for the workers, which costs more than the threads save (measured in
   * the bench: quantlab-threads against quantlab), so they stream on one thread unless a count
   * is given.
   */
  function threadsFor(setting: Threads, units: number, min: number, inPlace: boolean): number {
    if (heap === undefined || setting === 1 || units < 2 * GRAIN) return 1;
    const auto = inPlace && units >= min ? pool.support.threads : 1;
    const want = setting === "auto" ? auto : setting;
    if (want <= 1) return 1;
    return Math.max(1, Math.min(want, pool.support.threads, pool.ready()));
  }

  /** Splits [0, units) into `t` parts, each a multiple of `grain` but the last. */
  function split(units: number, t: number, grain: number): [number, number][] {
    const per = Math.ceil(units / grain / t) * grain;
    const parts: [number, number][] = [];
    for (let off = 0; off < units; off += per) parts.push([off, Math.min(per, units - off)]);
    return parts;
  }

  /**
   * Where a layout kernel's input and output are in the module's memory (./stream.ts), or
   * undefined when neither is; an output that overlaps the input streams.
   */
  function placement(
    input: ArrayBufferView,
    inWidth: number,
    output: ArrayBufferView,
    outWidth: number,
  ): Placement | undefined {
    if (heap === undefined) return undefined;
    const src = heap.pointerOf(input);
    let dst = heap.pointerOf(output);
    if (overlapping(src, input, dst, output)) dst = -1;
    return src < 0 && dst < 0 ? undefined : { src, dst, inWidth, outWidth };
  }

  /**
   * An element-wise kernel over n values: the part of the tensor held in the module's memory
   * (input, output or both: see \`allocate\`) runs in place, split across threads when asked, the
   * rest streams through the buffers (\`load\` fills IN, \`store\` empties OUT). Returns the first
   * [from, to) whose call reported a NaN, or undefined.
   */
  function elementwise(
    setting: Threads,
    name: ThreadExport,
    n: number,
    input: Side,
    output: Side,
    args: (src: number, dst: number, m: number) => number[],
    load: (off: number, m: number) => void,
    store: (off: number, m: number) => void,
  ): readonly [number, number] | undefined {
    const run = (a: Part) => call[name](...a) ?? 0;
    let ps = heap === undefined ? -1 : heap.pointerOf(input.array);
    let pd = heap === undefined ? -1 : heap.pointerOf(output.array);
    if (overlapping(ps, input.array, pd, output.array)) {
      if (ps !== pd || input.width !== output.width) pd = -1;
    }
    const t = threadsFor(setting, n, THREADS_MIN_VALUES, ps >= 0 || pd >= 0);
    const bulk = ps >= 0 || pd >= 0 || t > 1 ? n - (n % GRAIN) : 0;
    if (bulk > 0 && t > 1 && heap !== undefined) {
      // Sides outside the module's memory are staged in it, whole, for the workers.
      const stageIn = ps < 0;
      const stageOut = pd < 0;
      const inBytes = bulk * input.width;
      const outBytes = Math.ceil(bulk * output.width);
      if (stageIn) {
        ps = heap.reserve(inBytes);
        const a = input.array;
        bytesView(ps, inBytes).set(new Uint8Array(a.buffer, a.byteOffset, inBytes));
      }
      if (stageOut) pd = heap.reserve(outBytes);
      const parts = split(bulk, t, GRAIN);
      const results = pool.run(
        name,
        parts.map(([off, m]) => args(ps + off * input.width, pd + off * output.width, m)),
        run,
      );
      if (stageOut) {
        const a = output.array;
        new Uint8Array(a.buffer, a.byteOffset, outBytes).set(bytesView(pd, outBytes));
        heap.release(pd);
      }
      if (stageIn) heap.release(ps);
      const i = results.findIndex((r) => r !== 0);
      if (i >= 0) {
        const [off, m] = parts[i] as [number, number];
        return [off, off + m];
      }
    } else if (bulk > 0) {
      const step = ps >= 0 && pd >= 0 ? bulk : C;
      for (let off = 0; off < bulk; off += step) {
        const m = Math.min(step, bulk - off);
        if (ps < 0) load(off, m);
        const src = ps >= 0 ? ps + off * input.width : IN;
        const dst = pd >= 0 ? pd + off * output.width : OUT;
        if (run(args(src, dst, m)) !== 0) return [off, off + m];
        if (pd < 0) store(off, m);
      }
    }
    for (let off = bulk; off < n; off += C) {
      const m = Math.min(C, n - off);
      load(off, m);
      if (run(args(IN, OUT, m)) !== 0) return [off, off + m];
      store(off, m);
    }
    return undefined;
  }

  /** The block kernels' runner of ./blocks.ts for a `threads` setting. */
  const blockRunner =
    (setting: Threads): BlockRunner =>
    (name, blocks, perChunk, blockSize, sides, args, stop) => {
      const run = (a: Part) => call[name](...a) ?? 0;
      const ptr = sides.map((side) => (heap === undefined ? -1 : heap.pointerOf(side.array)));
      const pointers = [...ptr];
      sides.forEach((side, i) => {
        const clash = sides.some(
          (o, j) =>
            j !== i &&
            overlapping(pointers[j] as number, o.array, pointers[i] as number, side.array),
        );
        if (!side.input && clash) ptr[i] = -1;
      });
      const bytesOf = (a: ArrayBufferView, at: number, n: number) =>
        new Uint8Array(a.buffer, a.byteOffset + at, n);
      const inPlace = ptr.some((p) => p >= 0);
      const t =
        threadsFor(setting, blocks * blockSize, THREADS_MIN_VALUES, inPlace) > 1
          ? threadsFor(setting, blocks, 0, inPlace)
          : 1;
      if (t > 1 && heap !== undefined) {
        const staged = sides.map((side, i) => {
          if ((ptr[i] as number) >= 0) return false;
          const n = blocks * side.perBlock;
          ptr[i] = heap.reserve(n);
          if (side.input) bytesView(ptr[i] as number, n).set(bytesOf(side.array, 0, n));
          return true;
        });
        const parts = split(blocks, t, 1);
        const results = pool.run(
          name,
          parts.map(([b0, k]) =>
            args(
              sides.map((side, i) => (ptr[i] as number) + b0 * side.perBlock),
              k,
            ),
          ),
          run,
        );
        sides.forEach((side, i) => {
          if (!staged[i]) return;
          const n = blocks * side.perBlock;
          if (!side.input) bytesOf(side.array, 0, n).set(bytesView(ptr[i] as number, n));
          heap.release(ptr[i] as number);
        });
        const i = results.findIndex(stop);
        if (i < 0) return undefined;
        const [b0, k] = parts[i] as [number, number];
        return { b0, k, result: results[i] as number };
      }
      const step = ptr.every((p) => p >= 0) ? blocks : perChunk;
      for (let b0 = 0; b0 < blocks; b0 += step) {
        const k = Math.min(step, blocks - b0);
        const pointers = sides.map((side, i) => {
          const p = ptr[i] as number;
          if (p >= 0) return p + b0 * side.perBlock;
          if (side.input) {
            bytesView(side.staging, k * side.perBlock).set(
              bytesOf(side.array, b0 * side.perBlock, k * side.perBlock),
            );
          }
          return side.staging;
        });
        const result = run(args(pointers, k));
        if (stop(result)) return { b0, k, result };
        sides.forEach((side, i) => {
          if (side.input || (ptr[i] as number) >= 0) return;
          bytesOf(side.array, b0 * side.perBlock, k * side.perBlock).set(
            bytesView(side.staging, k * side.perBlock),
          );
        });
      }
      return undefined;
    };

  const build = (setting: Threads): FastKernels => {
    const quantizeTensor: Kernels["quantizeTensor"] = (...args) => {
      const [semantics, x, scale, zeroPoint, qmin, qmax, out] = args;
      const kind = kindOf(out);
      if (kind < 0) return referenceKernels.quantizeTensor(...args);
      const torch = flag(semantics);
      const codes = b.outCodes[kind] as IntegerArray;
      const nan = elementwise(
        setting,
        "quantizeTensor",
        x.length,
        { array: x, width: 4 },
        { array: out, width: out.BYTES_PER_ELEMENT },
        (src, dst, m) => [torch, kind, src, dst, m, scale, zeroPoint, qmin, qmax],
        (off, m) => b.loadInput(x, off, m),
        copyOut(codes, out),
      );
      return nan === undefined ? -1 : firstNaN(x, nan[0], nan[1]);
    };

    const dequantizeTensor: Kernels["dequantizeTensor"] = (...args) => {
      const [, q, scale, zeroPoint, out] = args;
      const kind = kindOf(q);
      if (kind < 0) return referenceKernels.dequantizeTensor(...args);
      // q - zp is exact in float32 for 8- and 16-bit codes: the two semantics agree here.
      const codes = q as IntegerArray;
      const view = b.inCodes[kind] as IntegerArray;
      elementwise(
        setting,
        "dequantizeTensor",
        codes.length,
        { array: codes, width: codes.BYTES_PER_ELEMENT },
        { array: out, width: 4 },
        (src, dst, m) => [kind, src, dst, m, scale, zeroPoint],
        copyIn(codes, view),
        copyOut(b.outF32, out),
      );
    };

    const quantizeLayout: Kernels["quantizeLayout"] = (...args) => {
      const [semantics, x, scales, zeroPoints, layout, qmin, qmax, out] = args;
      const kind = kindOf(out);
      if (kind < 0) return referenceKernels.quantizeLayout(...args);
      const torch = flag(semantics);
      const codes = b.outCodes[kind] as IntegerArray;
      const place = placement(x, 4, out, out.BYTES_PER_ELEMENT);
      const nan = streamLayout(
        b,
        layout,
        scales,
        zeroPoints,
        x.length,
        {
          copyIn: (off, m) => b.loadInput(x, off, m),
          copyOut: copyOut(codes, out),
          rows: (src, dst, rows, len) =>
            ex.quantizeLayoutRows(torch, kind, src, dst, rows, len, PS, PZ, qmin, qmax) !== 0,
          tensor: (src, dst, m, p) =>
            ex.quantizeTensor(
              torch,
              kind,
              src,
              dst,
              m,
              scales[p] as number,
              zeroPoints[p] as number,
              qmin,
              qmax,
            ) !== 0,
          elements: (src, dst, m) =>
            ex.quantizeLayoutElems(torch, kind, src, dst, m, PS, PZ, qmin, qmax) !== 0,
        },
        place,
      );
      return nan === undefined ? -1 : firstNaN(x, nan, x.length);
    };

    const dequantizeLayout: Kernels["dequantizeLayout"] = (...args) => {
      const [, q, scales, zeroPoints, layout, out] = args;
      const kind = kindOf(q);
      if (kind < 0) return referenceKernels.dequantizeLayout(...args);
      const codes = q as IntegerArray;
      const view = b.inCodes[kind] as IntegerArray;
      const place = placement(codes, codes.BYTES_PER_ELEMENT, out, 4);
      streamLayout(
        b,
        layout,
        scales,
        zeroPoints,
        codes.length,
        {
          copyIn: copyIn(codes, view),
          copyOut: copyOut(b.outF32, out),
          rows: (src, dst, rows, len) => {
            ex.dequantizeLayoutRows(kind, src, dst, rows, len, PS, PZ);
            return false;
          },
          tensor: (src, dst, m, p) => {
            ex.dequantizeTensor(kind, src, dst, m, scales[p] as number, zeroPoints[p] as number);
            return false;
          },
          elements: (src, dst, m) => {
            ex.dequantizeLayoutElems(kind, src, dst, m, PS, PZ);
            return false;
          },
        },
        place,
      );
    };

    const fakeQuantizeTensor: Kernels["fakeQuantizeTensor"] = (...args) => {
      const [semantics, x, scale, zeroPoint, qmin, qmax, out] = args;
      // The loop clamps in float32 with 16-bit bounds: int32 codes go to the reference.
      if (qmin < -32768 || qmax > 65535) return referenceKernels.fakeQuantizeTensor(...args);
      const torch = flag(semantics);
      const nan = elementwise(
        setting,
        "fakeQuantizeTensor",
        x.length,
        { array: x, width: 4 },
        { array: out, width: 4 },
        (src, dst, m) => [torch, src, dst, m, scale, zeroPoint, qmin, qmax],
        (off, m) => b.loadInput(x, off, m),
        copyOut(b.outF32, out),
      );
      return nan === undefined ? -1 : firstNaN(x, nan[0], nan[1]);
    };

    const quantizeInt4Packed: Kernels["quantizeInt4Packed"] = (
      semantics,
      x,
      scale,
      zeroPoint,
      qmin,
      qmax,
      out,
    ) => {
      const torch = flag(semantics);
      const nan = elementwise(
        setting,
        "quantizeInt4Packed",
        x.length,
        { array: x, width: 4 },
        { array: out, width: 0.5 },
        (src, dst, m) => [torch, src, dst, m, scale, zeroPoint, qmin, qmax],
        (off, m) => b.loadInput(x, off, m),
        (off, m) => {
          const bytes = (m + 1) >> 1;
          const at = off >> 1;
          out.set(b.outU8.subarray(0, bytes), at);
          // An odd tail: the loop packed a zeroed lane's code into the high nibble.
          if (m & 1) out[at + bytes - 1] = (out[at + bytes - 1] as number) & 0x0f;
        },
      );
      return nan === undefined ? -1 : firstNaN(x, nan[0], nan[1]);
    };

    /** encodeHalf and decodeHalf: `input` to `out` through the module's views `inView`, `outView`. */
    const convertHalf = (
      name: "encodeHalf" | "decodeHalf",
      dtype: HalfDType,
      input: Float32Array | Uint16Array,
      inView: NumericArray,
      out: Float32Array | Uint16Array,
      outView: NumericArray,
    ) => {
      const bf = dtype === "bfloat16" ? HALF_BFLOAT16 : HALF_FLOAT16;
      elementwise(
        setting,
        name,
        input.length,
        { array: input, width: input.BYTES_PER_ELEMENT },
        { array: out, width: out.BYTES_PER_ELEMENT },
        (src, dst, m) => [bf, src, dst, m],
        copyIn(input, inView),
        copyOut(outView, out),
      );
    };
    const encodeHalf: Kernels["encodeHalf"] = (dtype, x, out) =>
      convertHalf("encodeHalf", dtype, x, b.inF32, out, b.outU16);
    const decodeHalf: Kernels["decodeHalf"] = (dtype, bits, out) =>
      convertHalf("decodeHalf", dtype, bits, b.inU16, out, b.outF32);

    const kernels: FastKernels = Object.freeze({
      name: "fast",
      chunkSize: C,
      memoryBytes: b.memoryBytes + (shared?.streaming?.memoryBytes ?? 0),
      heap,
      threadSupport: pool.support,
      withThreads,
      quantizeTensor,
      dequantizeTensor,
      quantizeLayout,
      dequantizeLayout,
      fakeQuantizeTensor,
      quantizeInt4Packed,
      encodeHalf,
      decodeHalf,
      ...createBlockKernels(ex, b, blockRunner(setting)),
    } as const satisfies FastKernels);
    // Ordinary arrays run on one thread under "auto" or 1 (threadsFor): the other module streams them.
    const streaming = shared?.streaming;
    const oneThread = setting === "auto" || setting <= 1;
    return streaming !== undefined && heap !== undefined && oneThread
      ? routeStreaming(kernels, streaming, heap)
      : kernels;
  };

  const built = new Map<Threads, FastKernels>();
  function withThreads(threads: Threads): FastKernels {
    let k = built.get(threads);
    if (k === undefined) {
      k = build(threads);
      built.set(threads, k);
    }
    return k;
  }
  return withThreads("auto");
}
