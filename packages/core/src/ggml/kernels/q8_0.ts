/**
 * q8_0 (`block_q8_0`, 34 bytes for 32 values): `d` fp16, `qs` int8[32]; value i is `qs[i] * d`.
 * ggml's `quantize_row_q8_0_ref` and `dequantize_row_q8_0`.
 */
import { fround, isFiniteHalf, readHalf, writeHalf } from "./common.js";

const QK = 32;
const BYTES = 34;

/** C's `roundf`: nearest, ties away from zero. */
function roundAway(v: number): number {
  return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
}

/**
 * `d = amax / 127`, `id = d ? 1 / d : 0`, `qs = roundf(x * id)`. Returns -1, or the index of the
 * first block it cannot store (d overflows fp16, or 1 / d overflows float32); `out` is then
 * written up to that block's `d`.
 */
export function quantizeQ8_0(x: Float32Array, out: Uint8Array): number {
  const blocks = x.length / QK;
  for (let b = 0; b < blocks; b++) {
    const xo = b * QK;
    const yo = b * BYTES;
    let amax = 0;
    for (let j = 0; j < QK; j++) {
      const a = Math.abs(x[xo + j] as number);
      if (a > amax) amax = a;
    }
    const d = fround(amax / 127);
    const id = d !== 0 ? fround(1 / d) : 0;
    const h = writeHalf(out, yo, d);
    if (!isFiniteHalf(h) || id === Number.POSITIVE_INFINITY) return b;
    for (let j = 0; j < QK; j++) {
      out[yo + 2 + j] = roundAway(fround((x[xo + j] as number) * id)) & 0xff;
    }
  }
  return -1;
}

/** `qs[i] * d`. */
export function dequantizeQ8_0(q: Uint8Array, out: Float32Array): void {
  const blocks = out.length / QK;
  for (let b = 0; b < blocks; b++) {
    const yo = b * QK;
    const qo = b * BYTES;
    const d = readHalf(q, qo);
    for (let j = 0; j < QK; j++) {
      out[yo + j] = (((q[qo + 2 + j] as number) << 24) >> 24) * d;
    }
  }
}
