/**
 * The block formats' members of the reference backend (see Kernels): each calls its format's
 * reference kernel (./ggml/, ./mx.ts, ./bnb.ts), adding what the contract asks of it: the ggml
 * quantizers and quantize4bit report NaN and ±Infinity, the MXFP4 members run blocks of 32
 * consecutive values. The fast backend (./fast/blocks.ts) gives the same bits.
 */
import type { BnbFormat } from "../dtypes/bnb.js";
import { MX_FORMATS } from "../dtypes/mx.js";
import {
  type Codebook,
  dequantize4bit as dequantizeBook,
  FP4_BOOK,
  NF4_BOOK,
  nearestCode,
  quantizeBlockwise,
} from "./bnb.js";
import { GGML_KERNELS } from "./ggml/index.js";
import { dequantizeMx, type MxLayout, quantizeMx } from "./mx.js";
import { packHighFirst, packLowFirst } from "./nibbles.js";
import type { Kernels } from "./types.js";

/** The members of Kernels for the block formats. */
export type BlockKernels = Pick<
  Kernels,
  | "quantizeQ8_0"
  | "dequantizeQ8_0"
  | "quantizeQ4_0"
  | "dequantizeQ4_0"
  | "quantizeQ4_K"
  | "dequantizeQ4_K"
  | "quantizeQ6_K"
  | "dequantizeQ6_K"
  | "quantizeMxfp4"
  | "dequantizeMxfp4"
  | "quantize4bit"
  | "dequantize4bit"
>;

/** bitsandbytes' codebooks, by format. */
export const BNB_BOOKS: Readonly<Record<BnbFormat, Codebook>> = { nf4: NF4_BOOK, fp4: FP4_BOOK };

/** The index of the first value of x[from, to) that is NaN or ±Infinity, or -1. */
export function firstNonFinite(x: Float32Array, from = 0, to = x.length): number {
  for (let i = from; i < to; i++) {
    const v = x[i] as number;
    if (v - v !== 0) return i;
  }
  return -1;
}

/**
 * A ggml quantizer that also reports a block holding NaN or ±Infinity: the blocks before the first
 * such value go to `quantize`, whose answer wins if it fails earlier.
 */
function reportingNonFinite(
  quantize: (x: Float32Array, out: Uint8Array) => number,
  blockSize: number,
): (x: Float32Array, out: Uint8Array) => number {
  return (x, out) => {
    const i = firstNonFinite(x);
    if (i < 0) return quantize(x, out);
    const block = Math.floor(i / blockSize);
    const bad = quantize(x.subarray(0, block * blockSize), out);
    return bad >= 0 ? bad : block;
  };
}

/** Blocks of 32 consecutive values: the MX layout of a flat tensor (or of rows of 32k). */
function flatMx(n: number): MxLayout {
  return { outer: 1, dim: n, inner: 1, blockSize: 32 };
}

/** The reference backend's block members. */
export const referenceBlockKernels: BlockKernels = {
  quantizeQ8_0: reportingNonFinite(GGML_KERNELS.q8_0.quantize, 32),
  dequantizeQ8_0: GGML_KERNELS.q8_0.dequantize,
  quantizeQ4_0: reportingNonFinite(GGML_KERNELS.q4_0.quantize, 32),
  dequantizeQ4_0: GGML_KERNELS.q4_0.dequantize,
  quantizeQ4_K: reportingNonFinite(GGML_KERNELS.q4_K.quantize, 256),
  dequantizeQ4_K: GGML_KERNELS.q4_K.dequantize,
  quantizeQ6_K: reportingNonFinite(GGML_KERNELS.q6_K.quantize, 256),
  dequantizeQ6_K: GGML_KERNELS.q6_K.dequantize,
  quantizeMxfp4(rounding, x, scales, codes, packed) {
    const one = packed ? new Uint8Array(x.length) : codes;
    quantizeMx(MX_FORMATS.mxfp4, rounding, x, flatMx(x.length), scales, one);
    if (packed) packLowFirst(one, codes);
  },
  dequantizeMxfp4(scales, codes, packed, out) {
    dequantizeMx(MX_FORMATS.mxfp4, flatMx(out.length), scales, codes, packed, out);
  },
  quantize4bit(format, x, blockSize, codes, packed, absmax) {
    const bad = firstNonFinite(x);
    if (bad >= 0) return bad;
    const book = BNB_BOOKS[format];
    quantizeBlockwise(x, blockSize, book, codes, absmax);
    packHighFirst(codes, nearestCode(book, 0), packed);
    return -1;
  },
  dequantize4bit(format, packed, absmax, blockSize, out) {
    dequantizeBook(BNB_BOOKS[format], packed, absmax, blockSize, out);
  },
};
