import { type ModelFile, ModelFileError, type StoredTensor } from "../model.js";
import {
  ELEMENT_CODECS,
  type ElementType,
  elementCount,
  found,
  parseJson,
  storedTensor,
  utf8,
} from "../stored.js";

/** The safetensors dtypes read here, and their element types. */
export const SAFETENSORS_DTYPES = Object.freeze({
  F64: "float64",
  F32: "float32",
  F16: "float16",
  BF16: "bfloat16",
  F8_E4M3: "float8e4m3fn",
  F8_E5M2: "float8e5m2",
  I64: "int64",
  I32: "int32",
  I16: "int16",
  I8: "int8",
  U64: "uint64",
  U32: "uint32",
  U16: "uint16",
  U8: "uint8",
  BOOL: "bool",
} as const satisfies Record<string, ElementType>);

export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPES;

/** The safetensors library's bound on the header (100 MB): a longer one is taken as damage. */
export const MAX_HEADER_LENGTH = 100_000_000;

/** A tensor of a safetensors file. */
export interface SafetensorsTensor extends StoredTensor {
  readonly storedType: SafetensorsDType;
  /** `[begin, end)` in bytes from the start of the data section, as the header gives them. */
  readonly dataOffsets: readonly [number, number];
}

/** A safetensors file, read. `metadata` is the header's `__metadata__` (strings only). */
export interface SafetensorsFile extends ModelFile {
  readonly format: "safetensors";
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: readonly SafetensorsTensor[];
  /** Where the data section starts: 8 + the header's length. */
  readonly dataOffset: number;
}

export interface ReadSafetensorsOptions {
  /** The file's name, for messages (default "model.safetensors"). */
  readonly file?: string;
}

/**
 * Reads a safetensors file: an 8-byte little-endian header length, a JSON header (`dtype`,
 * `shape`, `data_offsets` per tensor, and `__metadata__`), then the data. Tensors come in the
 * order of their data; values decode to float32 when asked (F64 rounds to nearest; 64-bit
 * integers go through float64; BOOL is 0 or 1).
 *
 * Validated as the safetensors library does: the header at most 100 MB and inside the file,
 * valid UTF-8 JSON starting with `{`, every dtype known, every byte length equal to dtype size
 * x elements, and the tensors' data contiguous from 0 to the end of the file, without gaps or
 * overlaps.
 *
 * @throws {ModelFileError} naming the file, the field and what was wrong.
 *
 * @example
 * const file = readSafetensors(writeSafetensors({
 *   tensors: [{ name: "w", dtype: "F16", shape: [2], values: [1, 0.5] }],
 * }));
 * file.tensors[0].values(); // => Float32Array [1, 0.5]
 */
export function readSafetensors(
  bytes: Uint8Array,
  options: ReadSafetensorsOptions = {},
): SafetensorsFile {
  const file = options.file ?? "model.safetensors";
  const fail = (field: string, problem: string) => new ModelFileError(file, field, problem);
  if (bytes.byteLength < 8) {
    throw fail("header_length", `needs 8 bytes; the file has ${bytes.byteLength}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_LENGTH)) {
    throw fail(
      "header_length",
      `${n} bytes is more than the ${MAX_HEADER_LENGTH} a header may take`,
    );
  }
  const headerLength = Number(n);
  if (8 + headerLength > bytes.byteLength) {
    throw fail(
      "header_length",
      `${headerLength} bytes of header run past the end of the file (${bytes.byteLength} bytes)`,
    );
  }
  const text = utf8(file, "header", bytes.subarray(8, 8 + headerLength));
  if (!text.startsWith("{")) throw fail("header", `expected a JSON object starting with "{"`);
  const header = parseJson(file, "header", text);
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw fail("header", `expected a JSON object; found ${found(header)}`);
  }
  const dataOffset = 8 + headerLength;
  const dataLength = bytes.byteLength - dataOffset;

  let metadata: Record<string, string> = {};
  const infos: {
    name: string;
    dtype: SafetensorsDType;
    shape: number[];
    begin: number;
    end: number;
  }[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = metadataOf(fail, entry);
      continue;
    }
    const field = `header[${JSON.stringify(name)}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw fail(field, `expected { dtype, shape, data_offsets }; found ${found(entry)}`);
    }
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== "string" || !(dtype in SAFETENSORS_DTYPES)) {
      throw fail(
        `${field}.dtype`,
        `expected one of ${Object.keys(SAFETENSORS_DTYPES).join(", ")}; found ${found(dtype)}`,
      );
    }
    if (!Array.isArray(shape))
      throw fail(`${field}.shape`, `expected an array; found ${found(shape)}`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
    ) {
      throw fail(
        `${field}.data_offsets`,
        `expected [begin, end] in bytes; found ${JSON.stringify(offsets)?.slice(0, 60)}`,
      );
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) throw fail(`${field}.data_offsets`, `end ${end} is before begin ${begin}`);
    if (end > dataLength) {
      throw fail(
        `${field}.data_offsets`,
        `[${begin}, ${end}] runs past the end of the data section (${dataLength} bytes from ${dataOffset})`,
      );
    }
    const size = ELEMENT_CODECS[SAFETENSORS_DTYPES[dtype as SafetensorsDType]].bytes;
    // Bounded only against overflow: nothing is allocated, and the length check below is exact.
    const count = elementCount(file, `${field}.shape`, shape, Number.MAX_SAFE_INTEGER / 8);
    if (count * size !== end - begin) {
      throw fail(
        `${field}.data_offsets`,
        `[${begin}, ${end}] is ${end - begin} bytes; ${dtype} of shape [${shape.join(", ")}] takes ${count * size}`,
      );
    }
    infos.push({ name, dtype: dtype as SafetensorsDType, shape: shape as number[], begin, end });
  }
  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const info of infos) {
    if (info.begin !== expected) {
      throw fail(
        `header[${JSON.stringify(info.name)}].data_offsets`,
        info.begin < expected
          ? `begins at ${info.begin}, inside the previous tensor's data (which ends at ${expected})`
          : `begins at ${info.begin}, leaving a gap after the previous tensor's data (which ends at ${expected})`,
      );
    }
    expected = info.end;
  }
  if (expected !== dataLength) {
    throw fail(
      "data",
      `the tensors' data ends at ${expected}; the data section has ${dataLength} bytes`,
    );
  }
  const tensors = infos.map(({ name, dtype, shape, begin, end }) => {
    const codec = ELEMENT_CODECS[SAFETENSORS_DTYPES[dtype]];
    const count = shape.reduce((a, b) => a * b, 1);
    const stored = storedTensor({
      name,
      storedType: dtype,
      shape,
      bytes: bytes.subarray(dataOffset + begin, dataOffset + end),
      decode: (b) => codec.decode(b, count),
    });
    return Object.freeze({
      ...stored,
      storedType: dtype,
      dataOffsets: Object.freeze([begin, end] as const),
    });
  });
  return Object.freeze({
    format: "safetensors",
    file,
    metadata: Object.freeze(metadata),
    tensors: Object.freeze(tensors),
    dataOffset,
  });
}

function metadataOf(
  fail: (field: string, problem: string) => ModelFileError,
  entry: unknown,
): Record<string, string> {
  if (entry === null) return {};
  if (typeof entry !== "object" || Array.isArray(entry)) {
    throw fail("header.__metadata__", `expected an object of strings; found ${found(entry)}`);
  }
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== "string") {
      throw fail(
        `header.__metadata__[${JSON.stringify(key)}]`,
        `expected a string; found ${found(value)}`,
      );
    }
    out[key] = value;
  }
  return out;
}
