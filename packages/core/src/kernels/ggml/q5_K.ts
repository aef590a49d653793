/**
 * q5_K (`block_q5_K`, 176 bytes for 256 values): `d` fp16, `dmin` fp16, `scales` u8[12] (as
 * q4_K), `qh` u8[32], `qs` u8[128]. Sub-block j = i / 32; value i is
 * `(d * sc_j) * (q + 16h) - dmin * mn_j`, q the nibble of i as in q4_K, h bit i / 32 of
 * `qh[i % 32]`. ggml's `quantize_row_q5_K_ref` and `dequantize_row_q5_K`.
 */
import { type BlockCodec, fround, readHalf } from "./common.js";
import { quantizeK } from "./q4_K.js";
import { scaleMinK4 } from "./qkx.js";

const QK = 256;
const BYTES = 176;

/**
 * As q4_K with nmax 31, rmin -0.5 and 15 steps. False when the block's d or dmin
 * is not finite in fp16.
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  return quantizeK(x, xo, out, yo, 31, -0.5, 15, packQ5_K);
}

/** `qh` at byte 16 (bit i / 32 of `qh[i % 32]`: L[i] > 15), `qs` at byte 48 (the low 4 bits). */
function packQ5_K(levels: Uint8Array, out: Uint8Array, yo: number): void {
  out.fill(0, yo + 16, yo + 48);
  for (let a = 0; a < 4; a++) {
    for (let c = 0; c < 32; c++) {
      const l1 = levels[64 * a + c] as number;
      const l2 = levels[64 * a + 32 + c] as number;
      out[yo + 16 + c] =
        (out[yo + 16 + c] as number) | ((l1 >> 4) << (2 * a)) | ((l2 >> 4) << (2 * a + 1));
      out[yo + 48 + 32 * a + c] = (l1 & 0x0f) | ((l2 & 0x0f) << 4);
    }
  }
}

/** `(d * sc_j) * (q + 16h) - dmin * mn_j`, each product and the difference in float32. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readHalf(q, qo);
  const dmin = readHalf(q, qo + 2);
  for (let j = 0; j < 8; j++) {
    const sm = scaleMinK4(j, q, qo + 4);
    const dl = fround(d * (sm & 0xff));
    const ml = fround(dmin * (sm >> 8));
    const base = qo + 48 + 32 * (j >> 1);
    const shift = 4 * (j & 1);
    for (let c = 0; c < 32; c++) {
      const h = ((q[qo + 16 + c] as number) >> j) & 1;
      const v = (((q[base + c] as number) >> shift) & 0x0f) + 16 * h;
      out[yo + 32 * j + c] = fround(dl * v) - ml;
    }
  }
}

/** ggml's `q5_K`, a block at a time. */
export const q5_K: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
