import { ModelFileError } from "../model.js";
import { copyBytes, ELEMENT_CODECS, elementCount, storedTensor, utf8 } from "../stored.js";
import { dequantizeBlocks } from "./blocks.js";
import type { GgufArray, GgufArrayItems, GgufFile, GgufTensor, GgufValue } from "./model.js";
import {
  GGUF_BIGINT_TYPES,
  GGUF_NUMBER_TYPES,
  GGUF_VALUE_TYPES,
  type GgufBigIntType,
  type GgufNumberType,
  type GgufTensorType,
  type GgufValueType,
  minValueBytes,
  tensorTypeById,
} from "./types.js";

/** "GGUF" as the first four bytes. */
export const GGUF_MAGIC = new Uint8Array([0x47, 0x47, 0x55, 0x46]);
/** The alignment of the data section when the file has no `general.alignment`. */
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** ggml's GGML_MAX_DIMS: tensors have at most four dimensions. */
const MAX_DIMS = 4;
/** How deep arrays of arrays may nest (deeper is taken for a damaged file). */
const MAX_ARRAY_DEPTH = 16;
/** Fewest bytes of one key-value (empty key, type, a bool) and of one tensor info (empty name,
 * n_dims, type, offset). */
const MIN_KV_BYTES = 8 + 4 + 1;
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

export interface ReadGgufOptions {
  /** The file's name, for messages (default "model.gguf"). */
  readonly file?: string;
}

