/** Running ONNX models with onnxruntime-node, and comparing their outputs. */
import { cosineSimilarity, maxAbsoluteError } from "@quantlab/core";
import type { OnnxFeed, OnnxRunner } from "@quantlab/models";
import * as ort from "onnxruntime-node";

const sessions = new WeakMap<Uint8Array, Promise<ort.InferenceSession>>();

/** A session for `model`, created once per model bytes (one intra-op thread: results do not depend on the core count). */
export function session(model: Uint8Array): Promise<ort.InferenceSession> {
  let s = sessions.get(model);
  if (s === undefined) {
    s = ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    sessions.set(model, s);
  }
  return s;
}

/** Runs `model` with onnxruntime-node and returns the named outputs (all when none named) as float32. */
export const runOnnx: OnnxRunner = async (model, feeds, outputs) => {
  const s = await session(model);
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feeds))
    inputs[name] = new ort.Tensor(f.type, f.data as never, [...f.dims]);
  const names = outputs.length > 0 ? [...outputs] : [...s.outputNames];
  const result = await s.run(inputs, names);
  const out: Record<string, Float32Array> = {};
  for (const name of names) {
    const t = result[name] as ort.Tensor;
    out[name] =
      t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
  }
  return out;
};

/** A float32 feed. */
export function floatFeed(data: Float32Array, dims: readonly number[]): OnnxFeed {
  return { type: "float32", data, dims };
}

/** How close a quantized model's outputs are to the float model's. */
export interface Agreement {
  readonly cosine: number;
  readonly maxAbsDiff: number;
  /** Share of rows with the same largest entry (rows of `classes` values). */
  readonly top1: number;
}

/** Cosine similarity, max |a - b| and top-1 agreement of two outputs of rows of `classes` values. */
export function agreement(
  reference: Float32Array,
  other: Float32Array,
  classes: number,
): Agreement {
  let same = 0;
  const rows = reference.length / classes;
  for (let r = 0; r < rows; r++) {
    let a = 0;
    let b = 0;
    for (let c = 1; c < classes; c++) {
      if ((reference[r * classes + c] as number) > (reference[r * classes + a] as number)) a = c;
      if ((other[r * classes + c] as number) > (other[r * classes + b] as number)) b = c;
    }
    if (a === b) same++;
  }
  return {
    cosine: cosineSimilarity(reference, other),
    maxAbsDiff: maxAbsoluteError(reference, other),
    top1: same / rows,
  };
}
