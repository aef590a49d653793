import { argumentError, ByteWriter, floatValues, shapeOf } from "../args.js";
import { elementEncoders, givenData, type TensorInput } from "../tensor-input.js";
import { quantizeBlocks } from "./blocks.js";
import type { GgufValue } from "./model.js";
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC } from "./read.js";
import {
  GGUF_BIGINT_TYPES,
  GGUF_NUMBER_TYPES,
  GGUF_VALUE_TYPES,
  type GgufTensorType,
  type GgufValueType,
  tensorTypeByName,
} from "./types.js";

const FN = "writeGguf";

/**
 * A metadata value to write: a `GgufValue` (`{ type: "uint32", value: 7 }`), or a string, a
 * boolean or an array of strings, whose GGUF types are plain. Numbers always name their type.
 * An array's `value` may be any array-like of its items (number[] for numbers, bigint[] or safe
 * integers for 64-bit ones, nested `{ itemType, value }` for arrays of arrays).
 */
export type GgufValueInput =
  | GgufValue
  | { readonly type: "array"; readonly itemType: GgufValueType; readonly value: ArrayLike<unknown> }
  | string
  | boolean
  | readonly string[];

/**
 * A tensor to write. `shape` is row-major, outermost first (GGUF's `ne` reversed); block formats
 * group elements along the last dimension, which must be a multiple of the block size. Give
 * either `values` (encoded to `type`: F32, F16, BF16, F64, I8, I16, I32, or a block format
 * @quantlab/core quantizes, e.g. Q8_0, Q4_0) or `data`, the stored bytes as they are.
 */
export interface GgufTensorInput extends TensorInput {
  /** A GGUF tensor type name: "F32", "F16", "BF16", "Q8_0", "Q4_0", ... */
  readonly type: string;
}

/** What `writeGguf` writes: key-values in the order of `metadata`'s keys, then the tensors. */
export interface WriteGgufInput {
  readonly metadata?: Readonly<Record<string, GgufValueInput>>;
  readonly tensors?: readonly GgufTensorInput[];
}

// F32, F64, F16, BF16, I8, I16 and I32 (GGUF has no unsigned or boolean element types).
const ELEMENT_ENCODERS = elementEncoders(FN);

/**
 * Writes a GGUF file (version 3, little-endian) of metadata key-values and tensors.
 *
 * Layout, as llama.cpp and gguf-py write it: the header, the key-values, the tensor infos, zero
 * padding to `general.alignment` (32 when absent), then each tensor's data followed by zero
 * padding to the alignment; tensor offsets count from the start of the data section. Reading the
 * result gives back the same metadata (with types) and the same tensor bytes.
 *
 * @throws {TypeError} a value of the wrong kind (a number without its GGUF type, ...).
 * @throws {RangeError} a value out of its type's range, an unknown tensor type, a shape that does
 *   not fit the type's blocks, `data` of the wrong length, a name given twice.
 *
 * @example
 * const bytes = writeGguf({
 *   metadata: { "general.architecture": "llama", "llama.block_count": { type: "uint32", value: 1 } },
 *   tensors: [{ name: "w", type: "Q8_0", shape: [1, 32], values: new Float32Array(32).fill(127) }],
 * });
 * readGguf(bytes).tensors[0].storedType; // => "Q8_0"
 * readGguf(bytes).tensors[0].byteLength; // => 34
 * readGguf(bytes).tensors[0].values()[31]; // => 127
 */
export function writeGguf(input: WriteGgufInput): Uint8Array {
  if (typeof input !== "object" || input === null) {
    throw argumentError(FN, "input", "an object { metadata, tensors }", input);
  }
  const metadata = input.metadata ?? {};
  const tensors = input.tensors ?? [];
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw argumentError(FN, "input.metadata", "an object of key-values", metadata);
  }
  if (!Array.isArray(tensors)) {
    throw argumentError(FN, "input.tensors", "an array of tensors", tensors);
  }
  const keys = Object.keys(metadata);
  const alignment = alignmentOf(metadata);
  const w = new ByteWriter();
  w.bytes(GGUF_MAGIC);
  w.u32(3);
  w.u64(BigInt(tensors.length));
  w.u64(BigInt(keys.length));
  for (const key of keys) {
    const arg = `input.metadata[${JSON.stringify(key)}]`;
    w.string(key);
    writeValue(w, arg, normalize(arg, metadata[key]));
  }

  const names = new Set<string>();
  const datas = tensors.map((t, i) => tensorData(t, `input.tensors[${i}]`, names));
  let offset = 0;
  for (const { name, type, shape, data } of datas) {
    w.string(name);
    w.u32(shape.length);
    for (let d = shape.length - 1; d >= 0; d--) w.u64(BigInt(shape[d]));
    w.u32(type.id);
    w.u64(BigInt(offset));
    offset += padded(data.byteLength, alignment);
  }
  w.pad(alignment);
  for (const { data } of datas) {
    w.bytes(data);
    w.pad(alignment);
  }
  return w.result();
}

