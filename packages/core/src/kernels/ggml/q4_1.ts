/**
 * q4_1 (`block_q4_1`, 20 bytes for 32 values): `d` fp16, `m` fp16, `qs` u8[16]; value i is
 * `n * d + m`, n the low nibble of `qs[i]` for i < 16, the high nibble of `qs[i - 16]` otherwise.
 * ggml's `quantize_row_q4_1_ref` and `dequantize_row_q4_1`.
 */
import { type BlockCodec, fround, minScaleHeader, readHalf } from "./common.js";

const QK = 32;
const BYTES = 20;

/**
 * `d = (max - min) / 15`, `id = d ? 1 / d : 0`, `n = min(15, trunc((x - min) * id + 0.5))`,
 * `m = min`. False when it cannot store the block (d or m overflows fp16, or 1 / d
 * overflows float32).
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  const header = minScaleHeader(x, xo, QK, 15, out, yo);
  if (header === undefined) return false;
  const id = header[0] as number;
  const min = header[1] as number;
  for (let j = 0; j < QK / 2; j++) {
    const x0 = fround(fround((x[xo + j] as number) - min) * id);
    const x1 = fround(fround((x[xo + QK / 2 + j] as number) - min) * id);
    const n0 = Math.min(15, Math.trunc(fround(x0 + 0.5)));
    const n1 = Math.min(15, Math.trunc(fround(x1 + 0.5)));
    out[yo + 4 + j] = n0 | (n1 << 4);
  }
  return true;
}

/** `n * d + m`, the product rounded to float32 before the sum. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readHalf(q, qo);
  const m = readHalf(q, qo + 2);
  for (let j = 0; j < QK / 2; j++) {
    const byte = q[qo + 4 + j] as number;
    out[yo + j] = fround((byte & 0x0f) * d) + m;
    out[yo + QK / 2 + j] = fround((byte >> 4) * d) + m;
  }
}

/** ggml's `q4_1`, a block at a time. */
export const q4_1: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
