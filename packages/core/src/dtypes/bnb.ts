/**
 * bitsandbytes' 4-bit formats, NF4 and FP4, and the dynamic 8-bit map of its double quantization:
 * the code tables as literal float32 values, the block sizes it allows, and one row per format.
 * The kernels are in ../kernels/bnb.ts, the public functions in ../blocks/bnb.ts.
 *
 * Provenance: the tables are bitsandbytes' own (bitsandbytes-foundation/bitsandbytes 95f9af30,
 * bitsandbytes/functional.py `get_4bit_type` and `create_dynamic_map`, as the float32 tensors its
 * kernels index), written here as the shortest decimals that read back to the same float32
 * (`Math.fround`). They are the values of the golden `decode` cases `bnb_nf4`, `bnb_fp4` and
 * `bnb_dynamic8` (../shared/golden/next/lowbit-bnb.json), which bitsandbytes produced.
 */

/** A bitsandbytes 4-bit format: NormalFloat4 (QLoRA's) or bitsandbytes' own FP4. */
export type BnbFormat = "nf4" | "fp4";

/**
 * NF4, by code: quantiles of N(0, 1) scaled to [-1, 1] (`create_normal_map(0.9677083)`, 7
 * negative values, 0, 8 positive ones), sorted: code 0 is -1, code 7 is 0, code 15 is 1.
 */
const NF4 = [
  -1, -0.6961928, -0.52507305, -0.3949175, -0.28444138, -0.18477343, -0.091050036, 0, 0.0795803,
  0.1609302, 0.2461123, 0.33791524, 0.44070983, 0.562617, 0.72295684, 1,
];

/**
 * bitsandbytes' FP4, by code: `[0, 0.0625, 8, 12, 4, 6, 2, 3]` / 12 for codes 0-7 and their
 * negatives for codes 8-15, rounded to float32. Not float4e2m1: its own exponent bias and nibble
 * order. Code 8 is +0 too (bitsandbytes writes the integer `-0`, which is 0).
 */
const FP4 = [
  0, 0.0052083335, 0.6666667, 1, 0.33333334, 0.5, 0.16666667, 0.25, 0, -0.0052083335, -0.6666667,
  -1, -0.33333334, -0.5, -0.16666667, -0.25,
];

/**
 * The positive half of the dynamic map, ascending: for i = 0..6, 10^(i - 6) times the midpoints of
 * `linspace(0.1, 1, 2^i + 1)` (float32 arithmetic), 2^i values a decade.
 */
const DYNAMIC_POSITIVE = [
  // 10^-6: 1 value
  5.5000004e-7,
  // 10^-5: 2
  3.2500002e-6, 7.75e-6,
  // 10^-4: 4
  2.1249998e-5, 4.375e-5, 6.625e-5, 8.875e-5,
  // 10^-3: 8
  1.5625001e-4, 2.6875004e-4, 3.8125002e-4, 4.9375003e-4, 6.062501e-4, 7.1875006e-4, 8.3125e-4,
  9.437501e-4,
  // 10^-2: 16
  1.2812499e-3, 1.84375e-3, 2.40625e-3, 2.96875e-3, 3.5312497e-3, 4.09375e-3, 4.6562497e-3,
  5.2187503e-3, 5.78125e-3, 6.34375e-3, 6.90625e-3, 7.46875e-3, 8.03125e-3, 8.59375e-3, 9.156249e-3,
  9.71875e-3,
  // 10^-1: 32
  0.01140625, 0.01421875, 0.01703125, 0.01984375, 0.02265625, 0.02546875, 0.028281247, 0.03109375,
  0.033906247, 0.036718752, 0.03953125, 0.042343747, 0.04515625, 0.04796875, 0.05078125, 0.05359375,
  0.05640625, 0.059218753, 0.062031247, 0.06484375, 0.067656256, 0.070468746, 0.07328125,
  0.07609375, 0.07890625, 0.08171874, 0.08453125, 0.08734375, 0.09015625, 0.092968754, 0.095781244,
  0.09859375,
  // 10^0: 64
  0.107031256, 0.12109375, 0.13515624, 0.14921875, 0.16328125, 0.17734374, 0.19140625, 0.20546874,
  0.21953125, 0.23359376, 0.24765626, 0.26171875, 0.27578127, 0.28984374, 0.30390626, 0.31796873,
  0.33203125, 0.3460937, 0.36015624, 0.37421876, 0.38828123, 0.40234375, 0.4164062, 0.43046874,
  0.44453126, 0.45859373, 0.47265625, 0.48671877, 0.50078124, 0.51484376, 0.5289062, 0.54296875,
  0.5570313, 0.5710938, 0.58515626, 0.5992187, 0.61328125, 0.6273438, 0.64140624, 0.65546876,
  0.6695313, 0.68359375, 0.6976563, 0.7117188, 0.72578126, 0.7398438, 0.75390625, 0.7679688,
  0.78203124, 0.7960937, 0.8101562, 0.82421875, 0.8382812, 0.85234374, 0.8664062, 0.8804687,
  0.89453125, 0.9085938, 0.92265624, 0.9367187, 0.9507812, 0.96484375, 0.9789062, 0.99296874,
];

