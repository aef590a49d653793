/**
 * q8_0 (`block_q8_0`, 34 bytes for 32 values): `d` fp16, `qs` int8[32]; value i is `qs[i] * d`.
 * ggml's `quantize_row_q8_0_ref` and `dequantize_row_q8_0`.
 */
import { type BlockCodec, fround, isFiniteHalf, readHalf, writeHalf } from "./common.js";

const QK = 32;
const BYTES = 34;

/** C's `roundf`: nearest, ties away from zero. */
function roundAway(v: number): number {
  return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
}

/**
 * `d = amax / 127`, `id = d ? 1 / d : 0`, `qs = roundf(x * id)`. False when it cannot store the
 * block (d overflows fp16, or 1 / d overflows float32); only its `d` is then written.
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  let amax = 0;
  for (let j = 0; j < QK; j++) {
    const a = Math.abs(x[xo + j] as number);
    if (a > amax) amax = a;
  }
  const d = fround(amax / 127);
  const id = d !== 0 ? fround(1 / d) : 0;
  const h = writeHalf(out, yo, d);
  if (!isFiniteHalf(h) || id === Number.POSITIVE_INFINITY) return false;
  for (let j = 0; j < QK; j++) {
    out[yo + 2 + j] = roundAway(fround((x[xo + j] as number) * id)) & 0xff;
  }
  return true;
}

/** `qs[i] * d`. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readHalf(q, qo);
  for (let j = 0; j < QK; j++) {
    out[yo + j] = (((q[qo + 2 + j] as number) << 24) >> 24) * d;
  }
}

/** ggml's `q8_0`, a block at a time. */
export const q8_0: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