const padded = (n: number, alignment: number) => Math.ceil(n / alignment) * alignment;

function alignmentOf(metadata: Readonly<Record<string, GgufValueInput>>): number {
  const entry = metadata["general.alignment"];
  if (entry === undefined) return GGUF_DEFAULT_ALIGNMENT;
  const arg = 'input.metadata["general.alignment"]';
  if (
    typeof entry !== "object" ||
    entry === null ||
    !("type" in entry) ||
    entry.type !== "uint32"
  ) {
    throw argumentError(FN, arg, '{ type: "uint32", value: a power of two }', entry);
  }
  const a = entry.value;
  if (
    typeof a !== "number" ||
    !Number.isInteger(a) ||
    a <= 0 ||
    a > 0xffffffff ||
    (a & (a - 1)) !== 0
  ) {
    throw argumentError(FN, `${arg}.value`, "a power of two below 2^32", a, RangeError);
  }
  return a;
}

type Normalized =
  | { type: Exclude<GgufValueType, "array">; value: unknown }
  | { type: "array"; itemType: GgufValueType; value: ArrayLike<unknown> };

function normalize(arg: string, entry: unknown): Normalized {
  if (typeof entry === "string") return { type: "string", value: entry };
  if (typeof entry === "boolean") return { type: "bool", value: entry };
  if (Array.isArray(entry) && entry.every((s) => typeof s === "string")) {
    return { type: "array", itemType: "string", value: entry };
  }
  if (typeof entry !== "object" || entry === null || !("type" in entry) || !("value" in entry)) {
    throw argumentError(
      FN,
      arg,
      'a string, a boolean, an array of strings or { type, value } (numbers name their GGUF type, e.g. { type: "uint32", value: 7 })',
      entry,
    );
  }
  checkValueType(`${arg}.type`, (entry as { type: unknown }).type);
  return entry as Normalized;
}

/** Throws unless `type` is one of GGUF_VALUE_TYPES. */
function checkValueType(arg: string, type: unknown): asserts type is GgufValueType {
  if (!GGUF_VALUE_TYPES.includes(type as GgufValueType)) {
    throw argumentError(
      FN,
      arg,
      `one of ${GGUF_VALUE_TYPES.map((t) => `"${t}"`).join(", ")}`,
      type,
    );
  }
}

function writeValue(w: ByteWriter, arg: string, entry: Normalized): void {
  w.u32(GGUF_VALUE_TYPES.indexOf(entry.type));
  if (entry.type === "array") writeArray(w, arg, entry);
  else writeItem(w, `${arg}.value`, entry.type, entry.value);
}

function writeArray(
  w: ByteWriter,
  arg: string,
  entry: { itemType: unknown; value: unknown },
  depth = 1,
): void {
  const { itemType, value } = entry;
  checkValueType(`${arg}.itemType`, itemType);
  const isArrayLike =
    (Array.isArray(value) || ArrayBuffer.isView(value)) && !(value instanceof DataView);
  if (!isArrayLike) throw argumentError(FN, `${arg}.value`, "an array or a typed array", value);
  const items = value as ArrayLike<unknown>;
  w.u32(GGUF_VALUE_TYPES.indexOf(itemType));
  w.u64(BigInt(items.length));
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (itemType === "array") {
      if (
        typeof item !== "object" ||
        item === null ||
        !("itemType" in item) ||
        !("value" in item)
      ) {
        throw argumentError(FN, `${arg}.value[${i}]`, "an array { itemType, value }", item);
      }
      if (depth >= 16)
        throw argumentError(
          FN,
          `${arg}.value[${i}]`,
          "arrays nested at most 16 deep",
          item,
          RangeError,
        );
      writeArray(w, `${arg}.value[${i}]`, item as { itemType: unknown; value: unknown }, depth + 1);
    } else {
      writeItem(w, `${arg}.value[${i}]`, itemType, item);
    }
  }
}

