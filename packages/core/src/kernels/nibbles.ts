/**
 * Two 4-bit codes a byte, in either order: the first in the low nibble (ONNX, OCP MX, torchao's
 * NVFP4) or in the high nibble (bitsandbytes). No validation: codes are already in [0, 15].
 */

/** Packs `codes` two a byte, the first in the low nibble; an odd tail's high nibble is 0. */
export function packLowFirst(codes: Uint8Array, out: Uint8Array): void {
  const n = codes.length;
  for (let i = 0; i + 1 < n; i += 2) {
    out[i >>> 1] = (codes[i] as number) | ((codes[i + 1] as number) << 4);
  }
  if (n & 1) out[n >>> 1] = codes[n - 1] as number;
}

/** Packs `codes` two a byte, the first in the high nibble; an odd tail's low nibble is `pad`. */
export function packHighFirst(codes: Uint8Array, pad: number, out: Uint8Array): void {
  const n = codes.length;
  for (let i = 0; i + 1 < n; i += 2) {
    out[i >>> 1] = ((codes[i] as number) << 4) | (codes[i + 1] as number);
  }
  if (n & 1) out[n >>> 1] = ((codes[n - 1] as number) << 4) | pad;
}
