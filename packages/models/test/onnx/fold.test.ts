/**
 * foldBatchNormOnnx on small Conv → BatchNormalization networks with seeded weights and widely
 * spread statistics. The oracle is onnxruntime-node running the unfolded model with its graph
 * optimizations off (every BatchNormalization its own kernel): the folded model must give the
 * same outputs within a measured float32 tolerance, and its weights follow the formula.
 */
import { seededRandom } from "@quantlab/core";
import { describe, expect, it } from "vitest";
import { createOnnxModel, foldBatchNormOnnx, readOnnx } from "../../src/index.js";
import { runUnoptimized, values } from "./helpers.js";

const r = seededRandom(7);
const positive = (n: number, lo: number, hi: number) =>
  Float32Array.from({ length: n }, () => lo * (hi / lo) ** r());

const w1 = values(4 * 3 * 9, 1, 0.5);
const b1 = values(4, 2, 0.1);
const w2 = values(4 * 9, 3, 0.5);
// γ and σ² spread over two orders of magnitude: the folded channels differ by up to ~100×.
const bn1 = {
  gamma: positive(4, 0.1, 10),
  beta: values(4, 4, 0.5),
  mean: values(4, 5, 0.3),
  variance: positive(4, 0.01, 1),
};
const bn2 = {
  gamma: positive(4, 0.1, 10),
  beta: values(4, 6, 0.5),
  mean: values(4, 7, 0.3),
  variance: positive(4, 0.01, 1),
};
const stats = (prefix: string, s: typeof bn1) =>
  (["gamma", "beta", "mean", "variance"] as const).map((k) => ({
    name: `${prefix}.${k}`,
    dtype: "FLOAT",
    shape: [s[k].length],
    data: s[k],
  }));

/** Conv (bias) → BN → Relu → depthwise Conv (no bias) → BN. */
const model = createOnnxModel({
  opset: 13,
  inputs: [{ name: "x", dtype: "FLOAT", shape: ["batch", 3, 6, 6] }],
  outputs: [{ name: "y", dtype: "FLOAT", shape: ["batch", 4, 6, 6] }],
  initializers: [
    { name: "conv1.weight", dtype: "FLOAT", shape: [4, 3, 3, 3], data: w1 },
    { name: "conv1.bias", dtype: "FLOAT", shape: [4], data: b1 },
    { name: "conv2.weight", dtype: "FLOAT", shape: [4, 1, 3, 3], data: w2 },
    ...stats("bn1", bn1),
    ...stats("bn2", bn2),
  ],
  nodes: [
    {
      op: "Conv",
      name: "conv1",
      inputs: ["x", "conv1.weight", "conv1.bias"],
      outputs: ["c1"],
      attributes: { pads: [1, 1, 1, 1] },
    },
    {
      op: "BatchNormalization",
      name: "bn1",
      inputs: ["c1", "bn1.gamma", "bn1.beta", "bn1.mean", "bn1.variance"],
      outputs: ["n1"],
      attributes: { epsilon: { float: 1e-3 } },
    },
    { op: "Relu", inputs: ["n1"], outputs: ["r1"] },
    {
      op: "Conv",
      name: "conv2",
      inputs: ["r1", "conv2.weight"],
      outputs: ["c2"],
      attributes: { pads: [1, 1, 1, 1], group: 4 },
    },
    {
      op: "BatchNormalization",
      name: "bn2",
      inputs: ["c2", "bn2.gamma", "bn2.beta", "bn2.mean", "bn2.variance"],
      outputs: ["y"],
    },
  ],
});

const x = values(2 * 3 * 36, 9, 1);
const feeds = { x: { type: "float32" as const, data: x, dims: [2, 3, 6, 6] } };

