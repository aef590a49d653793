// What the mutation run of src/kernels/{reference,floats,integer,linear,select}.ts and src/kernels/fast/**
// found untested: each case kills a mutant that survived. Expected values are worked out by hand.
import { describe, expect, test, vi } from "vitest";
import { kernelsForOptions } from "../src/backend.js";
import type { KernelExports } from "../src/kernels/fast/exports.js";
import { createHeap, type Heap } from "../src/kernels/fast/heap.js";
import { createFastKernels } from "../src/kernels/fast/kernels.js";
import {
  type FastKernels,
  hasWasmSimd,
  loadFastKernels,
  type WebAssemblyLike,
} from "../src/kernels/fast/load.js";
import { createThreadPool } from "../src/kernels/fast/threads.js";
import { kernelsFor } from "../src/kernels/select.js";
import { message } from "./show.js";

const fast = loadFastKernels() as FastKernels;

describe("select: which kernels a backend and threads setting give", () => {
  test.each([
    ["reference", "auto", "reference"],
    ["reference", 2, "reference"],
    ["fast", "auto", "fast"],
    ["auto", "auto", "fast"],
    ["auto", 3, "fast"],
  ] as const)("backend %s, threads %s: the %s kernels", (backend, threads, name) => {
    expect(kernelsFor("f", backend, threads).name).toBe(name);
  });
  test("threads 'auto' is the shared instance, a count its withThreads", () => {
    expect(kernelsFor("f", "fast")).toBe(fast);
    expect(kernelsFor("f", "auto", "auto")).toBe(fast);
    expect(kernelsFor("f", "fast", 2)).toBe(fast.withThreads(2));
    expect(kernelsFor("f", "fast", 2)).not.toBe(fast);
  });
  test("options undefined or empty: the fast kernels, one thread setting 'auto'", () => {
    expect(kernelsForOptions("f", undefined)).toBe(fast);
    expect(kernelsForOptions("f", {})).toBe(fast);
    expect(kernelsForOptions("f", { backend: "reference", threads: 4 }).name).toBe("reference");
    expect(kernelsForOptions("f", { threads: 2 })).toBe(fast.withThreads(2));
  });
  test("where the fast kernels do not load: 'fast' throws, 'auto' falls back", async () => {
    vi.resetModules();
    vi.doMock("../src/kernels/fast/load.js", () => ({ loadFastKernels: () => undefined }));
    try {
      const select = await import("../src/kernels/select.js");
      expect(message(() => select.kernelsFor("quantize", "fast"))).toBe(
        'Error: quantize(): backend "fast" needs WebAssembly with SIMD, which this runtime lacks; use "auto" or "reference".',
      );
      expect(select.kernelsFor("quantize", "auto").name).toBe("reference");
      expect(select.kernelsFor("quantize", "auto", 2).name).toBe("reference");
      expect(select.activeBackend()).toBe("reference");
    } finally {
      vi.doUnmock("../src/kernels/fast/load.js");
      vi.resetModules();
    }
  });
});

/** The runtime's WebAssembly (core's types have no DOM or WebAssembly lib). */
type MemoryDescriptor = { initial: number; maximum: number; shared: boolean };
type WasmMemory = { readonly buffer: ArrayBuffer; grow(pages: number): number };
const real = (globalThis as unknown as { WebAssembly: WebAssemblyLike }).WebAssembly;
const RealMemory = real.Memory as unknown as new (d: MemoryDescriptor) => WasmMemory;

/** A shared WebAssembly memory of one page (views survive its growth), for a heap of its own. */
const sharedPage = () => new RealMemory({ initial: 1, maximum: 16, shared: true });

