/**
 * ggml's `make_qkx2_quants`: the scale, min and levels of one sub-block of q2_K, q4_K and q5_K, by
 * a weighted search over `nstep + 1` candidate scales. Float32 throughout, in ggml's order.
 */
import { fround, nearestInt, TENTH } from "./common.js";

const Laux = new Uint8Array(32);

/**
 * Levels `L[lo .. lo + n)` in [0, nmax] and returns the scale; writes the min (as ggml's
 * `the_min`, a value to subtract: `x ≈ scale * L - min`) to `mins[j]`.
 *
 * `min`, `max` of `x` (min set to 0 when positive); `max == min`: levels 0, scale 0. Else start
 * from `iscale = nmax / (max - min)`, `L = clamp(rne(iscale * (x - min)), 0, nmax)` and its
 * weighted error (`|.|` when `mad`, else squared); then for is = 0..nstep try
 * `iscale = (rmin + 0.1 * is + nmax) / (max - min)`, fit scale and min by weighted least squares
 * (min capped at 0), and keep the candidate whose error is smaller. `min` in later candidates is
 * the current winner's.
 */
export function makeQkx2Quants(
  x: Float32Array,
  xo: number,
  n: number,
  nmax: number,
  weights: Float32Array,
  L: Uint8Array,
  lo: number,
  rmin: number,
  nstep: number,
  mad: boolean,
  mins: Float32Array,
  j: number,
): number {
  let min = x[xo] as number;
  let max = min;
  let sumW = weights[0] as number;
  let sumX = fround(sumW * min);
  for (let i = 1; i < n; i++) {
    const v = x[xo + i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
    const w = weights[i] as number;
    sumW = fround(sumW + w);
    sumX = fround(sumX + fround(w * v));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, lo, lo + n);
    mins[j] = -min;
    return 0;
  }
  let iscale = fround(nmax / fround(max - min));
  let scale = fround(1 / iscale);
  let best = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xo + i] as number;
    const l = Math.max(0, Math.min(nmax, nearestInt(fround(iscale * fround(v - min)))));
    L[lo + i] = l;
    const diff = fround(fround(fround(scale * l) + min) - v);
    best = fround(
      best + fround((weights[i] as number) * (mad ? Math.abs(diff) : fround(diff * diff))),
    );
  }
  for (let is = 0; is <= nstep; is++) {
    iscale = fround(fround(fround(rmin + fround(TENTH * is)) + nmax) / fround(max - min));
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < n; i++) {
      const v = x[xo + i] as number;
      const l = Math.max(0, Math.min(nmax, nearestInt(fround(iscale * fround(v - min)))));
      Laux[i] = l;
      const wl = fround((weights[i] as number) * l);
      sumL = fround(sumL + wl);
      sumL2 = fround(sumL2 + fround(wl * l));
      sumXL = fround(sumXL + fround(wl * v));
    }
    const D = fround(fround(sumW * sumL2) - fround(sumL * sumL));
    if (D > 0) {
      let thisScale = fround(fround(fround(sumW * sumXL) - fround(sumX * sumL)) / D);
      let thisMin = fround(fround(fround(sumL2 * sumX) - fround(sumL * sumXL)) / D);
      if (thisMin > 0) {
        thisMin = 0;
        thisScale = fround(sumXL / sumL2);
      }
      let error = 0;
      for (let i = 0; i < n; i++) {
        const diff = fround(
          fround(fround(thisScale * (Laux[i] as number)) + thisMin) - (x[xo + i] as number),
        );
        error = fround(
          error + fround((weights[i] as number) * (mad ? Math.abs(diff) : fround(diff * diff))),
        );
      }
      if (error < best) {
        L.set(Laux.subarray(0, n), lo);
        best = error;
        scale = thisScale;
        min = thisMin;
      }
    }
  }
  mins[j] = -min;
  return scale;
}

/**
 * The 6-bit scale and min of sub-block j of q4_K / q5_K (ggml's `get_scale_min_k4`), packed as
 * `scale | min << 8`.
 */
export function scaleMinK4(j: number, q: Uint8Array, o: number): number {
  if (j < 4) return ((q[o + j] as number) & 63) | (((q[o + j + 4] as number) & 63) << 8);
  const sc = ((q[o + j + 4] as number) & 0x0f) | (((q[o + j - 4] as number) >> 6) << 4);
  const mn = ((q[o + j + 4] as number) >> 4) | (((q[o + j] as number) >> 6) << 4);
  return sc | (mn << 8);
}

/** Packs the eight 6-bit scales and mins of q4_K / q5_K into 12 bytes at `o`. */
export function packScaleMinK4(ls: Uint8Array, lm: Uint8Array, out: Uint8Array, o: number): void {
  for (let j = 0; j < 8; j++) {
    const s = ls[j] as number;
    const m = lm[j] as number;
    if (j < 4) {
      out[o + j] = s;
      out[o + j + 4] = m;
    } else {
      out[o + j + 4] = (s & 0x0f) | ((m & 0x0f) << 4);
      out[o + j - 4] = (out[o + j - 4] as number) | ((s >> 4) << 6);
      out[o + j] = (out[o + j] as number) | ((m >> 4) << 6);
    }
  }
}
