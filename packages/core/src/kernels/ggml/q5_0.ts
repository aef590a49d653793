/**
 * q5_0 (`block_q5_0`, 22 bytes for 32 values): `d` fp16, `qh` u8[4], `qs` u8[16]; value i is
 * `((n | h << 4) - 16) * d`, n the low nibble of `qs[i]` for i < 16, the high nibble of
 * `qs[i - 16]` otherwise, h bit i of `qh` read as a little-endian uint32.
 * ggml's `quantize_row_q5_0_ref` and `dequantize_row_q5_0`.
 */
import {
  type BlockCodec,
  fround,
  readHalf,
  readUint32,
  scaleHeader,
  writeUint32,
} from "./common.js";

const QK = 32;
const BYTES = 22;

/**
 * `d = max / -16`, `id = d ? 1 / d : 0`, `n = min(31, trunc(x * id + 16.5))`, the sum rounded to
 * float32 first; an all-zero block stores d = -0. False when it cannot store the block
 * (d overflows fp16, or 1 / d overflows float32).
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  const id = scaleHeader(x, xo, QK, -16, out, yo);
  if (id === undefined) return false;
  let qh = 0;
  for (let j = 0; j < QK / 2; j++) {
    const x0 = fround((x[xo + j] as number) * id);
    const x1 = fround((x[xo + QK / 2 + j] as number) * id);
    const n0 = Math.min(31, Math.trunc(fround(x0 + 16.5)));
    const n1 = Math.min(31, Math.trunc(fround(x1 + 16.5)));
    out[yo + 6 + j] = (n0 & 0x0f) | ((n1 & 0x0f) << 4);
    qh |= ((n0 & 0x10) >> 4) << j;
    qh |= ((n1 & 0x10) >> 4) << (j + QK / 2);
  }
  writeUint32(out, yo + 2, qh);
  return true;
}

/** `((n | h << 4) - 16) * d`. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readHalf(q, qo);
  const qh = readUint32(q, qo + 2);
  for (let j = 0; j < QK / 2; j++) {
    const byte = q[qo + 6 + j] as number;
    const h0 = ((qh >>> j) & 1) << 4;
    const h1 = ((qh >>> (j + QK / 2)) & 1) << 4;
    out[yo + j] = (((byte & 0x0f) | h0) - 16) * d;
    out[yo + QK / 2 + j] = (((byte >> 4) | h1) - 16) * d;
  }
}

/** ggml's `q5_0`, a block at a time. */
export const q5_0: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