describe("heap: first fit, 64-byte blocks, merged free ranges", () => {
  test("blocks are 64-byte aligned from the start and at least 64 bytes", () => {
    const h = createHeap(sharedPage(), 100);
    const a = h.allocate(Uint8Array, 1); // ceil(100 / 64) · 64 = 128; 1 byte takes 64
    const b = h.allocate(Float32Array, 20); // 80 bytes take 128
    expect([h.pointerOf(a), h.pointerOf(b)]).toEqual([128, 192]);
    expect(h.stats()).toEqual({ liveBytes: 192, memoryBytes: 65536 });
    expect([a.length, b.length, a.constructor.name, b.constructor.name]).toEqual([
      1,
      20,
      "Uint8Array",
      "Float32Array",
    ]);
  });
  test("grows by the pages the free tail lacks, and views of the new buffer are known", () => {
    const memory = sharedPage();
    const h = createHeap(memory, 0);
    const a = h.allocate(Uint8Array, 64);
    // 80000 bytes; the free tail [64, 65536) holds 65472: one more page
    const c = h.allocate(Int16Array, 40000);
    expect([h.pointerOf(c), memory.buffer.byteLength]).toEqual([64, 131072]);
    expect(h.stats()).toEqual({ liveBytes: 80064, memoryBytes: 131072 });
    expect(h.pointerOf(new Uint8Array(memory.buffer, 1000, 4))).toBe(1000);
    expect(h.isLive(c.subarray(39999))).toBe(true);
    expect(h.free(c)).toBe(true);
    expect(h.isLive(a)).toBe(true);
    expect(h.stats()).toEqual({ liveBytes: 64, memoryBytes: 131072 });
  });
  test("a start past the memory's end: the first block grows it from there", () => {
    const h = createHeap(sharedPage(), 70000);
    const d = h.allocate(Uint8Array, 10);
    expect(h.pointerOf(d)).toBe(70016); // ceil(70000 / 64) · 64
    expect(h.stats()).toEqual({ liveBytes: 64, memoryBytes: 70016 + 65536 });
  });
  test("a memory that cannot grow: a RangeError with the bytes asked and held", () => {
    const h = createHeap(
      {
        buffer: new ArrayBuffer(65536),
        grow() {
          throw new RangeError("no");
        },
      },
      0,
    );
    expect(message(() => h.allocate(Float32Array, 20000))).toBe(
      "RangeError: allocate(): cannot grow the kernels' WebAssembly memory by 65536 bytes (it holds 65536 bytes, at most 4 GiB)",
    );
    expect(h.stats()).toEqual({ liveBytes: 0, memoryBytes: 65536 });
  });
  test("a freed block is reused first fit, and handed out zeroed", () => {
    const h = createHeap(sharedPage(), 0);
    const a = h.allocate(Uint8Array, 64);
    const b = h.allocate(Uint8Array, 64);
    a.fill(7);
    expect(h.free(a)).toBe(true);
    const c = h.allocate(Uint8Array, 64);
    expect([h.pointerOf(c), h.pointerOf(b)]).toEqual([0, 64]);
    expect(Array.from(c.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    // 65 bytes take 128: the hole at 0 is gone, the next fit is after b
    const d = h.allocate(Uint8Array, 65);
    expect(h.pointerOf(d)).toBe(128);
  });
  test.each([
    ["the earlier block first", [0, 1]],
    ["the later block first", [1, 0]],
  ])("two freed neighbours merge (%s) into one range a larger block fits", (_, order) => {
    const h = createHeap(sharedPage(), 0);
    const blocks = [h.allocate(Uint8Array, 64), h.allocate(Uint8Array, 64)];
    const guard = h.allocate(Uint8Array, 64); // keeps the two apart from the free tail
    for (const i of order) expect(h.free(blocks[i] as Uint8Array)).toBe(true);
    const big = h.allocate(Uint8Array, 128);
    expect([h.pointerOf(big), h.pointerOf(guard)]).toEqual([0, 128]);
    expect(h.stats().liveBytes).toBe(192);
  });
  test("a block freed between two free ranges merges with both", () => {
    const h = createHeap(sharedPage(), 0);
    const [a, b, c] = [
      h.allocate(Uint8Array, 64),
      h.allocate(Uint8Array, 64),
      h.allocate(Uint8Array, 64),
    ];
    h.allocate(Uint8Array, 64); // at 192: keeps them apart from the tail
    h.free(a);
    h.free(c);
    h.free(b);
    expect(h.pointerOf(h.allocate(Uint8Array, 192))).toBe(0);
  });
  test("free and isLive: only live blocks of this memory, views inside them", () => {
    const memory = sharedPage();
    const h = createHeap(memory, 0);
    const a = h.allocate(Float32Array, 16); // 64 bytes at 0
    const b = h.allocate(Float32Array, 16); // 64 bytes at 64
    expect(h.isLive(a.subarray(15))).toBe(true);
    expect(h.isLive(new Float32Array(memory.buffer, 60, 2))).toBe(false); // spans two blocks
    expect(h.isLive(new Uint8Array(memory.buffer, 128, 1))).toBe(false); // free memory
    expect(h.isLive(new Float32Array(16))).toBe(false);
    expect(h.free(new Float32Array(16))).toBe(false);
    expect(h.pointerOf(new Float32Array(16))).toBe(-1);
    expect(h.free(a.subarray(1))).toBe(false); // not a block's start
    expect(h.free(a)).toBe(true);
    expect(h.free(a)).toBe(false);
    expect(h.isLive(a)).toBe(false);
    expect(h.isLive(b)).toBe(true);
    expect(h.stats().liveBytes).toBe(64);
  });
  test("reserve and release: a staging block, released once", () => {
    const h = createHeap(sharedPage(), 0);
    const p = h.reserve(100);
    expect([p, h.stats().liveBytes]).toEqual([0, 128]);
    h.release(p + 64); // not a block: nothing happens
    expect(h.stats().liveBytes).toBe(128);
    h.release(p);
    h.release(p);
    expect(h.stats().liveBytes).toBe(0);
    expect(h.reserve(0)).toBe(0); // at least one 64-byte block
    expect(h.stats().liveBytes).toBe(64);
  });
});

describe("heap: a block whose array is collected is freed (FinalizationRegistry)", () => {
  /** A FinalizationRegistry that records its calls; `collect` plays the garbage collector. */
  class Registry {
    static last: Registry | undefined;
    readonly registered: { held: unknown; token: unknown }[] = [];
    readonly unregistered: unknown[] = [];
    constructor(readonly collect: (held: unknown) => void) {
      Registry.last = this;
    }
    register(_target: object, held: unknown, token: unknown) {
      this.registered.push({ held, token });
    }
    unregister(token: unknown) {
      this.unregistered.push(token);
    }
  }
  test("each array is registered with its block; a stale block id frees nothing", () => {
    vi.stubGlobal("FinalizationRegistry", Registry);
    try {
      const h = createHeap(sharedPage(), 0);
      const registry = Registry.last as Registry;
      const a = h.allocate(Uint8Array, 64);
      const b = h.allocate(Uint8Array, 64);
      expect(registry.registered).toEqual([
        { held: { at: 0, id: 1 }, token: a },
        { held: { at: 64, id: 2 }, token: b },
      ]);
      registry.collect({ at: 0, id: 1 }); // a is collected
      expect([h.isLive(a), h.isLive(b), h.stats().liveBytes]).toEqual([false, true, 64]);
      const c = h.allocate(Uint8Array, 64); // at 0 again, a new id
      expect(registry.registered[2]).toEqual({ held: { at: 0, id: 3 }, token: c });
      registry.collect({ at: 0, id: 1 }); // a late call for a: c stays
      expect([h.isLive(c), h.stats().liveBytes]).toEqual([true, 128]);
      registry.collect({ at: 640, id: 9 }); // no block there
      expect(h.stats().liveBytes).toBe(128);
      expect(h.free(c)).toBe(true);
      expect(registry.unregistered).toEqual([c]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
  test("without FinalizationRegistry: allocate and free still work", () => {
    vi.stubGlobal("FinalizationRegistry", undefined);
    try {
      const h = createHeap(sharedPage(), 0);
      const a = h.allocate(Uint8Array, 64);
      expect([h.isLive(a), h.free(a), h.isLive(a)]).toEqual([true, true, false]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe("load: options, fallbacks and the memory it reports", () => {
  test.each([100, 0, 1.5, 32])("chunkSize %s: a RangeError naming the option", (chunkSize) => {
    expect(message(() => loadFastKernels({ chunkSize }))).toBe(
      `RangeError: loadFastKernels(): option 'chunkSize' must be a positive multiple of 64; received ${chunkSize}.`,
    );
    expect(message(() => createFastKernels({} as KernelExports, chunkSize))).toBe(
      `RangeError: createFastKernels(): chunkSize must be a positive multiple of 64; received ${chunkSize}.`,
    );
  });
  test("shared: false gives the module with its own memory: no heap, one thread", () => {
    const own = loadFastKernels({ shared: false }) as FastKernels;
    expect(own).not.toBe(fast);
    expect([own.heap, own.chunkSize]).toEqual([undefined, 65536]);
    expect(own.threadSupport).toEqual({
      threads: 1,
      reason:
        "one thread: no shared WebAssembly memory (SharedArrayBuffer missing: in a browser, the page is not cross-origin isolated)",
    });
    expect(fast.heap).toBeDefined();
  });
  test("the memory reported: the shared module's buffers plus the streaming module's", () => {
    const own = loadFastKernels({ shared: false, chunkSize: 64 }) as FastKernels;
    const both = loadFastKernels({ chunkSize: 64 }) as FastKernels;
    const heap = both.heap as Heap;
    // a fresh heap starts at the end of the buffers: its memory is theirs
    expect(both.memoryBytes).toBe(heap.stats().memoryBytes + own.memoryBytes);
    expect(own.memoryBytes).toBeGreaterThan(0);
  });
  test("the shared memory's maximum: 4 GiB, else 1 GiB, else 256 MiB, else none", () => {
    const asked: number[] = [];
    const memoryUpTo = (largest: number) =>
      class {
        constructor(d: { initial: number; maximum: number; shared: boolean }) {
          asked.push(d.maximum);
          if (d.maximum > largest) throw new RangeError("too large");
          // biome-ignore lint/correctness/noConstructorReturn: the fake hands out a real memory
          return new RealMemory(d);
        }
      } as unknown as WebAssemblyLike["Memory"];
    const withMemory = (largest: number): WebAssemblyLike => ({
      validate: (bytes) => real.validate(bytes),
      Module: real.Module,
      Instance: real.Instance,
      Memory: memoryUpTo(largest),
    });
    expect(loadFastKernels({ webAssembly: withMemory(65536), chunkSize: 64 })?.heap).toBeDefined();
    expect(asked).toEqual([65536]);
    asked.length = 0;
    expect(loadFastKernels({ webAssembly: withMemory(4096), chunkSize: 64 })?.heap).toBeDefined();
    expect(asked).toEqual([65536, 16384, 4096]);
    asked.length = 0;
    const none = loadFastKernels({ webAssembly: withMemory(0), chunkSize: 64 }) as FastKernels;
    expect(asked).toEqual([65536, 16384, 4096]);
    expect([none.name, none.heap, none.threadSupport.threads]).toEqual(["fast", undefined, 1]);
    // no Memory at all: the module with its own memory
    const noMemory: WebAssemblyLike = {
      validate: real.validate,
      Module: real.Module,
      Instance: real.Instance,
    };
    expect(loadFastKernels({ webAssembly: noMemory, chunkSize: 64 })?.heap).toBeUndefined();
  });
  test("hasWasmSimd: false (not undefined) where validate throws", () => {
    const throwing = {
      ...real,
      validate: () => {
        throw new Error("no");
      },
    } as WebAssemblyLike;
    expect(hasWasmSimd(throwing)).toBe(false);
    expect(hasWasmSimd(real)).toBe(true);
  });
  test("without SharedArrayBuffer: the module with its own memory", () => {
    vi.stubGlobal("SharedArrayBuffer", undefined);
    try {
      const k = loadFastKernels({ webAssembly: real, chunkSize: 64 }) as FastKernels;
      expect([k.name, k.heap]).toEqual(["fast", undefined]);
    } finally {
      vi.unstubAllGlobals();
    }
  });
  test("a shared module that does not instantiate falls back to the module with its own memory", () => {
    let sharedTried = 0;
    class OwnOnly {
      readonly exports: unknown;
      constructor(module: never, imports?: object) {
        if (imports !== undefined && "env" in imports) {
          sharedTried++;
          throw new Error("no shared instance");
        }
        this.exports = new real.Instance(module, imports).exports;
      }
    }
    const k = loadFastKernels({
      webAssembly: {
        ...real,
        validate: real.validate,
        Module: real.Module,
        Instance: OwnOnly as never,
        Memory: real.Memory,
      },
      chunkSize: 64,
    }) as FastKernels;
    expect([sharedTried, k.name, k.heap]).toEqual([1, "fast", undefined]);
    const out = new Int8Array(3);
    k.quantizeTensor("onnx", Float32Array.of(-1, 0.25, 1), 0.5, 0, -128, 127, out);
    expect(Array.from(out)).toEqual([-2, 0, 2]);
  });
});

/** The runtime globals createThreadPool reads, replaced for the duration of `f`. */
function withGlobals<T>(globals: Record<string, unknown>, f: () => T): T {
  for (const [key, value] of Object.entries(globals)) vi.stubGlobal(key, value);
  try {
    return f();
  } finally {
    vi.unstubAllGlobals();
  }
}

/** A Node `process` whose builtins are `os` and `worker_threads` (undefined: missing). */
const nodeProcess = (os: unknown, workerThreads?: unknown) => ({
  getBuiltinModule: (id: string) =>
    id === "node:os" ? os : id === "node:worker_threads" ? workerThreads : undefined,
});

/** A worker that reports itself ready at once (it writes the pool's READY word, 8 + index). */
function readyAt(data: unknown): void {
  const d = data as { control: SharedArrayBuffer; index: number };
  Atomics.store(new Int32Array(d.control), 8 + d.index, 1);
}

describe("threads: what the pool reports, and how it starts its workers", () => {
  const spawned: { code: unknown; data: unknown; unrefs: number }[] = [];
  const NodeWorker = class {
    readonly spawn: { code: unknown; data: unknown; unrefs: number };
    constructor(code: string, options: { eval: true; workerData: unknown }) {
      this.spawn = { code, data: options.workerData, unrefs: 0 };
      spawned.push(this.spawn);
      readyAt(options.workerData);
    }
    unref() {
      this.spawn.unrefs++;
    }
  };
  const workerThreads = { Worker: NodeWorker };
  const pool = (shared = true) => {
    const reserved: number[] = [];
    const p = createThreadPool("module", "memory", shared, (bytes) => {
      reserved.push(bytes);
      return 1000 * reserved.length;
    });
    return { p, reserved };
  };

  test.each([
    [{ availableParallelism: () => 3, cpus: () => [] }, 3],
    [{ cpus: () => [1, 2, 3, 4, 5] }, 5],
    [{ availableParallelism: () => 40, cpus: () => [] }, 16],
  ])("Node with worker_threads: threads from os (%#)", (os, threads) => {
    const { p } = withGlobals({ process: nodeProcess(os, workerThreads) }, () => pool());
    expect(p.support).toEqual({
      threads,
      reason: `${threads} threads: worker threads over a shared WebAssembly memory`,
    });
  });
  test("Node with worker_threads on one core: one thread, and no worker starts", () => {
    spawned.length = 0;
    const os = { availableParallelism: () => 0, cpus: () => [] };
    const { p, reserved } = withGlobals({ process: nodeProcess(os, workerThreads) }, () => pool());
    expect(p.support).toEqual({ threads: 1, reason: "one thread: one core" });
    expect([p.ready(), spawned.length, reserved]).toEqual([1, 0, []]);
  });
  test("Node: the workers get the module, the memory, their index and scratch, and the worker source", () => {
    spawned.length = 0;
    const os = { availableParallelism: () => 3, cpus: () => [] };
    const { p, reserved } = withGlobals({ process: nodeProcess(os, workerThreads) }, () => pool());
    expect(spawned.length).toBe(0); // workers start at the first ready()
    expect(p.ready()).toBe(3);
    expect(p.ready()).toBe(3);
    expect(reserved).toEqual([6144, 6144]);
    expect(
      spawned.map(({ data }) => {
        const d = data as Record<string, unknown>;
        return [d.module, d.memory, d.index, d.scratch, (d.names as string[])[0]];
      }),
    ).toEqual([
      ["module", "memory", 0, 1000, "quantizeTensor"],
      ["module", "memory", 1, 2000, "quantizeTensor"],
    ]);
    expect(spawned.map((s) => s.unrefs)).toEqual([1, 1]); // a worker does not keep Node alive
    const code = spawned[0]?.code as string;
    expect(code.endsWith('\nrun(require("node:worker_threads").workerData);')).toBe(true);
    expect(code).toContain("const base = (1 + d.index) * 16;");
    // one part runs on the calling thread alone
    expect(p.run("quantizeTensor", [[1, 2]], (a) => (a[0] as number) + (a[1] as number))).toEqual([
      3,
    ]);
    expect(p.run("quantizeTensor", [], () => 1)).toEqual([]);
  });
  test.each([
    [
      "no shared memory",
      false,
      { process: nodeProcess({ availableParallelism: () => 4 }, workerThreads) },
      "one thread: no shared WebAssembly memory (SharedArrayBuffer missing: in a browser, the page is not cross-origin isolated)",
    ],
    [
      "no shared memory, one core",
      false,
      { process: nodeProcess({ availableParallelism: () => 1 }, workerThreads) },
      "one thread: one core",
    ],
    [
      "a Node without getBuiltinModule",
      true,
      { process: {}, navigator: { hardwareConcurrency: 4 } },
      "one thread: this Node has no process.getBuiltinModule (Node >= 20.16 has)",
    ],
    [
      "a page that is not cross-origin isolated",
      true,
      { process: undefined, navigator: { hardwareConcurrency: 4 } },
      "one thread: the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)",
    ],
    [
      "a page without Worker",
      true,
      {
        process: undefined,
        navigator: { hardwareConcurrency: 4 },
        crossOriginIsolated: true,
        Worker: undefined,
      },
      "one thread: no Worker in this context",
    ],
    [
      "a page without Blob",
      true,
      {
        process: undefined,
        navigator: { hardwareConcurrency: 4 },
        crossOriginIsolated: true,
        Worker: class {},
        Blob: undefined,
      },
      "one thread: no Worker in this context",
    ],
    [
      "a page without URL",
      true,
      {
        process: undefined,
        navigator: { hardwareConcurrency: 4 },
        crossOriginIsolated: true,
        Worker: class {},
        URL: undefined,
      },
      "one thread: no Worker in this context",
    ],
  ])("%s: one thread, and why", (_, shared, globals, reason) => {
    const { p } = withGlobals(globals, () => pool(shared));
    expect(p.support).toEqual({ threads: 1, reason });
    expect(p.ready()).toBe(1);
  });
  test("a cross-origin isolated page: workers from a blob URL, sent their data", () => {
    const blobs: unknown[][] = [];
    const posted: { url: string; data: unknown }[] = [];
    const globals = {
      process: undefined,
      navigator: { hardwareConcurrency: 2 },
      crossOriginIsolated: true,
      Blob: class {
        constructor(parts: unknown[], options: { type: string }) {
          blobs.push([...parts, options.type]);
        }
      },
      URL: { createObjectURL: () => "blob:kernels" },
      Worker: class {
        constructor(readonly url: string) {}
        postMessage(data: unknown) {
          posted.push({ url: this.url, data });
          readyAt(data);
        }
      },
    };
    const { p, reserved } = withGlobals(globals, () => pool());
    expect(p.support).toEqual({
      threads: 2,
      reason: "2 threads: worker threads over a shared WebAssembly memory",
    });
    expect(blobs.length).toBe(1);
    const [source, type] = blobs[0] as [string, string];
    expect(type).toBe("text/javascript");
    expect(source.endsWith("\nself.onmessage = (e) => run(e.data);")).toBe(true);
    expect(p.ready()).toBe(2);
    expect(reserved).toEqual([6144]);
    expect(posted.map(({ url, data }) => [url, (data as { index: number }).index])).toEqual([
      ["blob:kernels", 0],
    ]);
  });
});
