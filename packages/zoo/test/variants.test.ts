/** reportedBitsPerWeight and oneLayerAtATime on the digit classifier. */

import { readFileSync } from "node:fs";
import { maxAbsoluteError } from "@quantlab/core";
import { quantizeOnnx, upgradeOnnxOpset } from "@quantlab/models";
import { describe, expect, it } from "vitest";
import {
  digitClassifier,
  floatFeed,
  mlpToOnnx,
  ocrClassifierPath,
  oneLayerAtATime,
  PIXELS,
  reportedBitsPerWeight,
  runOnnx,
} from "../src/index.js";

const { mlp, data } = digitClassifier();
const model = mlpToOnnx(mlp);

describe("reportedBitsPerWeight", () => {
  it("counts codes, scales and zero points per weight", () => {
    // 109,184 int8 codes, 202 float32 scales and 202 int8 zero points (one per output channel).
    const weights = 784 * 128 + 128 * 64 + 64 * 10;
    const perChannel = quantizeOnnx(model, { weights: "int8", granularity: "channel" }).weights;
    expect(reportedBitsPerWeight(perChannel)).toBeCloseTo(
      (8 * (weights + 202 * 4 + 202)) / weights,
      12,
    );
    const perTensor = quantizeOnnx(model, { weights: "int8" }).weights;
    expect(reportedBitsPerWeight(perTensor)).toBeCloseTo((8 * (weights + 3 * 4 + 3)) / weights, 12);
    expect(() => reportedBitsPerWeight([])).toThrow(/at least one weight/);
  });
});

describe("oneLayerAtATime", () => {
  it("quantizes each weight alone and returns the model's output with it", async () => {
    const feeds = { pixels: floatFeed(data.test.images.subarray(0, 64 * PIXELS), [64, PIXELS]) };
    const reference = (await runOnnx(model, feeds, ["logits"])).logits as Float32Array;
    const options = { weights: "int4", granularity: "tensor" } as const;
    const layers = await oneLayerAtATime(model, options, feeds, "logits");
    expect(layers.map((l) => l.name)).toEqual(["fc1.weight", "fc2.weight", "fc3.weight"]);
    for (const layer of layers) {
      const alone = quantizeOnnx(model, { ...options, include: [layer.name] });
      const expected = (await runOnnx(alone.bytes, feeds, ["logits"])).logits as Float32Array;
      expect(Array.from(layer.output)).toEqual(Array.from(expected));
      expect(maxAbsoluteError(reference, layer.output)).toBeGreaterThan(0);
    }
  });
});

describe("upgrading the opset once", () => {
  it("writes the same bytes as letting quantizeOnnx upgrade each time (PP-OCR, opset 9 to 21)", () => {
    const ocr = new Uint8Array(readFileSync(ocrClassifierPath()));
    const options = { weights: "int4", granularity: "channel", include: ["conv2d_5.w_0"] } as const;
    const direct = quantizeOnnx(ocr, options);
    expect(direct.opset).toMatchObject({ from: 9, to: 21 });
    const once = quantizeOnnx(upgradeOnnxOpset(ocr, 21).bytes, options);
    expect(Buffer.from(once.bytes).equals(Buffer.from(direct.bytes))).toBe(true);
  });
});
