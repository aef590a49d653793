/**
 * The fast kernels in a real browser: headless Chromium loads the built @quantlab/core ESM from a
 * local HTTP server (127.0.0.1, no other network), instantiates the embedded WebAssembly module and
 * must give the bytes that the reference kernels give in Node.
 */
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { referenceKernels as reference } from "@quantlab/core/kernels";
import { CHROMIUM_ARGS, chromiumPath } from "@quantlab/plot/node";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const coreDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "core");
const TYPES: Record<string, string> = {
  ".js": "text/javascript",
  ".html": "text/html",
  ".map": "application/json",
};

const PAGE = `<!doctype html><meta charset="utf-8"><title>fast kernels</title>
<script type="module">
  import * as core from "/dist/index.js";
  import { loadFastKernels, hasWasmSimd } from "/dist/kernels/index.js";
  window.run = (values, scale, zeroPoint) => {
    const fast = loadFastKernels();
    if (!fast) return { simd: hasWasmSimd(), loaded: false };
    const x = Float32Array.from(values);
    const q = new Int8Array(x.length);
    fast.quantizeTensor("onnx", x, scale, zeroPoint, -128, 127, q);
    const qt = new Uint8Array(x.length);
    fast.quantizeTensor("pytorch", x, scale, zeroPoint, 0, 255, qt);
    const d = new Float32Array(x.length);
    fast.dequantizeTensor("onnx", q, scale, zeroPoint, d);
    const h = new Uint16Array(x.length);
    fast.encodeHalf("float16", x, h);
    return {
      simd: hasWasmSimd(),
      loaded: true,
      coreExports: Object.keys(core).length,
      q: Array.from(q),
      qt: Array.from(qt),
      d: Array.from(new Uint32Array(d.buffer)),
      h: Array.from(h),
    };
  };
  window.ready = true;
</script>`;

/** FNV-1a over an array's bytes (half a million values through the protocol take longer than the work). */
function fnv(a: ArrayBufferView): number {
  const b = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ (b[i] as number), 16777619) >>> 0;
  return h;
}

/** The threads test's input: every code of int8 at scale 0.05, ties among them. */
function threadValues(n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = ((i % 601) - 300 + (i % 7 === 0 ? 0.5 : 0.25)) * 0.05;
  return x;
}

/**
 * Threads in the browser: the page (which runs `fnv` and `threadValues` from their source here)
 * counts the workers core starts, wrapping `Worker` before core loads, then quantizes allocated
 * tensors on 2 threads and returns hashes of the codes with `threadSupport()` and
 * `crossOriginIsolated`. Served isolated (COOP/COEP) at /isolated, plain at /plain.
 */
const THREADS_PAGE = `<!doctype html><meta charset="utf-8"><title>threads</title>
<script type="module">
  ${fnv}
  ${threadValues}
  let spawned = 0;
  if (globalThis.Worker) {
    const W = globalThis.Worker;
    globalThis.Worker = class extends W {
      constructor(...a) {
        super(...a);
        spawned++;
      }
    };
  }
  window.run = async (n) => {
    const core = await import("/dist/index.js");
    const support = core.threadSupport();
    const x = threadValues(n);
    const p = { dtype: "int8", scale: 0.05, zeroPoint: 3 };
    const a = core.allocate("float32", n);
    a.set(x);
    core.quantize(a, p, { threads: 2 }); // starts the pool; a browser's main thread does not wait for it
    // The page cannot see when the worker is ready: give it 2 s, then the calls below use it.
    if (spawned > 0) await new Promise((r) => setTimeout(r, 2000));
    const qt = core.quantize(a, p, { threads: 2, out: core.allocate("int8", n) });
    const q = qt.data;
    const d = core.dequantize(qt, undefined, { threads: 2, out: core.allocate("float32", n) }).data;
    const g = core.quantizeGgml(a, "q8_0", { shape: [n / 256, 256], threads: 2 }).data;
    return { isolated: globalThis.crossOriginIsolated === true, support, spawned, q: fnv(q), d: fnv(d), g: fnv(g) };
  };
  window.ready = true;
</script>`;

