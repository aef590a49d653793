import { argumentError, floatValues, shapeOf } from "../args.js";
import { ELEMENT_CODECS } from "../stored.js";
import { elementEncoders, givenData, type TensorInput } from "../tensor-input.js";
import { SAFETENSORS_DTYPES, type SafetensorsDType } from "./read.js";

const FN = "writeSafetensors";

/**
 * A tensor to write: `values` encoded to `dtype` (F32, F16, BF16, F64 from numbers; I8, U8,
 * I16, U16, I32, U32 from integers in range; BOOL from 0 and 1), or `data`, the stored bytes.
 */
export interface SafetensorsTensorInput extends TensorInput {
  readonly dtype: SafetensorsDType;
}

/** What `writeSafetensors` writes: `__metadata__` (strings) and the tensors, in this order. */
export interface WriteSafetensorsInput {
  readonly metadata?: Readonly<Record<string, string>>;
  readonly tensors: readonly SafetensorsTensorInput[];
}

const ENCODERS = elementEncoders(FN);

/**
 * Writes a safetensors file: the 8-byte header length, the JSON header (`__metadata__` first,
 * then the tensors in the order given, their data contiguous), padded with spaces to a multiple
 * of 8 bytes as the safetensors library pads it, then the data.
 *
 * @throws {TypeError} a value of the wrong kind.
 * @throws {RangeError} an unknown dtype, values out of the dtype's range, `data` of the wrong
 *   length, a name given twice or named `__metadata__`.
 *
 * @example
 * const bytes = writeSafetensors({
 *   metadata: { format: "pt" },
 *   tensors: [{ name: "w", dtype: "I8", shape: [2, 2], values: [1, -2, 3, -4] }],
 * });
 * readSafetensors(bytes).tensors[0].values(); // => Float32Array [1, -2, 3, -4]
 */
export function writeSafetensors(input: WriteSafetensorsInput): Uint8Array {
  if (typeof input !== "object" || input === null) {
    throw argumentError(FN, "input", "an object { metadata, tensors }", input);
  }
  const { metadata, tensors } = input;
  if (!Array.isArray(tensors)) throw argumentError(FN, "input.tensors", "an array", tensors);
  const header: Record<string, unknown> = Object.create(null);
  if (metadata !== undefined) {
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
      throw argumentError(FN, "input.metadata", "an object of strings", metadata);
    }
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== "string") {
        throw argumentError(FN, `input.metadata[${JSON.stringify(key)}]`, "a string", value);
      }
    }
    header.__metadata__ = metadata;
  }
  const datas: Uint8Array[] = [];
  let offset = 0;
  tensors.forEach((t: SafetensorsTensorInput, i) => {
    const arg = `input.tensors[${i}]`;
    if (typeof t !== "object" || t === null) {
      throw argumentError(FN, arg, "a tensor { name, dtype, shape, values | data }", t);
    }
    if (typeof t.name !== "string") throw argumentError(FN, `${arg}.name`, "a string", t.name);
    if (t.name === "__metadata__" || Object.hasOwn(header, t.name)) {
      throw argumentError(
        FN,
        `${arg}.name`,
        "a name no other tensor has, not __metadata__",
        t.name,
        RangeError,
      );
    }
    if (typeof t.dtype !== "string" || !Object.hasOwn(SAFETENSORS_DTYPES, t.dtype)) {
      throw argumentError(
        FN,
        `${arg}.dtype`,
        `one of ${Object.keys(SAFETENSORS_DTYPES).join(", ")}`,
        t.dtype,
      );
    }
    const shape = shapeOf(FN, `${arg}.shape`, t.shape);
    const count = shape.reduce((a, b) => a * b, 1);
    const byteLength = count * ELEMENT_CODECS[SAFETENSORS_DTYPES[t.dtype]].bytes;
    let data = givenData(FN, arg, t, byteLength, t.dtype, shape);
    if (data === undefined) {
      const encode = ENCODERS[t.dtype];
      if (encode === undefined) {
        throw argumentError(
          FN,
          `${arg}.dtype`,
          "a dtype that can be written from values (or give data)",
          t.dtype,
          RangeError,
        );
      }
      data = encode(floatValues(FN, `${arg}.values`, t.values, count), `${arg}.values`);
    }
    header[t.name] = { dtype: t.dtype, shape, data_offsets: [offset, offset + byteLength] };
    offset += byteLength;
    datas.push(data);
  });
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + headerLength);
  let at = 8 + headerLength;
  for (const data of datas) {
    out.set(data, at);
    at += data.byteLength;
  }
  return out;
}