function writeItem(w: ByteWriter, arg: string, type: GgufValueType, value: unknown): void {
  if (type === "string") {
    if (typeof value !== "string") throw argumentError(FN, arg, "a string", value);
    w.string(value);
  } else if (type === "bool") {
    if (typeof value !== "boolean") throw argumentError(FN, arg, "a boolean", value);
    w.u8(value ? 1 : 0);
  } else if (type === "uint64" || type === "int64") {
    const { min, max } = GGUF_BIGINT_TYPES[type];
    const big = typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
    if (typeof big !== "bigint")
      throw argumentError(FN, arg, `a ${type} (a bigint or a safe integer)`, value);
    if (big < min || big > max)
      throw argumentError(FN, arg, `a ${type} in [${min}, ${max}]`, value, RangeError);
    w.u64(BigInt.asUintN(64, big));
  } else if (type !== "array") {
    const { min, max, bytes } = GGUF_NUMBER_TYPES[type];
    if (typeof value !== "number") throw argumentError(FN, arg, `a number (${type})`, value);
    const isFloat = type === "float32" || type === "float64";
    if (!isFloat && (!Number.isInteger(value) || value < min || value > max)) {
      throw argumentError(FN, arg, `an integer in [${min}, ${max}] (${type})`, value, RangeError);
    }
    if (type === "float32") w.f32(value);
    else if (type === "float64") w.f64(value);
    else w.int(value, bytes, min < 0);
  } else {
    throw argumentError(FN, arg, "an item type", type);
  }
}

interface TensorData {
  name: string;
  type: GgufTensorType;
  shape: readonly number[];
  data: Uint8Array;
}

function tensorData(t: GgufTensorInput, arg: string, names: Set<string>): TensorData {
  if (typeof t !== "object" || t === null)
    throw argumentError(FN, arg, "a tensor { name, type, shape, values | data }", t);
  if (typeof t.name !== "string") throw argumentError(FN, `${arg}.name`, "a string", t.name);
  if (names.has(t.name))
    throw argumentError(FN, `${arg}.name`, "a name no other tensor has", t.name, RangeError);
  names.add(t.name);
  const type = typeof t.type === "string" ? tensorTypeByName(t.type) : undefined;
  if (type === undefined)
    throw argumentError(
      FN,
      `${arg}.type`,
      'a GGUF tensor type ("F32", "F16", "BF16", "Q8_0", "Q4_0", ...)',
      t.type,
    );
  const shape = shapeOf(FN, `${arg}.shape`, t.shape, 4);
  const count = shape.reduce((a, b) => a * b, 1);
  const rowLength = shape.length === 0 ? 1 : shape[shape.length - 1];
  if (rowLength % type.blockSize !== 0) {
    throw argumentError(
      FN,
      `${arg}.shape`,
      `a last dimension that is a multiple of ${type.name}'s block size ${type.blockSize}`,
      shape,
      RangeError,
      `[${shape.join(", ")}]`,
    );
  }
  const byteLength = (count / type.blockSize) * type.bytesPerBlock;
  const given = givenData(FN, arg, t, byteLength, type.name, shape);
  if (given !== undefined) return { name: t.name, type, shape, data: given };
  const values = floatValues(FN, `${arg}.values`, t.values, count);
  const encode = ELEMENT_ENCODERS[type.name];
  let data: Uint8Array;
  if (encode !== undefined) data = encode(values, `${arg}.values`);
  else if (type.core !== undefined) {
    const x = Float32Array.from(values);
    const i = x.findIndex((v) => !Number.isFinite(v));
    if (i >= 0) {
      throw argumentError(
        FN,
        `${arg}.values[${i}]`,
        `a finite number (${type.name} stores no NaN or ±Infinity)`,
        x[i],
        RangeError,
      );
    }
    try {
      data = quantizeBlocks(type.core, x, shape);
    } catch (error) {
      // A block whose scales overflow the format: core's message says which.
      throw new RangeError(
        `${FN}(): ${arg} cannot be stored as ${type.name}: ${(error as Error).message}`,
      );
    }
  } else
    throw argumentError(
      FN,
      `${arg}.type`,
      "a type that can be written from values (or give data)",
      t.type,
      RangeError,
    );
  return { name: t.name, type, shape, data };
}
