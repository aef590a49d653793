/**
 * q4_K (`block_q4_K`, 144 bytes for 256 values): `d` fp16, `dmin` fp16, `scales` u8[12] (eight
 * 6-bit scales and mins, see `scaleMinK4`), `qs` u8[128]. Sub-block j = i / 32; value i is
 * `(d * sc_j) * q - dmin * mn_j`, q the low (b = 0) or high (b = 1) nibble of `qs[32a + c]` for
 * i = 64a + 32b + c. ggml's `quantize_row_q4_K_ref` and `dequantize_row_q4_K`.
 */
import {
  type BlockCodec,
  fround,
  isFiniteHalf,
  nearestInt,
  readHalf,
  writeHalf,
} from "./common.js";
import { makeQkx2Quants, packScaleMinK4, scaleMinK4 } from "./qkx.js";

const QK = 256;
const BYTES = 144;

const L = new Uint8Array(QK);
const weights = new Float32Array(32);
const scales = new Float32Array(8);
const mins = new Float32Array(8);
const ls = new Uint8Array(8);
const lm = new Uint8Array(8);

/**
 * Per sub-block of 32, `makeQkx2Quants` with weights `sqrt(sum(x * x) / 32) + |x|`, nmax 15,
 * rmin -1, 20 steps, squared error. `sc_j = min(63, rne((63 / max_scale) * scale_j))` (as uint8),
 * the same for the mins; `d = fp16(max_scale / 63)`, `dmin = fp16(max_min / 63)`; then the levels
 * again from the stored fields: `L = clamp(rne((x + dmin * mn_j) / (d * sc_j)), 0, 15)` where
 * `d * sc_j` is not 0. False when the block's d or dmin is not finite in fp16.
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  return quantizeK(x, xo, out, yo, 15, -1, 20, packQ4_K);
}

/**
 * The body q4_K and q5_K share (so do ggml's): they differ in nmax, rmin, the number of steps,
 * the block size and how `pack` stores the levels of the block that starts at byte `yo`.
 */
export function quantizeK(
  x: Float32Array,
  xo: number,
  out: Uint8Array,
  yo: number,
  nmax: number,
  rmin: number,
  nstep: number,
  pack: (levels: Uint8Array, out: Uint8Array, yo: number) => void,
): boolean {
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 8; j++) {
    const so = xo + 32 * j;
    let sumX2 = 0;
    for (let l = 0; l < 32; l++) {
      const v = x[so + l] as number;
      sumX2 = fround(sumX2 + fround(v * v));
    }
    const avX = fround(Math.sqrt(fround(sumX2 / 32)));
    for (let l = 0; l < 32; l++) weights[l] = avX + Math.abs(x[so + l] as number);
    const scale = makeQkx2Quants(x, so, 32, nmax, weights, L, 32 * j, rmin, nstep, false, mins, j);
    scales[j] = scale;
    if (scale > maxScale) maxScale = scale;
    const min = mins[j] as number;
    if (min > maxMin) maxMin = min;
  }
  const invScale = maxScale > 0 ? fround(63 / maxScale) : 0;
  const invMin = maxMin > 0 ? fround(63 / maxMin) : 0;
  for (let j = 0; j < 8; j++) {
    ls[j] = Math.min(63, nearestInt(fround(invScale * (scales[j] as number))) & 0xff);
    lm[j] = Math.min(63, nearestInt(fround(invMin * (mins[j] as number))) & 0xff);
  }
  packScaleMinK4(ls, lm, out, yo + 4);
  const hd = writeHalf(out, yo, fround(maxScale / 63));
  const hm = writeHalf(out, yo + 2, fround(maxMin / 63));
  if (!isFiniteHalf(hd) || !isFiniteHalf(hm)) return false;
  const d = readHalf(out, yo);
  const dmin = readHalf(out, yo + 2);
  for (let j = 0; j < 8; j++) {
    const sm = scaleMinK4(j, out, yo + 4);
    const dj = fround(d * (sm & 0xff));
    if (dj === 0) continue;
    const dm = fround(dmin * (sm >> 8));
    for (let i = 32 * j; i < 32 * j + 32; i++) {
      const l = nearestInt(fround(fround((x[xo + i] as number) + dm) / dj));
      L[i] = Math.max(0, Math.min(nmax, l));
    }
  }
  pack(L, out, yo);
  return true;
}

/** `qs` at byte 16: for i = 64a + 32b + c, L[i] in nibble b of `qs[32a + c]`. */
function packQ4_K(levels: Uint8Array, out: Uint8Array, yo: number): void {
  for (let a = 0; a < 4; a++) {
    for (let c = 0; c < 32; c++) {
      out[yo + 16 + 32 * a + c] =
        ((levels[64 * a + c] as number) & 0x0f) |
        (((levels[64 * a + 32 + c] as number) & 0x0f) << 4);
    }
  }
}

/**
 * The dequantizer q4_K and q5_K share: `(d * sc_j) * (q + 16h) - dmin * mn_j`, each product and the
 * difference in float32; the 4-bit `q` from byte `qs` on, the fifth bit `h` (q5_K) from the 32
 * bytes at `qh` (bit j of byte c), or none.
 */
export function dequantizeK(
  q: Uint8Array,
  qo: number,
  out: Float32Array,
  yo: number,
  qs: number,
  qh?: number,
): void {
  const d = readHalf(q, qo);
  const dmin = readHalf(q, qo + 2);
  for (let j = 0; j < 8; j++) {
    const sm = scaleMinK4(j, q, qo + 4);
    const dl = fround(d * (sm & 0xff));
    const ml = fround(dmin * (sm >> 8));
    const base = qo + qs + 32 * (j >> 1);
    const shift = 4 * (j & 1);
    const at = yo + 32 * j;
    if (qh === undefined) {
      for (let c = 0; c < 32; c++) {
        out[at + c] = fround(dl * (((q[base + c] as number) >> shift) & 0x0f)) - ml;
      }
    } else {
      for (let c = 0; c < 32; c++) {
        const h = ((q[qo + qh + c] as number) >> j) & 1;
        out[at + c] = fround(dl * ((((q[base + c] as number) >> shift) & 0x0f) + 16 * h)) - ml;
      }
    }
  }
}

/** `(d * sc_j) * q - dmin * mn_j` (see dequantizeK). */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  dequantizeK(q, qo, out, yo, 16);
}

/** ggml's `q4_K`, a block at a time. */
export const q4_K: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
