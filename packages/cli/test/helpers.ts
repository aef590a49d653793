/**
 * The CLI's test fixtures, built in memory and written to a fresh temporary folder: a tiny ONNX
 * network (Conv → Relu → Flatten → Gemm → Relu → MatMul), a safetensors file, a GGUF file, a
 * tfjs manifest with its shard, and the zoo's digit classifier; and `run`, which calls main()
 * in this process with collected streams.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createOnnxModel, writeGguf, writeSafetensors } from "@quantlab/models";
import { digitClassifier, floatFeed, mlpToOnnx, PIXELS, runOnnx } from "@quantlab/zoo";
import { convNet } from "../../models/test/onnx/shared.js";
import { main } from "../src/main.js";

/** Deterministic values without a generator: a sine table, scaled. */
export function wave(n: number, phase: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) =>
    Math.fround(Math.sin(i * 0.731 + phase) * scale),
  );
}

export function tinyOnnx(): Uint8Array {
  return createOnnxModel(
    convNet({
      size: 4,
      channels: 4,
      hidden: 32,
      output: "logits",
      fill: wave,
      scales: [0.4, 0.1, 0.2, 0.1, 0.3],
    }),
  );
}

export function tinySafetensors(): Uint8Array {
  return writeSafetensors({
    metadata: { format: "pt" },
    tensors: [
      { name: "w", dtype: "F32", shape: [4, 64], values: wave(256, 0, 1) },
      { name: "b", dtype: "F16", shape: [64], values: wave(64, 1, 0.5) },
      { name: "idx", dtype: "I8", shape: [8], values: [0, 1, 2, 3, -1, -2, -3, 127] },
    ],
  });
}

export function tinyGguf(): Uint8Array {
  return writeGguf({
    metadata: {
      "general.architecture": "llama",
      "llama.block_count": { type: "uint32", value: 1 },
      "general.file_type": { type: "uint32", value: 0 },
      "tokenizer.ggml.tokens": ["<s>", "</s>", "a", "b", "c"],
    },
    tensors: [
      { name: "blk.0.ffn_up.weight", type: "F32", shape: [2, 64], values: wave(128, 0, 2) },
      { name: "blk.0.attn_q.weight", type: "Q8_0", shape: [2, 32], values: wave(64, 1, 1) },
      { name: "blk.0.attn_norm.weight", type: "F32", shape: [64], values: wave(64, 2, 1) },
      { name: "positions", type: "I32", shape: [4], values: [0, 1, 2, 3] },
    ],
  });
}

/** A tfjs weights manifest (uint8-quantized kernel, float32 bias) and its one shard. */
export function tinyTfjs(): { manifest: string; shard: Uint8Array } {
  const codes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 256);
  const bias = new Uint8Array(wave(32, 0, 1).buffer);
  const shard = new Uint8Array(codes.length + bias.length);
  shard.set(codes);
  shard.set(bias, codes.length);
  const manifest = [
    {
      paths: ["group1-shard1of1.bin"],
      weights: [
        {
          name: "dense/kernel",
          shape: [2, 32],
          dtype: "float32",
          quantization: { dtype: "uint8", min: -1, scale: 0.0078125 },
        },
        { name: "dense/bias", shape: [32], dtype: "float32" },
      ],
    },
  ];
  return { manifest: JSON.stringify(manifest), shard };
}

/** The zoo's classifier as ONNX (trained once per run by the global setup). */
export function classifierOnnx(): Uint8Array {
  return mlpToOnnx(digitClassifier().mlp);
}

/** `count` digits of `images` from the `from`-th, as one sample of an inputs file (`pixels`). */
export const digitSample = (images: Float32Array, from: number, count: number) => ({
  pixels: {
    dims: [count, PIXELS],
    data: Array.from(images.subarray(from * PIXELS, (from + count) * PIXELS)),
  },
});

/** Writes `files` inputs files of 64 training digits each, in order, to `dir`/calibration. */
export function writeCalibration(dir: string, files: number): void {
  const { train } = digitClassifier().data;
  mkdirSync(join(dir, "calibration"));
  for (let i = 0; i < files; i++) {
    writeFileSync(
      join(dir, "calibration", `train-${i}.json`),
      JSON.stringify(digitSample(train.images, i * 64, 64)),
    );
  }
}

/** A classifier's logits on the zoo's 2,000 test digits, run by onnxruntime-node. */
export async function testDigitLogits(bytes: Uint8Array): Promise<Float32Array> {
  const { test } = digitClassifier().data;
  const out = await runOnnx(bytes, { pixels: floatFeed(test.images, [test.count, PIXELS]) }, [
    "logits",
  ]);
  return out.logits as Float32Array;
}

/**
 * `quantlab quantize` flags for W8A8 static: int8 weights per channel, uint8 activations
 * calibrated on the samples in `calibration` (see writeCalibration).
 */
export const W8A8_STATIC = [
  "--weights",
  "int8",
  "--per-channel",
  "--calibrate",
  "calibration",
  "--activations",
  "uint8",
];

/** A fresh folder with every fixture written in it. */
export function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "quantlab-cli-"));
  writeFileSync(join(dir, "tiny.onnx"), tinyOnnx());
  writeFileSync(join(dir, "tiny.safetensors"), tinySafetensors());
  writeFileSync(join(dir, "tiny.gguf"), tinyGguf());
  const tfjs = tinyTfjs();
  mkdirSync(join(dir, "tfjs"));
  writeFileSync(join(dir, "tfjs", "model-weights_manifest.json"), tfjs.manifest);
  writeFileSync(join(dir, "tfjs", "group1-shard1of1.bin"), tfjs.shard);
  writeFileSync(join(dir, "classifier.onnx"), classifierOnnx());
  return dir;
}

/** A stream that collects what is written to it. */
export function collector(isTTY = false) {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 100,
    write(text: string) {
      chunks.push(text);
      return true;
    },
    get text() {
      return chunks.join("");
    },
  };
}

/**
 * Runs `quantlab ...args` in this process, in `cwd`. The progress bar's delay is infinite, so
 * that what a test sees on stderr never depends on how fast the machine is (progress.test.ts
 * tests the progress itself).
 */
export async function run(cwd: string, ...args: string[]) {
  const stdout = collector();
  const stderr = collector();
  const code = await main(args, { stdout, stderr, cwd, progressAfterMs: Number.POSITIVE_INFINITY });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Text with its timings (`0.12 s`) replaced, for snapshots. */
export const untimed = (text: string) => text.replace(/\d+\.\d+ s\b/g, "T s");