/**
 * The dynamic 8-bit map (`create_dynamic_map()`: signed, 7 exponent bits), by code, ascending: the
 * 127 negatives of the positive half (code 0 is -0.99296874), 0 (code 127), the 127 positives, and
 * 1 (code 255). There is no -1.
 */
const DYNAMIC8 = [...DYNAMIC_POSITIVE.map((v) => -v).reverse(), 0, ...DYNAMIC_POSITIVE, 1].map(
  Math.fround,
);

/**
 * bitsandbytes' code tables, value by code, as float32 values: `nf4` and `fp4` (16 entries) and
 * `dynamic8` (256 entries, the map double quantization stores absmax values in).
 *
 * @example
 * [BNB_TABLES.nf4[7], BNB_TABLES.nf4[15], BNB_TABLES.fp4[3], BNB_TABLES.dynamic8.length]
 * // => [0, 1, 1, 256]
 */
export const BNB_TABLES: Readonly<{
  nf4: readonly number[];
  fp4: readonly number[];
  dynamic8: readonly number[];
}> = Object.freeze({
  nf4: Object.freeze(NF4.map(Math.fround)),
  fp4: Object.freeze(FP4.map(Math.fround)),
  dynamic8: Object.freeze(DYNAMIC8),
});

/** The block sizes bitsandbytes' `quantize_4bit` accepts: powers of two from 32 to 4096. */
export const BNB_BLOCK_SIZES: readonly number[] = Object.freeze([
  32, 64, 128, 256, 512, 1024, 2048, 4096,
]);

/** bitsandbytes' default block size. */
export const BNB_BLOCK_SIZE = 64;

/** The block size of double quantization (the absmax values, against `dynamic8`). */
export const BNB_NESTED_BLOCK_SIZE = 256;

/** `1e-38` as float32, the floor bitsandbytes puts under a block's absmax before dividing by it. */
export const BNB_ABSMAX_FLOOR = Math.fround(1e-38);

/** What a bitsandbytes 4-bit format is: its table, its layout, and what defines it. */
export interface BnbFormatInfo {
  readonly name: BnbFormat;
  /** The 16 values, by code. */
  readonly table: readonly number[];
  /** Bits per value with the default block of 64: 4 + 32 / 64 (4 + 8 / 64 + 32 / 16384 double quantized). */
  readonly bitsPerWeight: number;
  readonly layout: string;
  readonly oracle: string;
}

function info(name: BnbFormat, table: readonly number[]): BnbFormatInfo {
  return Object.freeze({
    name,
    table,
    bitsPerWeight: 4 + 32 / BNB_BLOCK_SIZE,
    layout: `absmax float32 per block (double quantized: a dynamic8 code per block, a float32 absmax per 256 of them and one float32 offset); packed: two ${name} codes a byte, the first in the HIGH nibble; value = ${name}[code] · absmax`,
    oracle:
      "bitsandbytes-foundation/bitsandbytes 95f9af30, default (torch) backend: quantize_4bit, dequantize_4bit, quantize_blockwise, dequantize_blockwise; functional.quantize_4bit's double quantization",
  });
}

/**
 * The two bitsandbytes 4-bit formats: table, bits per weight, layout and oracle.
 *
 * @example
 * [BNB_FORMATS.nf4.bitsPerWeight, BNB_FORMATS.fp4.table[1]]
 * // => [4.5, 0.0052083334885537624]
 */
export const BNB_FORMATS: Readonly<Record<BnbFormat, BnbFormatInfo>> = Object.freeze({
  nf4: info("nf4", BNB_TABLES.nf4),
  fp4: info("fp4", BNB_TABLES.fp4),
});

/**
 * Whether a value names a bitsandbytes 4-bit format.
 *
 * @example
 * [isBnbFormat("nf4"), isBnbFormat("fp4"), isBnbFormat("int4")]
 * // => [true, true, false]
 */
export function isBnbFormat(value: unknown): value is BnbFormat {
  return value === "nf4" || value === "fp4";
}
