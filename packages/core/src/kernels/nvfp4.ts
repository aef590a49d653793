/**
 * The NVFP4 kernels, torchao's recipe with every step one float32 operation (a float64 operation
 * on float32 operands rounded once by `Math.fround` or a Float32Array store: the same bits, as
 * float64 carries more than twice float32's precision). Reference loops only, no validation, no
 * allocation; see ../blocks/nvfp4.ts.
 */
import { NVFP4 } from "../dtypes/nvfp4.js";
import { FLOAT_FORMATS } from "../dtypes/table.js";
import { decodeCode, encodeBits } from "./floats.js";

const fround = Math.fround;
const E4M3 = FLOAT_FORMATS.float8e4m3fn;
const E2M1 = FLOAT_FORMATS.float4e2m1;
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const BLOCK = NVFP4.blockSize;

/** Every e2m1 value, by code. */
const E2M1_VALUES = Float64Array.from({ length: 16 }, (_, c) => decodeCode(E2M1, c));
/** Every e4m3fn value, by code. */
const E4M3_VALUES = Float64Array.from({ length: 256 }, (_, c) => decodeCode(E4M3, c));

/** max |x| over x[from .. to), as float32 bits compared as integers (x finite). */
function amaxOf(bits: Uint32Array, from: number, to: number): number {
  let m = 0;
  for (let i = from; i < to; i++) {
    const a = (bits[i] as number) & 0x7fffffff;
    // Stryker disable next-line EqualityOperator: at a = m both keep the same value
    if (a > m) m = a;
  }
  U32[0] = m;
  return F32[0] as number;
}

/** `globalScale`: the tensor's amax / 2688, in float32. */
export function nvfp4GlobalScale(x: Float32Array): number {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  return fround(amaxOf(bits, 0, x.length) / NVFP4.globalDivisor);
}

/**
 * Quantizes finite `x` (blocks of 16 consecutive values) with tensor scale `g`: per block,
 * s = (amax / 6) / g clamped to [2^-6, 448] and cast to e4m3 (S its value), r = (1 / g) / S,
 * code = e2m1(clamp(x · r, -6, 6)). Returns -1, or the first block whose r is not finite (g too
 * small: `codes`/`scales` are then written only up to it).
 */
export function quantizeNvfp4(
  x: Float32Array,
  g: number,
  scales: Uint8Array,
  codes: Uint8Array,
): number {
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const inverse = fround(1 / g);
  const blocks = x.length / BLOCK;
  for (let b = 0; b < blocks; b++) {
    const from = b * BLOCK;
    let s = fround(fround(amaxOf(bits, from, from + BLOCK) / 6) / g);
    // Stryker disable next-line EqualityOperator,ConditionalExpression: at the bounds both give the bound; above 448 the saturating e4m3 cast gives 448 too
    s = s < NVFP4.minScale ? NVFP4.minScale : s > NVFP4.maxScale ? NVFP4.maxScale : s;
    F32[0] = s;
    // Stryker disable next-line BooleanLiteral: s is clamped to 448, e4m3fn's largest finite value, so it never overflows
    const code = encodeBits(E4M3, U32[0] as number, true);
    scales[b] = code;
    const r = fround(inverse / (E4M3_VALUES[code] as number));
    if (!Number.isFinite(r)) return b;
    // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
    for (let i = from; i < from + BLOCK; i++) {
      let y = fround((x[i] as number) * r);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: e2m1 has no infinity: encodeBits clamps any |y| > 6 to ±6 itself
      y = y < -6 ? -6 : y > 6 ? 6 : y;
      F32[0] = y;
      // Stryker disable next-line BooleanLiteral: e2m1 has only finite codes: encodeBits clamps with or without saturate
      codes[i] = encodeBits(E2M1, U32[0] as number, false);
    }
  }
  return -1;
}

/** `out[i] = e2m1(code i) · fround(g · e4m3(scale of its block))`, codes read from `packed`. */
export function dequantizeNvfp4(
  g: number,
  scales: Uint8Array,
  packed: Uint8Array,
  out: Float32Array,
): void {
  // Stryker disable next-line ArithmeticOperator: the extra blocks lie past the end of out: their writes are no-ops
  const blocks = out.length / BLOCK;
  // Stryker disable next-line EqualityOperator: block b = blocks lies past the end of out: its writes are no-ops
  for (let b = 0; b < blocks; b++) {
    const scale = fround(g * (E4M3_VALUES[scales[b] as number] as number));
    const from = b * BLOCK;
    // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
    for (let i = from; i < from + BLOCK; i += 2) {
      const byte = packed[i >>> 1] as number;
      out[i] = (E2M1_VALUES[byte & 15] as number) * scale;
      out[i + 1] = (E2M1_VALUES[byte >>> 4] as number) * scale;
    }
  }
}
