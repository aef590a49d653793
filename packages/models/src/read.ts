import { GGUF_MAGIC, readGguf } from "./gguf/read.js";
import { type ModelFile, ModelFileError } from "./model.js";
import { readOnnx } from "./onnx/read.js";
import { readSafetensors } from "./safetensors/read.js";
import { readTfjs } from "./tfjs/read.js";

export interface ReadModelOptions {
  /** The file's name or path, for messages. */
  readonly file?: string;
  /** Returns another file's bytes by its path relative to this one's folder (tfjs shards). */
  readonly resolve?: (relativePath: string) => Uint8Array;
}

const startsWith = (bytes: Uint8Array, prefix: Uint8Array) =>
  bytes.byteLength >= prefix.byteLength && prefix.every((b, i) => bytes[i] === b);

/** The first byte that is not JSON whitespace (after a UTF-8 byte order mark), or -1. */
function firstNonSpace(bytes: Uint8Array): number {
  let i = startsWith(bytes, new Uint8Array([0xef, 0xbb, 0xbf])) ? 3 : 0;
  while (i < bytes.byteLength && [0x20, 0x09, 0x0a, 0x0d].includes(bytes[i])) i++;
  return i < bytes.byteLength ? bytes[i] : -1;
}

/** Whether `bytes` look like safetensors: a header length inside the file, then "{". */
function isSafetensors(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 9 || bytes[8] !== 0x7b) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  return n <= BigInt(bytes.byteLength - 8);
}

/**
 * The format of a model file from its first bytes: "GGUF" (GGUF), an 8-byte header length
 * followed by `{` (safetensors), JSON (tfjs model.json or weights manifest), a protobuf whose
 * first field is ModelProto's `ir_version` (ONNX), or undefined.
 */
export function sniffFormat(bytes: Uint8Array): ModelFile["format"] | undefined {
  if (startsWith(bytes, GGUF_MAGIC)) return "gguf";
  if (isSafetensors(bytes)) return "safetensors";
  const first = firstNonSpace(bytes);
  if (first === 0x7b || first === 0x5b) return "tfjs";
  // ModelProto field 1 (ir_version), wire type varint: tag byte 0x08.
  if (bytes[0] === 0x08) return "onnx";
  return undefined;
}

/**
 * Reads a model file of any supported format, told apart by its bytes (see `sniffFormat`):
 * GGUF, safetensors, tfjs weights (shards through `resolve`), ONNX.
 *
 * @throws {ModelFileError} for a file of no known format, and whatever the format's reader
 *   throws for a bad file.
 *
 * @example
 * const bytes = writeSafetensors({ tensors: [{ name: "w", dtype: "F32", shape: [1], values: [2] }] });
 * readModel(bytes, { file: "w.safetensors" }).format; // => "safetensors"
 */
export function readModel(bytes: Uint8Array, options: ReadModelOptions = {}): ModelFile {
  const format = sniffFormat(bytes);
  const file = options.file;
  if (format === "gguf") return readGguf(bytes, { file });
  if (format === "safetensors") return readSafetensors(bytes, { file });
  if (format === "tfjs") return readTfjs(bytes, { file, resolve: options.resolve });
  if (format === "onnx") return readOnnx(bytes, { file, resolve: options.resolve });
  const name = file ?? "model";
  const head = [...bytes.subarray(0, 8)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
  throw new ModelFileError(
    name,
    "format",
    `not a model file this package reads (GGUF, safetensors, tfjs JSON, ONNX); it starts with ${head || "nothing"}`,
  );
}
