/**
 * The block kernels of every ggml type, one pair per row (ggml's type traits: `from_float_ref`,
 * `to_float`), each the loop over its format's block codec. A quantize kernel reads
 * `x.length / blockSize` blocks and writes them back to back to `out`; it returns -1, or the index
 * of the first block it cannot store (`out` is then written only partly). A dequantize kernel
 * decodes `out.length / blockSize` blocks.
 */
import type { GgmlType } from "../../dtypes/ggml.js";
import type { BlockCodec } from "./common.js";
import { iq4_nl } from "./iq4_nl.js";
import { q2_K } from "./q2_K.js";
import { q3_K } from "./q3_K.js";
import { q4_0 } from "./q4_0.js";
import { q4_1 } from "./q4_1.js";
import { q4_K } from "./q4_K.js";
import { q5_0 } from "./q5_0.js";
import { q5_1 } from "./q5_1.js";
import { q5_K } from "./q5_K.js";
import { q6_K } from "./q6_K.js";
import { q8_0 } from "./q8_0.js";
import { q8_K } from "./q8_K.js";

export interface GgmlKernels {
  quantize(x: Float32Array, out: Uint8Array): number;
  dequantize(q: Uint8Array, out: Float32Array): void;
}

/** The row kernels of a block codec. */
function rows(codec: BlockCodec): GgmlKernels {
  const { values, bytes } = codec;
  return {
    quantize(x, out) {
      const blocks = x.length / values;
      for (let b = 0; b < blocks; b++) {
        if (!codec.quantize(x, b * values, out, b * bytes)) return b;
      }
      return -1;
    },
    dequantize(q, out) {
      const blocks = out.length / values;
      for (let b = 0; b < blocks; b++) codec.dequantize(q, b * bytes, out, b * values);
    },
  };
}

const CODECS: Readonly<Record<GgmlType, BlockCodec>> = {
  q8_0,
  q4_0,
  q4_1,
  q5_0,
  q5_1,
  iq4_nl,
  q2_K,
  q3_K,
  q4_K,
  q5_K,
  q6_K,
  q8_K,
};

export const GGML_KERNELS: Readonly<Record<GgmlType, GgmlKernels>> = Object.freeze(
  Object.fromEntries(Object.entries(CODECS).map(([type, codec]) => [type, rows(codec)])) as Record<
    GgmlType,
    GgmlKernels
  >,
);
