/**
 * The digit classifier end to end: trained (or loaded from build/zoo), exported as ONNX, run by
 * onnxruntime-node, then quantized by @quantlab/models five ways and run again; each variant's
 * test accuracy is printed and asserted.
 */
import { calibrateOnnx, quantizeOnnx, readOnnx } from "@quantlab/models";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import {
  accuracyOf,
  agreement,
  digitClassifier,
  floatFeed,
  forward,
  type Mlp,
  mlpToOnnx,
  PIXELS,
  runOnnx,
  trainMlp,
} from "../src/index.js";

const { mlp, data } = digitClassifier();
const model = mlpToOnnx(mlp);
const { test, train } = data;

async function logitsOf(bytes: Uint8Array): Promise<Float32Array> {
  const out = await runOnnx(bytes, { pixels: floatFeed(test.images, [test.count, PIXELS]) }, [
    "logits",
  ]);
  return out.logits as Float32Array;
}
/** The same at graph optimization level "basic": each QDQ node computed in float, nothing fused. */
async function unfusedLogitsOf(bytes: Uint8Array): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: "basic",
    intraOpNumThreads: 1,
  });
  const out = await s.run({ pixels: new ort.Tensor("float32", test.images, [test.count, PIXELS]) });
  return out.logits?.data as Float32Array;
}

describe("the digit classifier", () => {
  it("splits the package's 10,000 digits 8,000 / 2,000", () => {
    expect([train.count, test.count]).toEqual([8000, 2000]);
    const counts = new Array(10).fill(0);
    for (const l of test.labels) counts[l]++;
    expect(Math.min(...counts)).toBeGreaterThan(150);
  });

  it("trains deterministically: the same seed gives the same weights, bit for bit", () => {
    const images = train.images.subarray(0, 500 * PIXELS);
    const labels = train.labels.subarray(0, 500);
    const options = { epochs: 1, seed: 3, sizes: [784, 16, 10] };
    const bytes = (mlp: Mlp) =>
      Buffer.concat([...mlp.weights, ...mlp.biases].map((w) => Buffer.from(w.buffer)));
    const a = bytes(trainMlp(images, labels, options).mlp);
    const b = bytes(trainMlp(images, labels, options).mlp);
    expect(a.equals(b)).toBe(true);
    const c = bytes(trainMlp(images, labels, { ...options, seed: 4 }).mlp);
    expect(a.equals(c)).toBe(false);
  });

  it("reaches its float test accuracy in TypeScript and in onnxruntime alike", async () => {
    const js = accuracyOf(forward(mlp, test.images, test.count).logits, test.labels);
    const ortLogits = await logitsOf(model);
    const viaOrt = accuracyOf(ortLogits, test.labels);
    console.log(
      `float test accuracy: ${(js * 100).toFixed(2)} % (TypeScript), ${(viaOrt * 100).toFixed(2)} % (onnxruntime)`,
    );
    // Measured 94.75 %; the margin allows a retrained model on another engine, not a broken one.
    expect(js).toBeGreaterThan(0.935);
    expect(viaOrt).toBe(js);
    const a = agreement(forward(mlp, test.images, test.count).logits, ortLogits, 10);
    expect(a.maxAbsDiff).toBeLessThan(1e-4);
  });

  it("exports through the writer: readOnnx sees its layers", () => {
    const file = readOnnx(model, { file: "classifier.onnx" });
    expect(file.tensors.map((t) => `${t.name} ${t.storedType} [${t.shape}]`)).toEqual([
      "fc1.weight FLOAT [784,128]",
      "fc1.bias FLOAT [128]",
      "fc2.weight FLOAT [128,64]",
      "fc2.bias FLOAT [64]",
      "fc3.weight FLOAT [64,10]",
      "fc3.bias FLOAT [10]",
    ]);
    expect(file.metadata.opsets).toEqual([{ domain: "ai.onnx", version: 21 }]);
  });

  it("keeps its accuracy when quantized: int8 per tensor / per channel, int4 blocks, MatMulNBits, W8A8", async () => {
    const floatLogits = await logitsOf(model);
    const floatAccuracy = accuracyOf(floatLogits, test.labels);
    const samples = Array.from({ length: 8 }, (_, i) => ({
      pixels: floatFeed(train.images.slice(i * 64 * PIXELS, (i + 1) * 64 * PIXELS), [64, PIXELS]),
    }));
    const ranges = await calibrateOnnx(model, samples, runOnnx);
    const variants = {
      "int8 per tensor": quantizeOnnx(model, { weights: "int8" }),
      "int8 per channel": quantizeOnnx(model, { weights: "int8", granularity: "channel" }),
      "int4 block 32 (QDQ)": quantizeOnnx(model, {
        weights: "int4",
        granularity: "block",
        blockSize: 32,
      }),
      "int4 block 32 (MatMulNBits)": quantizeOnnx(model, {
        weights: "int4",
        format: "matmulnbits",
        blockSize: 32,
      }),
      // Weights in [-63, 63]: full-range pairs saturate in onnxruntime's int16 on x86 without VNNI.
      "W8A8 static": quantizeOnnx(model, {
        weights: "int8",
        granularity: "channel",
        activations: ranges,
        reduceRange: true,
      }),
    };
    // Thresholds: measured accuracy minus a margin of 0.5 points (int4: 1 point).
    const minimum: Record<string, number> = {
      "int8 per tensor": floatAccuracy - 0.005,
      "int8 per channel": floatAccuracy - 0.005,
      "int4 block 32 (QDQ)": floatAccuracy - 0.01,
      "int4 block 32 (MatMulNBits)": floatAccuracy - 0.01,
      "W8A8 static": floatAccuracy - 0.005,
    };
    const rows = [
      `| variant | test accuracy | unfused ("basic") | top-1 agreement | cosine | max abs diff | bytes |`,
      `| float | ${(floatAccuracy * 100).toFixed(2)} % | | | | | ${model.length} |`,
    ];
    for (const [name, q] of Object.entries(variants)) {
      expect(q.weights.map((w) => w.name)).toEqual(["fc1.weight", "fc2.weight", "fc3.weight"]);
      const logits = await logitsOf(q.bytes);
      const acc = accuracyOf(logits, test.labels);
      const unfused = accuracyOf(await unfusedLogitsOf(q.bytes), test.labels);
      expect(unfused, `${name}, unfused`).toBeGreaterThanOrEqual(minimum[name] as number);
      const a = agreement(floatLogits, logits, 10);
      rows.push(
        `| ${name} | ${(acc * 100).toFixed(2)} % | ${(unfused * 100).toFixed(2)} % | ${(a.top1 * 100).toFixed(2)} % | ${a.cosine.toFixed(6)} | ${a.maxAbsDiff.toFixed(4)} | ${q.bytes.length} |`,
      );
      expect(acc, name).toBeGreaterThanOrEqual(minimum[name] as number);
      expect(a.top1, name).toBeGreaterThan(0.97);
      expect(a.cosine, name).toBeGreaterThan(0.99);
    }
    console.log(rows.join("\n"));
    expect(variants["W8A8 static"].activations).toEqual([
      "pixels",
      "fc1.matmul",
      "fc1.relu",
      "fc2.matmul",
      "fc2.relu",
      "fc3.matmul",
    ]);
  });
});
