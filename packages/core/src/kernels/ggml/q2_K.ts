/**
 * q2_K (`block_q2_K`, 84 bytes for 256 values): `scales` u8[16], `qs` u8[64], `d` fp16, `dmin`
 * fp16. Sub-block j = i / 16 has `sc = scales[j]`; value i is
 * `(d * (sc & 15)) * q - dmin * (sc >> 4)`, q the 2-bit field of i (see `pack2Bits`).
 * ggml's `quantize_row_q2_K_ref` and `dequantize_row_q2_K`.
 */
import {
  type BlockCodec,
  fround,
  isFiniteHalf,
  nearestInt,
  pack2Bits,
  readHalf,
  writeHalf,
} from "./common.js";
import { makeQkx2Quants } from "./qkx.js";

const QK = 256;
const BYTES = 84;

const L = new Uint8Array(QK);
const weights = new Float32Array(16);
const scales = new Float32Array(16);
const mins = new Float32Array(16);

/**
 * Per sub-block of 16, `makeQkx2Quants` with weights |x|, nmax 3, rmin -0.5, 15 steps, absolute
 * error. `sc_j = rne((15 / max_scale) * scale_j)`, `d = fp16(max_scale / 15)` (0 when max_scale is
 * not > 0), the same for the mins and `dmin`; then the levels again from the stored fields:
 * `L = clamp(rne((x + dmin * mn_j) / (d * sc_j)), 0, 3)` where `d * sc_j` is not 0.
 * False when the block's d or dmin is not finite in fp16.
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  let maxScale = 0;
  let maxMin = 0;
  for (let j = 0; j < 16; j++) {
    for (let l = 0; l < 16; l++) weights[l] = Math.abs(x[xo + 16 * j + l] as number);
    const scale = makeQkx2Quants(
      x,
      xo + 16 * j,
      16,
      3,
      weights,
      L,
      16 * j,
      -0.5,
      15,
      true,
      mins,
      j,
    );
    scales[j] = scale;
    if (scale > maxScale) maxScale = scale;
    const min = mins[j] as number;
    if (min > maxMin) maxMin = min;
  }
  let hd: number;
  if (maxScale > 0) {
    const iscale = fround(15 / maxScale);
    for (let j = 0; j < 16; j++)
      out[yo + j] = nearestInt(fround(iscale * (scales[j] as number))) & 0xff;
    hd = writeHalf(out, yo + 80, fround(maxScale / 15));
  } else {
    out.fill(0, yo, yo + 16);
    hd = writeHalf(out, yo + 80, 0);
  }
  let hm: number;
  if (maxMin > 0) {
    const iscale = fround(15 / maxMin);
    for (let j = 0; j < 16; j++) {
      const l = nearestInt(fround(iscale * (mins[j] as number)));
      out[yo + j] = ((out[yo + j] as number) | (l << 4)) & 0xff;
    }
    hm = writeHalf(out, yo + 82, fround(maxMin / 15));
  } else {
    hm = writeHalf(out, yo + 82, 0);
  }
  if (!isFiniteHalf(hd) || !isFiniteHalf(hm)) return false;
  const d = readHalf(out, yo + 80);
  const dmin = readHalf(out, yo + 82);
  for (let j = 0; j < 16; j++) {
    const sc = out[yo + j] as number;
    const dj = fround(d * (sc & 0x0f));
    if (dj === 0) continue;
    const dm = fround(dmin * (sc >> 4));
    for (let i = 16 * j; i < 16 * j + 16; i++) {
      const l = nearestInt(fround(fround((x[xo + i] as number) + dm) / dj));
      L[i] = Math.max(0, Math.min(3, l));
    }
  }
  pack2Bits(L, out, yo + 16);
  return true;
}

/** `(d * (sc & 15)) * q - dmin * (sc >> 4)`, each product and the difference in float32. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readHalf(q, qo + 80);
  const dmin = readHalf(q, qo + 82);
  for (let i = 0; i < QK; i++) {
    const sc = q[qo + (i >> 4)] as number;
    const dl = fround(d * (sc & 0x0f));
    const ml = fround(dmin * (sc >> 4));
    const a = i >> 7;
    const shift = 2 * ((i >> 5) & 3);
    const v = ((q[qo + 16 + 32 * a + (i & 31)] as number) >> shift) & 3;
    out[yo + i] = fround(dl * v) - ml;
  }
}

/** ggml's `q2_K`, a block at a time. */
export const q2_K: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
