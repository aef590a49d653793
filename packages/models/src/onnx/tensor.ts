/**
 * One TensorProto, checked against the file before anything is allocated: its data type is known,
 * its dims are safe integers, and its data (raw_data, a typed field, or an external file's bytes)
 * has exactly the size its dims and type need. Decoding happens later, on demand.
 */

import {
  bfloat16BitsToFloat32,
  float8e4m3fnBitsToFloat32,
  float8e5m2BitsToFloat32,
  float16BitsToFloat32,
  unpackInt4,
} from "@quantlab/core";
import { ModelFileError } from "../model.js";
import { placedFloats, placedFloatsOf } from "../place.js";
import { ONNX_DTYPES, type OnnxDType, rawByteLength, type TypedField } from "./dtypes.js";
import { int64ToNumber, type TensorProto } from "./proto.js";

/** Returns the bytes of an external data file, by its location relative to the model. */
export type ExternalDataResolver = (location: string) => Uint8Array;

/** Where a tensor's values are. */
type Source =
  | { readonly kind: "raw"; readonly bytes: Uint8Array }
  | { readonly kind: "typed"; readonly field: TypedField; readonly entries: ArrayLike<unknown> }
  | { readonly kind: "strings"; readonly entries: readonly Uint8Array[] };

/** A tensor whose sizes were checked against its data. */
export interface CheckedTensor {
  readonly file: string;
  /** Where it is in the file, e.g. `graph.initializer[3]`. */
  readonly path: string;
  readonly proto: TensorProto;
  readonly dtype: OnnxDType;
  readonly shape: readonly number[];
  readonly count: number;
  readonly byteLength: number;
  readonly source: Source;
}

if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
  throw new Error("@quantlab/models reads ONNX tensors on little-endian machines only");
}

function fail(file: string, field: string, problem: string): never {
  throw new ModelFileError(file, field, problem);
}

