/**
 * blockStorage: what a block-format tensor (GGUF, MX, NVFP4, bitsandbytes) stores, field by
 * field, in bits, counted from the arrays it holds; bits per weight is their sum over the values.
 */
import { GGML_TYPES, type GgmlType, isGgmlType } from "../dtypes/ggml.js";
import { isMxFormat, MX_FORMATS } from "../dtypes/mx.js";
import { typeError } from "../validate/errors.js";
import type { BnbPacked } from "./bnb.js";
import type { GgmlTensor } from "./ggml.js";
import type { MxTensor } from "./mx.js";
import type { Nvfp4Packed } from "./nvfp4.js";

/** One stored field of a block format and the bits it takes in the whole tensor. */
export interface StoredField {
  /** The field's name in its format (`"d"`, `"qs"`, `"scales"`, `"absmax"`, ...). */
  readonly field: string;
  /** `"codes"` for the values' codes, `"scales"` for everything stored to decode them. */
  readonly kind: "codes" | "scales";
  /** Bits the field takes in the whole tensor. */
  readonly bits: number;
  /** `bits` divided by the number of values. */
  readonly bitsPerWeight: number;
}

/** What {@link blockStorage} returns. */
export interface BlockStorage {
  /** `"q4_K"`, `"mxfp4"`, `"nvfp4"`, `"nf4"`, `"nf4 (double quantized)"`, ... */
  readonly format: string;
  /** The number of values the tensor stands for. */
  readonly values: number;
  readonly fields: readonly StoredField[];
  /** Every field's bits. */
  readonly bits: number;
  /** `bits / values`. */
  readonly bitsPerWeight: number;
}

/**
 * The fields of one ggml block, in the order ggml stores them, and their bits: ggml-quants.h's
 * block structs. Their sum is `GGML_TYPES[t].bytesPerBlock * 8` (a test holds it).
 */
const GGML_FIELDS: Readonly<
  Record<GgmlType, readonly (readonly [string, "codes" | "scales", number])[]>
> = {
  q8_0: [
    ["d", "scales", 16],
    ["qs", "codes", 256],
  ],
  q4_0: [
    ["d", "scales", 16],
    ["qs", "codes", 128],
  ],
  q4_1: [
    ["d", "scales", 16],
    ["m", "scales", 16],
    ["qs", "codes", 128],
  ],
  q5_0: [
    ["d", "scales", 16],
    ["qh", "codes", 32],
    ["qs", "codes", 128],
  ],
  q5_1: [
    ["d", "scales", 16],
    ["m", "scales", 16],
    ["qh", "codes", 32],
    ["qs", "codes", 128],
  ],
  iq4_nl: [
    ["d", "scales", 16],
    ["qs", "codes", 128],
  ],
  q2_K: [
    ["scales", "scales", 128],
    ["qs", "codes", 512],
    ["d", "scales", 16],
    ["dmin", "scales", 16],
  ],
  q3_K: [
    ["hmask", "codes", 256],
    ["qs", "codes", 512],
    ["scales", "scales", 96],
    ["d", "scales", 16],
  ],
  q4_K: [
    ["d", "scales", 16],
    ["dmin", "scales", 16],
    ["scales", "scales", 96],
    ["qs", "codes", 1024],
  ],
  q5_K: [
    ["d", "scales", 16],
    ["dmin", "scales", 16],
    ["scales", "scales", 96],
    ["qh", "codes", 256],
    ["qs", "codes", 1024],
  ],
  q6_K: [
    ["ql", "codes", 1024],
    ["qh", "codes", 512],
    ["scales", "scales", 128],
    ["d", "scales", 16],
  ],
  q8_K: [
    ["d", "scales", 32],
    ["qs", "codes", 2048],
    ["bsums", "scales", 256],
  ],
};

/**
 * The bits of one block of a ggml type, field by field (ggml-quants.h's structs, in their order).
 *
 * @example
 * ggmlBlockFields("q4_K").map((f) => `${f.field} ${f.bits}`)
 * // => ["d 16", "dmin 16", "scales 96", "qs 1024"]
 */
export function ggmlBlockFields(
  type: GgmlType,
): readonly { readonly field: string; readonly kind: "codes" | "scales"; readonly bits: number }[] {
  if (!isGgmlType(type)) {
    throw typeError("ggmlBlockFields", "type", "a ggml type of GGML_TYPES", type);
  }
  return GGML_FIELDS[type].map(([field, kind, bits]) => ({ field, kind, bits }));
}

function count(shape: readonly number[]): number {
  return shape.reduce((a, d) => a * d, 1);
}

function result(
  format: string,
  values: number,
  parts: [string, "codes" | "scales", number][],
): BlockStorage {
  const fields = parts.map(([field, kind, bits]) => ({
    field,
    kind,
    bits,
    bitsPerWeight: bits / values,
  }));
  const bits = fields.reduce((a, f) => a + f.bits, 0);
  return { format, values, fields, bits, bitsPerWeight: bits / values };
}

/**
 * What a tensor of `quantizeGgml`, `quantizeMx`, `quantizeNvfp4` or `quantizeBnb` stores, field by
 * field, counted from its arrays: ggml's bytes split by its block structs; MX codes at the
 * format's element bits (as the standard packs them, whatever byte a code takes in `codes`); NVFP4's
 * float32 tensor scale and bitsandbytes' double-quantization offset as 32 bits each.
 *
 * @throws {TypeError} when `t` is none of those tensors.
 * @example
 * const t = quantizeGgml(new Float32Array(256).fill(1), "q4_K");
 * blockStorage(t).bitsPerWeight
 * // => 4.5
 */
export function blockStorage(t: GgmlTensor | MxTensor | Nvfp4Packed | BnbPacked): BlockStorage {
  const fn = "blockStorage";
  const expected = "a tensor of quantizeGgml, quantizeMx, quantizeNvfp4 or quantizeBnb";
  if (typeof t !== "object" || t === null || !Array.isArray((t as { shape?: unknown }).shape)) {
    throw typeError(fn, "t", expected, t);
  }
  const values = count(t.shape);
  if ("type" in t && isGgmlType(t.type) && t.data instanceof Uint8Array) {
    const info = GGML_TYPES[t.type];
    const blocks = t.data.length / info.bytesPerBlock;
    return result(
      t.type,
      values,
      GGML_FIELDS[t.type].map(([field, kind, bits]) => [field, kind, bits * blocks]),
    );
  }
  if ("format" in t && isMxFormat(t.format) && "codes" in t) {
    return result(t.format, values, [
      ["scales", "scales", t.scales.length * 8],
      ["codes", "codes", values * MX_FORMATS[t.format].elementBits],
    ]);
  }
  if ("globalScale" in t && t.packed instanceof Uint8Array) {
    return result("nvfp4", values, [
      ["tensor scale", "scales", 32],
      ["scales", "scales", t.scales.length * 8],
      ["codes", "codes", t.packed.length * 8],
    ]);
  }
  if ("absmax" in t && t.packed instanceof Uint8Array) {
    const parts: [string, "codes" | "scales", number][] = [
      ["absmax", "scales", t.absmax.length * t.absmax.BYTES_PER_ELEMENT * 8],
    ];
    if (t.nested !== null) {
      parts.push(["nested absmax", "scales", t.nested.absmax.length * 32]);
      parts.push(["offset", "scales", 32]);
    }
    parts.push(["codes", "codes", t.packed.length * 8]);
    return result(t.nested === null ? t.format : `${t.format} (double quantized)`, values, parts);
  }
  throw typeError(fn, "t", expected, t);
}
