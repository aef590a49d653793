/**
 * `quantlab inspect` on each format: the text (snapshot of the stable layout), the --json
 * document's shape, and the figures against an independent computation (a float64 loop here,
 * and numbers that follow from how the fixtures were made).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readModel } from "@quantlab/models";
import { beforeAll, describe, expect, it } from "vitest";
import type { InspectReport } from "../src/inspect.js";
import { tensorStats } from "../src/stats.js";
import { fixtureDir, run } from "./helpers.js";

let dir: string;
beforeAll(() => {
  dir = fixtureDir();
});

/** min, max, std and the 6-sigma outliers, the textbook way (float64, two passes). */
function naive(values: Float32Array) {
  const xs = Array.from(values);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return {
    min: Math.min(...xs),
    max: Math.max(...xs),
    absmax: Math.max(...xs.map(Math.abs)),
    std,
    outliers: xs.filter((x) => Math.abs(x - mean) > 6 * std).length,
  };
}

describe("quantlab inspect", () => {
  it("prints every tensor of an ONNX file with its figures", async () => {
    const r = await run(dir, "inspect", "tiny.onnx");
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatchSnapshot();
  });

  it("gives a JSON document whose figures agree with an independent computation", async () => {
    const r = await run(dir, "inspect", "tiny.onnx", "--json");
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as InspectReport;
    expect(Object.keys(report)).toEqual([
      "file",
      "format",
      "fileBytes",
      "metadata",
      "tensors",
      "totals",
      "outliers",
    ]);
    expect(report.fileBytes).toBe(readFileSync(join(dir, "tiny.onnx")).byteLength);
    const model = readModel(readFileSync(join(dir, "tiny.onnx")));
    expect(report.tensors.map((t) => t.name)).toEqual(model.tensors.map((t) => t.name));
    for (const t of report.tensors) {
      const values = model.tensors.find((m) => m.name === t.name)?.values() as Float32Array;
      const want = naive(values);
      expect(t.stats?.min).toBe(want.min);
      expect(t.stats?.max).toBe(want.max);
      expect(t.stats?.absmax).toBe(want.absmax);
      expect(t.stats?.std).toBeCloseTo(want.std, 12);
      expect(t.stats?.outliers).toBe(want.outliers);
      expect(t.bitsPerValue).toBe(32);
      expect(t.bytes).toBe(values.length * 4);
      expect(t.scheme).toBeNull();
    }
    // 108 + 4 + 2048 + 32 + 320 float32 values.
    expect(report.totals).toEqual({
      tensors: 5,
      values: 2512,
      bytes: 2512 * 4,
      bitsPerValue: 32,
      quantized: 0,
    });
    expect(report.metadata).toMatchObject({
      opsets: [{ domain: "ai.onnx", version: 21 }],
      inputs: [{ name: "image", elemType: "FLOAT", shape: ["batch", 3, 4, 4] }],
      ops: { Conv: 1, Gemm: 1, MatMul: 1, Relu: 2, Flatten: 1 },
    });
  });

  it("counts outliers beyond 6 standard deviations, and NaN apart", () => {
    // 99 zeros and one 100: mean 1, std sqrt((99 * 1 + 99^2) / 100) = sqrt(99) = 9.95; |100 - 1| > 59.7.
    const values = new Float32Array(100);
    values[99] = 100;
    const s = tensorStats(values);
    expect(s.mean).toBe(1);
    expect(s.std).toBe(Math.sqrt(99));
    expect([s.outliers, s.outlierShare]).toEqual([1, 0.01]);
    // A normal-ish spread has none: -1, 0, 1, 2 (std sqrt(1.25)).
    expect(tensorStats(Float32Array.of(-1, 0, 1, 2))).toMatchObject({
      std: Math.sqrt(1.25),
      outliers: 0,
    });
    const withNaN = tensorStats(Float32Array.of(1, Number.NaN, 3, Number.POSITIVE_INFINITY));
    expect(withNaN).toMatchObject({ min: 1, max: 3, mean: 2, std: 1, nonFinite: 2 });
    expect(tensorStats(Float32Array.of(Number.NaN)).nonFinite).toBe(1);
  });

  it("reads GGUF: key-values, block types with their bits per value", async () => {
    const r = await run(dir, "inspect", "tiny.gguf");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchSnapshot();
    const report = JSON.parse((await run(dir, "inspect", "tiny.gguf", "--json")).stdout);
    const q8 = report.tensors.find((t: { dtype: string }) => t.dtype === "Q8_0");
    // Q8_0: 34 bytes per block of 32 values, 8.5 bits per value; 2 rows of one block.
    expect(q8).toMatchObject({
      bytes: 68,
      values: 64,
      bitsPerValue: 8.5,
      scheme: "GGUF Q8_0, blocks of 32",
    });
    expect(report.metadata["tokenizer.ggml.tokens"]).toEqual({
      type: "array",
      itemType: "string",
      value: ["<s>", "</s>", "a", "b", "c"],
    });
    expect(report.metadata["llama.block_count"]).toEqual({ type: "uint32", value: 1 });
  });

  it("reads safetensors and tfjs weights (shards beside the manifest)", async () => {
    const st = await run(dir, "inspect", "tiny.safetensors");
    expect(st.code).toBe(0);
    expect(st.stdout).toMatchSnapshot();
    const tfjs = await run(dir, "inspect", "tfjs/model-weights_manifest.json");
    expect(tfjs.code).toBe(0);
    expect(tfjs.stdout).toMatchSnapshot();
    const report = JSON.parse(
      (await run(dir, "inspect", "tfjs/model-weights_manifest.json", "--json")).stdout,
    );
    // Codes (i * 37) mod 256 for i < 64: value = code / 128 - 1, exact in float32.
    const codes = Array.from({ length: 64 }, (_, i) => (i * 37) % 256);
    const kernel = report.tensors[0];
    expect(kernel).toMatchObject({
      dtype: "uint8",
      bitsPerValue: 8,
      scheme: "tfjs uint8 (min -1, scale 0.007813)",
      quantization: { kind: "tfjs", dtype: "uint8", min: -1, scale: 0.0078125 },
    });
    expect(kernel.stats.min).toBe(Math.min(...codes) / 128 - 1);
    expect(kernel.stats.max).toBe(Math.max(...codes) / 128 - 1);
  });

  it("describes QDQ, MatMulNBits and GGUF schemes of a quantized file", async () => {
    for (const [args, scheme] of [
      [["--weights", "int8", "--per-channel"], "QDQ int8 per channel, axis 1 (10 scales)"],
      [["--weights", "uint8"], /^QDQ uint8 per tensor \(scale [0-9.e-]+, zero point \d+\)$/],
      [["--weights", "int4", "--block", "16"], "QDQ int4 blocks of 16, axis 0 (20 scales)"],
      [
        ["--weights", "int4", "--format", "matmulnbits", "--block", "16"],
        "MatMulNBits 4-bit, blocks of 16",
      ],
    ] as const) {
      const q = await run(dir, "quantize", "tiny.onnx", "q.onnx", ...args, "--threads", "1");
      expect(q.code).toBe(0);
      const report = JSON.parse((await run(dir, "inspect", "q.onnx", "--json")).stdout);
      const head = report.tensors.find((t: { name: string }) => t.name.startsWith("head.weight"));
      if (typeof scheme === "string") expect(head.scheme).toBe(scheme);
      else expect(head.scheme).toMatch(scheme);
    }
  });

  it("reports a bad file as file: field: problem, exit code 1", async () => {
    const bad = await run(dir, "inspect", "tfjs/group1-shard1of1.bin");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(
      /^quantlab inspect: tfjs\/group1-shard1of1.bin: format: not a model file/,
    );
    const missing = await run(dir, "inspect", "nope.onnx");
    expect([missing.code, missing.stderr]).toEqual([
      1,
      "quantlab inspect: nope.onnx: cannot read it: no such file\n",
    ]);
    const folder = await run(dir, "inspect", "tfjs");
    expect(folder.stderr).toBe(
      "quantlab inspect: tfjs: a folder without a model.json; name the model file\n",
    );
  });
});
