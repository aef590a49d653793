/**
 * Decoded tensors go straight into the kernels' WebAssembly memory (`allocate` of @quantlab/core)
 * where it can hold them, so that quantizing a tensor read from a file copies its bytes once (file
 * to that memory) and the kernels then read it in place. Where that memory is not shared or cannot
 * grow (4 GiB at most), an ordinary Float32Array, as before.
 */
import { allocate } from "@quantlab/core";

/** `n` zeroed float32 in the kernels' memory, or an ordinary array where it cannot hold them. */
export function placedFloats(n: number): Float32Array {
  try {
    return allocate("float32", n);
  } catch {
    return new Float32Array(n);
  }
}

/** The first `n` little-endian float32 of `bytes`, copied once into `placedFloats(n)`. */
export function placedFloatsOf(bytes: Uint8Array, n: number): Float32Array {
  const out = placedFloats(n);
  new Uint8Array(out.buffer, out.byteOffset, 4 * n).set(bytes.subarray(0, 4 * n));
  return out;
}

/** A view of `bytes` as `View` where it is aligned for it (no copy), else an aligned copy. */
export function viewOf<T>(
  View: { readonly BYTES_PER_ELEMENT: number; new (b: ArrayBufferLike, at: number, n: number): T },
  bytes: Uint8Array,
  n: number,
): T {
  if (bytes.byteOffset % View.BYTES_PER_ELEMENT === 0)
    return new View(bytes.buffer, bytes.byteOffset, n);
  const copy = new Uint8Array(n * View.BYTES_PER_ELEMENT);
  copy.set(bytes.subarray(0, copy.length));
  return new View(copy.buffer, 0, n);
}
