/**
 * ONNX's TensorProto.DataType: one record per type, the single table the reader and the writer
 * use (its code, the name the file format gives it, its width, and which typed field holds its
 * values when raw_data is not used).
 */

/** The typed fields of TensorProto that can hold a tensor's values. */
export type TypedField = "float_data" | "int32_data" | "int64_data" | "double_data" | "uint64_data";

export interface OnnxDType {
  readonly code: number;
  /** The name in onnx.proto3's enum, e.g. "FLOAT", "INT4". */
  readonly name: string;
  /** Bits per element (complex: both parts). */
  readonly bits: number;
  /** Field used instead of raw_data; `int32_data` holds one element per entry for >= 8 bits. */
  readonly field: TypedField | "string_data";
  /** Elements per field entry (4-bit: 2 per int32_data entry, 2-bit: 4, complex: 1/2). */
  readonly perEntry: number;
}

const TABLE: readonly OnnxDType[] = [
  { code: 1, name: "FLOAT", bits: 32, field: "float_data", perEntry: 1 },
  { code: 2, name: "UINT8", bits: 8, field: "int32_data", perEntry: 1 },
  { code: 3, name: "INT8", bits: 8, field: "int32_data", perEntry: 1 },
  { code: 4, name: "UINT16", bits: 16, field: "int32_data", perEntry: 1 },
  { code: 5, name: "INT16", bits: 16, field: "int32_data", perEntry: 1 },
  { code: 6, name: "INT32", bits: 32, field: "int32_data", perEntry: 1 },
  { code: 7, name: "INT64", bits: 64, field: "int64_data", perEntry: 1 },
  { code: 8, name: "STRING", bits: 0, field: "string_data", perEntry: 1 },
  { code: 9, name: "BOOL", bits: 8, field: "int32_data", perEntry: 1 },
  { code: 10, name: "FLOAT16", bits: 16, field: "int32_data", perEntry: 1 },
  { code: 11, name: "DOUBLE", bits: 64, field: "double_data", perEntry: 1 },
  { code: 12, name: "UINT32", bits: 32, field: "uint64_data", perEntry: 1 },
  { code: 13, name: "UINT64", bits: 64, field: "uint64_data", perEntry: 1 },
  { code: 14, name: "COMPLEX64", bits: 64, field: "float_data", perEntry: 0.5 },
  { code: 15, name: "COMPLEX128", bits: 128, field: "double_data", perEntry: 0.5 },
  { code: 16, name: "BFLOAT16", bits: 16, field: "int32_data", perEntry: 1 },
  { code: 17, name: "FLOAT8E4M3FN", bits: 8, field: "int32_data", perEntry: 1 },
  { code: 18, name: "FLOAT8E4M3FNUZ", bits: 8, field: "int32_data", perEntry: 1 },
  { code: 19, name: "FLOAT8E5M2", bits: 8, field: "int32_data", perEntry: 1 },
  { code: 20, name: "FLOAT8E5M2FNUZ", bits: 8, field: "int32_data", perEntry: 1 },
  { code: 21, name: "UINT4", bits: 4, field: "int32_data", perEntry: 2 },
  { code: 22, name: "INT4", bits: 4, field: "int32_data", perEntry: 2 },
  { code: 23, name: "FLOAT4E2M1", bits: 4, field: "int32_data", perEntry: 2 },
  { code: 24, name: "FLOAT8E8M0", bits: 8, field: "int32_data", perEntry: 1 },
  { code: 25, name: "UINT2", bits: 2, field: "int32_data", perEntry: 4 },
  { code: 26, name: "INT2", bits: 2, field: "int32_data", perEntry: 4 },
];

/** Every ONNX tensor data type, by its code. */
export const ONNX_DTYPES: ReadonlyMap<number, OnnxDType> = new Map(TABLE.map((d) => [d.code, d]));

/** The data type named `name` ("FLOAT", "INT4", ...). */
export function onnxDType(name: string): OnnxDType {
  const found = TABLE.find((d) => d.name === name);
  if (found === undefined) throw new Error(`unknown ONNX data type ${name}`);
  return found;
}

/** Bytes that `count` elements of `dtype` take in raw_data (sub-byte types packed). */
export function rawByteLength(dtype: OnnxDType, count: number): number {
  return Math.ceil((count * dtype.bits) / 8);
}

/** The integer dtypes of @quantlab/core that a DequantizeLinear input may have, by ONNX code. */
export const QUANTIZED_CODES: Readonly<Record<string, number>> = {
  int8: 3,
  uint8: 2,
  int16: 5,
  uint16: 4,
  int32: 6,
  int4: 22,
  uint4: 21,
};
