/**
 * The ONNX protobuf messages, decoded and encoded by protobufjs from the specification's own
 * schema (`onnx.proto3`, embedded as a JSON descriptor at build time). The interfaces below type
 * the fields this package reads and writes, with the schema's own (snake_case) names.
 */
import Long from "long";
import protobuf from "protobufjs/light.js";
import { ONNX_PROTO_JSON } from "../generated/onnx-proto.js";

// int64 fields (dims, int64_data, attribute ints) must keep all 64 bits: `Slice` ends of
// INT64_MAX are common, and a double cannot hold them.
protobuf.util.Long = Long as unknown as typeof protobuf.util.Long;
protobuf.configure();

const root = protobuf.Root.fromJSON(JSON.parse(ONNX_PROTO_JSON));
const ModelType = root.lookupType("onnx.ModelProto");

/** An int64 field as protobufjs gives it (a Long) or as we set it (a number). */
export type Int64 = number | Long;

export interface StringStringEntryProto {
  key: string;
  value: string;
}

export interface TensorProto {
  dims: Int64[];
  data_type: number;
  float_data: number[];
  int32_data: number[];
  string_data: Uint8Array[];
  int64_data: Int64[];
  name: string;
  doc_string?: string;
  raw_data: Uint8Array;
  external_data: StringStringEntryProto[];
  data_location?: number;
  double_data: number[];
  uint64_data: Int64[];
  segment?: unknown;
}

export interface Dimension {
  dim_value?: Int64;
  dim_param?: string;
}

export interface TypeProto {
  tensor_type?: { elem_type: number; shape?: { dim: Dimension[] } };
}

export interface ValueInfoProto {
  name: string;
  type?: TypeProto;
  doc_string?: string;
}

/** AttributeProto.AttributeType. */
export const ATTRIBUTE = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const;

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats?: number[];
  ints?: Int64[];
  strings?: Uint8Array[];
  tensors?: TensorProto[];
  graphs?: GraphProto[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  domain: string;
  attribute: AttributeProto[];
  doc_string?: string;
}

export interface GraphProto {
  node: NodeProto[];
  name: string;
  initializer: TensorProto[];
  sparse_initializer?: unknown[];
  doc_string?: string;
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info: ValueInfoProto[];
}

export interface OperatorSetIdProto {
  domain: string;
  version: Int64;
}

export interface ModelProto {
  ir_version: Int64;
  opset_import: OperatorSetIdProto[];
  producer_name: string;
  producer_version: string;
  domain: string;
  model_version: Int64;
  doc_string: string;
  graph?: GraphProto;
  metadata_props: StringStringEntryProto[];
  functions?: unknown[];
}

/** Decodes ModelProto bytes; throws protobufjs's errors (the caller names the file). */
export function decodeModelProto(bytes: Uint8Array): ModelProto {
  return ModelType.decode(bytes) as unknown as ModelProto;
}

/** Encodes a ModelProto (decoded or built from plain objects) to bytes. */
export function encodeModelProto(model: ModelProto): Uint8Array {
  return ModelType.encode(model as unknown as protobuf.Message).finish();
}

/** A number from an int64 field, or undefined when it is not a safe integer. */
export function int64ToNumber(value: Int64 | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : undefined;
  const n = Long.fromValue(value).toNumber();
  const back = Long.fromNumber(n, Long.fromValue(value).unsigned);
  return Number.isSafeInteger(n) && back.equals(Long.fromValue(value)) ? n : undefined;
}

/** Attribute `name` of a node, if present. */
export function attribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute.find((a) => a.name === name);
}

/** An INT attribute as a number (`fallback` when absent). */
export function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const a = attribute(node, name);
  return a === undefined ? fallback : (int64ToNumber(a.i) ?? fallback);
}

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();

/** UTF-8 text of a bytes field. */
export function text(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? "" : utf8.decode(bytes);
}

/** Builders of attributes, in the message shapes above. */
export const attr = {
  int: (name: string, i: number): AttributeProto => ({ name, type: ATTRIBUTE.INT, i }),
  float: (name: string, f: number): AttributeProto => ({ name, type: ATTRIBUTE.FLOAT, f }),
  ints: (name: string, ints: readonly number[]): AttributeProto => ({
    name,
    type: ATTRIBUTE.INTS,
    ints: [...ints],
  }),
  string: (name: string, s: string): AttributeProto => ({
    name,
    type: ATTRIBUTE.STRING,
    s: utf8Encoder.encode(s),
  }),
  tensor: (name: string, t: TensorProto): AttributeProto => ({ name, type: ATTRIBUTE.TENSOR, t }),
};
