import { argumentError } from "../args.js";
import { type ModelFile, ModelFileError, type StoredTensor } from "../model.js";
import { ELEMENT_CODECS, elementCount, found, parseJson, storedTensor, utf8 } from "../stored.js";

/** The weight dtypes tfjs stores in weight files (string and complex64 are not read). */
export type TfjsDType = "float32" | "int32" | "bool";

type TfjsQuantization =
  | { dtype: "uint8" | "uint16"; min: number; scale: number }
  | { dtype: "float16" };

/** A weight of a tfjs model. */
export interface TfjsTensor extends StoredTensor {
  /** The weight's dtype in the manifest: what tfjs decodes it to. */
  readonly dtype: TfjsDType;
  /** The weight group (index in `weightsManifest`) whose shards hold it. */
  readonly group: number;
  /** Its offset in the group's shards, concatenated. */
  readonly offset: number;
}

/**
 * A tfjs model's weights, read. `metadata` holds model.json's fields other than
 * `weightsManifest` (`format`, `generatedBy`, `convertedBy`, `modelTopology`, ...); empty for
 * a bare weights manifest.
 */
export interface TfjsFile extends ModelFile {
  readonly format: "tfjs";
  readonly tensors: readonly TfjsTensor[];
}

export interface ReadTfjsOptions {
  /** The file's name, for messages (default "model.json"). */
  readonly file?: string;
  /** Returns the bytes of a weight shard by its path in the manifest (relative to its folder). */
  readonly resolve?: (relativePath: string) => Uint8Array;
}

const QUANTIZED_BYTES = { uint8: 1, uint16: 2, float16: 2 } as const;

/**
 * Reads the weights of a tfjs model: `model.json` (its `weightsManifest`) or a bare
 * `*-weights_manifest.json`, and the `.bin` shards it names, through `resolve`. Weights come in
 * manifest order; each group's shards are concatenated and its weights laid end to end.
 *
 * Values decode as tfjs-core's `io.decodeWeights` decodes them, bit for bit: float32 as stored;
 * int32 and bool as numbers (bool 0 or 1); `quantization: { dtype: "uint8" | "uint16", min,
 * scale }` as `code * scale + min` in float64 then rounded once to float32 (for an int32 weight,
 * `Math.round` of it), and `{ dtype: "float16" }` as float16 (NaN payloads kept).
 * `quantization` records the scheme.
 *
 * @throws {ModelFileError} naming the file, the field and what was wrong: not JSON, no
 *   manifest, an unknown dtype, quantization without min and scale, shards too short.
 * @throws {TypeError} a manifest that names shards but no `resolve` was given.
 *
 * @example
 * const manifest = [{ paths: ["w.bin"], weights: [
 *   { name: "w", shape: [2], dtype: "float32", quantization: { dtype: "uint8", min: -1, scale: 0.5 } },
 * ] }];
 * const json = new TextEncoder().encode(JSON.stringify(manifest));
 * const file = readTfjs(json, { resolve: () => new Uint8Array([0, 4]) });
 * file.tensors[0].values(); // => Float32Array [-1, 1]
 */
export function readTfjs(bytes: Uint8Array, options: ReadTfjsOptions = {}): TfjsFile {
  const file = options.file ?? "model.json";
  const fail = (field: string, problem: string) => new ModelFileError(file, field, problem);
  const text = utf8(file, "json", bytes).replace(/^\uFEFF/, "");
  const json = parseJson(file, "json", text);
  let manifest: unknown;
  let metadata: Record<string, unknown> = {};
  let prefix: string;
  if (Array.isArray(json)) {
    manifest = json;
    prefix = "manifest";
  } else if (typeof json === "object" && json !== null && "weightsManifest" in json) {
    const { weightsManifest, ...rest } = json as Record<string, unknown>;
    manifest = weightsManifest;
    metadata = rest;
    prefix = "weightsManifest";
  } else {
    throw fail(
      "json",
      "expected a model.json with a weightsManifest, or a weights manifest (an array of groups)",
    );
  }
  if (!Array.isArray(manifest)) {
    throw fail(prefix, `expected an array of weight groups; found ${found(manifest)}`);
  }
  const names = new Set<string>();
  const tensors: TfjsTensor[] = [];
  manifest.forEach((group: unknown, g) => {
    const gField = `${prefix}[${g}]`;
    if (typeof group !== "object" || group === null) {
      throw fail(gField, `expected { paths, weights }; found ${found(group)}`);
    }
    const { paths, weights } = group as Record<string, unknown>;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === "string")) {
      throw fail(`${gField}.paths`, `expected an array of shard paths; found ${found(paths)}`);
    }
    if (!Array.isArray(weights)) {
      throw fail(`${gField}.weights`, `expected an array of weights; found ${found(weights)}`);
    }
    const data = shards(file, `${gField}.paths`, paths as string[], options.resolve);
    let offset = 0;
    weights.forEach((spec: unknown, w) => {
      const field = `${gField}.weights[${w}]`;
      const tensor = weight(file, field, spec, data, offset, g);
      if (names.has(tensor.name))
        throw fail(`${field}.name`, `${JSON.stringify(tensor.name)} appears twice`);
      names.add(tensor.name);
      offset += tensor.byteLength;
      tensors.push(tensor);
    });
  });
  return Object.freeze({ format: "tfjs", file, tensors: Object.freeze(tensors), metadata });
}

