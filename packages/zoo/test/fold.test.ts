/**
 * foldBatchNormOnnx on the PP-OCR direction classifier, whose 35 BatchNormalization nodes are not
 * folded: the folded model (onnxruntime-node) gives the float model's probabilities, and folding
 * is what spreads the Conv channels' ranges apart.
 */
import { foldBatchNormOnnx, readOnnx } from "@quantlab/models";
import { describe, expect, it } from "vitest";
import { agreement, runOnnx } from "../src/index.js";
import { ocrCase } from "./ocr.js";

describe("PP-OCR direction classifier, BatchNormalization folded", () => {
  const { model, feeds } = ocrCase(32);
  const folded = foldBatchNormOnnx(model, { file: "ch_ppocr_mobile_v2.0_cls_infer.onnx" });

  it("folds every BatchNormalization into the Conv before it", () => {
    expect(folded.folded.length).toBe(35);
    expect(folded.skipped).toEqual([]);
    const ops = readOnnx(folded.bytes).metadata.ops as Record<string, number>;
    expect(ops.BatchNormalization).toBeUndefined();
    expect(ops.Conv).toBe(53);
  });

  it("gives the float model's probabilities", async () => {
    const a = (await runOnnx(model, feeds, []))["softmax_0.tmp_0"] as Float32Array;
    const b = (await runOnnx(folded.bytes, feeds, []))["softmax_0.tmp_0"] as Float32Array;
    const g = agreement(a, b, 2);
    // Measured: max |difference| 1.550e-6 on 32 lines; the bound leaves a margin of about 6.
    console.log(`OCR cls, BN folded: max |difference| ${g.maxAbsDiff.toExponential(3)}`);
    expect(g.maxAbsDiff).toBeLessThan(1e-5);
    expect(g.top1).toBe(1);
  });

  it("spreads the channels of the depthwise Conv conv2d_38 apart", () => {
    const amaxPerChannel = (values: Float32Array, channels: number) => {
      const per = values.length / channels;
      return Array.from({ length: channels }, (_, c) =>
        Math.max(...Array.from(values.subarray(c * per, (c + 1) * per), Math.abs)),
      );
    };
    const spread = (a: number[]) => Math.max(...a) / Math.min(...a);
    const raw = readOnnx(model).tensors.find((t) => t.name === "conv2d_38.w_0");
    const after = readOnnx(folded.bytes).tensors.find((t) => t.name === "conv2d_38.w_0_folded");
    if (raw === undefined || after === undefined) throw new Error("conv2d_38 not found");
    const before = spread(amaxPerChannel(raw.values(), 104));
    const now = spread(amaxPerChannel(after.values(), 104));
    // Measured: the largest channel range is 2.42 times the smallest before folding, 32.48 after.
    console.log(
      `conv2d_38 channel range spread: ${before.toFixed(2)} raw, ${now.toFixed(2)} folded`,
    );
    expect(before).toBeLessThan(4);
    expect(now).toBeGreaterThan(25);
  });
});
