/**
 * Three ways to put two 4-bit codes in a byte. ONNX (`INT4`/`UINT4` tensors, MatMulNBits, OCP
 * MX): element i in byte i / 2, the first of each pair in the low nibble. ggml (Q4_0, Q4_1,
 * IQ4_NL): a block of 32 in 16 bytes, element j < 16 in the low nibble of byte j and element
 * j + 16 in its high nibble. bitsandbytes (FP4, NF4): element i in byte i / 2, the first of each
 * pair in the HIGH nibble. The ONNX order also packs 2-bit codes, four a byte, lowest bits first.
 */
import { rangeError, typeError } from "../validate/errors.js";

/** The orders {@link packNibbles} knows, by the format that uses them. */
export const PACKING_ORDERS = ["onnx", "ggml", "bnb"] as const;

/** `"onnx"`, `"ggml"` or `"bnb"`. */
export type PackingOrder = (typeof PACKING_ORDERS)[number];

/** Where each code sits: for code i, the byte `byte[i]` and the bit offset `shift[i]` in it. */
export interface PackingLayout {
  readonly order: PackingOrder;
  readonly bits: 2 | 4;
  /** Bytes the codes take. */
  readonly byteLength: number;
  readonly byte: Int32Array;
  /** 0 for the lowest bits of the byte; 4 for the high nibble. */
  readonly shift: Uint8Array;
}

const GGML_BLOCK = 32;
const ORDERS = `one of ${PACKING_ORDERS.map((o) => `"${o}"`).join(", ")}`;

function checkOrder(fn: string, order: unknown): PackingOrder {
  if (typeof order !== "string") throw typeError(fn, "order", ORDERS, order);
  if (!(PACKING_ORDERS as readonly string[]).includes(order))
    throw rangeError(fn, "order", ORDERS, order);
  return order as PackingOrder;
}

function checkLength(fn: string, arg: string, order: PackingOrder, length: unknown): number {
  if (typeof length !== "number") throw typeError(fn, arg, "a number", length);
  if (!Number.isSafeInteger(length) || length < 0) {
    throw rangeError(fn, arg, "an integer >= 0", length);
  }
  if (order === "ggml" && length % GGML_BLOCK !== 0) {
    throw rangeError(fn, arg, "a multiple of 32 (ggml packs blocks of 32 codes)", length);
  }
  return length;
}

function layout(order: PackingOrder, bits: 2 | 4, n: number): PackingLayout {
  const byte = new Int32Array(n);
  const shift = new Uint8Array(n);
  const perByte = 8 / bits;
  // Stryker disable next-line EqualityOperator: at i = n the writes past a typed array's end are ignored
  for (let i = 0; i < n; i++) {
    if (order === "onnx") {
      byte[i] = Math.floor(i / perByte);
      shift[i] = (i % perByte) * bits;
    } else if (order === "ggml") {
      const j = i % GGML_BLOCK;
      byte[i] = (i - j) / 2 + (j % 16);
      shift[i] = j < 16 ? 0 : 4;
    } else {
      byte[i] = i >>> 1;
      shift[i] = i % 2 === 0 ? 4 : 0;
    }
  }
  return { order, bits, byteLength: Math.ceil((n * bits) / 8), byte, shift };
}

/**
 * Where each of `length` codes sits once packed in `order`: its byte and its bit offset.
 *
 * `"onnx"` with 4 bits: code i in byte ⌊i / 2⌋ at bit 4·(i mod 2); with 2 bits: byte ⌊i / 4⌋ at
 * bit 2·(i mod 4). `"ggml"` (4 bits, whole blocks of 32): code 32b + j in byte 16b + (j mod 16), at
 * bit 0 for j < 16 and bit 4 otherwise. `"bnb"` (4 bits): byte ⌊i / 2⌋, bit 4 for even i, 0 for odd.
 *
 * @param order - `"onnx"`, `"ggml"` or `"bnb"`
 * @param bits - 4, or 2 (`"onnx"` only)
 * @param length - how many codes (for `"ggml"` a multiple of 32)
 * @throws {TypeError} if an argument is of the wrong type
 * @throws {RangeError} if `order` is unknown, `bits` is not 4 (or 2 for `"onnx"`), or `length` is
 *   not an integer >= 0 (a multiple of 32 for `"ggml"`)
 * @example
 * const l = packingLayout("ggml", 4, 32);
 * [l.byteLength, l.byte[1], l.shift[1], l.byte[17], l.shift[17]]
 * // => [ 16, 1, 0, 1, 4 ]
 */
