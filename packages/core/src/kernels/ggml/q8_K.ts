/**
 * q8_K (`block_q8_K`, 292 bytes for 256 values): `d` float32, `qs` int8[256], `bsums` int16[16]
 * (`bsums[j]` = the sum of `qs[16j .. 16j + 15]`); value i is `d * qs[i]`.
 * ggml's `quantize_row_q8_K_ref` and `dequantize_row_q8_K`.
 */
import {
  type BlockCodec,
  fround,
  nearestInt,
  readFloat32,
  signedMax,
  writeFloat32,
} from "./common.js";

const QK = 256;
const BYTES = 292;

/**
 * `iscale = -127 / max`, `qs = min(127, nearest_int(iscale * x))`, `d = 1 / iscale` as float32.
 * An all-zero block stores d = 0, qs = 0 and bsums = 0 (ggml leaves bsums unwritten there).
 * Every finite input is storable: returns -1.
 */
function quantizeBlock(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean {
  const max = signedMax(x, xo, QK);
  if (max === 0) {
    out.fill(0, yo, yo + BYTES);
    return true;
  }
  const iscale = fround(-127 / max);
  for (let j = 0; j < QK / 16; j++) {
    let sum = 0;
    for (let i = 16 * j; i < 16 * j + 16; i++) {
      const q = (Math.min(127, nearestInt(fround(iscale * (x[xo + i] as number)))) << 24) >> 24;
      out[yo + 4 + i] = q & 0xff;
      sum += q;
    }
    out[yo + 260 + 2 * j] = sum & 0xff;
    out[yo + 261 + 2 * j] = (sum >> 8) & 0xff;
  }
  writeFloat32(out, yo, fround(1 / iscale));
  return true;
}

/** `d * qs[i]`. */
function dequantizeBlock(q: Uint8Array, qo: number, out: Float32Array, yo: number): void {
  const d = readFloat32(q, qo);
  for (let j = 0; j < QK; j++) out[yo + j] = d * (((q[qo + 4 + j] as number) << 24) >> 24);
}

/** ggml's `q8_K`, a block at a time. */
export const q8_K: BlockCodec = {
  values: QK,
  bytes: BYTES,
  quantize: quantizeBlock,
  dequantize: dequantizeBlock,
};
