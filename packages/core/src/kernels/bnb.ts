/**
 * The bitsandbytes kernels, as its default (torch) backend computes them: blockwise absmax
 * scaling, the nearest table entry by midpoints, double quantization of the absmax values against
 * the dynamic 8-bit map. Every step is one float32 operation (a float64 operation on float32
 * operands, rounded once: the same bits). Reference loops only, no validation, no allocation
 * beyond scratch; see ../blocks/bnb.ts.
 */
import { BNB_ABSMAX_FLOOR, BNB_NESTED_BLOCK_SIZE, BNB_TABLES } from "../dtypes/bnb.js";

const fround = Math.fround;

/** A code table ready for quantizing: the code of each sorted value and the midpoints between. */
export interface Codebook {
  /** The value of each code. */
  readonly values: Float64Array;
  /** `bounds[k] = fround(fround(sorted[k] + sorted[k + 1]) / 2)`. */
  readonly bounds: Float64Array;
  /** `order[k]`: the code of the k-th smallest value (equal values keep their code order). */
  readonly order: Uint8Array;
}

/** The codebook of a table (values by code). */
export function codebookOf(table: readonly number[]): Codebook {
  const order = Uint8Array.from(table.keys()).sort(
    (a, b) => (table[a] as number) - (table[b] as number) || a - b,
  );
  const bounds = new Float64Array(table.length - 1);
  for (let k = 0; k < bounds.length; k++) {
    const lo = table[order[k] as number] as number;
    const hi = table[order[k + 1] as number] as number;
    bounds[k] = fround(fround(lo + hi) / 2);
  }
  return { values: Float64Array.from(table), bounds, order };
}

export const NF4_BOOK = codebookOf(BNB_TABLES.nf4);
export const FP4_BOOK = codebookOf(BNB_TABLES.fp4);
export const DYNAMIC8_BOOK = codebookOf(BNB_TABLES.dynamic8);

/**
 * The code of y in [-1, 1]: the sorted value whose upper midpoint is the first >= y (torch's
 * `bucketize`, so a y on a midpoint takes the lower value), as its table code.
 */
export function nearestCode(book: Codebook, y: number): number {
  const bounds = book.bounds;
  let lo = 0;
  let hi = bounds.length; // the answer is in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((bounds[mid] as number) >= y) hi = mid;
    else lo = mid + 1;
  }
  return book.order[lo] as number;
}

/**
 * bitsandbytes' two steps over blocks of `blockSize` (finite `x`): absmax = max |x| of a block
 * (a short last block stores max(absmax, 1e-38)); y = x · fround(1 / max(absmax, 1e-38)) in a
 * full block, x / max(absmax, 1e-38) in the short last one; clamp y to [-1, 1]; its nearest code.
 */
export function quantizeBlockwise(
  x: Float32Array,
  blockSize: number,
  book: Codebook,
  codes: Uint8Array,
  absmax: Float32Array,
): void {
  const n = x.length;
  const blocks = Math.ceil(n / blockSize);
  // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
  for (let b = 0; b < blocks; b++) {
    const from = b * blockSize;
    const to = Math.min(n, from + blockSize);
    let m = 0;
    for (let i = from; i < to; i++) {
      const a = Math.abs(x[i] as number);
      // Stryker disable next-line EqualityOperator: at a = m both keep the same value
      if (a > m) m = a;
    }
    // Stryker disable next-line EqualityOperator: at m = the floor both branches give the floor
    const floored = m < BNB_ABSMAX_FLOOR ? BNB_ABSMAX_FLOOR : m;
    const full = to - from === blockSize;
    absmax[b] = full ? m : floored;
    const inverse = fround(1 / floored);
    // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
    for (let i = from; i < to; i++) {
      const v = x[i] as number;
      let y = full ? fround(v * inverse) : fround(v / floored);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: nearestCode gives the first code for any y <= -1 and the last for any y >= 1 unclamped too
      y = y < -1 ? -1 : y > 1 ? 1 : y;
      codes[i] = nearestCode(book, y);
    }
  }
}

/**
 * Double quantization: offset = mean(absmax) (in float64, rounded once to float32), then the
 * float32 differences absmax - offset quantized in blocks of 256 against the dynamic map.
 * Returns the offset.
 */
export function quantizeNested(
  absmax: Float32Array,
  codes: Uint8Array,
  nestedAbsmax: Float32Array,
): number {
  let sum = 0;
  for (let i = 0; i < absmax.length; i++) sum += absmax[i] as number;
  const offset = absmax.length === 0 ? 0 : fround(sum / absmax.length);
  const centred = new Float32Array(absmax.length);
  // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
  for (let i = 0; i < absmax.length; i++) centred[i] = (absmax[i] as number) - offset;
  quantizeBlockwise(centred, BNB_NESTED_BLOCK_SIZE, DYNAMIC8_BOOK, codes, nestedAbsmax);
  return offset;
}

/** The absmax values of a double quantization: fround(fround(dyn[c] · nested) + offset). */
export function dequantizeNested(
  codes: Uint8Array,
  nestedAbsmax: Float32Array,
  offset: number,
  out: Float32Array,
): void {
  const values = DYNAMIC8_BOOK.values;
  // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
  for (let i = 0; i < codes.length; i++) {
    const a = fround(
      (values[codes[i] as number] as number) *
        (nestedAbsmax[Math.floor(i / BNB_NESTED_BLOCK_SIZE)] as number),
    );
    out[i] = a + offset;
  }
}

/** `out[i] = table[code i] · absmax[block of i]`, the codes two a byte, the first in the high nibble. */
export function dequantize4bit(
  book: Codebook,
  packed: Uint8Array,
  absmax: Float32Array,
  blockSize: number,
  out: Float32Array,
): void {
  const values = book.values;
  const n = out.length;
  // Stryker disable next-line EqualityOperator: the extra block (b * blockSize = n) is empty
  for (let b = 0; b * blockSize < n; b++) {
    const scale = absmax[b] as number;
    // Stryker disable next-line MethodExpression: the longer run writes only values the next blocks overwrite, or past the end
    const to = Math.min(n, (b + 1) * blockSize);
    // Stryker disable next-line EqualityOperator: one more pass touches only indices past the typed arrays' ends (a no-op) or ones a later pass overwrites
    for (let i = b * blockSize; i < to; i++) {
      const byte = packed[i >>> 1] as number;
      out[i] = (values[i & 1 ? byte & 15 : byte >>> 4] as number) * scale;
    }
  }
}
