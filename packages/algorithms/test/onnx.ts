/**
 * What the tests need of an ONNX graph beyond @quantlab/models' public API: the Conv and MatMul
 * weights with their attributes, a model with their data inputs as graph outputs (to collect each
 * layer's calibration inputs), a model with other weight values (to run a quantized model), and
 * Silero VAD's 16 kHz branch lifted into the main graph (its weights live in an If branch, whose
 * values cannot be graph outputs). Decoded with protobufjs from the ONNX schema @quantlab/models
 * carries (packages/models/src/onnx/onnx.proto3), int64 fields kept exact with long.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Long from "long";
import * as ort from "onnxruntime-node";
import protobuf from "protobufjs";
import { convPatches, convRowCount } from "../src/index.js";

protobuf.util.Long = Long as unknown as typeof protobuf.util.Long;
protobuf.configure();

const schema = readFileSync(join(import.meta.dirname, "../../models/src/onnx/onnx.proto3"), "utf8");
const ModelProto = protobuf.parse(schema, { keepCase: true }).root.lookupType("onnx.ModelProto");

// biome-ignore lint/suspicious/noExplicitAny: protobufjs messages, read by field name.
type Message = any;

export function decode(bytes: Uint8Array): Message {
  return ModelProto.decode(bytes);
}

export function encode(model: Message): Uint8Array {
  return ModelProto.encode(model).finish();
}

const num = (v: number | Long) => (typeof v === "number" ? v : (v as Long).toNumber());

/** The attributes of a node as numbers or number lists. */
function attributes(node: Message): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const a of node.attribute ?? []) {
    if (a.ints?.length) out[a.name] = a.ints.map(num);
    else if (a.i !== undefined && a.i !== null) out[a.name] = num(a.i);
  }
  return out;
}

/** A float tensor of the graph: an initializer, or the value of a Constant node. */
function tensorsOf(graph: Message): Map<string, Message> {
  const map = new Map<string, Message>();
  for (const t of graph.initializer ?? []) map.set(t.name, t);
  for (const n of graph.node ?? [])
    if (n.op_type === "Constant") {
      const value = (n.attribute ?? []).find((a: Message) => a.name === "value");
      if (value?.t) map.set(n.output[0], value.t);
    }
  return map;
}

