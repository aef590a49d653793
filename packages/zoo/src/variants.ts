/**
 * Quantized variants of a model compared: what their weights cost in bits, and what quantizing
 * one layer at a time does to the outputs (per-layer sensitivity).
 */
import {
  type OnnxFeed,
  type QuantizedWeightReport,
  type QuantizeOnnxOptions,
  quantizeOnnx,
  upgradeOnnxOpset,
} from "@quantlab/models";
import { runOnnx } from "./ort.js";

/**
 * Bits per weight of a model as `quantizeOnnx` wrote it: 8 · (codes + scales + zero points, in
 * bytes) / weights, over the weights it reports (their `bytesAfter` and shapes). Every zero point
 * it writes counts, zeros included (core's `bitsPerWeight` of one tensor leaves out zero points
 * that are all 0). A float32 weight is 32; int8 per channel a little over 8.
 *
 * @example
 * reportedBitsPerWeight(quantizeOnnx(model, { weights: "int8", granularity: "channel" }).weights); // => 8.074 for the classifier
 */
export function reportedBitsPerWeight(weights: readonly QuantizedWeightReport[]): number {
  let bytes = 0;
  let count = 0;
  for (const w of weights) {
    bytes += w.bytesAfter;
    count += w.shape.reduce((p, d) => p * d, 1);
  }
  if (count === 0)
    throw new RangeError(
      "reportedBitsPerWeight(): argument 'weights' must hold at least one weight; received none.",
    );
  return (8 * bytes) / count;
}

/** One layer quantized alone, and the model's output with it. */
export interface LayerQuantized {
  /** The weight's name. */
  readonly name: string;
  /** The op it feeds (Conv, MatMul, ...). */
  readonly op: string;
  readonly shape: readonly number[];
  /** The SQNR of the quantized weight, in dB. */
  readonly sqnrDb: number;
  /** The named output of the model with only this weight quantized. */
  readonly output: Float32Array;
}

/**
 * Quantizes the weights of `model` one at a time with `options` (every other weight stays float)
 * and runs each such model on `feeds` with onnxruntime-node, returning the named output of each:
 * the raw material of a per-layer sensitivity ranking. The weights are those `quantizeOnnx`
 * quantizes with `options` and no `include`.
 *
 * @example
 * const layers = await oneLayerAtATime(bytes, { weights: "int4", granularity: "channel" }, feeds, "logits");
 */
export async function oneLayerAtATime(
  model: Uint8Array,
  options: QuantizeOnnxOptions,
  feeds: Readonly<Record<string, OnnxFeed>>,
  output: string,
): Promise<LayerQuantized[]> {
  const first = quantizeOnnx(model, options);
  // A scheme that needs a newer opset upgrades the model once here, not once per layer.
  const { from, to } = first.opset;
  const base = to > from ? upgradeOnnxOpset(model, to).bytes : model;
  const out: LayerQuantized[] = [];
  for (const w of first.weights) {
    const q = quantizeOnnx(base, { ...options, include: [w.name] });
    const result = await runOnnx(q.bytes, feeds, [output]);
    out.push({
      name: w.name,
      op: w.op,
      shape: w.shape,
      sqnrDb: w.sqnrDb,
      output: result[output] as Float32Array,
    });
  }
  return out;
}
