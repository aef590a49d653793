/**
 * readOnnx: an ONNX model's bytes to a {@link ModelFile}: every initializer and Constant tensor of
 * the graph and its subgraphs, checked against the file before anything is allocated.
 */
import { dequantize, type IntegerDType } from "@quantlab/core";
import {
  type ModelFile,
  ModelFileError,
  type StoredQuantization,
  type StoredTensor,
} from "../model.js";
import { ONNX_DTYPES } from "./dtypes.js";
import { type ConstantAt, constantsOf, type GraphAt, graphsOf } from "./graph.js";
import {
  decodeModelProto,
  int64ToNumber,
  intAttribute,
  type ModelProto,
  type NodeProto,
  type ValueInfoProto,
} from "./proto.js";
import {
  type CheckedTensor,
  checkTensor,
  type ExternalDataResolver,
  floatValues,
  integerValues,
  storedBytes,
} from "./tensor.js";

/** Options of {@link readOnnx}. */
export interface ReadOnnxOptions {
  /** The file's name, used in error messages (default `"model.onnx"`). */
  readonly file?: string;
  /** Returns the bytes of an external data file by its location relative to the model. */
  readonly resolve?: ExternalDataResolver;
}

/** A graph input or output: its name, element type and shape (a dim is a number, a name or null). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: string;
  readonly shape: readonly (number | string | null)[] | null;
}

/** What `ModelFile.metadata` holds for an ONNX file. */
export interface OnnxMetadata {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producer: { readonly name: string; readonly version: string };
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  /** Node count per op type, subgraphs included (`"com.microsoft.MatMulNBits"` outside the default domain). */
  readonly ops: Readonly<Record<string, number>>;
  readonly graphs: number;
}

const INTEGER_NAMES: Readonly<Record<string, IntegerDType>> = {
  INT8: "int8",
  UINT8: "uint8",
  INT16: "int16",
  UINT16: "uint16",
  INT32: "int32",
  INT4: "int4",
  UINT4: "uint4",
};

function valueInfo(v: ValueInfoProto): OnnxValueInfo {
  const tensor = v.type?.tensor_type;
  const elemType = tensor ? (ONNX_DTYPES.get(tensor.elem_type)?.name ?? `${tensor.elem_type}`) : "";
  const shape =
    tensor?.shape === undefined || tensor.shape === null
      ? null
      : tensor.shape.dim.map((d) => {
          // protobufjs names the member of the `value` oneof that was set.
          const set = (d as { value?: string }).value;
          if (set === "dim_param" || d.dim_param) return d.dim_param as string;
          return set === "dim_value" || d.dim_value ? (int64ToNumber(d.dim_value) ?? null) : null;
        });
  return { name: v.name, elemType, shape };
}

/** Decodes and checks the ModelProto of an ONNX file. */
export function decodeOnnx(bytes: Uint8Array, file: string): ModelProto {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(
      `readOnnx(): argument 'bytes' must be a Uint8Array; received ${Object.prototype.toString.call(bytes)}`,
    );
  }
  let model: ModelProto;
  try {
    model = decodeModelProto(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ModelFileError(
      file,
      "ModelProto",
      `not a readable ONNX protobuf message (${bytes.length} bytes): ${reason}`,
    );
  }
  if (model.graph === undefined || model.graph === null) {
    throw new ModelFileError(file, "graph", "missing: the bytes decode, but hold no ONNX graph");
  }
  if (!(int64ToNumber(model.ir_version) ?? 0)) {
    throw new ModelFileError(file, "ir_version", `must be set (>= 1); found ${model.ir_version}`);
  }
  return model;
}

interface Found {
  readonly checked: CheckedTensor;
  readonly name: string;
  quantization?: StoredQuantization;
  dequantizeWith?: (codes: CheckedTensor) => Float32Array;
}

