/**
 * q5_K (`block_q5_K`, 176 bytes for 256 values): `d` fp16, `dmin` fp16, `scales` u8[12] (as
 * q4_K), `qh` u8[32], `qs` u8[128]. Sub-block j = i / 32; value i is
 * `(d * sc_j) * (q + 16h) - dmin * mn_j`, q the nibble of i as in q4_K, h bit i / 32 of
 * `qh[i % 32]`. ggml's `quantize_row_q5_K_ref` and `dequantize_row_q5_K`.
 */
import type { BlockCodec } from "./common.js";
import { dequantizeK, quantizeK } from "./q4_K.js";

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

/** `(d * sc_j) * (q + 16h) - dmin * mn_j`: `qh` at byte 16, `qs` at 48 (see dequantizeK). */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  dequantizeK(q, qo, out, yo, 48, 16);
}

/** ggml's `q5_K`, a block at a time. */
export const q5_K: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
