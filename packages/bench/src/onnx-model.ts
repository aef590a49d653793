/**
 * Tiny ONNX models built in memory: a minimal protobuf writer (varints, length-delimited fields)
 * and the few messages of onnx.proto a one-node graph needs. Field numbers are those of onnx.proto:
 * ModelProto (ir_version 1, graph 7, opset_import 8), GraphProto (node 1, name 2, initializer 5,
 * input 11, output 12), NodeProto (input 1, output 2, op_type 4, attribute 5), AttributeProto
 * (name 1, i 3, type 20), TensorProto (dims 1, data_type 2, name 8, raw_data 9), ValueInfoProto
 * (name 1, type 2), TypeProto (tensor_type 1), TypeProto.Tensor (elem_type 1, shape 2),
 * TensorShapeProto (dim 1), Dimension (dim_value 1), OperatorSetIdProto (domain 1, version 2).
 */

/** ONNX TensorProto.DataType codes. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  FLOAT16: 10,
} as const;

class Writer {
  private readonly bytes: number[] = [];

  varint(value: number): this {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.bytes.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.bytes.push(Number(v));
    return this;
  }

  /** A varint field (wire type 0). */
  int(field: number, value: number): this {
    return this.varint(field << 3).varint(value);
  }

  /** A length-delimited field (wire type 2). */
  bytesField(field: number, data: Uint8Array): this {
    this.varint((field << 3) | 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytesField(field, new TextEncoder().encode(text));
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

export interface Initializer {
  readonly name: string;
  readonly dataType: number;
  readonly dims: readonly number[];
  /** Little-endian raw bytes of the values. */
  readonly raw: Uint8Array;
}

export interface GraphValue {
  readonly name: string;
  readonly dataType: number;
  readonly dims: readonly number[];
}

export interface OneNodeModel {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly attributes?: Readonly<Record<string, number>>;
  readonly initializers: readonly Initializer[];
  readonly graphInputs: readonly GraphValue[];
  readonly graphOutputs: readonly GraphValue[];
  readonly opset?: number;
}

function valueInfo(w: Writer, v: GraphValue): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, v.dataType);
      tensor.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => dim.int(1, d));
      });
    }),
  );
}

/** The bytes of an ONNX model whose graph is one node with its output named "y". */
export function oneNodeModel(spec: OneNodeModel): Uint8Array {
  const model = new Writer();
  model.int(1, 9); // ir_version 9
  model.message(8, (opset) => opset.string(1, "").int(2, spec.opset ?? 21));
  model.message(7, (graph) => {
    graph.message(1, (node) => {
      for (const input of spec.inputs) node.string(1, input);
      node.string(2, "y");
      node.string(4, spec.opType);
      for (const [name, value] of Object.entries(spec.attributes ?? {})) {
        node.message(5, (a) => a.string(1, name).int(3, value).int(20, 2)); // type INT
      }
    });
    graph.string(2, "bench");
    for (const init of spec.initializers) {
      graph.message(5, (t) => {
        for (const d of init.dims) t.int(1, d);
        t.int(2, init.dataType);
        t.string(8, init.name);
        t.bytesField(9, init.raw);
      });
    }
    for (const v of spec.graphInputs) graph.message(11, (w) => valueInfo(w, v));
    for (const v of spec.graphOutputs) graph.message(12, (w) => valueInfo(w, v));
  });
  return model.finish();
}

function rawOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
}

/** Builds a one-node model for x [shape] with the given scales and int8 zero points. */
export type LinearModel = (
  shape: readonly number[],
  scales: Float32Array,
  zeroPoints: Int8Array,
  axis?: number,
) => Uint8Array;

/**
 * The builder of one-node `opType` models (x of `from` [shape] -> y of `to`) whose scales and int8
 * zero points are the initializers "s" and "zp": per tensor (`scales.length === 1`, no `axis`,
 * scalar parameters) or per axis (`axis`, parameters of dims [scales.length]).
 */
function linearModel(
  opType: "QuantizeLinear" | "DequantizeLinear",
  from: number,
  to: number,
): LinearModel {
  return (shape, scales, zeroPoints, axis) => {
    const paramDims = scales.length === 1 && axis === undefined ? [] : [scales.length];
    return oneNodeModel({
      opType,
      inputs: ["x", "s", "zp"],
      attributes: axis === undefined ? {} : { axis },
      initializers: [
        { name: "s", dataType: DataType.FLOAT, dims: paramDims, raw: rawOf(scales) },
        { name: "zp", dataType: DataType.INT8, dims: paramDims, raw: rawOf(zeroPoints) },
      ],
      graphInputs: [{ name: "x", dataType: from, dims: shape }],
      graphOutputs: [{ name: "y", dataType: to, dims: shape }],
    });
  };
}

/**
 * QuantizeLinear (x float32 [shape] -> y int8), per tensor (`scales.length === 1`) or per axis
 * (`axis`), zero points int8.
 */
export const quantizeLinearModel = linearModel("QuantizeLinear", DataType.FLOAT, DataType.INT8);

/** DequantizeLinear (x int8 [shape] -> y float32), per tensor or per axis. */
export const dequantizeLinearModel = linearModel("DequantizeLinear", DataType.INT8, DataType.FLOAT);

/** Cast (x [shape] of `from` -> y of `to`), e.g. float32 <-> float16. */
export function castModel(shape: readonly number[], from: number, to: number): Uint8Array {
  return oneNodeModel({
    opType: "Cast",
    inputs: ["x"],
    attributes: { to },
    initializers: [],
    graphInputs: [{ name: "x", dataType: from, dims: shape }],
    graphOutputs: [{ name: "y", dataType: to, dims: shape }],
  });
}
