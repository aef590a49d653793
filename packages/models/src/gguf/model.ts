/** The shape of a GGUF file, read: metadata values with their GGUF types, and tensor infos. */
import type { ModelFile, StoredTensor } from "../model.js";
import type { GgufBigIntType, GgufNumberType, GgufValueType } from "./types.js";

/** The items of a metadata array, by item type: typed arrays for numbers, plain arrays else. */
export type GgufArrayItems =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigUint64Array
  | BigInt64Array
  | readonly boolean[]
  | readonly string[]
  | readonly GgufArray[];

/** A metadata array: its item type and its items (an array of arrays nests `GgufArray`s). */
export interface GgufArray {
  readonly itemType: GgufValueType;
  readonly value: GgufArrayItems;
}

/**
 * A metadata value with its GGUF type. 64-bit integers are bigints; float32 values are the
 * float32 the file stores (as a JS number).
 */
export type GgufValue =
  | { readonly type: GgufNumberType; readonly value: number }
  | { readonly type: GgufBigIntType; readonly value: bigint }
  | { readonly type: "bool"; readonly value: boolean }
  | { readonly type: "string"; readonly value: string }
  | ({ readonly type: "array" } & GgufArray);

/**
 * A tensor of a GGUF file. `shape` is row-major, outermost first, as everywhere in quantlab: it
 * is `dims` reversed. `dims` is GGUF's own order (`ne`), innermost first: `dims[0]` is the row
 * length, along which block formats group their elements.
 */
export interface GgufTensor extends StoredTensor {
  /** The ggml type id (`ggml_type`) stored in the tensor info. */
  readonly ggmlType: number;
  /** The dimensions as GGUF stores them, innermost first (`ne[0]` first). */
  readonly dims: readonly number[];
  /** The offset of the tensor's data from the start of the data section. */
  readonly offset: number;
}

/** A GGUF file, read. `metadata` holds the key-values in file order, each with its GGUF type. */
export interface GgufFile extends ModelFile {
  readonly format: "gguf";
  readonly version: 2 | 3;
  readonly metadata: Readonly<Record<string, GgufValue>>;
  readonly tensors: readonly GgufTensor[];
  /** `general.alignment`, or 32 when the file has none. */
  readonly alignment: number;
  /** Where the data section starts, in bytes from the start of the file. */
  readonly dataOffset: number;
}
