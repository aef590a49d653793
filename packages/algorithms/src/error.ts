/**
 * The layer-wise output error the data-aware algorithms minimize: `||X Wᵀ − X Ŵᵀ||²` summed over
 * the calibration samples, in float64.
 */
import {
  type Checked,
  hessianOf,
  type Matrix,
  readCalibration,
  readMatrix,
  readQuantized,
} from "./matrix.js";

/**
 * Squared output errors `Σ_s Σ_o (x_s · d_o)²` of weight changes `d` (`[out, in]`) on fixed inputs
 * `x` (`[samples, in]`): through the Gram matrix `XᵀX` when that is cheaper, else directly, over
 * the nonzero inputs of each sample when most are zero (activations after a ReLU, pixels).
 */
export class OutputError {
  readonly #k: number;
  readonly #starts: Int32Array;
  readonly #index: Int32Array;
  readonly #value: Float64Array;
  readonly #gram?: Float64Array;
  /** The inputs as float64 `[n, k]`, when most are nonzero (plain dot products beat indexing). */
  readonly #dense?: Float64Array;

  constructor(x: Checked) {
    const { rows: n, cols: k, data } = x;
    let nnz = 0;
    for (let i = 0; i < n * k; i++) if (data[i] !== 0) nnz++;
    const starts = new Int32Array(n + 1);
    const index = new Int32Array(nnz);
    const value = new Float64Array(nnz);
    let at = 0;
    for (let s = 0; s < n; s++) {
      starts[s] = at;
      for (let a = 0; a < k; a++) {
        const v = data[s * k + a] as number;
        if (v !== 0) {
          index[at] = a;
          value[at] = v;
          at++;
        }
      }
    }
    starts[n] = at;
    this.#k = k;
    this.#starts = starts;
    this.#index = index;
    this.#value = value;
    if (2 * nnz > n * k) this.#dense = Float64Array.from(data as ArrayLike<number>);
    // Per output row: nnz multiply-adds directly, k² through the Gram matrix (and k²·n/2 to build it).
    if (nnz > 2 * k * k) {
      const h = hessianOf(x);
      const f = n / 2;
      for (let i = 0; i < h.length; i++) h[i] = (h[i] as number) * f;
      this.#gram = h;
    }
  }

  /** `Σ (x_s · d_o)²` over samples s and the `out` rows o of `d` (float64 `[out, in]`). */
  squared(d: Float64Array, out: number): number {
    const k = this.#k;
    const gram = this.#gram;
    // Rows of d (through the Gram matrix, four at a time) or samples (directly, 16 at a time) in
    // blocks, so that each row of the Gram matrix, or of d, is read once a block while in cache.
    let total = 0;
    if (gram !== undefined) {
      let o = 0;
      for (; o + 4 <= out; o += 4) {
        const r0 = o * k;
        const r1 = r0 + k;
        const r2 = r1 + k;
        const r3 = r2 + k;
        for (let a = 0; a < k; a++) {
          const ga = a * k;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let b = 0; b < k; b++) {
            const g = gram[ga + b] as number;
            s0 += g * (d[r0 + b] as number);
            s1 += g * (d[r1 + b] as number);
            s2 += g * (d[r2 + b] as number);
            s3 += g * (d[r3 + b] as number);
          }
          total +=
            (d[r0 + a] as number) * s0 +
            (d[r1 + a] as number) * s1 +
            (d[r2 + a] as number) * s2 +
            (d[r3 + a] as number) * s3;
        }
      }
      for (; o < out; o++) {
        const ro = o * k;
        for (let a = 0; a < k; a++) {
          const ga = a * k;
          let s0 = 0;
          for (let b = 0; b < k; b++) s0 += (gram[ga + b] as number) * (d[ro + b] as number);
          total += (d[ro + a] as number) * s0;
        }
      }
      return total;
    }
    const dense = this.#dense;
    if (dense !== undefined) {
      // Four samples at a time share each load of a row of d.
      const n = dense.length / k;
      let s = 0;
      for (; s + 4 <= n; s += 4) {
        const x0 = s * k;
        const x1 = x0 + k;
        const x2 = x1 + k;
        const x3 = x2 + k;
        for (let o = 0; o < out; o++) {
          const ro = o * k;
          let y0 = 0;
          let y1 = 0;
          let y2 = 0;
          let y3 = 0;
          for (let a = 0; a < k; a++) {
            const v = d[ro + a] as number;
            y0 += (dense[x0 + a] as number) * v;
            y1 += (dense[x1 + a] as number) * v;
            y2 += (dense[x2 + a] as number) * v;
            y3 += (dense[x3 + a] as number) * v;
          }
          total += y0 * y0 + y1 * y1 + y2 * y2 + y3 * y3;
        }
      }
      for (; s < n; s++) {
        const xo = s * k;
        for (let o = 0; o < out; o++) {
          const ro = o * k;
          let y = 0;
          for (let a = 0; a < k; a++) y += (dense[xo + a] as number) * (d[ro + a] as number);
          total += y * y;
        }
      }
      return total;
    }
    const starts = this.#starts;
    const index = this.#index;
    const value = this.#value;
    const n = starts.length - 1;
    const S = 16;
    for (let s0 = 0; s0 < n; s0 += S) {
      const s1 = Math.min(n, s0 + S);
      for (let o = 0; o < out; o++) {
        const ro = o * k;
        for (let s = s0; s < s1; s++) {
          const end = starts[s + 1] as number;
          let y = 0;
          for (let i = starts[s] as number; i < end; i++)
            y += (value[i] as number) * (d[ro + (index[i] as number)] as number);
          total += y * y;
        }
      }
    }
    return total;
  }
}

/**
 * The relative output error of a quantized layer: `||X Wᵀ − X Ŵᵀ||² / ||X Wᵀ||²` on inputs `x`
 * (`[samples, in]`), float64 (the absolute error when the layer's output is all zero).
 *
 * @example
 * const x = { data: [1, 0, 0, 1], shape: [2, 2] };
 * layerError({ data: [1, 2], shape: [1, 2] }, { data: [1, 1], shape: [1, 2] }, x) // => 0.2
 */
export function layerError(weight: Matrix, quantized: Matrix, calibration: Matrix): number {
  const fn = "layerError";
  const w = readMatrix(fn, "weight", weight);
  const q = readQuantized(fn, quantized, w);
  const x = readCalibration(fn, calibration, w);
  const meter = new OutputError(x);
  const d = new Float64Array(w.rows * w.cols);
  for (let i = 0; i < d.length; i++) d[i] = (w.data[i] as number) - (q.data[i] as number);
  const energy = meter.squared(Float64Array.from(w.data), w.rows);
  const error = meter.squared(d, w.rows);
  return energy > 0 ? error / energy : error;
}