/**
 * Reads an ONNX model: every initializer and Constant-node tensor of the graph and its subgraphs
 * (raw_data, the typed fields, or external data through `resolve`), the graph's inputs and
 * outputs, and the opsets. A tensor that feeds a DequantizeLinear records its quantization
 * (dtype, scale, zero point, axis, block size) and `values()` dequantizes it; a MatMulNBits
 * weight records its block format and `values()` is the dequantized `[N, K]` matrix.
 *
 * Sizes are checked before any allocation: a raw_data, typed field or external range whose size
 * disagrees with the dims, an external offset past the end of its file, or an unknown data type
 * throws a {@link ModelFileError} naming the file, the field and the problem.
 *
 * @throws {TypeError} when `bytes` is not a Uint8Array.
 * @throws {ModelFileError} for a file that is not a valid ONNX model.
 * @example
 * const model = readOnnx(readFileSync("mlp.onnx"), { file: "mlp.onnx" });
 * model.tensors.map((t) => `${t.name} ${t.storedType} [${t.shape}]`)
 * // => [ "fc1.weight FLOAT [784,128]", ... ]
 */
export function readOnnx(bytes: Uint8Array, options: ReadOnnxOptions = {}): ModelFile {
  const file = options.file ?? "model.onnx";
  const model = decodeOnnx(bytes, file);
  const graph = model.graph as NonNullable<ModelProto["graph"]>;
  const graphs = graphsOf(graph);
  const resolved = new Map<string, Uint8Array>();
  const resolve =
    options.resolve === undefined
      ? undefined
      : (location: string) => {
          let data = resolved.get(location);
          if (data === undefined) {
            data = (options.resolve as ExternalDataResolver)(location);
            resolved.set(location, data);
          }
          return data;
        };

  const found: Found[] = [];
  const byGraph = new Map<GraphAt, Map<string, Found>>();
  for (const at of graphs) {
    const local = new Map<string, Found>();
    for (const c of constantsOf(at)) {
      const f: Found = { checked: checkTensor(file, c.path, c.tensor, resolve), name: c.name };
      found.push(f);
      local.set(c.name, f);
    }
    byGraph.set(at, local);
  }
  const main = byGraph.get(graphs[0] as GraphAt) as Map<string, Found>;
  const ops: Record<string, number> = {};
  for (const at of graphs) {
    const local = byGraph.get(at) as Map<string, Found>;
    const lookup = (name: string | undefined) =>
      name === undefined || name === "" ? undefined : (local.get(name) ?? main.get(name));
    for (const node of at.graph.node) {
      const key =
        node.domain && node.domain !== "ai.onnx" ? `${node.domain}.${node.op_type}` : node.op_type;
      ops[key] = (ops[key] ?? 0) + 1;
      if (node.op_type === "DequantizeLinear") recordDequantize(node, lookup);
      if (node.op_type === "MatMulNBits" && node.domain === "com.microsoft") {
        recordMatMulNBits(file, node, lookup);
      }
    }
  }

  const tensors: StoredTensor[] = found.map((f) => {
    const { checked } = f;
    return {
      name: f.name,
      storedType: checked.dtype.name,
      shape: checked.shape,
      byteLength: checked.byteLength,
      ...(f.quantization === undefined ? {} : { quantization: f.quantization }),
      values: () => (f.dequantizeWith ? f.dequantizeWith(checked) : floatValues(checked)),
      bytes: () => storedBytes(checked),
    };
  });
  const metadata: OnnxMetadata = {
    irVersion: int64ToNumber(model.ir_version) ?? 0,
    opsets: model.opset_import.map((o) => ({
      domain: o.domain || "ai.onnx",
      version: int64ToNumber(o.version) ?? 0,
    })),
    producer: { name: model.producer_name ?? "", version: model.producer_version ?? "" },
    inputs: graph.input.filter((v) => !main.has(v.name)).map(valueInfo),
    outputs: graph.output.map(valueInfo),
    ops,
    graphs: graphs.length,
  };
  return {
    format: "onnx",
    file,
    tensors,
    metadata: metadata as unknown as Record<string, unknown>,
  };
}

