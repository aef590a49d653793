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

/** Seeded uniform numbers in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` seeded values, roughly normal (sum of 4 uniforms), scaled. */
export function values(n: number, seed: number, scale = 1): Float32Array {
  const r = random(seed);
  return Float32Array.from({ length: n }, () => (r() + r() + r() + r() - 2) * scale);
}

/** The identity matrix K×K as float32, row-major. */
export function identity(k: number): Float32Array {
  const out = new Float32Array(k * k);
  for (let i = 0; i < k; i++) out[i * k + i] = 1;
  return out;
}
