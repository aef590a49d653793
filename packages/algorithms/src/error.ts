/**
 * The layer-wise output error the data-aware algorithms minimize: `||X Wᵀ − X Ŵᵀ||²` summed over
 * the calibration samples, in float64.
 */
import type { Checked } from "./matrix.js";
import { hessianOf, type Matrix, readMatrix } from "./matrix.js";

/**
 * Squared output error `Σ_s Σ_o (x_s · (w_o − ŵ_o))²` of a weight change `d = W − Ŵ` (`[out, in]`)
 * on inputs `x` (`[samples, in]`). Through the Gram matrix `XᵀX` when there are more samples than
 * inputs (`gram`, from {@link gramOf}), else directly.
 */
export function squaredError(
  d: ArrayLike<number>,
  out: number,
  x: Checked,
  gram?: Float64Array,
): number {
  const k = x.cols;
  if (gram !== undefined) {
    let total = 0;
    const row = new Float64Array(k);
    for (let o = 0; o < out; o++) {
      for (let a = 0; a < k; a++) row[a] = d[o * k + a] as number;
      for (let a = 0; a < k; a++) {
        const da = row[a] as number;
        if (da === 0) continue;
        let s = 0;
        const ga = a * k;
        for (let b = 0; b < k; b++) s += (gram[ga + b] as number) * (row[b] as number);
        total += da * s;
      }
    }
    return total;
  }
  let total = 0;
  const data = x.data;
  for (let s = 0; s < x.rows; s++) {
    const xo = s * k;
    for (let o = 0; o < out; o++) {
      const wo = o * k;
      let y = 0;
      for (let a = 0; a < k; a++) y += (data[xo + a] as number) * (d[wo + a] as number);
      total += y * y;
    }
  }
  return total;
}

/** `XᵀX` (float64), or undefined when computing the error directly is cheaper (samples ≤ inputs). */
export function gramOf(x: Checked): Float64Array | undefined {
  if (x.rows <= x.cols) return undefined;
  const h = hessianOf(x);
  const f = x.rows / 2;
  for (let i = 0; i < h.length; i++) h[i] = (h[i] as number) * f;
  return h;
}

/** `Σ (x · w)²` over samples and outputs: the energy of the layer's output, the error's yardstick. */
export function outputEnergy(
  w: ArrayLike<number>,
  out: number,
  x: Checked,
  gram?: Float64Array,
): number {
  return squaredError(w, out, x, gram);
}

/**
 * The relative output error of a quantized layer: `||X Wᵀ − X Ŵᵀ||² / ||X Wᵀ||²` on inputs `x`
 * (`[samples, in]`), float64.
 *
 * @example
 * const x = { data: [1, 0, 0, 1], shape: [2, 2] };
 * layerError({ data: [1, 2], shape: [1, 2] }, { data: [1, 1], shape: [1, 2] }, x) // => 0.2
 */
export function layerError(weight: Matrix, quantized: Matrix, calibration: Matrix): number {
  const fn = "layerError";
  const w = readMatrix(fn, "weight", weight);
  const q = readMatrix(fn, "quantized", quantized, {
    rows: w.rows,
    cols: w.cols,
    why: "the weight's shape",
  });
  const x = readMatrix(fn, "calibration", calibration, {
    cols: w.cols,
    why: `one column per input of weight [${w.rows}, ${w.cols}]`,
  });
  const d = new Float64Array(w.rows * w.cols);
  for (let i = 0; i < d.length; i++) d[i] = (w.data[i] as number) - (q.data[i] as number);
  const gram = gramOf(x);
  return squaredError(d, w.rows, x, gram) / outputEnergy(w.data, w.rows, x, gram);
}
