/**
 * q3_K (`block_q3_K`, 110 bytes for 256 values): `hmask` u8[32], `qs` u8[64], `scales` u8[12],
 * `d` fp16. Value i is `(d * (s - 32)) * (q + 4h - 4)`: q its 2-bit field (see `pack2Bits`), h bit
 * i / 32 of `hmask[i % 32]`, s the 6-bit scale of sub-block j = i / 16 (low 4 bits:
 * `scales[j] & 15` for j < 8, `scales[j - 8] >> 4` otherwise; high 2 bits:
 * `(scales[8 + j % 4] >> 2 * (j / 4)) & 3`). ggml's `quantize_row_q3_K_ref` and
 * `dequantize_row_q3_K`.
 */
import {
  type BlockCodec,
  fround,
  GROUP_MAX_EPS,
  isFiniteHalf,
  nearestInt,
  pack2Bits,
  readHalf,
  signedMax,
  toInt8,
  writeHalf,
} from "./common.js";

const QK = 256;
const BYTES = 110;

const L = new Int8Array(QK);
const scales = new Float32Array(16);

/**
 * ggml's `make_q3_quants` (nmax 4, with its refinement) for the 16 values at `xo`: levels
 * `L[lo ..]` in [0, 7] (l + 4), returns the scale. Starts from
 * `l = clamp(rne((-4 / max) * x), -4, 3)` with weights `x * x`, then up to 5 passes move one level
 * at a time to `clamp(rne((x * sl2) / slx), -4, 3)` when that raises `sumlx^2 / suml2`.
 */
function makeQ3Quants(x: Float32Array, xo: number, lo: number): number {
  const n = 16;
  const max = signedMax(x, xo, n);
  if (Math.abs(max) < GROUP_MAX_EPS) {
    L.fill(0, lo, lo + n);
    return 0;
  }
  const iscale = fround(-4 / max);
  let sumlx = 0;
  let suml2 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xo + i] as number;
    const l = Math.max(-4, Math.min(3, nearestInt(fround(iscale * v))));
    L[lo + i] = l;
    const w = fround(v * v);
    sumlx = fround(sumlx + fround(fround(w * v) * l));
    suml2 = fround(suml2 + fround(fround(w * l) * l));
  }
  for (let pass = 0; pass < 5; pass++) {
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const v = x[xo + i] as number;
      const w = fround(v * v);
      const old = L[lo + i] as number;
      let slx = fround(sumlx - fround(fround(w * v) * old));
      if (slx > 0) {
        let sl2 = fround(suml2 - fround(fround(w * old) * old));
        const l = Math.max(-4, Math.min(3, nearestInt(fround(fround(v * sl2) / slx))));
        if (l !== old) {
          slx = fround(slx + fround(fround(w * v) * l));
          sl2 = fround(sl2 + fround(fround(w * l) * l));
          if (sl2 > 0 && fround(fround(slx * slx) * suml2) > fround(fround(sumlx * sumlx) * sl2)) {
            L[lo + i] = l;
            sumlx = slx;
            suml2 = sl2;
            changed++;
          }
        }
      }
    }
    if (changed === 0) break;
  }
  for (let i = lo; i < lo + n; i++) L[i] = (L[i] as number) + 4;
  return suml2 > 0 ? fround(sumlx / suml2) : 0;
}

/**
 * Per sub-block of 16, `makeQ3Quants`. The scale of largest magnitude `max_scale` (0: scales 0,
 * d = 0); `iscale = -32 / max_scale`, `s_j = clamp(rne(iscale * scale_j), -32, 31) + 32`,
 * `d = fp16(1 / iscale)`; then the levels again from the stored fields:
 * `L = clamp(rne(x / (d * (s_j - 32))), -4, 3) + 4` where that divisor is not 0.
 * False when the block's d is not finite in fp16 or its sub-block sums overflow
 * float32 into a NaN scale (|x| beyond about 1e18, where ggml would silently store a zero scale).
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  let amax = 0;
  let maxScale = 0;
  for (let j = 0; j < 16; j++) {
    const scale = makeQ3Quants(x, xo + 16 * j, 16 * j);
    if (Number.isNaN(scale)) return false;
    scales[j] = scale;
    if (Math.abs(scale) > amax) {
      amax = Math.abs(scale);
      maxScale = scale;
    }
  }
  const so = yo + 96;
  out.fill(0, so, so + 12);
  let h: number;
  if (maxScale !== 0) {
    const iscale = fround(-32 / maxScale);
    for (let j = 0; j < 16; j++) {
      let l = toInt8(nearestInt(fround(iscale * (scales[j] as number))));
      l = Math.max(-32, Math.min(31, l)) + 32;
      if (j < 8) out[so + j] = l & 0x0f;
      else out[so + j - 8] = (out[so + j - 8] as number) | ((l & 0x0f) << 4);
      out[so + 8 + (j % 4)] = (out[so + 8 + (j % 4)] as number) | ((l >> 4) << (2 * (j >> 2)));
    }
    h = writeHalf(out, yo + 108, fround(1 / iscale));
  } else {
    h = writeHalf(out, yo + 108, 0);
  }
  if (!isFiniteHalf(h)) return false;
  const d = readHalf(out, yo + 108);
  for (let j = 0; j < 16; j++) {
    const dj = fround(d * (q3Scale(out, so, j) - 32));
    if (dj === 0) continue;
    for (let i = 16 * j; i < 16 * j + 16; i++) {
      const l = nearestInt(fround((x[xo + i] as number) / dj));
      L[i] = Math.max(-4, Math.min(3, l)) + 4;
    }
  }
  out.fill(0, yo, yo + 32);
  for (let i = 0; i < QK; i++) {
    if ((L[i] as number) > 3) {
      out[yo + (i % 32)] = (out[yo + (i % 32)] as number) | (1 << (i >> 5));
      L[i] = (L[i] as number) - 4;
    }
  }
  pack2Bits(L, out, yo + 32);
  return true;
}

/** The 6-bit scale s of sub-block j from the 12 `scales` bytes at `so`. */
function q3Scale(q: Uint8Array, so: number, j: number): number {
  const low = j < 8 ? (q[so + j] as number) & 0x0f : (q[so + j - 8] as number) >> 4;
  return low | ((((q[so + 8 + (j % 4)] as number) >> (2 * (j >> 2))) & 3) << 4);
}

/** `(d * (s - 32)) * (q + 4h - 4)`, both products in float32. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readHalf(q, qo + 108);
  for (let j = 0; j < 16; j++) {
    const dl = fround(d * (q3Scale(q, qo + 96, j) - 32));
    for (let i = 16 * j; i < 16 * j + 16; i++) {
      const c = i & 31;
      const shift = 2 * ((i >> 5) & 3);
      const v = ((q[qo + 32 + 32 * (i >> 7) + c] as number) >> shift) & 3;
      const h = ((q[qo + c] as number) >> (i >> 5)) & 1;
      out[yo + i] = dl * (v + 4 * h - 4);
    }
  }
}

/** ggml's `q3_K`, a block at a time. */
export const q3_K: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
