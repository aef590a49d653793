/**
 * The layers of an ONNX model's main graph as data-aware quantizers see them: which node
 * multiplies each constant weight, by which data input, with which attributes; and the model
 * with those inputs added as graph outputs, to record them in a runtime.
 */
import { nodeProto, tensorProto } from "./build.js";
import { constantsOf, isOnnxDomain } from "./graph.js";
import { nameAllocator } from "./opset.js";
import {
  ATTRIBUTE,
  encodeModelProto,
  type Int64,
  int64ToNumber,
  intAttribute,
  type ModelProto,
  type NodeProto,
} from "./proto.js";
import { decodeOnnx } from "./read.js";

/** A MatMul, Gemm or Conv of the main graph whose weight (input 1) is a constant. */
export interface OnnxLayer {
  /** The weight's name (the initializer, or the Constant node's output). */
  readonly weight: string;
  readonly op: "MatMul" | "Gemm" | "Conv";
  /** The node's name ("" when unnamed). */
  readonly node: string;
  /** The data input (input 0): the tensor whose values the weight multiplies. */
  readonly input: string;
  /** Gemm's transA and transB (0 otherwise). */
  readonly transA: number;
  readonly transB: number;
  /** Conv's attributes, defaults filled in from the weight's rank (empty otherwise). */
  readonly group: number;
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  /** Begin pads then end pads, as ONNX orders them. */
  readonly pads: readonly number[];
  readonly dilations: readonly number[];
}

const num = (v: Int64): number => int64ToNumber(v) ?? Number.NaN;

function ints(node: NodeProto, name: string): number[] | undefined {
  const a = node.attribute.find((x) => x.name === name && x.type === ATTRIBUTE.INTS);
  return a?.ints?.map(num);
}

/**
 * The MatMul, Gemm and Conv nodes of the main graph whose weight is a constant, in graph order
 * (a weight used by several nodes appears once per node). Conv's `auto_pad` other than NOTSET
 * gives no explicit pads: such a node is left out (its patches cannot be cut without the shapes).
 *
 * @throws {ModelFileError} for bytes that are not an ONNX model.
 * @example
 * onnxLayers(readFileSync("mlp.onnx")).map((l) => `${l.op} ${l.weight} <- ${l.input}`)
 * // => [ "MatMul fc1.weight <- pixels", ... ]
 */
export function onnxLayers(bytes: Uint8Array, file = "model.onnx"): OnnxLayer[] {
  const model = decodeOnnx(bytes, file);
  const graph = model.graph as NonNullable<ModelProto["graph"]>;
  const constants = new Map(constantsOf({ graph, path: "graph" }).map((c) => [c.name, c.tensor]));
  const layers: OnnxLayer[] = [];
  for (const node of graph.node) {
    if (!isOnnxDomain(node)) continue;
    const op = node.op_type;
    if (op !== "MatMul" && op !== "Gemm" && op !== "Conv") continue;
    const weight = node.input[1];
    const input = node.input[0];
    if (!weight || !input) continue;
    const t = constants.get(weight);
    if (t === undefined) continue;
    const rank = t.dims.length;
    const spatial = Math.max(0, rank - 2);
    if (op === "Conv") {
      const auto = node.attribute.find((a) => a.name === "auto_pad");
      const autoPad = auto?.s === undefined ? "NOTSET" : new TextDecoder().decode(auto.s);
      if (autoPad !== "NOTSET" && autoPad !== "") continue;
    }
    layers.push({
      weight,
      op,
      node: node.name ?? "",
      input,
      transA: op === "Gemm" ? intAttribute(node, "transA", 0) : 0,
      transB: op === "Gemm" ? intAttribute(node, "transB", 0) : 0,
      group: op === "Conv" ? intAttribute(node, "group", 1) : 1,
      kernel: op === "Conv" ? (ints(node, "kernel_shape") ?? t.dims.slice(2).map(num)) : [],
      strides: op === "Conv" ? (ints(node, "strides") ?? Array(spatial).fill(1)) : [],
      pads: op === "Conv" ? (ints(node, "pads") ?? Array(2 * spatial).fill(0)) : [],
      dilations: op === "Conv" ? (ints(node, "dilations") ?? Array(spatial).fill(1)) : [],
    });
  }
  return layers;
}

