/**
 * iq4_nl (`block_iq4_nl`, 18 bytes for 32 values): `d` fp16, `qs` u8[16]; value i is
 * `d * T[n]`, n as in q4_0, T ggml's non-linear grid `kvalues_iq4nl`.
 * ggml's `quantize_row_iq4_nl_ref` and `dequantize_row_iq4_nl`.
 */
import {
  type BlockCodec,
  fround,
  GROUP_MAX_EPS,
  isFiniteHalf,
  readHalf,
  writeHalf,
} from "./common.js";

const QK = 32;
const BYTES = 18;

/** `kvalues_iq4nl`: the 16 levels, in units of d. */
export const IQ4_NL_GRID: readonly number[] = Object.freeze([
  -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113,
]);

const T = Int8Array.from(IQ4_NL_GRID);
const L = new Uint8Array(QK);

/**
 * ggml's `best_index_int8`: the index of the level nearest `a` (a <= T[0]: 0; a >= T[15]: 15;
 * between T[k] <= a < T[k + 1], k if `a - T[k] < T[k + 1] - a` in float32, else k + 1).
 */
function bestIndex(a: number): number {
  if (a <= -127) return 0;
  if (a >= 113) return 15;
  let lo = 0;
  let hi = 15;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (a < (T[mid] as number)) hi = mid;
    else lo = mid;
  }
  return fround(a - (T[lo] as number)) < fround((T[hi] as number) - a) ? lo : hi;
}

/**
 * `n = best((1 / d0) * x)` with `d0 = max / -127`; stored `d = sumqx / sumq2` (0 if sumq2 = 0),
 * with `w = x * x`, `sumqx += (w * T[n]) * x`, `sumq2 += (w * T[n]) * T[n]`. ggml leaves the
 * nibbles of a block with largest |x| < 1e-15 unset (they hold whatever its scratch held); this
 * kernel writes 8 there (T[8] = 1, the level nearest 0), with d = 0, so the block decodes to +0.
 * False when the block's d is not finite in fp16.
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  let amax = 0;
  let max = 0;
  for (let j = 0; j < QK; j++) {
    const v = x[xo + j] as number;
    const a = Math.abs(v);
    if (a > amax) {
      amax = a;
      max = v;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    writeHalf(out, yo, 0);
    out.fill(0x88, yo + 2, yo + BYTES);
    return true;
  }
  const id = fround(1 / fround(max / -127));
  let sumqx = 0;
  let sumq2 = 0;
  for (let j = 0; j < QK; j++) {
    const v = x[xo + j] as number;
    const n = bestIndex(fround(id * v));
    L[j] = n;
    const q = T[n] as number;
    const wq = fround(fround(v * v) * q);
    sumqx = fround(sumqx + fround(wq * v));
    sumq2 = fround(sumq2 + fround(wq * q));
  }
  const d = sumq2 > 0 ? fround(sumqx / sumq2) : 0;
  if (!isFiniteHalf(writeHalf(out, yo, d))) return false;
  for (let j = 0; j < QK / 2; j++) {
    out[yo + 2 + j] = (L[j] as number) | ((L[j + QK / 2] as number) << 4);
  }
  return true;
}

/** `d * T[n]`. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readHalf(q, qo);
  for (let j = 0; j < QK / 2; j++) {
    const byte = q[qo + 2 + j] as number;
    out[yo + j] = d * (T[byte & 0x0f] as number);
    out[yo + QK / 2 + j] = d * (T[byte >> 4] as number);
  }
}

/** ggml's `iq4_nl`, a block at a time. */
export const iq4_nl: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
