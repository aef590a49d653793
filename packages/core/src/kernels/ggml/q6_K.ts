/**
 * q6_K (`block_q6_K`, 210 bytes for 256 values): `ql` u8[128], `qh` u8[64], `scales` int8[16],
 * `d` fp16. Value i is `(d * scales[i / 16]) * (q - 32)`; with i = 128a + 32b + c, q has its low
 * 4 bits from `ql[64a + 32(b % 2) + c]` (low nibble for b < 2, high nibble otherwise) and its high
 * 2 bits from `(qh[32a + c] >> 2b) & 3`. ggml's `quantize_row_q6_K_ref` and `dequantize_row_q6_K`.
 */
import {
  type BlockCodec,
  fround,
  GROUP_MAX_EPS,
  isFiniteHalf,
  nearestInt,
  readHalf,
  signedMax,
  TENTH,
  toInt8,
  writeHalf,
} from "./common.js";

const QK = 256;
const BYTES = 210;
const NMAX = 32;

const L = new Uint8Array(QK);
const Laux = new Uint8Array(16);
const scales = new Float32Array(16);

/**
 * ggml's `make_qx_quants` (nmax 32, weights x * x) for the 16 values at `xo`: levels `L[lo ..]`
 * in [0, 63] (l + 32), returns the scale. `iscale = -32 / max`, `l = clamp(rne(iscale * x), -32, 31)`,
 * `scale = sumlx / suml2`; then for is = -9..9 (not 0) `iscale = -(32 + 0.1 * is) / max` wins when
 * `sumlx^2 > best * suml2`.
 */
function makeQxQuants(x: Float32Array, xo: number, lo: number): number {
  const n = 16;
  const max = signedMax(x, xo, n);
  if (Math.abs(max) < GROUP_MAX_EPS) {
    L.fill(0, lo, lo + n);
    return 0;
  }
  let iscale = fround(-NMAX / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xo + i] as number;
    const l = Math.max(-NMAX, Math.min(NMAX - 1, nearestInt(fround(iscale * v))));
    L[lo + i] = l + NMAX;
    const w = fround(v * v);
    sumlx = fround(sumlx + fround(fround(w * v) * l));
    suml2 = fround(suml2 + fround(fround(w * l) * l));
  }
  let scale = suml2 !== 0 ? fround(sumlx / suml2) : 0;
  let best = fround(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    iscale = fround(-fround(NMAX + fround(TENTH * is)) / max);
    sumlx = 0;
    suml2 = 0;
    for (let i = 0; i < n; i++) {
      const v = x[xo + i] as number;
      const l = Math.max(-NMAX, Math.min(NMAX - 1, nearestInt(fround(iscale * v))));
      Laux[i] = l + NMAX;
      const w = fround(v * v);
      sumlx = fround(sumlx + fround(fround(w * v) * l));
      suml2 = fround(suml2 + fround(fround(w * l) * l));
    }
    if (suml2 > 0 && fround(sumlx * sumlx) > fround(best * suml2)) {
      L.set(Laux, lo);
      scale = fround(sumlx / suml2);
      best = fround(scale * sumlx);
    }
  }
  return scale;
}

/**
 * Per sub-block of 16, `makeQxQuants`. The scale of largest magnitude `max_scale`; below 1e-15 the
 * block is all zero bytes. Else `iscale = -128 / max_scale`, `d = fp16(1 / iscale)`,
 * `scales[j] = min(127, rne(iscale * scale_j))` (as int8); then the levels again from the stored
 * fields: `L = clamp(rne(x / (d * scales[j])), -32, 31) + 32` where that divisor is not 0.
 * False when the block's d is not finite in fp16 or its sub-block sums overflow
 * float32 into a NaN scale (|x| beyond about 1e18, where ggml would silently store zeros).
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  let amax = 0;
  let maxScale = 0;
  for (let j = 0; j < 16; j++) {
    const scale = makeQxQuants(x, xo + 16 * j, 16 * j);
    if (Number.isNaN(scale)) return false;
    scales[j] = scale;
    if (Math.abs(scale) > amax) {
      amax = Math.abs(scale);
      maxScale = scale;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    out.fill(0, yo, yo + BYTES);
    return true;
  }
  const iscale = fround(-128 / maxScale);
  if (!isFiniteHalf(writeHalf(out, yo + 208, fround(1 / iscale)))) return false;
  const d = readHalf(out, yo + 208);
  for (let j = 0; j < 16; j++) {
    const s = toInt8(Math.min(127, nearestInt(fround(iscale * (scales[j] as number)))));
    out[yo + 192 + j] = s & 0xff;
    const dj = fround(d * s);
    if (dj === 0) continue;
    for (let i = 16 * j; i < 16 * j + 16; i++) {
      const l = nearestInt(fround((x[xo + i] as number) / dj));
      L[i] = Math.max(-32, Math.min(31, l)) + 32;
    }
  }
  for (let a = 0; a < 2; a++) {
    const j = 128 * a;
    for (let c = 0; c < 32; c++) {
      const l0 = L[j + c] as number;
      const l1 = L[j + c + 32] as number;
      const l2 = L[j + c + 64] as number;
      const l3 = L[j + c + 96] as number;
      out[yo + 64 * a + c] = (l0 & 0x0f) | ((l2 & 0x0f) << 4);
      out[yo + 64 * a + 32 + c] = (l1 & 0x0f) | ((l3 & 0x0f) << 4);
      out[yo + 128 + 32 * a + c] =
        (l0 >> 4) | ((l1 >> 4) << 2) | ((l2 >> 4) << 4) | ((l3 >> 4) << 6);
    }
  }
  return true;
}

/** `(d * scales[i / 16]) * (q - 32)`, both products in float32. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readHalf(q, qo + 208);
  for (let i = 0; i < QK; i++) {
    const a = i >> 7;
    const bb = (i >> 5) & 3;
    const c = i & 31;
    const low = ((q[qo + 64 * a + 32 * (bb & 1) + c] as number) >> (4 * (bb >> 1))) & 0x0f;
    const high = ((q[qo + 128 + 32 * a + c] as number) >> (2 * bb)) & 3;
    const dl = fround(d * toInt8(q[qo + 192 + (i >> 4)] as number));
    out[yo + i] = dl * ((low | (high << 4)) - 32);
  }
}

/** ggml's `q6_K`, a block at a time. */
export const q6_K: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
