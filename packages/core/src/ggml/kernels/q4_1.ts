/**
 * q4_1 (`block_q4_1`, 20 bytes for 32 values): `d` fp16, `m` fp16, `qs` u8[16]; value i is
 * `n * d + m`, n the low nibble of `qs[i]` for i < 16, the high nibble of `qs[i - 16]` otherwise.
 * ggml's `quantize_row_q4_1_ref` and `dequantize_row_q4_1`.
 */
import { FLT_MAX, fround, isFiniteHalf, readHalf, writeHalf } from "./common.js";

const QK = 32;
const BYTES = 20;

/**
 * `d = (max - min) / 15`, `id = d ? 1 / d : 0`, `n = min(15, trunc((x - min) * id + 0.5))`,
 * `m = min`. Returns -1, or the first block it cannot store (d or m overflows fp16, or 1 / d
 * overflows float32).
 */
export function quantizeQ4_1(x: Float32Array, out: Uint8Array): number {
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
    const d = fround(fround(max - min) / 15);
    const id = d !== 0 ? fround(1 / d) : 0;
    const hd = writeHalf(out, yo, d);
    const hm = writeHalf(out, yo + 2, min);
    if (!isFiniteHalf(hd) || !isFiniteHalf(hm) || !Number.isFinite(id)) return b;
    for (let j = 0; j < QK / 2; j++) {
      const x0 = fround(fround((x[xo + j] as number) - min) * id);
      const x1 = fround(fround((x[xo + QK / 2 + j] as number) - min) * id);
      const n0 = Math.min(15, Math.trunc(fround(x0 + 0.5)));
      const n1 = Math.min(15, Math.trunc(fround(x1 + 0.5)));
      out[yo + 4 + j] = n0 | (n1 << 4);
    }
  }
  return -1;
}

/** `n * d + m`, the product rounded to float32 before the sum. */
export function dequantizeQ4_1(q: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK;
  for (let b = 0; b < blocks; b++) {
    const yo = b * QK;
    const qo = b * BYTES;
    const d = readHalf(q, qo);
    const m = readHalf(q, qo + 2);
    for (let j = 0; j < QK / 2; j++) {
      const byte = q[qo + 4 + j] as number;
      out[yo + j] = fround((byte & 0x0f) * d) + m;
      out[yo + QK / 2 + j] = fround((byte >> 4) * d) + m;
    }
  }
}