export function packingLayout(order: PackingOrder, bits: 2 | 4, length: number): PackingLayout {
  const fn = "packingLayout";
  const o = checkOrder(fn, order);
  if (typeof bits !== "number") throw typeError(fn, "bits", "4, or 2 for the onnx order", bits);
  if (bits !== 4 && !(bits === 2 && o === "onnx")) {
    throw rangeError(
      fn,
      "bits",
      o === "onnx" ? "2 or 4" : `4 (the ${o} order packs nibbles)`,
      bits,
    );
  }
  return layout(o, bits, checkLength(fn, "length", o, length));
}

/**
 * Packs 4-bit codes (integers in [0, 15]) two a byte, in the order a format uses.
 *
 * What a nibble means is the format's: ONNX int4 stores two's complement (−1 is 15), uint4 and
 * ggml Q4_0 an offset code (Q4_0's value is (n − 8)·d), bitsandbytes an index into its 16-entry
 * table. An odd count leaves the last byte's other nibble 0 (bitsandbytes itself fills it with the
 * code of 0.0). `packNibbles(codes, "onnx")` is `packCodes(codes, "uint4")`.
 *
 * @throws {TypeError} if `codes` is not an array or a numeric typed array, an element is not a
 *   number, or `order` is not a string
 * @throws {RangeError} if an element is not an integer in [0, 15] (the message names its index),
 *   `order` is unknown, or for `"ggml"` the count is not a multiple of 32
 * @example
 * const codes = [1, 2, 3, 4];
 * [Array.from(packNibbles(codes, "onnx")), Array.from(packNibbles(codes, "bnb"))]
 * // => [ [ 33, 67 ], [ 18, 52 ] ]
 */
export function packNibbles(codes: ArrayLike<number>, order: PackingOrder): Uint8Array {
  const fn = "packNibbles";
  const o = checkOrder(fn, order);
  const isArray =
    Array.isArray(codes) ||
    (ArrayBuffer.isView(codes) &&
      !(codes instanceof DataView) &&
      !(codes instanceof BigInt64Array) &&
      !(codes instanceof BigUint64Array));
  if (!isArray) throw typeError(fn, "codes", "an array or a typed array of integers", codes);
  const n = checkLength(fn, "codes.length", o, codes.length);
  const read = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = codes[i] as unknown;
    if (typeof v !== "number") throw typeError(fn, `codes[${i}]`, "a number", v);
    if (!Number.isInteger(v) || v < 0 || v > 15) {
      throw rangeError(fn, `codes[${i}]`, "an integer in [0, 15]", v);
    }
    read[i] = v;
  }
  const { byte, shift, byteLength } = layout(o, 4, n);
  const out = new Uint8Array(byteLength);
  for (let i = 0; i < n; i++) {
    const b = byte[i] as number;
    out[b] = (out[b] as number) | ((read[i] as number) << (shift[i] as number));
  }
  return out;
}

/**
 * Unpacks `length` 4-bit codes packed by {@link packNibbles} in `order`: each code is
 * `(bytes[byte] >> shift) & 15` at the place `packingLayout` gives.
 *
 * @returns a Uint8Array of `length` codes in [0, 15]
 * @throws {TypeError} if `bytes` is not a Uint8Array, `length` not a number or `order` not a string
 * @throws {RangeError} if `order` is unknown, `length` is not an integer >= 0 (a multiple of 32 for
 *   `"ggml"`), or `bytes` does not hold exactly the bytes `length` codes take
 * @example
 * Array.from(unpackNibbles(new Uint8Array([18, 52]), "bnb", 4));
 * // => [ 1, 2, 3, 4 ]
 */
export function unpackNibbles(bytes: Uint8Array, order: PackingOrder, length: number): Uint8Array {
  const fn = "unpackNibbles";
  const o = checkOrder(fn, order);
  if (!(bytes instanceof Uint8Array)) throw typeError(fn, "bytes", "a Uint8Array", bytes);
  const n = checkLength(fn, "length", o, length);
  const { byte, shift, byteLength } = layout(o, 4, n);
  if (bytes.length !== byteLength) {
    throw rangeError(
      fn,
      "bytes",
      `a Uint8Array of length ${byteLength} (${n} codes two a byte)`,
      bytes,
    );
  }
  const out = new Uint8Array(n);
  // Stryker disable next-line EqualityOperator: at i = n the writes past a typed array's end are ignored
  for (let i = 0; i < n; i++) {
    out[i] = ((bytes[byte[i] as number] as number) >> (shift[i] as number)) & 15;
  }
  return out;
}
