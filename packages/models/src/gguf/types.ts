/**
 * The two GGUF tables: the tensor types (ggml's `ggml_type`, with block size and bytes per block,
 * as ggml's `type_traits` and gguf-py's `GGML_QUANT_SIZES` give them) and the metadata value types
 * (`gguf_type`).
 */
import type { ElementType } from "../stored.js";

/** A ggml tensor type as GGUF files name it. */
export interface GgufTensorType {
  /** The name in ggml and gguf-py: "F32", "Q4_K", "IQ4_NL", ... */
  readonly name: string;
  /** `ggml_type`, the number stored in a tensor info. */
  readonly id: number;
  /** Elements per block (1 for plain element types). */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly bytesPerBlock: number;
  /** A plain element type, decoded element by element. */
  readonly element?: ElementType;
  /** A block format, decoded by @quantlab/core's `dequantizeGgml` under this name. */
  readonly core?: string;
}

const QK_K = 256;

function type(
  name: string,
  id: number,
  blockSize: number,
  bytesPerBlock: number,
  decode: { element?: ElementType; core?: string } = {},
): GgufTensorType {
  return Object.freeze({ name, id, blockSize, bytesPerBlock, ...decode });
}

/** Every ggml tensor type that GGUF files store (ids 4, 5, 31-33 and 36-38 are retired). */
export const GGUF_TENSOR_TYPES: readonly GgufTensorType[] = Object.freeze([
  type("F32", 0, 1, 4, { element: "float32" }),
  type("F16", 1, 1, 2, { element: "float16" }),
  type("Q4_0", 2, 32, 2 + 16, { core: "q4_0" }),
  type("Q4_1", 3, 32, 2 + 2 + 16, { core: "q4_1" }),
  type("Q5_0", 6, 32, 2 + 4 + 16, { core: "q5_0" }),
  type("Q5_1", 7, 32, 2 + 2 + 4 + 16, { core: "q5_1" }),
  type("Q8_0", 8, 32, 2 + 32, { core: "q8_0" }),
  type("Q8_1", 9, 32, 4 + 4 + 32),
  type("Q2_K", 10, QK_K, 2 + 2 + QK_K / 16 + QK_K / 4, { core: "q2_K" }),
  type("Q3_K", 11, QK_K, 2 + QK_K / 4 + QK_K / 8 + 12, { core: "q3_K" }),
  type("Q4_K", 12, QK_K, 2 + 2 + QK_K / 2 + 12, { core: "q4_K" }),
  type("Q5_K", 13, QK_K, 2 + 2 + QK_K / 2 + QK_K / 8 + 12, { core: "q5_K" }),
  type("Q6_K", 14, QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16, { core: "q6_K" }),
  type("Q8_K", 15, QK_K, 4 + QK_K + QK_K / 8, { core: "q8_K" }),
  type("IQ2_XXS", 16, QK_K, 2 + QK_K / 4),
  type("IQ2_XS", 17, QK_K, 2 + QK_K / 4 + QK_K / 32),
  type("IQ3_XXS", 18, QK_K, 2 + QK_K / 4 + QK_K / 8),
  type("IQ1_S", 19, QK_K, 2 + QK_K / 8 + QK_K / 16),
  type("IQ4_NL", 20, 32, 2 + 16, { core: "iq4_nl" }),
  type("IQ3_S", 21, QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4),
  type("IQ2_S", 22, QK_K, 2 + QK_K / 4 + QK_K / 16),
  type("IQ4_XS", 23, QK_K, 2 + 2 + QK_K / 2 + QK_K / 64),
  type("I8", 24, 1, 1, { element: "int8" }),
  type("I16", 25, 1, 2, { element: "int16" }),
  type("I32", 26, 1, 4, { element: "int32" }),
  type("I64", 27, 1, 8, { element: "int64" }),
  type("F64", 28, 1, 8, { element: "float64" }),
  type("IQ1_M", 29, QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32),
  type("BF16", 30, 1, 2, { element: "bfloat16" }),
  type("TQ1_0", 34, QK_K, 2 + 4 * 13),
  type("TQ2_0", 35, QK_K, 2 + 64),
  type("MXFP4", 39, 32, 1 + 16),
  type("NVFP4", 40, 64, 4 + 32),
  type("Q1_0", 41, 128, 2 + 16),
]);

/** The tensor type of a `ggml_type` id, or undefined. */
export const tensorTypeById = (id: number): GgufTensorType | undefined =>
  GGUF_TENSOR_TYPES.find((t) => t.id === id);

/** The tensor type of a name ("Q8_0"), or undefined. */
export const tensorTypeByName = (name: string): GgufTensorType | undefined =>
  GGUF_TENSOR_TYPES.find((t) => t.name === name);

/** A GGUF metadata value type (`gguf_type`), by its name here. */
export type GgufValueType =
  | "uint8"
  | "int8"
  | "uint16"
  | "int16"
  | "uint32"
  | "int32"
  | "float32"
  | "bool"
  | "string"
  | "array"
  | "uint64"
  | "int64"
  | "float64";

/** The metadata value types in `gguf_type` order: the index is the number stored in the file. */
export const GGUF_VALUE_TYPES: readonly GgufValueType[] = Object.freeze([
  "uint8",
  "int8",
  "uint16",
  "int16",
  "uint32",
  "int32",
  "float32",
  "bool",
  "string",
  "array",
  "uint64",
  "int64",
  "float64",
]);

/** The numeric value types with a fixed size, their bytes and their typed array. */
export const GGUF_NUMBER_TYPES = Object.freeze({
  uint8: { bytes: 1, array: Uint8Array, min: 0, max: 0xff },
  int8: { bytes: 1, array: Int8Array, min: -0x80, max: 0x7f },
  uint16: { bytes: 2, array: Uint16Array, min: 0, max: 0xffff },
  int16: { bytes: 2, array: Int16Array, min: -0x8000, max: 0x7fff },
  uint32: { bytes: 4, array: Uint32Array, min: 0, max: 0xffffffff },
  int32: { bytes: 4, array: Int32Array, min: -0x80000000, max: 0x7fffffff },
  float32: { bytes: 4, array: Float32Array, min: -Infinity, max: Infinity },
  float64: { bytes: 8, array: Float64Array, min: -Infinity, max: Infinity },
});

/** The 64-bit integer value types, read as bigint. */
export const GGUF_BIGINT_TYPES = Object.freeze({
  uint64: { bytes: 8, array: BigUint64Array, min: 0n, max: 0xffffffffffffffffn },
  int64: { bytes: 8, array: BigInt64Array, min: -0x8000000000000000n, max: 0x7fffffffffffffffn },
});

export type GgufNumberType = keyof typeof GGUF_NUMBER_TYPES;
export type GgufBigIntType = keyof typeof GGUF_BIGINT_TYPES;

/** The fewest bytes one value of a type takes in a file (for bounding counts before reading). */
export function minValueBytes(type: GgufValueType): number {
  if (type === "bool") return 1;
  if (type === "string") return 8;
  if (type === "array") return 4 + 8;
  if (type in GGUF_NUMBER_TYPES) return GGUF_NUMBER_TYPES[type as GgufNumberType].bytes;
  return 8;
}