function nonNegativeInteger(text: string): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Checks a TensorProto; external data is fetched through `resolve` (once per location). */
export function checkTensor(
  file: string,
  path: string,
  proto: TensorProto,
  resolve: ((location: string) => Uint8Array) | undefined,
): CheckedTensor {
  const dtype = ONNX_DTYPES.get(proto.data_type);
  if (dtype === undefined) {
    fail(
      file,
      `${path}.data_type`,
      `unknown data type ${proto.data_type} (ONNX defines 1 to 26; 0 is UNDEFINED)`,
    );
  }
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < proto.dims.length; i++) {
    const d = int64ToNumber(proto.dims[i]);
    if (d === undefined || d < 0) {
      fail(file, `${path}.dims[${i}]`, `must be a non-negative integer; found ${proto.dims[i]}`);
    }
    shape.push(d);
    count *= d;
  }
  if (!Number.isSafeInteger(count)) {
    fail(file, `${path}.dims`, `[${shape.join(", ")}] is ${count} elements, more than 2^53`);
  }
  const expected = rawByteLength(dtype, count);
  const name = proto.name || "(unnamed)";
  const checked = (byteLength: number, source: Source): CheckedTensor => ({
    file,
    path,
    proto,
    dtype,
    shape,
    count,
    byteLength,
    source,
  });
  /** Fails on data of the wrong size: `found` (e.g. "12 bytes") where the dims need `needed`. */
  const wrongSize = (field: string, found: string, needed: number): never =>
    fail(file, field, `${found}, but dims [${shape.join(", ")}] of ${dtype.name} need ${needed}`);
  const external = proto.data_location === 1;
  if (external) {
    const entries = new Map(proto.external_data.map((e) => [e.key, e.value]));
    const location = entries.get("location");
    if (location === undefined || location === "") {
      fail(file, `${path}.external_data`, `tensor ${name} has no "location" entry`);
    }
    const offset = nonNegativeInteger(entries.get("offset") ?? "0");
    if (offset === undefined) {
      fail(
        file,
        `${path}.external_data.offset`,
        `must be a non-negative integer; found "${entries.get("offset")}"`,
      );
    }
    const lengthText = entries.get("length");
    const length = lengthText === undefined ? expected : nonNegativeInteger(lengthText);
    if (length === undefined) {
      fail(
        file,
        `${path}.external_data.length`,
        `must be a non-negative integer; found "${lengthText}"`,
      );
    }
    if (length !== expected) {
      wrongSize(`${path}.external_data.length`, `${length} bytes`, expected);
    }
    if (resolve === undefined) {
      fail(
        file,
        `${path}.external_data.location`,
        `tensor ${name} is stored in "${location}": pass a resolve function to read it`,
      );
    }
    const data = resolve(location);
    if (!(data instanceof Uint8Array)) {
      fail(file, `${path}.external_data.location`, `resolve("${location}") returned no Uint8Array`);
    }
    if (offset + length > data.length) {
      fail(
        file,
        `${path}.external_data.offset`,
        `${offset} + ${length} bytes runs past the end of "${location}" (${data.length} bytes)`,
      );
    }
    return checked(length, { kind: "raw", bytes: data.subarray(offset, offset + length) });
  }
  if (dtype.field === "string_data") {
    if (proto.string_data.length !== count) {
      fail(
        file,
        `${path}.string_data`,
        `${proto.string_data.length} strings for ${count} elements`,
      );
    }
    const byteLength = proto.string_data.reduce((a, s) => a + s.length, 0);
    return checked(byteLength, { kind: "strings", entries: proto.string_data });
  }
  if (proto.raw_data !== undefined && proto.raw_data.length > 0) {
    if (proto.raw_data.length !== expected) {
      wrongSize(`${path}.raw_data`, `${proto.raw_data.length} bytes`, expected);
    }
    return checked(expected, { kind: "raw", bytes: proto.raw_data });
  }
  const field = dtype.field;
  const entries = (proto[field] ?? []) as ArrayLike<unknown>;
  const needed = Math.ceil(count / dtype.perEntry);
  if (entries.length !== needed) {
    if (entries.length === 0 && count > 0) {
      fail(file, path, `tensor ${name} has dims [${shape.join(", ")}] but no data`);
    }
    wrongSize(`${path}.${field}`, `${entries.length} entries`, needed);
  }
  return checked(expected, { kind: "typed", field, entries });
}

function entryNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(String(value));
}

/** The tensor's bytes as raw_data stores them (little-endian, sub-byte types packed). */
export function storedBytes(t: CheckedTensor): Uint8Array {
  const { source, dtype, count } = t;
  if (source.kind === "raw") return source.bytes;
  if (source.kind === "strings") {
    fail(t.file, t.path, "a STRING tensor has no raw bytes");
  }
  const out = new Uint8Array(rawByteLength(dtype, count));
  const view = new DataView(out.buffer);
  const e = source.entries;
  if (source.field === "float_data") {
    for (let i = 0; i < e.length; i++) view.setFloat32(4 * i, entryNumber(e[i]), true);
  } else if (source.field === "double_data") {
    for (let i = 0; i < e.length; i++) view.setFloat64(8 * i, entryNumber(e[i]), true);
  } else if (source.field === "int64_data" || source.field === "uint64_data") {
    const width = dtype.bits / 8;
    for (let i = 0; i < e.length; i++) {
      const big = BigInt(String(e[i]));
      if (width === 8) view.setBigUint64(8 * i, BigInt.asUintN(64, big), true);
      else view.setUint32(4 * i, Number(BigInt.asUintN(32, big)), true);
    }
  } else if (dtype.bits >= 8) {
    const width = dtype.bits / 8;
    for (let i = 0; i < e.length; i++) {
      const v = entryNumber(e[i]);
      if (width === 1) view.setUint8(i, v & 0xff);
      else if (width === 2) view.setUint16(2 * i, v & 0xffff, true);
      else view.setInt32(4 * i, v, true);
    }
  } else {
    // Sub-byte types: each int32_data entry holds one packed byte (2 nibbles or 4 crumbs).
    for (let i = 0; i < e.length; i++) out[i] = entryNumber(e[i]) & 0xff;
  }
  return out;
}

