/**
 * The MX kernels (OCP Microscaling v1.0): a shared E8M0 scale per block along an axis, and the
 * element codes. Reference loops only, no validation, no allocation; see ../blocks/mx.ts.
 *
 * Exactness: x / 2^shared is a power-of-two scaling, exact in float64 (|x| / 2^shared < 2^16, down
 * to 2^-276); it is a float32 too, except where it falls below 2^-126, and there every element
 * format rounds it to ±0 whichever float32 it becomes (their smallest step is 2^-16 or more). The
 * element is then rounded once, from that float32's bits. Dequantization multiplies an exact
 * element value by a power of two in float64 and rounds once: the float32 product.
 */
import type { MxFormatInfo, MxRounding } from "../dtypes/mx.js";
import { FLOAT_FORMATS } from "../dtypes/table.js";
import { decodeCode, encodeBits } from "./floats.js";
import { roundHalfEven } from "./rounding.js";

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** A tensor seen as [outer, dim, inner] with blocks of `blockSize` along `dim`. */
export interface MxLayout {
  readonly outer: number;
  readonly dim: number;
  readonly inner: number;
  readonly blockSize: number;
}

/** The E8M0 code of a block whose largest magnitude (float32 bits, sign cleared) is `amax`. */
export function sharedScaleCode(amax: number, emax: number): number {
  if (amax >= 0x7f800000) return 0xff; // a NaN or an infinity in the block
  // Stryker disable next-line ConditionalExpression: the subnormal formula below gives code 0 for amax 0 too (log2 -150, clamped)
  if (amax === 0) return 0;
  const e = amax >>> 23;
  // floor(log2 amax), exact: the exponent field, or a subnormal's leading bit.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: a subnormal amax has log2 <= -127 and emax >= 0: the code clamps to 0 either way
  const log2 = e > 0 ? e - 127 : 31 - Math.clz32(amax) - 149;
  return Math.max(log2 - emax, -127) + 127;
}

/** The element encoder of a format: the code of v = x / 2^shared (a float64, exact). */
function encoderOf(info: MxFormatInfo, rounding: MxRounding): (v: number) => number {
  const away = rounding === "away";
  if (info.element === "int8") {
    return (v) => {
      const t = v * 64;
      const k = away ? Math.sign(t) * Math.floor(Math.abs(t) + 0.5) : roundHalfEven(t);
      // Stryker disable next-line EqualityOperator: at k = ±127 both branches give ±127
      return (k > 127 ? 127 : k < -127 ? -127 : k) & 0xff;
    };
  }
  const f = FLOAT_FORMATS[info.element];
  return (v) => {
    F32[0] = v;
    return encodeBits(f, U32[0] as number, true, away);
  };
}

/**
 * Writes the scale codes (shape [outer, ceil(dim / blockSize), inner]) and the element codes
 * (shape [outer, dim, inner], row-major) of `x`. A block holding NaN or ±Infinity gets scale 0xFF
 * and element codes 0.
 */
export function quantizeMx(
  info: MxFormatInfo,
  rounding: MxRounding,
  x: Float32Array,
  layout: MxLayout,
  scales: Uint8Array,
  codes: Uint8Array,
): void {
  const { outer, dim, inner, blockSize } = layout;
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const encode = encoderOf(info, rounding);
  const blocks = Math.ceil(dim / blockSize);
  const amax = new Uint32Array(inner);
  const factor = new Float64Array(inner); // 2^-shared, or NaN for a NaN block
  // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
  for (let o = 0; o < outer; o++) {
    // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
    for (let b = 0; b < blocks; b++) {
      const first = b * blockSize;
      const end = Math.min(dim, first + blockSize);
      amax.fill(0);
      for (let j = first; j < end; j++) {
        const base = (o * dim + j) * inner;
        // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
        for (let i = 0; i < inner; i++) {
          const a = (bits[base + i] as number) & 0x7fffffff;
          // Stryker disable next-line EqualityOperator: at a = amax both keep the same value
          if (a > (amax[i] as number)) amax[i] = a;
        }
      }
      const scaleBase = (o * blocks + b) * inner;
      // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
      for (let i = 0; i < inner; i++) {
        const code = sharedScaleCode(amax[i] as number, info.emax);
        scales[scaleBase + i] = code;
        factor[i] = code === 0xff ? Number.NaN : 2 ** (127 - code);
      }
      // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
      for (let j = first; j < end; j++) {
        const base = (o * dim + j) * inner;
        // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
        for (let i = 0; i < inner; i++) {
          const s = factor[i] as number;
          codes[base + i] = Number.isNaN(s) ? 0 : encode((x[base + i] as number) * s);
        }
      }
    }
  }
}

/** The value of every element code of a format (int8: k / 64), by code. */
export function elementValues(info: MxFormatInfo): Float64Array {
  const values = new Float64Array(2 ** info.elementBits);
  if (info.element === "int8") {
    // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
    for (let c = 0; c < 256; c++) values[c] = ((c << 24) >> 24) / 64;
  } else {
    const f = FLOAT_FORMATS[info.element];
    // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
    for (let c = 0; c < values.length; c++) values[c] = decodeCode(f, c);
  }
  return values;
}

/**
 * `out[i] = element(codes[i]) · 2^(scale - 127)`, rounded once to float32; NaN where the block's
 * scale is 0xFF. With `packed`, `codes` holds two 4-bit codes a byte, the first in the low nibble.
 */
export function dequantizeMx(
  info: MxFormatInfo,
  layout: MxLayout,
  scales: Uint8Array,
  codes: Uint8Array,
  packed: boolean,
  out: Float32Array,
): void {
  const { outer, dim, inner, blockSize } = layout;
  const values = elementValues(info);
  const blocks = Math.ceil(dim / blockSize);
  // Stryker disable next-line ConditionalExpression,BlockStatement: the general loops below give the same values (this path is only faster)
  if (inner === 1 && !packed) {
    // Blocks of consecutive values (the last axis): one scale, one contiguous run.
    // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
    for (let r = 0; r < outer; r++) {
      // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
      for (let b = 0; b < blocks; b++) {
        const code = scales[r * blocks + b] as number;
        const s = code === 0xff ? Number.NaN : 2 ** (code - 127);
        // Stryker disable next-line MethodExpression: the longer run writes only values the next blocks overwrite, or past the end
        const end = r * dim + Math.min(dim, (b + 1) * blockSize);
        // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
        for (let k = r * dim + b * blockSize; k < end; k++) {
          out[k] = (values[codes[k] as number] as number) * s;
        }
      }
    }
    return;
  }
  const factor = new Float64Array(inner);
  // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
  for (let o = 0; o < outer; o++) {
    // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
    for (let b = 0; b < blocks; b++) {
      const first = b * blockSize;
      // Stryker disable next-line MethodExpression: the longer run writes only values the next blocks overwrite, or past the end
      const end = Math.min(dim, first + blockSize);
      const scaleBase = (o * blocks + b) * inner;
      // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
      for (let i = 0; i < inner; i++) {
        const code = scales[scaleBase + i] as number;
        factor[i] = code === 0xff ? Number.NaN : 2 ** (code - 127);
      }
      // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
      for (let j = first; j < end; j++) {
        const base = (o * dim + j) * inner;
        // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
        for (let i = 0; i < inner; i++) {
          const k = base + i;
          const c = packed ? ((codes[k >>> 1] as number) >> ((k & 1) << 2)) & 15 : codes[k];
          out[k] = (values[c as number] as number) * (factor[i] as number);
        }
      }
    }
  }
}