/**
 * The model with `names` (float tensors of the main graph) added as graph outputs, so that a
 * runtime returns them: what a calibration records.
 *
 * @throws {ModelFileError} for bytes that are not an ONNX model.
 * @example
 * const probe = withGraphOutputs(model, onnxLayers(model).map((l) => l.input));
 */
export function withGraphOutputs(
  bytes: Uint8Array,
  names: readonly string[],
  file = "model.onnx",
): Uint8Array {
  const model = decodeOnnx(bytes, file);
  const graph = model.graph as NonNullable<ModelProto["graph"]>;
  const existing = new Set(graph.output.map((v) => v.name));
  const inputs = new Set(graph.input.map((v) => v.name));
  for (const name of names) {
    if (existing.has(name) || inputs.has(name)) continue;
    existing.add(name);
    graph.output.push({ name, type: { tensor_type: { elem_type: 1 } } });
  }
  return encodeModelProto(model);
}

/**
 * The model with the data input of each named layer multiplied by a constant first: a Mul node
 * (input × `factors[weight]`, float32, broadcast along the last axis, or `[K, 1]` for a Gemm with
 * transA) inserted before the MatMul or Gemm whose weight is `weight`, feeding only it. What AWQ
 * needs when the scale cannot be folded into the previous op: the weight was quantized as
 * `W · diag(s)`, and the input is divided by `s`.
 *
 * @throws {ModelFileError} for bytes that are not an ONNX model.
 * @throws {RangeError} for a weight that is not the weight (input 1) of a MatMul or Gemm of the
 *   main graph, or factors of the wrong length for a constant weight.
 * @example
 * const scaled = scaleLayerInputs(model, new Map([["fc1.weight", Float32Array.from(inverseScales)]]));
 */
export function scaleLayerInputs(
  bytes: Uint8Array,
  factors: ReadonlyMap<string, Float32Array>,
  file = "model.onnx",
): Uint8Array {
  const model = decodeOnnx(bytes, file);
  const graph = model.graph as NonNullable<ModelProto["graph"]>;
  const unique = nameAllocator(model);
  const constants = new Map(constantsOf({ graph, path: "graph" }).map((c) => [c.name, c.tensor]));
  const nodes: NodeProto[] = [];
  const done = new Set<string>();
  for (const node of graph.node) {
    const weight = node.input[1];
    const f = weight === undefined ? undefined : factors.get(weight);
    if (
      f !== undefined &&
      weight !== undefined &&
      isOnnxDomain(node) &&
      (node.op_type === "MatMul" || node.op_type === "Gemm")
    ) {
      // The weight may be a constant, or the output of the DequantizeLinear that replaced it.
      const t = constants.get(weight);
      const dims = (t?.dims ?? []).map(num);
      const transA = node.op_type === "Gemm" ? intAttribute(node, "transA", 0) : 0;
      const transB = node.op_type === "Gemm" ? intAttribute(node, "transB", 0) : 0;
      const k = node.op_type === "Gemm" && transB ? dims[1] : dims[dims.length - 2];
      if (t !== undefined && k !== f.length) {
        throw new RangeError(
          `scaleLayerInputs(): argument 'factors' must give ${k} factors for weight "${weight}" (one per input of its ${node.op_type}); received ${f.length}`,
        );
      }
      const factor = unique(`${weight}_input_scale`);
      const scaled = unique(`${node.input[0]}_scaled_for_${weight}`);
      graph.initializer.push(
        tensorProto({
          name: factor,
          dtype: "FLOAT",
          shape: transA ? [f.length, 1] : [f.length],
          data: Float32Array.from(f),
        }),
      );
      nodes.push(
        nodeProto({
          name: unique(`${weight}_input_scale_mul`),
          op: "Mul",
          inputs: [node.input[0] as string, factor],
          outputs: [scaled],
        }),
      );
      node.input[0] = scaled;
      done.add(weight);
    }
    nodes.push(node);
  }
  for (const weight of factors.keys()) {
    if (!done.has(weight))
      throw new RangeError(
        `scaleLayerInputs(): argument 'factors' must name weights (input 1) of MatMul or Gemm nodes of the main graph; received "${weight}"`,
      );
  }
  graph.node = nodes;
  return encodeModelProto(model);
}
