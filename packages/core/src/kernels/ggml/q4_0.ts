/**
 * q4_0 (`block_q4_0`, 18 bytes for 32 values): `d` fp16, `qs` u8[16]; value i is `(n - 8) * d`,
 * n the low nibble of `qs[i]` for i < 16, the high nibble of `qs[i - 16]` otherwise.
 * ggml's `quantize_row_q4_0_ref` and `dequantize_row_q4_0`.
 */
import { type BlockCodec, fround, readHalf, scaleHeader } from "./common.js";

const QK = 32;
const BYTES = 18;

/**
 * `d = max / -8` (max: the signed value of largest magnitude), `id = d ? 1 / d : 0`,
 * `n = min(15, trunc(x * id + 8.5))`, the sum rounded to float32 first. An all-zero block stores
 * d = -0. False when it cannot store the block (d overflows fp16, or 1 / d overflows).
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  const id = scaleHeader(x, xo, QK, -8, out, yo);
  if (id === undefined) return false;
  for (let j = 0; j < QK / 2; j++) {
    const x0 = fround((x[xo + j] as number) * id);
    const x1 = fround((x[xo + QK / 2 + j] as number) * id);
    const n0 = Math.min(15, Math.trunc(fround(x0 + 8.5)));
    const n1 = Math.min(15, Math.trunc(fround(x1 + 8.5)));
    out[yo + 2 + j] = n0 | (n1 << 4);
  }
  return true;
}

/** `(n - 8) * d`. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readHalf(q, qo);
  for (let j = 0; j < QK / 2; j++) {
    const byte = q[qo + 2 + j] as number;
    out[yo + j] = ((byte & 0x0f) - 8) * d;
    out[yo + QK / 2 + j] = ((byte >> 4) - 8) * d;
  }
}

/** ggml's `q4_0`, a block at a time. */
export const q4_0: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
