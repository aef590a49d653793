/**
 * The block formats' ops of the bench, their inputs (quantized once, on the default backend) and
 * their reference outputs (@quantlab/core's public functions with `{ backend: "reference" }`).
 */
import {
  type BnbTensor,
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

const inputs = new WeakMap<OpData, Map<BlockFormat, Quantized>>();

/**
 * data.x as [rows, rows] in `format` (mxfp4 packed, nf4 in blocks of 64), the input of the
 * dequantize ops: made once per size, on the default backend (the tests show its bytes are the
 * reference's).
 */
export function quantizedInput(data: OpData, format: BlockFormat): Quantized {
  let byFormat = inputs.get(data);
  if (byFormat === undefined) {
    byFormat = new Map();
    inputs.set(data, byFormat);
  }
  const hit = byFormat.get(format);
  if (hit !== undefined) return hit;
  const q = quantizeBlock(data, format, "auto");
  byFormat.set(format, q);
  return q;
}

function quantizeBlock(
  data: OpData,
  format: BlockFormat,
  backend: "auto" | "reference",
): Quantized {
  const shape = [data.rows, data.n / data.rows];
  if (format === "mxfp4") return quantizeMx(data.x, "mxfp4", { shape, pack: true, backend });
  if (format === "nf4") return quantizeBnb(data.x, "nf4", { shape, backend });
  return quantizeGgml(data.x, format, { shape, backend });
}

/** The reference's output of a block op: the codes (see impls.ts), or the values. */
export function blockReference(op: BlockOp, data: OpData): ArrayLike<number> {
  const { quantize, format } = blockOp(op);
  const backend = "reference";
  if (quantize) {
    const q = quantizeBlock(data, format, backend);
    if (format === "mxfp4") return (q as MxTensor).codes;
    if (format === "nf4") return (q as BnbTensor).packed;
    return (q as GgmlTensor).data;
  }
  const q = quantizedInput(data, format);
  if (format === "mxfp4") return dequantizeMx(q as MxTensor, { backend }).data;
  if (format === "nf4") return dequantizeBnb(q as BnbTensor, { backend }).data;
  return dequantizeGgml(q as GgmlTensor, { backend }).data;
}
