/**
 * The block formats' ops of the bench, their inputs (quantized once, on the default backend) and
 * their reference outputs (@quantlab/core's public functions with `{ backend: "reference" }`).
 */
import {
  type BnbTensor,
  type DequantizeGgmlOptions,
  dequantizeBnb,
  dequantizeGgml,
  dequantizeMx,
  GGML_TYPES,
  type GgmlTensor,
  type MxTensor,
  quantizeBnb,
  quantizeGgml,
  quantizeMx,
} from "@quantlab/core";
import { perDataCache } from "./data.js";
import type { Op, OpData } from "./impls.js";

/**
 * The block formats' ops: ggml's q8_0, q4_0, q4_K and q6_K ([rows, rows] values), OCP MXFP4
 * (blocks of 32 along the last axis, codes packed two a byte) and bitsandbytes' NF4 (blocks of
 * 64), quantize and dequantize.
 */
export const BLOCK_OPS = [
  "quantize-q8_0",
  "dequantize-q8_0",
  "quantize-q4_0",
  "dequantize-q4_0",
  "quantize-q4_K",
  "dequantize-q4_K",
  "quantize-q6_K",
  "dequantize-q6_K",
  "quantize-mxfp4",
  "dequantize-mxfp4",
  "quantize-nf4",
  "dequantize-nf4",
] as const;
export type BlockOp = (typeof BLOCK_OPS)[number];

/** A block format of the bench. */
export type BlockFormat = "q8_0" | "q4_0" | "q4_K" | "q6_K" | "mxfp4" | "nf4";

export function isBlockOp(op: Op): op is BlockOp {
  return (BLOCK_OPS as readonly string[]).includes(op);
}

/** The direction and the format of a block op. */
export function blockOp(op: BlockOp): { quantize: boolean; format: BlockFormat } {
  const [kind, format] = op.split("-") as ["quantize" | "dequantize", BlockFormat];
  return { quantize: kind === "quantize", format };
}

/** Bytes a value of a block format stores: its share of codes and scales. */
export function storedBytes(format: BlockFormat): number {
  if (format === "mxfp4") return 0.5 + 1 / 32;
  if (format === "nf4") return 0.5 + 4 / 64;
  return GGML_TYPES[format].bytesPerBlock / GGML_TYPES[format].blockSize;
}

/** A block format's quantized tensor. */
export type Quantized = GgmlTensor | MxTensor | BnbTensor;

const inputs = perDataCache<BlockFormat, Quantized>();

/**
 * data.x as [rows, rows] in `format` (mxfp4 packed, nf4 in blocks of 64), the input of the
 * dequantize ops: made once per size, on the default backend (the tests show its bytes are the
 * reference's).
 */
export function quantizedInput(data: OpData, format: BlockFormat): Quantized {
  return inputs(data, format, () =>
    quantizeBlock(data.x, [data.rows, data.n / data.rows], format, "auto"),
  );
}

/** x as `shape` in `format`: mxfp4 packed, nf4 in blocks of 64. */
export function quantizeBlock(
  x: Float32Array,
  shape: readonly number[],
  format: BlockFormat,
  backend: "auto" | "reference",
): Quantized {
  if (format === "mxfp4") return quantizeMx(x, "mxfp4", { shape, pack: true, backend });
  if (format === "nf4") return quantizeBnb(x, "nf4", { shape, backend });
  return quantizeGgml(x, format, { shape, backend });
}

/** The codes' bytes of a block tensor: mxfp4's packed codes, nf4's packed bytes, ggml's blocks. */
export function blockCodes(q: Quantized, format: BlockFormat): Uint8Array {
  if (format === "mxfp4") return (q as MxTensor).codes;
  if (format === "nf4") return (q as BnbTensor).packed;
  return (q as GgmlTensor).data;
}

/** q's values (the three formats' dequantize options have the same fields). */
export function dequantizeBlock(
  q: Quantized,
  format: BlockFormat,
  options: DequantizeGgmlOptions,
): Float32Array {
  if (format === "mxfp4") return dequantizeMx(q as MxTensor, options).data;
  if (format === "nf4") return dequantizeBnb(q as BnbTensor, options).data;
  return dequantizeGgml(q as GgmlTensor, options).data;
}

/** The reference's output of a block op: the codes (see impls.ts), or the values. */
export function blockReference(op: BlockOp, data: OpData): ArrayLike<number> {
  const { quantize, format } = blockOp(op);
  const backend = "reference";
  if (quantize) {
    const shape = [data.rows, data.n / data.rows];
    return blockCodes(quantizeBlock(data.x, shape, format, backend), format);
  }
  return dequantizeBlock(quantizedInput(data, format), format, { backend });
}