describe("foldBatchNormOnnx", () => {
  const result = foldBatchNormOnnx(model);

  it("folds both pairs and leaves no BatchNormalization", () => {
    expect(result.folded.map((f) => [f.weight, f.batchNorm, f.channels])).toEqual([
      ["conv1.weight", "bn1", 4],
      ["conv2.weight", "bn2", 4],
    ]);
    expect(result.skipped).toEqual([]);
    const read = readOnnx(result.bytes);
    expect(read.metadata.ops).toEqual({ Conv: 2, Relu: 1 });
    // The old weights and the statistics are gone; the folded weights and biases are there.
    expect(read.tensors.map((t) => t.name).sort()).toEqual(
      ["bn1_folded_bias", "bn2_folded_bias", "conv1.weight_folded", "conv2.weight_folded"].sort(),
    );
  });

  it("scales each output channel by γ / √(σ² + ε) and moves the bias", () => {
    const read = readOnnx(result.bytes);
    const tensor = (name: string) => read.tensors.find((t) => t.name === name)?.values();
    const eps = Math.fround(1e-3);
    const k = Array.from(bn1.gamma, (g, c) => g / Math.sqrt((bn1.variance[c] as number) + eps));
    const expectedW = Float32Array.from(w1, (v, i) => v * (k[Math.floor(i / 27)] as number));
    const expectedB = Float32Array.from(
      k,
      (kc, c) => ((b1[c] as number) - (bn1.mean[c] as number)) * kc + (bn1.beta[c] as number),
    );
    expect(tensor("conv1.weight_folded")).toEqual(expectedW);
    expect(tensor("bn1_folded_bias")).toEqual(expectedB);
    const k2 = Array.from(
      bn2.gamma,
      (g, c) => g / Math.sqrt((bn2.variance[c] as number) + Math.fround(1e-5)),
    );
    expect(tensor("bn2_folded_bias")).toEqual(
      Float32Array.from(k2, (kc, c) => -(bn2.mean[c] as number) * kc + (bn2.beta[c] as number)),
    );
  });

  it("gives onnxruntime's outputs of the unfolded model", async () => {
    const before = (await runUnoptimized(model, feeds, ["y"])).y as Float32Array;
    const after = (await runUnoptimized(result.bytes, feeds, ["y"])).y as Float32Array;
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < before.length; i++) {
      worst = Math.max(worst, Math.abs((after[i] as number) - (before[i] as number)));
      scale = Math.max(scale, Math.abs(before[i] as number));
    }
    // Folding reassociates float32 products: measured 1.144e-5 of outputs up to 98.6 (about 2^-23
    // of the largest); the bound, 2^-20 of the largest output (9.4e-5), leaves a margin of 8.
    console.log(`fold: max |Δ| ${worst.toExponential(3)} of outputs up to ${scale.toFixed(3)}`);
    expect(worst).toBeLessThan(scale * 2 ** -20);
  });

  it("leaves alone what it cannot fold, and says why", () => {
    const shared = createOnnxModel({
      opset: 13,
      inputs: [{ name: "x", dtype: "FLOAT", shape: [1, 3, 6, 6] }],
      outputs: [
        { name: "y", dtype: "FLOAT", shape: [1, 4, 6, 6] },
        { name: "z", dtype: "FLOAT", shape: [1, 3, 6, 6] },
      ],
      initializers: [
        { name: "w", dtype: "FLOAT", shape: [4, 3, 3, 3], data: w1 },
        ...stats("bn1", bn1),
        ...stats("bn2", {
          ...bn1,
          gamma: bn1.gamma.slice(0, 3),
          beta: bn1.beta.slice(0, 3),
          mean: bn1.mean.slice(0, 3),
          variance: bn1.variance.slice(0, 3),
        }),
      ],
      nodes: [
        { op: "Conv", inputs: ["x", "w"], outputs: ["c"], attributes: { pads: [1, 1, 1, 1] } },
        {
          op: "BatchNormalization",
          name: "after-conv",
          inputs: ["c", "bn1.gamma", "bn1.beta", "bn1.mean", "bn1.variance"],
          outputs: ["n"],
        },
        { op: "Relu", inputs: ["c"], outputs: ["also"] },
        { op: "Add", inputs: ["n", "also"], outputs: ["y"] },
        {
          op: "BatchNormalization",
          name: "after-input",
          inputs: ["x", "bn2.gamma", "bn2.beta", "bn2.mean", "bn2.variance"],
          outputs: ["z"],
        },
      ],
    });
    const out = foldBatchNormOnnx(shared);
    expect(out.folded).toEqual([]);
    expect(out.skipped).toEqual([
      { batchNorm: "after-conv", reason: "the Conv's output is also read elsewhere" },
      { batchNorm: "after-input", reason: "its input is not the output of a Conv" },
    ]);
    expect(readOnnx(out.bytes).metadata.ops).toEqual({
      Conv: 1,
      BatchNormalization: 2,
      Relu: 1,
      Add: 1,
    });
  });

  it("refuses what is not a model, naming the argument", () => {
    expect(() => foldBatchNormOnnx([1, 2] as never)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: foldBatchNormOnnx(): argument 'model' must be a Uint8Array; received an array of length 2.]`,
    );
    expect(() => foldBatchNormOnnx(model, { fiel: "x" } as never)).toThrow(RangeError);
    expect(() => foldBatchNormOnnx(new Uint8Array([1, 2, 3]), { file: "bad.onnx" })).toThrow(
      /bad\.onnx/,
    );
  });
});