let server: Server;
let origin = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    if (path === "/" || path === "/index.html") {
      res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
      return;
    }
    const isolation = {
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
    };
    if (path === "/isolated" || path === "/plain") {
      res
        .writeHead(200, { "content-type": "text/html", ...(path === "/isolated" ? isolation : {}) })
        .end(THREADS_PAGE);
      return;
    }
    const file = join(coreDir, path);
    if (!path.startsWith("/dist/") || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" })
      .end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

// Never skipped: without Chromium this fails, saying where it looked and what to install.
describe("in headless Chromium", () => {
  it("loads the fast kernels from the built ESM and gives the reference's bytes", async () => {
    const executablePath = chromiumPath();
    expect(
      existsSync(executablePath),
      `no Chromium at ${executablePath}: apt-get install chromium, or set CHROMIUM_PATH`,
    ).toBe(true);
    const browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      await page.goto(`${origin}/`);
      await page.waitForFunction(
        () => (globalThis as unknown as { ready?: boolean }).ready === true,
      );
      // Ties, bounds, specials and ordinary values; 1000 values cross many vector groups.
      const scale = Math.fround(0.05);
      const values: number[] = [
        0,
        -0,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        1e30,
        -1e30,
        1e-40,
      ];
      for (let i = 0; values.length < 1000; i++)
        values.push(Math.fround(((i % 300) - 150 + (i % 2 ? 0.5 : 0.37)) * scale));
      const result = await page.evaluate(
        ([v, s]) =>
          (globalThis as unknown as { run: (v: number[], s: number, z: number) => unknown }).run(
            v as number[],
            s as number,
            3,
          ),
        [values, scale] as const,
      );
      expect(errors).toEqual([]);
      const r = result as {
        simd: boolean;
        loaded: boolean;
        coreExports: number;
        q: number[];
        qt: number[];
        d: number[];
        h: number[];
      };
      expect(r.simd).toBe(true);
      expect(r.loaded).toBe(true);
      expect(r.coreExports).toBeGreaterThan(10);
      const x = Float32Array.from(values);
      const q = new Int8Array(x.length);
      reference.quantizeTensor("onnx", x, scale, 3, -128, 127, q);
      expect(r.q).toEqual(Array.from(q));
      const qt = new Uint8Array(x.length);
      reference.quantizeTensor("pytorch", x, scale, 3, 0, 255, qt);
      expect(r.qt).toEqual(Array.from(qt));
      const d = new Float32Array(x.length);
      reference.dequantizeTensor("onnx", q, scale, 3, d);
      expect(r.d).toEqual(Array.from(new Uint32Array(d.buffer)));
      const { float32ToFloat16Bits } = await import("@quantlab/core");
      expect(r.h).toEqual(Array.from(x, (v) => float32ToFloat16Bits(v)));
    } finally {
      await browser.close();
    }
  });

  it("runs 2 threads on a cross-origin isolated page, one on a plain page, with the reference's bits", async () => {
    const n = 1 << 19; // above the threads threshold (2^18 values)
    const x = threadValues(n);
    const q = new Int8Array(n);
    reference.quantizeTensor("onnx", x, Math.fround(0.05), 3, -128, 127, q);
    const d = new Float32Array(n);
    reference.dequantizeTensor("onnx", q, Math.fround(0.05), 3, d);
    const { quantizeGgml } = await import("@quantlab/core");
    const g = quantizeGgml(x, "q8_0", { shape: [n / 256, 256], backend: "reference" }).data;
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [...CHROMIUM_ARGS],
    });
    try {
      for (const path of ["/isolated", "/plain"]) {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(String(e)));
        await page.goto(`${origin}${path}`);
        await page.waitForFunction(
          () => (globalThis as unknown as { ready?: boolean }).ready === true,
        );
        const r = (await page.evaluate(
          (count) => (globalThis as unknown as { run: (n: number) => unknown }).run(count),
          n,
        )) as {
          isolated: boolean;
          support: { threads: number; reason: string; inPlace: boolean };
          spawned: number;
          q: number[];
          d: number[];
          g: number[];
        };
        console.log(
          `${path}: crossOriginIsolated ${r.isolated}; threadSupport ${JSON.stringify(r.support)}; workers started ${r.spawned}`,
        );
        expect(errors).toEqual([]);
        if (path === "/isolated") {
          expect([r.isolated, r.support.inPlace, r.support.threads, r.spawned]).toEqual([
            true,
            true,
            2,
            1,
          ]);
          expect(r.support.reason).toBe(
            "2 threads: worker threads over a shared WebAssembly memory",
          );
        } else {
          expect([r.isolated, r.support.threads, r.spawned]).toEqual([false, 1, 0]);
          expect(r.support.reason).toMatch(/^one thread: .*cross-origin isolated/);
        }
        expect([r.q, r.d, r.g]).toEqual([fnv(q), fnv(d), fnv(g)]);
        await page.close();
      }
    } finally {
      await browser.close();
    }
  });
});
