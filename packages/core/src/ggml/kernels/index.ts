/**
 * The block kernels of every ggml type, one pair per row (ggml's type traits: `from_float_ref`,
 * `to_float`). A quantize kernel reads `x.length / blockSize` blocks and writes them back to back
 * to `out`; it returns -1, or the index of the first block it cannot store (`out` is then written
 * only partly). A dequantize kernel decodes `out.length / blockSize` blocks.
 */
import type { GgmlType } from "../types.js";
import { dequantizeIq4Nl, quantizeIq4Nl } from "./iq4_nl.js";
import { dequantizeQ2_K, quantizeQ2_K } from "./q2_K.js";
import { dequantizeQ3_K, quantizeQ3_K } from "./q3_K.js";
import { dequantizeQ4_0, quantizeQ4_0 } from "./q4_0.js";
import { dequantizeQ4_1, quantizeQ4_1 } from "./q4_1.js";
import { dequantizeQ4_K, quantizeQ4_K } from "./q4_K.js";
import { dequantizeQ5_0, quantizeQ5_0 } from "./q5_0.js";
import { dequantizeQ5_1, quantizeQ5_1 } from "./q5_1.js";
import { dequantizeQ5_K, quantizeQ5_K } from "./q5_K.js";
import { dequantizeQ6_K, quantizeQ6_K } from "./q6_K.js";
import { dequantizeQ8_0, quantizeQ8_0 } from "./q8_0.js";
import { dequantizeQ8_K, quantizeQ8_K } from "./q8_K.js";

export interface GgmlKernels {
  quantize(x: Float32Array, out: Uint8Array): number;
  dequantize(q: Uint8Array, out: Float32Array): void;
}

export const GGML_KERNELS: Readonly<Record<GgmlType, GgmlKernels>> = Object.freeze({
  q8_0: { quantize: quantizeQ8_0, dequantize: dequantizeQ8_0 },
  q4_0: { quantize: quantizeQ4_0, dequantize: dequantizeQ4_0 },
  q4_1: { quantize: quantizeQ4_1, dequantize: dequantizeQ4_1 },
  q5_0: { quantize: quantizeQ5_0, dequantize: dequantizeQ5_0 },
  q5_1: { quantize: quantizeQ5_1, dequantize: dequantizeQ5_1 },
  iq4_nl: { quantize: quantizeIq4Nl, dequantize: dequantizeIq4Nl },
  q2_K: { quantize: quantizeQ2_K, dequantize: dequantizeQ2_K },
  q3_K: { quantize: quantizeQ3_K, dequantize: dequantizeQ3_K },
  q4_K: { quantize: quantizeQ4_K, dequantize: dequantizeQ4_K },
  q5_K: { quantize: quantizeQ5_K, dequantize: dequantizeQ5_K },
  q6_K: { quantize: quantizeQ6_K, dequantize: dequantizeQ6_K },
  q8_K: { quantize: quantizeQ8_K, dequantize: dequantizeQ8_K },
});
