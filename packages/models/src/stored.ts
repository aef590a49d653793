/**
 * What the GGUF, safetensors and tfjs readers share: one table of element types as files store
 * them (bytes per element and the decoding to float32), element counts checked against the bytes
 * a file has, and the lazy `StoredTensor` every reader returns.
 */
import { decodeFloat } from "@quantlab/core";
import { ModelFileError, type StoredQuantization, type StoredTensor } from "./model.js";
import { placedFloats, placedFloatsOf, viewOf } from "./place.js";

/** An element type as stored in a file, little-endian. */
export type ElementType =
  | "float64"
  | "float32"
  | "float16"
  | "bfloat16"
  | "float8e4m3fn"
  | "float8e5m2"
  | "int64"
  | "int32"
  | "int16"
  | "int8"
  | "uint64"
  | "uint32"
  | "uint16"
  | "uint8"
  | "bool";

/** How one element type is stored and read as float32. */
export interface ElementCodec {
  /** Bytes per element. */
  readonly bytes: number;
  /** Decodes `count` elements from little-endian `src` into float32. */
  readonly decode: (src: Uint8Array, count: number) => Float32Array;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A copy of `src` in a fresh buffer, aligned for any typed array view. */
function aligned(src: Uint8Array): ArrayBuffer {
  if (!LITTLE_ENDIAN_HOST) {
    throw new Error("@quantlab/models reads little-endian files on little-endian hosts only");
  }
  return copyBytes(src).buffer;
}

/** A copy of `bytes` in a buffer of its own (not `slice()`, which on a Node Buffer is a view). */
export function copyBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy;
}

/** The float32 bit pattern of a float16 code, NaN payloads kept (as tfjs, numpy and ggml do). */
export function float16ToFloat32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exponent = (h >> 10) & 0x1f;
  let mantissa = h & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent + 112) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // A subnormal: shift the leading 1 into the implicit bit, lowering the exponent each step.
  let e = 113;
  while ((mantissa & 0x400) === 0) {
    mantissa <<= 1;
    e -= 1;
  }
  return (sign | (e << 23) | ((mantissa & 0x3ff) << 13)) >>> 0;
}

/** The little-endian codes of `src` as `View` (a view where aligned), on a little-endian host. */
function codesOf<T>(
  View: { readonly BYTES_PER_ELEMENT: number; new (b: ArrayBufferLike, at: number, n: number): T },
  src: Uint8Array,
  count: number,
): T {
  if (!LITTLE_ENDIAN_HOST) {
    throw new Error("@quantlab/models reads little-endian files on little-endian hosts only");
  }
  return viewOf(View, src, count);
}

/** The float32 result of a decoder (in the kernels' memory where it fits), and its bits. */
function floatResult(count: number): { floats: Float32Array; bits: Uint32Array } {
  const floats = placedFloats(count);
  return { floats, bits: new Uint32Array(floats.buffer, floats.byteOffset, count) };
}

function decodeFloat16(src: Uint8Array, count: number): Float32Array {
  const codes = codesOf(Uint16Array, src, count);
  const { floats, bits } = floatResult(count);
  for (let i = 0; i < count; i++) bits[i] = float16ToFloat32Bits(codes[i] as number);
  return floats;
}

function decodeBfloat16(src: Uint8Array, count: number): Float32Array {
  const codes = codesOf(Uint16Array, src, count);
  const { floats, bits } = floatResult(count);
  for (let i = 0; i < count; i++) bits[i] = (codes[i] as number) << 16;
  return floats;
}

type NumericArray = { readonly length: number; [i: number]: number };
const viaNumbers =
  (View: new (buffer: ArrayBuffer, offset: number, length: number) => NumericArray) =>
  (src: Uint8Array, count: number): Float32Array => {
    const view = new View(aligned(src), 0, count);
    const out = placedFloats(count);
    for (let i = 0; i < count; i++) out[i] = view[i] as number;
    return out;
  };
const viaBigInts =
  (View: typeof BigInt64Array | typeof BigUint64Array) =>
  (src: Uint8Array, count: number): Float32Array => {
    const view = new View(aligned(src), 0, count);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = Number(view[i]);
    return out;
  };