/** A copy of `bytes` in a fresh, aligned buffer. */
function aligned(bytes: Uint8Array): ArrayBuffer {
  // Not bytes.slice(): on a Node Buffer that is a view of the same memory.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/** Integer codes of an integer tensor, exactly (int64 beyond 2^53 rounds). */
export function integerValues(t: CheckedTensor): Int32Array | Float64Array {
  const bytes = storedBytes(t);
  const n = t.count;
  switch (t.dtype.name) {
    case "INT8":
      return Int32Array.from(new Int8Array(aligned(bytes), 0, n));
    case "UINT8":
    case "BOOL":
      return Int32Array.from(bytes.subarray(0, n));
    case "INT16":
      return Int32Array.from(new Int16Array(aligned(bytes), 0, n));
    case "UINT16":
      return Int32Array.from(new Uint16Array(aligned(bytes), 0, n));
    case "INT32":
      return new Int32Array(aligned(bytes), 0, n);
    case "UINT32":
      return Float64Array.from(new Uint32Array(aligned(bytes), 0, n));
    case "INT64":
      return Float64Array.from(new BigInt64Array(aligned(bytes), 0, n), Number);
    case "UINT64":
      return Float64Array.from(new BigUint64Array(aligned(bytes), 0, n), Number);
    case "INT4":
    case "UINT4":
      return Int32Array.from(unpackInt4(bytes, t.dtype.name === "INT4" ? "int4" : "uint4", n));
    case "INT2":
    case "UINT2": {
      const out = new Int32Array(n);
      const signed = t.dtype.name === "INT2";
      for (let i = 0; i < n; i++) {
        const crumb = (bytes[i >> 2] >> ((i & 3) << 1)) & 3;
        out[i] = signed ? (crumb << 30) >> 30 : crumb;
      }
      return out;
    }
    default:
      return fail(t.file, t.path, `${t.dtype.name} is not an integer type`);
  }
}

/**
 * The tensor's values as float32 (integers converted, low-precision floats decoded). `placed`
 * (default true): in the kernels' WebAssembly memory where it fits (../place.ts), so that core
 * quantizes them in place; false: an ordinary array with a buffer of its own, which can be
 * transferred to a worker thread.
 */
export function floatValues(t: CheckedTensor, placed = true): Float32Array {
  const n = t.count;
  const floats = placed ? placedFloats : (k: number) => new Float32Array(k);
  const name = t.dtype.name;
  if (name === "FLOAT") {
    if (t.source.kind === "typed") {
      const out = floats(n);
      out.set(t.source.entries as ArrayLike<number>);
      return out;
    }
    if (!placed) return new Float32Array(aligned(storedBytes(t)), 0, n);
    return placedFloatsOf(storedBytes(t), n);
  }
  if (name === "DOUBLE") return Float32Array.from(new Float64Array(aligned(storedBytes(t)), 0, n));
  const decoders: Record<string, (bits: number) => number> = {
    FLOAT16: float16BitsToFloat32,
    BFLOAT16: bfloat16BitsToFloat32,
    FLOAT8E4M3FN: float8e4m3fnBitsToFloat32,
    FLOAT8E5M2: float8e5m2BitsToFloat32,
  };
  const decode = decoders[name];
  if (decode !== undefined) {
    const bytes = storedBytes(t);
    const codes =
      t.dtype.bits === 16 ? new Uint16Array(aligned(bytes), 0, n) : bytes.subarray(0, n);
    const out = floats(n);
    for (let i = 0; i < n; i++) out[i] = decode(codes[i] as number);
    return out;
  }
  if (
    [
      "INT8",
      "UINT8",
      "BOOL",
      "INT16",
      "UINT16",
      "INT32",
      "UINT32",
      "INT64",
      "UINT64",
      "INT4",
      "UINT4",
      "INT2",
      "UINT2",
    ].includes(name)
  ) {
    return Float32Array.from(integerValues(t));
  }
  return fail(
    t.file,
    t.path,
    `decoding ${name} values is not supported (bytes() gives the stored bytes)`,
  );
}
