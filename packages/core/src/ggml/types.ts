/**
 * The ggml block types: one row each, as ggml's type traits (`ggml_type_traits`), the single
 * source of truth for their sizes. The kernels are in ./kernels, one file per type.
 */

/** A ggml / GGUF block quantization type, by ggml's name. */
export type GgmlType =
  | "q8_0"
  | "q4_0"
  | "q4_1"
  | "q5_0"
  | "q5_1"
  | "iq4_nl"
  | "q2_K"
  | "q3_K"
  | "q4_K"
  | "q5_K"
  | "q6_K"
  | "q8_K";

/** What a ggml block type is: its size, its bytes, and what defines it. */
export interface GgmlTypeInfo {
  readonly name: GgmlType;
  /** The `ggml_type` enum value (ggml.h), as GGUF files store it. */
  readonly ggmlTypeId: number;
  /** Values per block: 32, or 256 for the k-quant super-blocks. */
  readonly blockSize: 32 | 256;
  readonly bytesPerBlock: number;
  /** `bytesPerBlock * 8 / blockSize`. */
  readonly bitsPerWeight: number;
  /** The fields in order and what value i of a block is. */
  readonly layout: string;
  /** The reference code the bytes match, bit for bit. */
  readonly oracle: string;
  /** What a block must satisfy for ggml's result to be defined and stored; others are rejected. */
  readonly storable: string;
}

const COMMIT = "ggml-org/ggml d99724f2b141, src/ggml-quants.c";

function info(
  name: GgmlType,
  ggmlTypeId: number,
  blockSize: 32 | 256,
  bytesPerBlock: number,
  layout: string,
  storable: string,
): GgmlTypeInfo {
  return Object.freeze({
    name,
    ggmlTypeId,
    blockSize,
    bytesPerBlock,
    bitsPerWeight: (bytesPerBlock * 8) / blockSize,
    layout,
    oracle: `${COMMIT}: quantize_row_${name}_ref, dequantize_row_${name}`,
    storable,
  });
}

/**
 * Every ggml block type: block size, bytes, bits per weight, ggml's enum value, layout and oracle.
 *
 * @example
 * GGML_TYPES.q4_K.bitsPerWeight
 * // => 4.5
 */
export const GGML_TYPES: Readonly<Record<GgmlType, GgmlTypeInfo>> = Object.freeze({
  q8_0: info(
    "q8_0",
    8,
    32,
    34,
    "d fp16, qs int8[32]; value i = qs[i] * d",
    "d = amax / 127 finite in fp16 (amax below about 8.32e6) and 1 / d finite in float32 (amax 0 or above about 3.7e-37)",
  ),
  q4_0: info(
    "q4_0",
    2,
    32,
    18,
    "d fp16, qs u8[16] (value i: low nibble of qs[i] for i < 16, else high nibble of qs[i - 16]); value i = (n - 8) * d",
    "d = max / -8 finite in fp16 (amax below about 5.24e5) and 1 / d finite in float32 (amax 0 or above about 2.4e-38)",
  ),
  q4_1: info(
    "q4_1",
    3,
    32,
    20,
    "d fp16, m fp16, qs u8[16] (nibbles as q4_0); value i = n * d + m",
    "d = (max - min) / 15 and m = min finite in fp16 (|min| < 65520) and 1 / d finite in float32 (max - min 0 or above about 4.4e-38)",
  ),
  q5_0: info(
    "q5_0",
    6,
    32,
    22,
    "d fp16, qh u8[4] (bit i: the fifth bit of value i), qs u8[16] (nibbles as q4_0); value i = ((n | h << 4) - 16) * d",
    "d = max / -16 finite in fp16 (amax below about 1.05e6) and 1 / d finite in float32 (amax 0 or above about 4.7e-38)",
  ),
  q5_1: info(
    "q5_1",
    7,
    32,
    24,
    "d fp16, m fp16, qh u8[4], qs u8[16] (as q5_0); value i = (n | h << 4) * d + m",
    "d = (max - min) / 31 and m = min finite in fp16 (|min| < 65520) and 1 / d finite in float32 (max - min 0 or above about 9.1e-38)",
  ),
  iq4_nl: info(
    "iq4_nl",
    20,
    32,
    18,
    "d fp16, qs u8[16] (nibbles as q4_0); value i = d * T[n], T = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113]",
    "d (about max / -127, refit by least squares) finite in fp16",
  ),
  q2_K: info(
    "q2_K",
    10,
    256,
    84,
    "scales u8[16] (4-bit scale | 4-bit min << 4 per 16 values), qs u8[64] (2 bits a value), d fp16, dmin fp16; value i = (d * (sc & 15)) * q - dmin * (sc >> 4)",
    "d = max_scale / 15 and dmin = max_min / 15 finite in fp16",
  ),
  q3_K: info(
    "q3_K",
    11,
    256,
    110,
    "hmask u8[32] (the third bit), qs u8[64] (the low 2 bits), scales u8[12] (a 6-bit scale per 16 values), d fp16; value i = (d * (s - 32)) * (q + 4h - 4)",
    "d (about max_scale / -32) finite in fp16, and sub-block sums finite enough in float32 to give a scale (not NaN)",
  ),
  q4_K: info(
    "q4_K",
    12,
    256,
    144,
    "d fp16, dmin fp16, scales u8[12] (a 6-bit scale and min per 32 values), qs u8[128] (4 bits a value); value i = (d * sc) * q - dmin * mn",
    "d = max_scale / 63 and dmin = max_min / 63 finite in fp16",
  ),
  q5_K: info(
    "q5_K",
    13,
    256,
    176,
    "d fp16, dmin fp16, scales u8[12] (as q4_K), qh u8[32] (the fifth bit), qs u8[128] (the low 4 bits); value i = (d * sc) * (q + 16h) - dmin * mn",
    "d = max_scale / 63 and dmin = max_min / 63 finite in fp16",
  ),
  q6_K: info(
    "q6_K",
    14,
    256,
    210,
    "ql u8[128] (the low 4 bits), qh u8[64] (the high 2 bits), scales int8[16] (one per 16 values), d fp16; value i = (d * scales[i / 16]) * (q - 32)",
    "d (about max_scale / -128) finite in fp16, and sub-block sums finite enough in float32 to give a scale (not NaN)",
  ),
  q8_K: info(
    "q8_K",
    15,
    256,
    292,
    "d float32, qs int8[256], bsums int16[16] (sums of 16 qs); value i = d * qs[i]",
    "any finite values, d being a float32",
  ),
});

/** The type names, in the table's order. */
export const GGML_TYPE_NAMES = Object.freeze(Object.keys(GGML_TYPES)) as readonly GgmlType[];

/**
 * Whether a value names a ggml block type of `GGML_TYPES`.
 *
 * @example
 * [isGgmlType("q4_K"), isGgmlType("Q4_K"), isGgmlType("q4_2")]
 * // => [true, false, false]
 */
export function isGgmlType(value: unknown): value is GgmlType {
  return typeof value === "string" && Object.hasOwn(GGML_TYPES, value);
}
