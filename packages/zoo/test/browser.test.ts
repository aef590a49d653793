/**
 * A model the writer produced, in a real browser: headless Chromium loads onnxruntime-web 1.30 (its
 * wasm files served from the installed package by a local HTTP server on 127.0.0.1; no CDN),
 * runs the int8 per-channel and MatMulNBits digit classifiers on test digits, and must agree with
 * onnxruntime-node.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { quantizeOnnx } from "@quantlab/models";
import { CHROMIUM_ARGS, chromiumPath } from "@quantlab/plot/node";
import * as ort from "onnxruntime-node";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accuracyOf, agreement, digitClassifier, mlpToOnnx, PIXELS } from "../src/index.js";

// The package exports no ./package.json: its "./wasm" entry (require) is dist/ort.wasm.min.js.
const ortDir = dirname(createRequire(import.meta.url).resolve("onnxruntime-web/wasm"));
const count = 200;
const { mlp, data } = digitClassifier();
const pixels = data.test.images.slice(0, count * PIXELS);
const labels = data.test.labels.slice(0, count);
const float = mlpToOnnx(mlp);
const models: Record<string, Uint8Array> = {
  "int8-channel": quantizeOnnx(float, { weights: "int8", granularity: "channel" }).bytes,
  matmulnbits: quantizeOnnx(float, { weights: "int4", format: "matmulnbits", blockSize: 32 }).bytes,
};

const PAGE = `<!doctype html><meta charset="utf-8"><title>onnxruntime-web</title>
<script type="module">
  import * as ort from "/ort/ort.wasm.min.mjs";
  ort.env.wasm.wasmPaths = "/ort/";
  ort.env.wasm.numThreads = 1;
  window.run = async (name) => {
    const model = new Uint8Array(await (await fetch("/models/" + name)).arrayBuffer());
    const pixels = new Float32Array(await (await fetch("/pixels")).arrayBuffer());
    const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"] });
    const out = await session.run({ pixels: new ort.Tensor("float32", pixels, [${count}, ${PIXELS}]) });
    return Array.from(out.logits.data);
  };
  window.ready = true;
</script>`;

let server: Server;
let origin = "";
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push(path);
    if (path === "/") return void res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
    if (path === "/pixels") return void res.writeHead(200).end(Buffer.from(pixels.buffer));
    const model = path.startsWith("/models/") ? models[path.slice(8)] : undefined;
    if (model) return void res.writeHead(200).end(model);
    const file = path.startsWith("/ort/") ? path.slice(5) : "";
    if (/^ort[\w.-]*\.(mjs|wasm)$/.test(file)) {
      const type = file.endsWith(".wasm") ? "application/wasm" : "text/javascript";
      return void res
        .writeHead(200, { "content-type": type })
        .end(readFileSync(join(ortDir, file)));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe("in headless Chromium with onnxruntime-web", () => {
  it("runs the quantized classifiers as onnxruntime-node does", async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [...CHROMIUM_ARGS],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      const outside: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("request", (r) => {
        if (!r.url().startsWith(origin)) outside.push(r.url());
      });
      await page.goto(`${origin}/`);
      await page.waitForFunction(
        () => (globalThis as unknown as { ready?: boolean }).ready === true,
      );
      for (const name of Object.keys(models)) {
        const logits = Float32Array.from(
          (await page.evaluate(
            (n) => (globalThis as unknown as { run: (n: string) => Promise<number[]> }).run(n),
            name,
          )) as number[],
        );
        // onnxruntime-node at "basic": its "extended" level fuses an int8 DequantizeLinear and its
        // MatMul into an integer kernel that also quantizes the activations (logits move by ~0.06);
        // onnxruntime-web's wasm build computes the QDQ graph in float, as "basic" does.
        const session = await ort.InferenceSession.create(models[name] as Uint8Array, {
          graphOptimizationLevel: "basic",
        });
        const result = await session.run({
          pixels: new ort.Tensor("float32", pixels, [count, PIXELS]),
        });
        const node = result.logits?.data as Float32Array;
        const a = agreement(node, logits, 10);
        console.log(
          `onnxruntime-web ${name}: accuracy ${(accuracyOf(logits, labels) * 100).toFixed(1)} % on ${count} digits, top-1 agreement with node ${(a.top1 * 100).toFixed(1)} %, max |diff| ${a.maxAbsDiff.toExponential(2)}`,
        );
        expect(a.top1, name).toBe(1);
        // Measured 5.7e-6 and 7.6e-6 (float summation order).
        expect(a.maxAbsDiff, name).toBeLessThan(1e-4);
      }
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
      expect(requests.some((r) => r.endsWith(".wasm"))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
