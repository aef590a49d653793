/**
 * The run's data for one size, and the reference outputs every implementation is checked against:
 * @quantlab/core's public functions with `{ backend: "reference" }` (the plain TypeScript kernels).
 */

import { decodeFloat, dequantize, encodeFloat, quantize, quantizePacked } from "@quantlab/core";
import { blockReference, isBlockOp } from "./blocks.js";
import { normalValues, rowScales, symmetricScale } from "./data.js";
import type { Op, OpData } from "./impls.js";

export function makeData(n: number, seed: number): OpData {
  const x = normalValues(n, seed);
  const scale = symmetricScale(x);
  const q = quantize(x, { dtype: "int8", scale }, { backend: "reference" }).data as Int8Array;
  const rows = Math.round(Math.sqrt(n));
  if (rows * rows !== n)
    throw new RangeError(`bench: size ${n} is not a square (the per-axis case is [rows, rows])`);
  const half = encodeFloat("float16", x, { backend: "reference" });
  const scale4 = symmetricScale(x, 0, n, 7);
  return { n, x, scale, q, rows, rowScales: rowScales(x, rows), scale4, half };
}

const cache = new WeakMap<OpData, Map<Op, ArrayLike<number>>>();

function outputsOf(data: OpData): Map<Op, ArrayLike<number>> {
  let byOp = cache.get(data);
  if (byOp === undefined) {
    byOp = new Map();
    cache.set(data, byOp);
  }
  return byOp;
}

/**
 * Records quantlab-reference's own first output of op as the reference output (it is one: the
 * same calls), so that its worker does not compute the slow ones (q4_K at 16M) twice.
 */
export function seedReference(op: Op, data: OpData, out: ArrayLike<number>): void {
  outputsOf(data).set(op, out);
}

/** quantlab-reference's output for op on data (computed once). */
export function referenceOutput(op: Op, data: OpData): ArrayLike<number> {
  const byOp = outputsOf(data);
  const hit = byOp.get(op);
  if (hit !== undefined) return hit;
  let out: ArrayLike<number>;
  if (isBlockOp(op)) {
    out = blockReference(op, data);
    byOp.set(op, out);
    return out;
  }
  switch (op) {
    case "quantize-int8":
      out = data.q;
      break;
    case "dequantize-int8":
      out = dequantize(data.q, { dtype: "int8", scale: data.scale }, { backend: "reference" }).data;
      break;
    case "quantize-int8-axis":
      out = quantize(
        data.x,
        { dtype: "int8", scale: data.rowScales, axis: 0 },
        { shape: [data.rows, data.n / data.rows], backend: "reference" },
      ).data;
      break;
    case "quantize-int4-packed":
      out = quantizePacked(
        data.x,
        { dtype: "int4", scale: data.scale4 },
        { backend: "reference" },
      ).data;
      break;
    case "float16-encode":
      out = data.half;
      break;
    case "float16-decode":
      out = decodeFloat("float16", data.half, { backend: "reference" });
      break;
  }
  byOp.set(op, out);
  return out;
}
