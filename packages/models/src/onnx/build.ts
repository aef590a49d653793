/** Building ONNX models and tensors from plain data (what the writers and the model exporters use). */
import { onnxDType } from "./dtypes.js";
import {
  ATTRIBUTE,
  type AttributeProto,
  attr,
  encodeModelProto,
  type GraphProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from "./proto.js";

/** Values of a tensor: raw little-endian bytes, or a typed array of its elements. */
export type TensorData = Uint8Array | Float32Array | Int32Array | BigInt64Array | Float64Array;

/** A tensor given as data: `dtype` is ONNX's name ("FLOAT", "INT64", "INT4", ...). */
export interface OnnxTensorSpec {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly number[];
  /** A Uint8Array is taken as raw_data bytes (packed for 4-bit types); other arrays as elements. */
  readonly data: TensorData;
}

/** An attribute value: integers become INT/INTS, other numbers FLOAT; `{ float }` forces FLOAT. */
export type AttributeValue =
  | number
  | readonly number[]
  | string
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly tensor: OnnxTensorSpec };

export interface OnnxNodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

/** A graph input or output: element type by ONNX name, dims as numbers or symbolic names. */
export interface OnnxValueSpec {
  readonly name: string;
  readonly dtype: string;
  readonly shape: readonly (number | string)[];
}

export interface OnnxModelSpec {
  readonly inputs: readonly OnnxValueSpec[];
  readonly outputs: readonly OnnxValueSpec[];
  readonly nodes: readonly OnnxNodeSpec[];
  readonly initializers?: readonly OnnxTensorSpec[];
  /** Default-domain opset (default 21). */
  readonly opset?: number;
  /** Other domains, e.g. `{ "com.microsoft": 1 }`. */
  readonly domains?: Readonly<Record<string, number>>;
  readonly name?: string;
  readonly producer?: string;
  readonly docString?: string;
}

/** A TensorProto holding `spec`'s data in raw_data. */
export function tensorProto(spec: OnnxTensorSpec): TensorProto {
  const dtype = onnxDType(spec.dtype);
  const d = spec.data;
  const raw =
    d instanceof Uint8Array ? d : new Uint8Array(d.buffer, d.byteOffset, d.byteLength).slice();
  return {
    name: spec.name,
    dims: [...spec.shape],
    data_type: dtype.code,
    raw_data: raw,
  } as unknown as TensorProto;
}

function isNumberList(value: AttributeValue): value is readonly number[] {
  return Array.isArray(value);
}

function attributeProto(name: string, value: AttributeValue): AttributeProto {
  if (typeof value === "number") {
    return Number.isInteger(value) ? attr.int(name, value) : attr.float(name, value);
  }
  if (typeof value === "string") return attr.string(name, value);
  if (isNumberList(value)) {
    const list = value;
    return list.every(Number.isInteger)
      ? attr.ints(name, list)
      : { name, type: ATTRIBUTE.FLOATS, floats: [...list] };
  }
  if ("float" in value) return attr.float(name, value.float);
  if ("floats" in value) return { name, type: ATTRIBUTE.FLOATS, floats: [...value.floats] };
  return attr.tensor(name, tensorProto(value.tensor));
}

/** A NodeProto from a spec. */
export function nodeProto(spec: OnnxNodeSpec): NodeProto {
  return {
    input: [...spec.inputs],
    output: [...spec.outputs],
    name: spec.name ?? "",
    op_type: spec.op,
    domain: spec.domain ?? "",
    attribute: Object.entries(spec.attributes ?? {}).map(([k, v]) => attributeProto(k, v)),
  };
}

/** A ValueInfoProto of a tensor. */
export function valueInfoProto(spec: OnnxValueSpec): ValueInfoProto {
  return {
    name: spec.name,
    type: {
      tensor_type: {
        elem_type: onnxDType(spec.dtype).code,
        shape: {
          dim: spec.shape.map((d) => (typeof d === "number" ? { dim_value: d } : { dim_param: d })),
        },
      },
    },
  };
}

/** The IR version a default-domain opset needs (ONNX's versioning table). */
export function irVersionFor(opset: number): number {
  if (opset >= 23) return 11;
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  if (opset >= 13) return 7;
  if (opset >= 11) return 6;
  if (opset >= 10) return 5;
  return 4;
}

/** A ModelProto from a spec (not encoded). */
export function modelProto(spec: OnnxModelSpec): ModelProto {
  const opset = spec.opset ?? 21;
  const graph: GraphProto = {
    name: spec.name ?? "graph",
    node: spec.nodes.map(nodeProto),
    initializer: (spec.initializers ?? []).map(tensorProto),
    input: spec.inputs.map(valueInfoProto),
    output: spec.outputs.map(valueInfoProto),
    value_info: [],
  };
  return {
    ir_version: irVersionFor(opset),
    opset_import: [
      { domain: "", version: opset },
      ...Object.entries(spec.domains ?? {}).map(([domain, version]) => ({ domain, version })),
    ],
    producer_name: spec.producer ?? "quantlab",
    producer_version: "",
    domain: "",
    model_version: 0,
    doc_string: spec.docString ?? "",
    graph,
    metadata_props: [],
  };
}

/**
 * Builds an ONNX model from plain data and returns its bytes.
 *
 * @example
 * const bytes = createOnnxModel({
 *   inputs: [{ name: "x", dtype: "FLOAT", shape: ["batch", 2] }],
 *   outputs: [{ name: "y", dtype: "FLOAT", shape: ["batch", 3] }],
 *   initializers: [{ name: "w", dtype: "FLOAT", shape: [2, 3], data: new Float32Array(6) }],
 *   nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"] }],
 * });
 */
export function createOnnxModel(spec: OnnxModelSpec): Uint8Array {
  return encodeModelProto(modelProto(spec));
}