function recordDequantize(
  node: NodeProto,
  lookup: (name: string | undefined) => Found | undefined,
) {
  const codes = lookup(node.input[0]);
  const scale = lookup(node.input[1]);
  if (codes === undefined || scale === undefined || codes.quantization !== undefined) return;
  const dtype = INTEGER_NAMES[codes.checked.dtype.name];
  if (dtype === undefined) return;
  const zero = lookup(node.input[2]);
  const scales = floatValues(scale.checked);
  const zeroPoints =
    zero === undefined
      ? new Int32Array(scales.length)
      : Int32Array.from(integerValues(zero.checked));
  const perTensor = scale.checked.count === 1 && scale.checked.shape.length <= 1;
  const rank = codes.checked.shape.length;
  const rawAxis = intAttribute(node, "axis", 1);
  const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
  const blockSize = intAttribute(node, "block_size", 0);
  const quantization: StoredQuantization = perTensor
    ? { kind: "linear", dtype, scale: scales[0] as number, zeroPoint: zeroPoints[0] as number }
    : {
        kind: "linear",
        dtype,
        scale: scales,
        zeroPoint: zeroPoints,
        axis,
        ...(blockSize > 0 ? { blockSize } : {}),
      };
  codes.quantization = quantization;
  codes.dequantizeWith = (checked) => {
    try {
      return dequantizeCodes(checked);
    } catch (error) {
      if (error instanceof ModelFileError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new ModelFileError(
        checked.file,
        checked.path,
        `its DequantizeLinear parameters do not fit it: ${reason}`,
      );
    }
  };
  const dequantizeCodes = (checked: CheckedTensor) => {
    const q = integerValues(checked);
    const params = perTensor
      ? { dtype, scale: scales[0] as number, zeroPoint: zeroPoints[0] as number }
      : blockSize > 0
        ? {
            dtype,
            scale: { data: scales, shape: scale.checked.shape },
            zeroPoint: { data: Float64Array.from(zeroPoints), shape: scale.checked.shape },
            axis,
            blockSize,
          }
        : { dtype, scale: scales, zeroPoint: Float64Array.from(zeroPoints), axis };
    return dequantize({ data: q, shape: checked.shape }, params).data;
  };
}

function recordMatMulNBits(
  file: string,
  node: NodeProto,
  lookup: (name: string | undefined) => Found | undefined,
) {
  const weight = lookup(node.input[1]);
  const scales = lookup(node.input[2]);
  if (weight === undefined || scales === undefined || weight.quantization !== undefined) return;
  const bits = intAttribute(node, "bits", 4);
  const blockSize = intAttribute(node, "block_size", 0);
  const k = intAttribute(node, "K", 0);
  const n = intAttribute(node, "N", 0);
  weight.quantization = { kind: "blocks", format: `MatMulNBits${bits}`, blockSize };
  const zero = lookup(node.input[3]);
  weight.dequantizeWith = (checked) => {
    const blocks = Math.ceil(k / blockSize);
    const path = checked.path;
    if ((bits !== 4 && bits !== 8) || checked.count !== n * blocks * ((blockSize * bits) / 8)) {
      throw new ModelFileError(
        file,
        path,
        `MatMulNBits weight with bits=${bits}, K=${k}, N=${n}, block_size=${blockSize} cannot be dequantized`,
      );
    }
    const dtype: IntegerDType = bits === 4 ? "uint4" : "uint8";
    const bytes = storedBytes(checked);
    const padded = blocks * blockSize;
    const codes =
      bits === 4
        ? integerValues({
            ...checked,
            dtype: ONNX_DTYPES.get(21) as CheckedTensor["dtype"],
            count: n * padded,
            source: { kind: "raw", bytes },
          })
        : Int32Array.from(bytes);
    const s = floatValues(scales.checked);
    const zp = new Float64Array(n * blocks).fill(2 ** (bits - 1));
    if (zero !== undefined) {
      if (zero.checked.dtype.name === "UINT8") {
        const packed = storedBytes(zero.checked);
        const perRow = Math.ceil((blocks * bits) / 8);
        for (let r = 0; r < n; r++)
          for (let b = 0; b < blocks; b++) {
            zp[r * blocks + b] =
              bits === 8
                ? (packed[r * perRow + b] as number)
                : ((packed[r * perRow + (b >> 1)] as number) >> ((b & 1) * 4)) & 15;
          }
      } else {
        throw new ModelFileError(file, path, "float zero points of MatMulNBits are not supported");
      }
    }
    const full = dequantize(
      { data: codes, shape: [n, padded] },
      {
        dtype,
        scale: { data: s, shape: [n, blocks] },
        zeroPoint: { data: zp, shape: [n, blocks] },
        axis: 1,
        blockSize,
      },
    ).data;
    if (padded === k) return full;
    const out = new Float32Array(n * k);
    for (let r = 0; r < n; r++) out.set(full.subarray(r * padded, r * padded + k), r * k);
    return out;
  };
}

export type { ConstantAt };
