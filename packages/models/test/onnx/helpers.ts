import { seededRandom } from "@quantlab/core";
import * as ort from "onnxruntime-node";
import type { OnnxRunner } from "../../src/index.js";

/** Runs a model with onnxruntime-node (the oracle), returning the named outputs as float32. */
export const run: OnnxRunner = (model, feeds, outputs) => runWith({}, model, feeds, outputs);

/** The same with graph optimizations off: each node runs as its own kernel, nothing is fused. */
export const runUnoptimized: OnnxRunner = (model, feeds, outputs) =>
  runWith({ graphOptimizationLevel: "disabled" }, model, feeds, outputs);

async function runWith(
  options: ort.InferenceSession.SessionOptions,
  ...[model, feeds, outputs]: Parameters<OnnxRunner>
): ReturnType<OnnxRunner> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, ...options });
  const inputs: Record<string, ort.Tensor> = {};
  for (const [name, f] of Object.entries(feeds))
    inputs[name] = new ort.Tensor(f.type, f.data as never, [...f.dims]);
  const names = outputs.length > 0 ? [...outputs] : [...session.outputNames];
  const result = await session.run(inputs, names);
  const out: Record<string, Float32Array> = {};
  for (const name of names) {
    const d = (result[name] as ort.Tensor).data;
    out[name] = d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
  }
  return out;
}

/** `n` seeded values, roughly normal (sum of 4 uniforms), scaled. */
export function values(n: number, seed: number, scale = 1): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (r() + r() + r() + r() - 2) * scale);
}

/** The identity matrix K×K as float32, row-major. */
export function identity(k: number): Float32Array {
  const out = new Float32Array(k * k);
  for (let i = 0; i < k; i++) out[i * k + i] = 1;
  return out;
}