/** A bounded little-endian cursor: every read checks the bytes left, and names its field. */
class Cursor {
  pos = 0;
  private readonly view: DataView;
  constructor(
    readonly file: string,
    readonly bytes: Uint8Array,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get left(): number {
    return this.bytes.byteLength - this.pos;
  }
  error(field: string, problem: string): ModelFileError {
    return new ModelFileError(this.file, field, problem);
  }
  need(field: string, n: number): void {
    if (n > this.left) {
      throw this.error(
        field,
        `needs ${n} bytes at offset ${this.pos}; the file ends ${this.left} bytes later (${this.bytes.byteLength} bytes)`,
      );
    }
  }
  u8(field: string): number {
    this.need(field, 1);
    return this.view.getUint8(this.pos++);
  }
  u32(field: string): number {
    this.need(field, 4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(field: string): bigint {
    this.need(field, 8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }
  /** A u64 that counts or measures something: a safe integer, at most `limit`. */
  count(field: string, limit: number, what: string): number {
    const start = this.pos;
    const v = this.u64(field);
    if (v > BigInt(limit)) {
      throw this.error(
        field,
        `${v} ${what} cannot fit in the ${this.bytes.byteLength - start - 8} bytes after offset ${start + 8}`,
      );
    }
    return Number(v);
  }
  /** A u64 that must be a safe integer (a dimension, an offset). */
  safe(field: string): number {
    const v = this.u64(field);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw this.error(field, `${v} is past 2^53 - 1, the largest this reader handles`);
    }
    return Number(v);
  }
  take(field: string, n: number): Uint8Array {
    this.need(field, n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  string(field: string): string {
    const n = this.count(`${field}.length`, this.left - 8, "bytes of string");
    return utf8(this.file, field, this.take(field, n));
  }
}

function readValue(c: Cursor, field: string, type: GgufValueType, depth: number): GgufValue {
  if (type === "array") return { type: "array", ...readArray(c, field, depth + 1) };
  if (type === "string") return { type, value: c.string(field) };
  if (type === "bool") return { type, value: readBool(c, field) };
  if (type === "uint64" || type === "int64") {
    return { type, value: readBigInts(c, field, type, 1)[0] };
  }
  return { type, value: readNumbers(c, field, type, 1)[0] };
}

function readBool(c: Cursor, field: string): boolean {
  const b = c.u8(field);
  if (b > 1) throw c.error(field, `a bool must be 0 or 1; found ${b}`);
  return b === 1;
}

function readNumbers(c: Cursor, field: string, type: GgufNumberType, n: number) {
  const { bytes, array } = GGUF_NUMBER_TYPES[type];
  const raw = copyBytes(c.take(field, n * bytes));
  return new array(raw.buffer, 0, n);
}

function readBigInts(c: Cursor, field: string, type: GgufBigIntType, n: number) {
  const { array } = GGUF_BIGINT_TYPES[type];
  const raw = copyBytes(c.take(field, n * 8));
  return new array(raw.buffer, 0, n);
}

function valueType(c: Cursor, field: string): GgufValueType {
  const id = c.u32(field);
  const type = GGUF_VALUE_TYPES[id];
  if (type === undefined) {
    throw c.error(field, `unknown value type ${id} (GGUF has 0 to ${GGUF_VALUE_TYPES.length - 1})`);
  }
  return type;
}

function readArray(c: Cursor, field: string, depth: number): GgufArray {
  if (depth > MAX_ARRAY_DEPTH) {
    throw c.error(field, `arrays nested more than ${MAX_ARRAY_DEPTH} deep`);
  }
  const itemType = valueType(c, `${field}.type`);
  const min = minValueBytes(itemType);
  const n = c.count(`${field}.length`, Math.floor((c.left - 8) / min), `items of ${itemType}`);
  let value: GgufArrayItems;
  if (itemType === "string") {
    const items: string[] = [];
    for (let i = 0; i < n; i++) items.push(c.string(`${field}[${i}]`));
    value = items;
  } else if (itemType === "bool") {
    const items: boolean[] = [];
    for (let i = 0; i < n; i++) items.push(readBool(c, `${field}[${i}]`));
    value = items;
  } else if (itemType === "array") {
    const items: GgufArray[] = [];
    for (let i = 0; i < n; i++) items.push(readArray(c, `${field}[${i}]`, depth + 1));
    value = items;
  } else if (itemType === "uint64" || itemType === "int64") {
    value = readBigInts(c, field, itemType, n);
  } else {
    value = readNumbers(c, field, itemType, n);
  }
  return { itemType, value };
}

function tensorByteLength(
  c: Cursor,
  field: string,
  type: GgufTensorType,
  dims: readonly number[],
): number {
  // No tensor holds more elements than the file has bytes (the densest types take >= 1.6 bits
  // per element, so bytes * 8 bounds them all).
  const count = elementCount(c.file, `${field}.dims`, dims, c.bytes.byteLength * 8);
  // A tensor of no dimensions is one element: one row of length 1.
  const rowLength = dims.length === 0 ? 1 : dims[0];
  if (rowLength % type.blockSize !== 0) {
    throw c.error(
      `${field}.dims${dims.length === 0 ? "" : "[0]"}`,
      `${type.name} stores blocks of ${type.blockSize} elements along a row; the row length ${rowLength} is not a multiple`,
    );
  }
  return (count / type.blockSize) * type.bytesPerBlock;
}

function decoderOf(file: string, name: string, type: GgufTensorType, shape: number[]) {
  const count = shape.reduce((a, b) => a * b, 1);
  const { element, core } = type;
  if (element !== undefined) {
    const codec = ELEMENT_CODECS[element];
    return (bytes: Uint8Array) => codec.decode(bytes, count);
  }
  if (core !== undefined) return (bytes: Uint8Array) => dequantizeBlocks(core, bytes, shape);
  return () => {
    throw new ModelFileError(
      file,
      `tensors[${JSON.stringify(name)}]`,
      `${type.name} tensors cannot be decoded yet (its tensor info and bytes are read)`,
    );
  };
}

/**
 * Reads a GGUF file (versions 2 and 3, little-endian): its metadata key-values with their types,
 * its tensor infos, and its tensors, decoded when asked: F32, F16, BF16, F64, I8-I64, and the
 * block formats @quantlab/core's `dequantizeGgml` knows (Q8_0, Q4_0, ... the K-quants).
 *
 * Tensor shapes are row-major, outermost first (`shape` is GGUF's `ne` reversed; `dims` keeps
 * `ne`). Every count and length is checked against the bytes left before anything is allocated.
 *
 * @throws {ModelFileError} naming the file, the field and what was wrong, for a file that is not
 *   GGUF, is truncated, or claims more than it holds.
 *
 * @example
 * const file = readGguf(writeGguf({
 *   metadata: { "general.architecture": "llama" },
 *   tensors: [{ name: "w", type: "F32", shape: [2, 3], values: [1, 2, 3, 4, 5, 6] }],
 * }));
 * file.tensors[0].dims; // => [3, 2]
 * file.tensors[0].values(); // => Float32Array [1, 2, 3, 4, 5, 6]
 */
export function readGguf(bytes: Uint8Array, options: ReadGgufOptions = {}): GgufFile {
  const file = options.file ?? "model.gguf";
  const c = new Cursor(file, bytes);
  const magic = c.take("header.magic", 4);
  if (!magic.every((b, i) => b === GGUF_MAGIC[i])) {
    throw c.error("header.magic", `expected "GGUF" (47 47 55 46); found ${hex(magic)}`);
  }
  const version = c.u32("header.version");
  if (version === 1) {
    throw c.error(
      "header.version",
      "GGUF version 1 (32-bit counts and lengths) is not supported; versions 2 and 3 are",
    );
  }
  if (version === 0x02000000 || version === 0x03000000) {
    throw c.error("header.version", "a big-endian GGUF file; only little-endian is supported");
  }
  if (version !== 2 && version !== 3) {
    throw c.error("header.version", `expected 2 or 3; found ${version}`);
  }
  const tensorCount = c.count(
    "header.tensor_count",
    Math.floor((c.left - 16) / MIN_TENSOR_INFO_BYTES),
    "tensor infos",
  );
  const kvCount = c.count(
    "header.metadata_kv_count",
    Math.floor((c.left - 8) / MIN_KV_BYTES),
    "key-values",
  );
  const metadata: Record<string, GgufValue> = Object.create(null);
  for (let i = 0; i < kvCount; i++) {
    const key = c.string(`metadata[${i}].key`);
    const field = `metadata[${JSON.stringify(key)}]`;
    if (key in metadata) throw c.error(field, "the key appears twice");
    metadata[key] = readValue(c, field, valueType(c, `${field}.type`), 0);
  }
  const alignment = alignmentOf(c, metadata);

  const infos: { name: string; dims: number[]; type: GgufTensorType; offset: number }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < tensorCount; i++) {
    const field = `tensor_infos[${i}]`;
    const name = c.string(`${field}.name`);
    if (names.has(name)) throw c.error(`${field}.name`, `${JSON.stringify(name)} appears twice`);
    names.add(name);
    const nDims = c.u32(`${field}.n_dims`);
    if (nDims > MAX_DIMS) {
      throw c.error(`${field}.n_dims`, `expected at most ${MAX_DIMS} dimensions; found ${nDims}`);
    }
    const dims: number[] = [];
    for (let d = 0; d < nDims; d++) {
      dims.push(c.safe(`${field}.dims[${d}]`));
    }
    const typeId = c.u32(`${field}.type`);
    const type = tensorTypeById(typeId);
    if (type === undefined) throw c.error(`${field}.type`, `unknown ggml type ${typeId}`);
    const offset = c.safe(`${field}.offset`);
    infos.push({ name, dims, type, offset });
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;

  const tensors: GgufTensor[] = infos.map(({ name, dims, type, offset }, i) => {
    const field = `tensor_infos[${i}]`;
    if (offset % alignment !== 0) {
      throw c.error(`${field}.offset`, `${offset} is not a multiple of the alignment ${alignment}`);
    }
    const byteLength = tensorByteLength(c, field, type, dims);
    const start = dataOffset + offset;
    if (start + byteLength > bytes.byteLength) {
      throw c.error(
        `${field}.offset`,
        `${JSON.stringify(name)}: data section at ${dataOffset} + offset ${offset} + ${byteLength} bytes runs past the end of the file (${bytes.byteLength} bytes)`,
      );
    }
    const shape = [...dims].reverse();
    const stored = storedTensor({
      name,
      storedType: type.name,
      shape,
      bytes: bytes.subarray(start, start + byteLength),
      ...(type.core === undefined && type.element !== undefined
        ? {}
        : {
            quantization: { kind: "blocks", format: type.name, blockSize: type.blockSize } as const,
          }),
      decode: decoderOf(file, name, type, shape),
    });
    return Object.freeze({ ...stored, ggmlType: type.id, dims: Object.freeze(dims), offset });
  });

  return Object.freeze({
    format: "gguf",
    file,
    version,
    metadata: Object.freeze(metadata),
    tensors: Object.freeze(tensors),
    alignment,
    dataOffset,
  });
}

function alignmentOf(c: Cursor, metadata: Record<string, GgufValue>): number {
  const entry = metadata["general.alignment"];
  if (entry === undefined) return GGUF_DEFAULT_ALIGNMENT;
  const field = 'metadata["general.alignment"]';
  if (entry.type !== "uint32") {
    throw c.error(field, `expected a uint32; found a value of type ${entry.type}`);
  }
  const a = entry.value;
  if (a === 0 || (a & (a - 1)) !== 0) {
    throw c.error(field, `expected a power of two; found ${a}`);
  }
  return a;
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ") || "nothing";
}