function floatsOf(t: Message): Float32Array {
  if (t.data_type !== 1) throw new Error(`tensor ${t.name}: data_type ${t.data_type}, not FLOAT`);
  if (t.raw_data?.length) {
    const copy = new Uint8Array(t.raw_data);
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return Float32Array.from(t.float_data);
}

/** A Conv or MatMul with a constant weight, as the tests quantize it. */
export interface WeightUse {
  readonly name: string;
  readonly op: "Conv" | "MatMul";
  /** The data input: the tensor whose values are the layer's inputs. */
  readonly input: string;
  /** As stored: Conv [M, C/group, ...kernel], MatMul [K, N]. */
  readonly shape: number[];
  readonly values: Float32Array;
  readonly group: number;
  readonly kernel: number[];
  readonly strides: number[];
  readonly pads: number[];
  readonly dilations: number[];
}

/** The Conv and MatMul nodes of the main graph whose weight is a constant FLOAT tensor. */
export function weightUses(model: Message): WeightUse[] {
  const graph = model.graph;
  const tensors = tensorsOf(graph);
  const uses: WeightUse[] = [];
  for (const node of graph.node) {
    if (node.op_type !== "Conv" && node.op_type !== "MatMul") continue;
    const t = tensors.get(node.input[1]);
    if (t === undefined || t.data_type !== 1) continue;
    const shape = t.dims.map(num);
    const a = attributes(node);
    const spatial = shape.length - 2;
    uses.push({
      name: node.input[1],
      op: node.op_type,
      input: node.input[0],
      shape,
      values: floatsOf(t),
      group: (a.group as number) ?? 1,
      kernel: (a.kernel_shape as number[]) ?? shape.slice(2),
      strides: (a.strides as number[]) ?? Array(spatial).fill(1),
      pads: (a.pads as number[]) ?? Array(2 * spatial).fill(0),
      dilations: (a.dilations as number[]) ?? Array(spatial).fill(1),
    });
  }
  return uses;
}

/** The model with `names` added as outputs of the main graph (float tensors). */
export function withOutputs(model: Message, names: readonly string[]): Uint8Array {
  const m = ModelProto.fromObject(ModelProto.toObject(model, { longs: Long }));
  const existing = new Set(m.graph.output.map((o: Message) => o.name));
  m.graph.output = [
    ...m.graph.output,
    ...names
      .filter((n) => !existing.has(n))
      .map((name) => ({ name, type: { tensor_type: { elem_type: 1 } } })),
  ];
  return encode(m);
}

/** The model with these weights' values replaced (same shapes). */
export function withWeights(model: Message, values: ReadonlyMap<string, Float32Array>): Uint8Array {
  const m = ModelProto.fromObject(ModelProto.toObject(model, { longs: Long }));
  const tensors = tensorsOf(m.graph);
  for (const [name, v] of values) {
    const t = tensors.get(name);
    if (t === undefined) throw new Error(`no tensor ${name}`);
    t.raw_data = new Uint8Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
    t.float_data = [];
  }
  return encode(m);
}

/**
 * Silero VAD v5 with its If on `sr == 16000` replaced by the 16 kHz branch: the branch's nodes in
 * the main graph, its outputs renamed to the model's. The same outputs for sr = 16000, and every
 * Conv of that branch reachable as a graph output.
 */
export function liftThenBranch(model: Message): Message {
  const m = ModelProto.fromObject(ModelProto.toObject(model, { longs: Long }));
  const graph = m.graph;
  const at = graph.node.findIndex((n: Message) => n.op_type === "If");
  const ifNode = graph.node[at];
  const branch = ifNode.attribute.find((a: Message) => a.name === "then_branch").g;
  const renames = new Map<string, string>();
  branch.output.forEach((o: Message, i: number) => {
    renames.set(ifNode.output[i], o.name);
  });
  const nodes = [...graph.node.slice(0, at), ...branch.node, ...graph.node.slice(at + 1)];
  for (const n of nodes) n.input = n.input.map((i: string) => renames.get(i) ?? i);
  graph.node = nodes;
  return m;
}

/** Runs `model` in onnxruntime-node (one thread) and returns the named outputs with their dims. */
export async function run(
  model: Uint8Array,
  feeds: Record<string, ort.Tensor>,
  outputs: readonly string[],
): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "basic",
  });
  const out: Record<string, { data: Float32Array; dims: number[] }> = {};
  try {
    const result = await session.run(feeds, [...outputs]);
    for (const name of outputs) {
      const t = result[name] as ort.Tensor;
      out[name] = { data: t.data as Float32Array, dims: [...t.dims] };
    }
  } finally {
    await session.release();
  }
  return out;
}

/** A reusable session: `run` creates one per call, this one per model. */
export async function session(model: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "basic",
  });
}

/**
 * Rows of a layer's input as the layer multiplies them by its weight `[out, in]` of one group:
 * for a MatMul `[.., K]` the rows themselves; for a Conv the patches of group `g` (the package's
 * `convPatches`). `pick` chooses which rows (output positions) to take.
 */
export function patchRows(
  use: WeightUse,
  x: { data: Float32Array; dims: number[] },
  group: number,
  pick: readonly number[],
): Float32Array {
  if (use.op === "Conv") return convPatches(x, use, group, pick);
  const k = use.shape[0] as number;
  const out = new Float32Array(pick.length * k);
  pick.forEach((row, i) => {
    out.set(x.data.subarray(row * k, (row + 1) * k), i * k);
  });
  return out;
}

/** Rows a layer's input offers: Conv output positions over the batch, or MatMul rows. */
export function rowCount(use: WeightUse, dims: readonly number[]): number {
  if (use.op === "MatMul") return dims.slice(0, -1).reduce((a, b) => a * b, 1);
  return convRowCount(use, dims);
}
