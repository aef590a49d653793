/**
 * onnxLayers, withGraphOutputs and scaleLayerInputs on a small graph built here, run by
 * onnxruntime-node: the layers found with their attributes, the recorded inputs equal to what the
 * graph computes, and the Mul that AWQ's scales need leaving the outputs as they were.
 */
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { createOnnxModel, onnxLayers, scaleLayerInputs, withGraphOutputs } from "../src/index.js";

const wave = (n: number, phase: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 0.7 + phase) * 0.5));

/** The graph built here; `head` is head.w's values (AWQ's test divides its rows). */
function model(head = wave(15, 2)): Uint8Array {
  return createOnnxModel({
    inputs: [{ name: "image", dtype: "FLOAT", shape: [2, 2, 4, 4] }],
    outputs: [{ name: "out", dtype: "FLOAT", shape: [2, 3] }],
    initializers: [
      { name: "conv.w", dtype: "FLOAT", shape: [4, 1, 3, 3], data: wave(36, 0) },
      { name: "fc.w", dtype: "FLOAT", shape: [5, 64], data: wave(320, 1) },
      { name: "head.w", dtype: "FLOAT", shape: [5, 3], data: head },
    ],
    nodes: [
      {
        op: "Conv",
        inputs: ["image", "conv.w"],
        outputs: ["conv"],
        attributes: { pads: [1, 1, 1, 1], group: 2, strides: [1, 1] },
      },
      { op: "Flatten", inputs: ["conv"], outputs: ["flat"] },
      { op: "Gemm", inputs: ["flat", "fc.w"], outputs: ["fc"], attributes: { transB: 1 } },
      { op: "MatMul", inputs: ["fc", "head.w"], outputs: ["out"] },
    ],
  });
}

async function run(bytes: Uint8Array, outputs: string[]) {
  const s = await ort.InferenceSession.create(bytes);
  const image = new ort.Tensor("float32", wave(64, 3), [2, 2, 4, 4]);
  const r = await s.run({ image }, outputs);
  return Object.fromEntries(outputs.map((o) => [o, r[o]?.data as Float32Array]));
}

describe("onnxLayers", () => {
  it("finds each MatMul, Gemm and Conv with its data input and attributes", () => {
    const layers = onnxLayers(model());
    expect(layers.map((l) => [l.op, l.weight, l.input])).toEqual([
      ["Conv", "conv.w", "image"],
      ["Gemm", "fc.w", "flat"],
      ["MatMul", "head.w", "fc"],
    ]);
    const conv = layers[0];
    expect([conv?.group, conv?.kernel, conv?.strides, conv?.pads, conv?.dilations]).toEqual([
      2,
      [3, 3],
      [1, 1],
      [1, 1, 1, 1],
      [1, 1],
    ]);
    expect([layers[1]?.transA, layers[1]?.transB]).toEqual([0, 1]);
  });
});

describe("withGraphOutputs and scaleLayerInputs", () => {
  it("records inner tensors; a Mul by factors with the weight's rows divided leaves the output unchanged", async () => {
    const bytes = model();
    const probe = await run(withGraphOutputs(bytes, ["flat", "fc"]), ["flat", "fc", "out"]);
    expect(probe.flat?.length).toBe(2 * 64);
    expect(probe.fc?.length).toBe(2 * 5);
    // head.w [K=5, N=3]: divide row k by f_k, multiply input k by f_k.
    const f = Float32Array.of(2, 0.5, 4, 1, 0.25);
    const w = wave(15, 2);
    const divided = w.map((v, i) => v / (f[Math.floor(i / 3)] as number));
    const changed = model(divided);
    const scaled = await run(scaleLayerInputs(changed, new Map([["head.w", f]])), ["out"]);
    const a = probe.out as Float32Array;
    const b = scaled.out as Float32Array;
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i] as number, 5);
    expect(() => scaleLayerInputs(bytes, new Map([["head.w", Float32Array.of(1, 2)]]))).toThrow(
      /scaleLayerInputs\(\): argument 'factors' must give 5 factors for weight "head.w" \(one per input of its MatMul\); received 2/,
    );
    expect(() => scaleLayerInputs(bytes, new Map([["conv.w", f]]))).toThrow(
      /must name weights \(input 1\) of MatMul or Gemm nodes of the main graph; received "conv.w"/,
    );
  });
});