/**
 * Every element type the readers decode: bytes per element, and the decoding to float32. Floats
 * decode exactly (float64 rounds to nearest float32); float16 and bfloat16 keep NaN payloads;
 * integers become the nearest float32 (exact up to 2^24; 64-bit ones go through float64);
 * bool is 0 or 1 (any nonzero byte is 1).
 */
export const ELEMENT_CODECS: Readonly<Record<ElementType, ElementCodec>> = Object.freeze({
  float64: { bytes: 8, decode: viaNumbers(Float64Array) },
  float32: {
    bytes: 4,
    decode: (src: Uint8Array, count: number) => {
      if (!LITTLE_ENDIAN_HOST) codesOf(Float32Array, src, 0); // (throws)
      return placedFloatsOf(src, count);
    },
  },
  float16: { bytes: 2, decode: decodeFloat16 },
  bfloat16: { bytes: 2, decode: decodeBfloat16 },
  float8e4m3fn: {
    bytes: 1,
    decode: (src: Uint8Array, count: number) => decodeFloat("float8e4m3fn", src.subarray(0, count)),
  },
  float8e5m2: {
    bytes: 1,
    decode: (src: Uint8Array, count: number) => decodeFloat("float8e5m2", src.subarray(0, count)),
  },
  int64: { bytes: 8, decode: viaBigInts(BigInt64Array) },
  int32: { bytes: 4, decode: viaNumbers(Int32Array) },
  int16: { bytes: 2, decode: viaNumbers(Int16Array) },
  int8: { bytes: 1, decode: viaNumbers(Int8Array) },
  uint64: { bytes: 8, decode: viaBigInts(BigUint64Array) },
  uint32: { bytes: 4, decode: viaNumbers(Uint32Array) },
  uint16: { bytes: 2, decode: viaNumbers(Uint16Array) },
  uint8: { bytes: 1, decode: viaNumbers(Uint8Array) },
  bool: {
    bytes: 1,
    decode: (src: Uint8Array, count: number) => {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = src[i] === 0 ? 0 : 1;
      return out;
    },
  },
});

/** A short description of a value found in a file, for messages. */
export function found(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  }
  if (typeof value === "bigint") return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (value === null || typeof value !== "object") return String(value);
  return "an object";
}

/**
 * The number of elements of `shape`, checked: every dimension a non-negative safe integer, and
 * the product at most `limit` (the most the file's bytes can hold), so nothing is allocated for a
 * shape the file cannot back.
 */
export function elementCount(
  file: string,
  field: string,
  shape: readonly unknown[],
  limit: number,
): number {
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      throw new ModelFileError(
        file,
        `${field}[${i}]`,
        `expected a non-negative integer; found ${found(d)}`,
      );
    }
    count *= d;
  }
  if (shape.includes(0)) return 0;
  if (count > limit) {
    throw new ModelFileError(
      file,
      field,
      `[${shape.join(", ")}] is ${count} elements; the file's bytes can hold at most ${limit}`,
    );
  }
  return count;
}

/** The fields of a stored tensor; `decode` turns its bytes into float32 values. */
export interface StoredTensorInit {
  readonly name: string;
  readonly storedType: string;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
  readonly quantization?: StoredQuantization;
  readonly decode: (bytes: Uint8Array) => Float32Array;
}

/** A `StoredTensor` whose values are decoded when asked for (a fresh array each call). */
export function storedTensor(init: StoredTensorInit): StoredTensor {
  const { bytes, decode } = init;
  const tensor: StoredTensor = {
    name: init.name,
    storedType: init.storedType,
    shape: Object.freeze([...init.shape]),
    byteLength: bytes.byteLength,
    ...(init.quantization === undefined ? {} : { quantization: init.quantization }),
    values: () => decode(bytes),
    bytes: () => bytes,
  };
  return Object.freeze(tensor);
}

/**
 * Parses JSON from a file, as a ModelFileError when it is not JSON.
 */
export function parseJson(file: string, field: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelFileError(file, field, `not valid JSON (${(error as Error).message})`);
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8 text from a file, as a ModelFileError when it is not UTF-8. */
export function utf8(file: string, field: string, bytes: Uint8Array): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new ModelFileError(file, field, "not valid UTF-8");
  }
}
