/** Typed arrays between threads: which buffers to move, and copies of views that must not move. */

/** The distinct ArrayBuffers of the typed arrays in `value` (plain objects and arrays, walked). */
export function buffersOf(value: unknown, found = new Set<ArrayBuffer>()): ArrayBuffer[] {
  if (ArrayBuffer.isView(value)) {
    if (value.buffer instanceof ArrayBuffer) found.add(value.buffer);
  } else if (Array.isArray(value)) {
    for (const v of value) buffersOf(v, found);
  } else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) buffersOf(v, found);
  }
  return [...found];
}

/**
 * `values` in a buffer of its own: itself when it spans its whole buffer, else a copy (moving a
 * view moves its whole buffer, which may be the model file's).
 */
export function ownBuffer(values: Float32Array): Float32Array {
  return values.byteOffset === 0 && values.byteLength === values.buffer.byteLength
    ? values
    : values.slice();
}
