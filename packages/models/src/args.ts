/**
 * Argument checks for the writers, in @quantlab/core's template:
 * `writeGguf(): argument 'input.tensors[0].shape' must be ...; received ....` (core's own template,
 * from @quantlab/core/validate), and the little-endian byte writer the writers share.
 */
import { describe, rangeError, typeError } from "@quantlab/core/validate";

export { describe };

/** `fn(): argument 'arg' must be <expected>; received <value>.` as a TypeError or RangeError. */
export function argumentError(
  fn: string,
  arg: string,
  expected: string,
  value: unknown,
  kind: typeof TypeError | typeof RangeError = TypeError,
  received = describe(value),
): Error {
  return kind === TypeError
    ? typeError(fn, arg, expected, value)
    : rangeError(fn, arg, expected, value, received);
}

/** A shape: an array of at most `maxDims` non-negative safe integers. */
export function shapeOf(fn: string, arg: string, shape: unknown, maxDims = Infinity): number[] {
  if (!Array.isArray(shape)) throw argumentError(fn, arg, "an array of dimensions", shape);
  if (shape.length > maxDims) {
    throw argumentError(fn, arg, `at most ${maxDims} dimensions`, shape, RangeError);
  }
  shape.forEach((d, i) => {
    if (typeof d !== "number") throw argumentError(fn, `${arg}[${i}]`, "a number", d);
    if (!Number.isSafeInteger(d) || d < 0) {
      throw argumentError(fn, `${arg}[${i}]`, "a non-negative integer", d, RangeError);
    }
  });
  return [...shape];
}

/** Float values: a number[], Float32Array or Float64Array of `count` numbers. */
export function floatValues(
  fn: string,
  arg: string,
  values: unknown,
  count: number,
): readonly number[] | Float32Array | Float64Array {
  const ok =
    values instanceof Float32Array ||
    values instanceof Float64Array ||
    (Array.isArray(values) && values.every((v) => typeof v === "number"));
  if (!ok) throw argumentError(fn, arg, "a number[], Float32Array or Float64Array", values);
  const array = values as readonly number[] | Float32Array | Float64Array;
  if (array.length !== count) {
    throw argumentError(fn, arg, `${count} values (the shape's element count)`, values, RangeError);
  }
  return array;
}

const ENCODER = new TextEncoder();

/** Appends little-endian numbers and bytes to a growing buffer (reserve first: it may replace
 * the buffer and its view). */
export class ByteWriter {
  private buffer = new Uint8Array(1024);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.buffer.byteLength) {
      const grown = new Uint8Array(Math.max(at + n, this.buffer.byteLength * 2));
      grown.set(this.buffer.subarray(0, at));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length += n;
    return at;
  }
  u8(v: number): void {
    const at = this.reserve(1);
    this.view.setUint8(at, v);
  }
  u32(v: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, v, true);
  }
  u64(v: bigint): void {
    const at = this.reserve(8);
    this.view.setBigUint64(at, v, true);
  }
  f32(v: number): void {
    const at = this.reserve(4);
    this.view.setFloat32(at, v, true);
  }
  f64(v: number): void {
    const at = this.reserve(8);
    this.view.setFloat64(at, v, true);
  }
  /** An integer of 1, 2 or 4 bytes. */
  int(v: number, bytes: number, signed: boolean): void {
    const at = this.reserve(bytes);
    if (bytes === 1) signed ? this.view.setInt8(at, v) : this.view.setUint8(at, v);
    else if (bytes === 2)
      signed ? this.view.setInt16(at, v, true) : this.view.setUint16(at, v, true);
    else signed ? this.view.setInt32(at, v, true) : this.view.setUint32(at, v, true);
  }
  bytes(b: Uint8Array): void {
    const at = this.reserve(b.byteLength);
    this.buffer.set(b, at);
  }
  /** A GGUF string: u64 byte length, then UTF-8. */
  string(s: string): void {
    const b = ENCODER.encode(s);
    this.u64(BigInt(b.byteLength));
    this.bytes(b);
  }
  /** Zero bytes up to the next multiple of `alignment`. */
  pad(alignment: number): void {
    const n = (alignment - (this.length % alignment)) % alignment;
    this.reserve(n);
  }
  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}
