/**
 * The block formats (Q8_0, Q4_0, the K-quants, ...) through @quantlab/core's ggml codecs:
 * `quantizeGgml` to write them, `dequantizeGgml` to read them.
 */
import { dequantizeGgml, type GgmlType, quantizeGgml } from "@quantlab/core";

/** Decodes `bytes` of ggml blocks (core type name `type`) of a tensor of `shape` to float32. */
export function dequantizeBlocks(
  type: string,
  bytes: Uint8Array,
  shape: readonly number[],
): Float32Array {
  return dequantizeGgml({ type: type as GgmlType, shape: [...shape], data: bytes }).data;
}

/** Encodes float values of a tensor of `shape` as ggml blocks of core type `type`. */
export function quantizeBlocks(
  type: string,
  values: Float32Array,
  shape: readonly number[],
): Uint8Array {
  return quantizeGgml(values, type as GgmlType, { shape: [...shape] }).data;
}
