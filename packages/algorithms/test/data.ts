/**
 * The seeded inputs of packages/conformance/generate/algorithms.py, bit for bit: mulberry32
 * uniforms (@quantlab/zoo's seededRandom), normals as the sum of 12 uniforms minus 6 (exact in
 * float64), float32 weights and correlated activations.
 */
import { createHash } from "node:crypto";
import { seededRandom } from "@quantlab/zoo";

export function normals(seed: number, n: number): Float64Array {
  const u = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < 12; k++) s += u();
    out[i] = s - 6;
  }
  return out;
}

/** rows × cols, std 1/sqrt(cols); every `outlierEvery`-th value (if any) times 8. */
export function weight(seed: number, rows: number, cols: number, outlierEvery = 0): Float32Array {
  const z = normals(seed, rows * cols);
  const std = 1 / Math.sqrt(cols);
  const w = new Float32Array(rows * cols);
  for (let i = 0; i < w.length; i++) {
    let v = (z[i] as number) * std;
    if (outlierEvery && i % outlierEvery === 0) v *= 8;
    w[i] = v;
  }
  return w;
}

/** samples × cols, neighbouring inputs correlated, every 16th input 6 times larger. */
export function activations(seed: number, samples: number, cols: number): Float32Array {
  const z = normals(seed, samples * (cols + 1));
  const x = new Float32Array(samples * cols);
  for (let s = 0; s < samples; s++) {
    for (let j = 0; j < cols; j++) {
      const v = (z[s * (cols + 1) + j + 1] as number) + 0.6 * (z[s * (cols + 1) + j] as number);
      x[s * cols + j] = Math.fround(v) * (j % 16 === 0 ? 6 : 1);
    }
  }
  return x;
}

export function sha256(a: Float32Array): string {
  return createHash("sha256")
    .update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength))
    .digest("hex");
}

export function hexCodes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => Number.parseInt(c, 16));
}