function shards(
  file: string,
  field: string,
  paths: string[],
  resolve: ((relativePath: string) => Uint8Array) | undefined,
): Uint8Array {
  if (paths.length === 0) return new Uint8Array(0);
  if (typeof resolve !== "function") {
    throw argumentError(
      "readTfjs",
      "options.resolve",
      "a function (relativePath) => Uint8Array to read the weight shards",
      resolve,
    );
  }
  const parts = paths.map((path, i) => {
    let part: unknown;
    try {
      part = resolve(path);
    } catch (error) {
      throw new ModelFileError(
        file,
        `${field}[${i}]`,
        `cannot read ${JSON.stringify(path)}: ${(error as Error).message}`,
      );
    }
    if (!(part instanceof Uint8Array)) {
      throw argumentError(
        "readTfjs",
        "options.resolve",
        `a function that returns a Uint8Array (for ${JSON.stringify(path)})`,
        part,
      );
    }
    return part;
  });
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function weight(
  file: string,
  field: string,
  spec: unknown,
  data: Uint8Array,
  offset: number,
  group: number,
): TfjsTensor {
  const fail = (f: string, problem: string) => new ModelFileError(file, f, problem);
  if (typeof spec !== "object" || spec === null) {
    throw fail(field, `expected { name, shape, dtype }; found ${found(spec)}`);
  }
  const { name, shape, dtype, quantization } = spec as Record<string, unknown>;
  if (typeof name !== "string")
    throw fail(`${field}.name`, `expected a string; found ${found(name)}`);
  const at = `${field} (${JSON.stringify(name)})`;
  if (dtype !== "float32" && dtype !== "int32" && dtype !== "bool") {
    throw fail(`${at}.dtype`, `expected "float32", "int32" or "bool"; found ${found(dtype)}`);
  }
  if (!Array.isArray(shape)) throw fail(`${at}.shape`, `expected an array; found ${found(shape)}`);
  const q =
    quantization === undefined
      ? undefined
      : quantizationOf(fail, `${at}.quantization`, quantization, dtype);
  const bytesPer =
    q === undefined
      ? ELEMENT_CODECS[dtype === "bool" ? "bool" : dtype].bytes
      : QUANTIZED_BYTES[q.dtype];
  const count = elementCount(file, `${at}.shape`, shape, Number.MAX_SAFE_INTEGER / 8);
  const byteLength = count * bytesPer;
  if (offset + byteLength > data.byteLength) {
    throw fail(
      `${at}.shape`,
      `[${shape.join(", ")}] takes ${byteLength} bytes at offset ${offset} of group ${group}'s shards, which hold ${data.byteLength}`,
    );
  }
  const stored = storedTensor({
    name,
    storedType: q === undefined ? dtype : q.dtype,
    shape: shape as number[],
    bytes: data.subarray(offset, offset + byteLength),
    ...(q === undefined ? {} : { quantization: { kind: "tfjs", ...q } as const }),
    decode: decoder(dtype, q, count),
  });
  return Object.freeze({ ...stored, dtype, group, offset });
}

function quantizationOf(
  fail: (field: string, problem: string) => ModelFileError,
  field: string,
  q: unknown,
  dtype: TfjsDType,
): TfjsQuantization {
  if (typeof q !== "object" || q === null) {
    throw fail(field, `expected { dtype, min, scale } or { dtype: "float16" }; found ${found(q)}`);
  }
  const { dtype: qd, min, scale } = q as Record<string, unknown>;
  if (qd === "float16") {
    if (dtype !== "float32")
      throw fail(
        `${field}.dtype`,
        `float16 quantization is for float32 weights; this one is ${dtype}`,
      );
    return { dtype: qd };
  }
  if (qd !== "uint8" && qd !== "uint16") {
    throw fail(`${field}.dtype`, `expected "uint8", "uint16" or "float16"; found ${found(qd)}`);
  }
  if (dtype === "bool")
    throw fail(
      `${field}.dtype`,
      `${qd} quantization is for float32 and int32 weights; this one is bool`,
    );
  for (const [key, v] of [
    ["min", min],
    ["scale", scale],
  ] as const) {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw fail(`${field}.${key}`, `${qd} quantization needs a finite number; found ${found(v)}`);
    }
  }
  return { dtype: qd, min: min as number, scale: scale as number };
}

function decoder(dtype: TfjsDType, q: TfjsQuantization | undefined, count: number) {
  if (q === undefined) {
    const codec = ELEMENT_CODECS[dtype];
    return (bytes: Uint8Array) => codec.decode(bytes, count);
  }
  if (q.dtype === "float16") {
    return (bytes: Uint8Array) => ELEMENT_CODECS.float16.decode(bytes, count);
  }
  const { min, scale } = q;
  const codes = q.dtype === "uint8" ? ELEMENT_CODECS.uint8 : ELEMENT_CODECS.uint16;
  const round = dtype === "int32";
  return (bytes: Uint8Array) => {
    const out = codes.decode(bytes, count);
    // tfjs: values[i] = v * scale + min, in float64, stored once into float32 (int32: Math.round, then wrapped to int32 as an Int32Array stores it).
    for (let i = 0; i < count; i++) {
      const v = out[i] * scale + min;
      out[i] = round ? Math.round(v) | 0 : v;
    }
    return out;
  };
}
