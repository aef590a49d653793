/**
 * q5_1 (`block_q5_1`, 24 bytes for 32 values): `d` fp16, `m` fp16, `qh` u8[4], `qs` u8[16];
 * value i is `(n | h << 4) * d + m`, n and h as in q5_0.
 * ggml's `quantize_row_q5_1_ref` and `dequantize_row_q5_1`.
 */
import {
  type BlockCodec,
  fround,
  minScaleHeader,
  readHalf,
  readUint32,
  writeUint32,
} from "./common.js";

const QK = 32;
const BYTES = 24;

/**
 * `d = (max - min) / 31`, `id = d ? 1 / d : 0`, `n = trunc((x - min) * id + 0.5)` (ggml does not
 * cap it; it cannot pass 31), `m = min`. False when it cannot store the block (d or m
 * overflows fp16, or 1 / d overflows float32).
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  const header = minScaleHeader(x, xo, QK, 31, out, yo);
  if (header === undefined) return false;
  const id = header[0] as number;
  const min = header[1] as number;
  let qh = 0;
  for (let j = 0; j < QK / 2; j++) {
    const x0 = fround(fround((x[xo + j] as number) - min) * id);
    const x1 = fround(fround((x[xo + QK / 2 + j] as number) - min) * id);
    const n0 = Math.trunc(fround(x0 + 0.5)) & 0xff;
    const n1 = Math.trunc(fround(x1 + 0.5)) & 0xff;
    out[yo + 8 + j] = (n0 & 0x0f) | ((n1 & 0x0f) << 4);
    qh |= ((n0 & 0x10) >> 4) << j;
    qh |= ((n1 & 0x10) >> 4) << (j + QK / 2);
  }
  writeUint32(out, yo + 4, qh);
  return true;
}

/** `(n | h << 4) * d + m`, the product rounded to float32 before the sum. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readHalf(q, qo);
  const m = readHalf(q, qo + 2);
  const qh = readUint32(q, qo + 4);
  for (let j = 0; j < QK / 2; j++) {
    const byte = q[qo + 8 + j] as number;
    const h0 = ((qh >>> j) & 1) << 4;
    const h1 = ((qh >>> (j + QK / 2)) & 1) << 4;
    out[yo + j] = fround(((byte & 0x0f) | h0) * d) + m;
    out[yo + QK / 2 + j] = fround(((byte >> 4) | h1) * d) + m;
  }
}

/** ggml's `q5_1`, a block at a time. */
export const q5_1: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
