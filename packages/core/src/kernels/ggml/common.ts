/**
 * What every ggml block kernel shares: ggml's `nearest_int`, the fp16 and float32 fields, and the
 * constants of its reference code. Plain functions over typed arrays; no validation, no allocation.
 */
import { float16BitsToFloat32, float32ToFloat16Bits } from "../floats.js";

export const fround = Math.fround;

/** One ggml type's codec, a block at a time: what each format file defines (./index.ts loops it over rows). */
export interface BlockCodec {
  /** Values, and bytes, per block. */
  readonly values: number;
  readonly bytes: number;
  /** Quantizes the block of values at `x[xo]` into the bytes at `out[yo]`; false when it cannot be stored. */
  quantize(x: Float32Array, xo: number, out: Uint8Array, yo: number): boolean;
  /** Decodes the block of bytes at `q[qo]` into the values at `out[yo]`. */
  dequantize(q: Uint8Array, qo: number, out: Float32Array, yo: number): void;
}

/** ggml's `GROUP_MAX_EPS` (1e-15f): below it a group counts as all zero. */
export const GROUP_MAX_EPS = fround(1e-15);

/** `0.1f`, the step of ggml's scale searches. */
export const TENTH = fround(0.1);

/** `FLT_MAX`, where ggml starts its min/max scans. */
export const FLT_MAX = fround(3.4028234663852886e38);

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);
const U32 = new Uint32Array(F32.buffer);

/**
 * ggml's `nearest_int`: `v + 1.5 * 2^23` in float32, then the low 22 bits of its mantissa, less
 * 2^22. For |v| <= 4194303 that is `v` rounded to nearest, ties to even; beyond, the same bits
 * (ggml only asserts the range), which the callers then clamp. The double sum stored into a
 * Float32Array rounds exactly as the float32 addition does (53 >= 2 * 24 + 2 bits).
 */
export function nearestInt(v: number): number {
  F32[0] = v + 12582912;
  return (I32[0] & 0x007fffff) - 0x00400000;
}

/** C's conversion of an int to `int8_t` (gcc: keep the low 8 bits, two's complement). */
export function toInt8(v: number): number {
  return (v << 24) >> 24;
}

/** Writes `value` as fp16 (nearest, ties to even) at `offset`, little-endian; returns its bits. */
export function writeHalf(out: Uint8Array, offset: number, value: number): number {
  const h = float32ToFloat16Bits(value);
  out[offset] = h & 0xff;
  out[offset + 1] = h >>> 8;
  return h;
}

/** The fp16 field at `offset`, widened to float32 (exact). */
export function readHalf(bytes: Uint8Array, offset: number): number {
  return float16BitsToFloat32((bytes[offset] as number) | ((bytes[offset + 1] as number) << 8));
}

/** Whether fp16 bits hold a finite value (not ±Infinity, not NaN). */
export function isFiniteHalf(h: number): boolean {
  return (h & 0x7c00) !== 0x7c00;
}

/**
 * The header of ggml's `_0` blocks (q4_0, q5_0): `d = max / divisor` (max the signed value of
 * largest magnitude in `x[xo, xo + n)`, see signedMax) written as fp16 at `yo`; an all-zero block
 * stores d = -0. Returns `id = d ? 1 / d : 0`, or undefined when d overflows fp16 or 1 / d
 * overflows float32.
 */
export function scaleHeader(
  x: Float32Array,
  xo: number,
  n: number,
  divisor: number,
  out: Uint8Array,
  yo: number,
): number | undefined {
  const d = fround(signedMax(x, xo, n) / divisor);
  const id = d !== 0 ? fround(1 / d) : 0;
  const h = writeHalf(out, yo, d);
  return isFiniteHalf(h) && Number.isFinite(id) ? id : undefined;
}

/**
 * The header of ggml's `_1` blocks (q4_1, q5_1): min and max of `x[xo, xo + n)` as ggml scans them
 * (from ±FLT_MAX), `d = (max - min) / levels` and `m = min` written as fp16 at `yo` and `yo + 2`.
 * Returns `[id, min]` with `id = d ? 1 / d : 0` (one array, reused by every call), or undefined
 * when d or m overflows fp16 or 1 / d overflows float32.
 */
export function minScaleHeader(
  x: Float32Array,
  xo: number,
  n: number,
  levels: number,
  out: Uint8Array,
  yo: number,
): Float64Array | undefined {
  let min = FLT_MAX;
  let max = -FLT_MAX;
  for (let j = 0; j < n; j++) {
    const v = x[xo + j] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const d = fround(fround(max - min) / levels);
  const id = d !== 0 ? fround(1 / d) : 0;
  const hd = writeHalf(out, yo, d);
  const hm = writeHalf(out, yo + 2, min);
  if (!isFiniteHalf(hd) || !isFiniteHalf(hm) || !Number.isFinite(id)) return undefined;
  HEADER[0] = id;
  HEADER[1] = min;
  return HEADER;
}

const HEADER = new Float64Array(2);

/** Writes a float32 at `offset`, little-endian. */
export function writeFloat32(out: Uint8Array, offset: number, value: number): void {
  F32[0] = value;
  const bits = U32[0] as number;
  out[offset] = bits & 0xff;
  out[offset + 1] = (bits >>> 8) & 0xff;
  out[offset + 2] = (bits >>> 16) & 0xff;
  out[offset + 3] = bits >>> 24;
}

/** The float32 at `offset`, little-endian. */
export function readFloat32(bytes: Uint8Array, offset: number): number {
  U32[0] =
    ((bytes[offset] as number) |
      ((bytes[offset + 1] as number) << 8) |
      ((bytes[offset + 2] as number) << 16) |
      ((bytes[offset + 3] as number) << 24)) >>>
    0;
  return F32[0] as number;
}

/** The little-endian uint32 at `offset`. */
export function readUint32(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset] as number) |
      ((bytes[offset + 1] as number) << 8) |
      ((bytes[offset + 2] as number) << 16) |
      ((bytes[offset + 3] as number) << 24)) >>>
    0
  );
}

/** Writes a little-endian uint32 at `offset`. */
export function writeUint32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = value & 0xff;
  out[offset + 1] = (value >>> 8) & 0xff;
  out[offset + 2] = (value >>> 16) & 0xff;
  out[offset + 3] = value >>> 24;
}

/**
 * The signed value of largest magnitude in `x[offset .. offset + n)`: the first one wins a tie,
 * 0 for all zeros (ggml's `if (ax > amax) { amax = ax; max = x; }`).
 */
export function signedMax(x: Float32Array, offset: number, n: number): number {
  let amax = 0;
  let max = 0;
  for (let i = offset; i < offset + n; i++) {
    const v = x[i] as number;
    const a = Math.abs(v);
    if (a > amax) {
      amax = a;
      max = v;
    }
  }
  return max;
}

/**
 * Packs 2-bit values: for each half (128 values) of a 256-value block, byte `32a + c` of `qs`
 * holds L[128a + c], L[128a + 32 + c], L[128a + 64 + c], L[128a + 96 + c] in bits 0-1, 2-3, 4-5,
 * 6-7 (q2_K and the low bits of q3_K).
 */
export function pack2Bits(L: ArrayLike<number>, out: Uint8Array, offset: number): void {
  for (let a = 0; a < 2; a++) {
    const j = 128 * a;
    for (let c = 0; c < 32; c++) {
      out[offset + 32 * a + c] =
        (L[j + c] as number) |
        ((L[j + c + 32] as number) << 2) |
        ((L[j + c + 64] as number) << 4) |
        ((L[j + c + 96] as number) << 6);
    }
  }
}
