/**
 * q5_1 (`block_q5_1`, 24 bytes for 32 values): `d` fp16, `m` fp16, `qh` u8[4], `qs` u8[16];
 * value i is `(n | h << 4) * d + m`, n and h as in q5_0.
 * ggml's `quantize_row_q5_1_ref` and `dequantize_row_q5_1`.
 */
import {
  FLT_MAX,
  fround,
  isFiniteHalf,
  readHalf,
  readUint32,
  writeHalf,
  writeUint32,
} from "./common.js";

const QK = 32;
const BYTES = 24;

/**
 * `d = (max - min) / 31`, `id = d ? 1 / d : 0`, `n = trunc((x - min) * id + 0.5)` (ggml does not
 * cap it; it cannot pass 31), `m = min`. Returns -1, or the first block it cannot store (d or m
 * overflows fp16, or 1 / d overflows float32).
 */
export function quantizeQ5_1(x: Float32Array, out: Uint8Array): number {
  const blocks = x.length / QK;
  for (let b = 0; b < blocks; b++) {
    const xo = b * QK;
    const yo = b * BYTES;
    let min = FLT_MAX;
    let max = -FLT_MAX;
    for (let j = 0; j < QK; j++) {
      const v = x[xo + j] as number;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const d = fround(fround(max - min) / 31);
    const id = d !== 0 ? fround(1 / d) : 0;
    const hd = writeHalf(out, yo, d);
    const hm = writeHalf(out, yo + 2, min);
    if (!isFiniteHalf(hd) || !isFiniteHalf(hm) || !Number.isFinite(id)) return b;
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
  }
  return -1;
}

/** `(n | h << 4) * d + m`, the product rounded to float32 before the sum. */
export function dequantizeQ5_1(q: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK;
  for (let b = 0; b < blocks; b++) {
    const yo = b * QK;
    const qo = b * BYTES;
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
}
