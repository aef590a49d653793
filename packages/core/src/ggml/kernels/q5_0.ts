/**
 * q5_0 (`block_q5_0`, 22 bytes for 32 values): `d` fp16, `qh` u8[4], `qs` u8[16]; value i is
 * `((n | h << 4) - 16) * d`, n the low nibble of `qs[i]` for i < 16, the high nibble of
 * `qs[i - 16]` otherwise, h bit i of `qh` read as a little-endian uint32.
 * ggml's `quantize_row_q5_0_ref` and `dequantize_row_q5_0`.
 */
import {
  fround,
  isFiniteHalf,
  readHalf,
  readUint32,
  signedMax,
  writeHalf,
  writeUint32,
} from "./common.js";

const QK = 32;
const BYTES = 22;

/**
 * `d = max / -16`, `id = d ? 1 / d : 0`, `n = min(31, trunc(x * id + 16.5))`, the sum rounded to
 * float32 first; an all-zero block stores d = -0. Returns -1, or the first block it cannot store
 * (d overflows fp16, or 1 / d overflows float32).
 */
export function quantizeQ5_0(x: Float32Array, out: Uint8Array): number {
  const blocks = x.length / QK;
  for (let b = 0; b < blocks; b++) {
    const xo = b * QK;
    const yo = b * BYTES;
    const d = fround(signedMax(x, xo, QK) / -16);
    const id = d !== 0 ? fround(1 / d) : 0;
    const h = writeHalf(out, yo, d);
    if (!isFiniteHalf(h) || !Number.isFinite(id)) return b;
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
  }
  return -1;
}

/** `((n | h << 4) - 16) * d`. */
export function dequantizeQ5_0(q: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK;
  for (let b = 0; b < blocks; b++) {
    const yo = b * QK;
    const qo = b * BYTES;
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
}
