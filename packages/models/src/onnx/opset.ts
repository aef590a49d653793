/**
 * Carrying a model to a newer default-domain opset, so that a quantized weight can use the
 * DequantizeLinear it needs (axis: opset 13; int4 and block_size: opset 21). Ops whose schema
 * changed incompatibly are rewritten to the new form with the same meaning (attributes that became
 * inputs, the 2-D coercion of old Softmax); an op this module does not know is refused, never
 * carried over silently.
 */
import { ModelFileError } from "../model.js";
import { irVersionFor, nodeProto, tensorProto } from "./build.js";
import { graphsOf, isOnnxDomain } from "./graph.js";
import {
  type AttributeProto,
  attr,
  encodeModelProto,
  int64ToNumber,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from "./proto.js";
import { decodeOnnx } from "./read.js";

/** Ops whose changes from opset 9 to 21 keep old models meaning the same. */
const COMPATIBLE = new Set(
  (
    "Abs Acos Acosh Add And ArgMax ArgMin Asin Asinh Atan Atanh AveragePool BatchNormalization " +
    "BitShift Cast CastLike Ceil Celu Concat Constant ConstantOfShape Conv ConvInteger ConvTranspose " +
    "Cos Cosh CumSum DepthToSpace DequantizeLinear Det Div Einsum Elu Equal Erf Exp Expand EyeLike " +
    "Flatten Floor GRU Gather GatherElements GatherND Gelu Gemm GlobalAveragePool GlobalLpPool " +
    "GlobalMaxPool Greater GreaterOrEqual HardSigmoid HardSwish Identity If InstanceNormalization " +
    "IsInf IsNaN LRN LSTM LayerNormalization LeakyRelu Less LessOrEqual Log Loop LpNormalization " +
    "LpPool MatMul MatMulInteger Max MaxPool MaxRoiPool MaxUnpool Mean Min Mish Mod Mul Neg " +
    "NonMaxSuppression NonZero Not OneHot Or PRelu Pow QLinearConv QLinearMatMul QuantizeLinear RNN " +
    "Range Reciprocal Relu Reshape Round Scan ScatterElements ScatterND Selu Shape Shrink Sigmoid " +
    "Sign Sin Sinh Size Softplus Softsign SpaceToDepth Sqrt Sub Sum Tan Tanh ThresholdedRelu Tile " +
    "Transpose Trilu Where Xor"
  ).split(" "),
);

const REDUCE_18 = new Set(
  "ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSumSquare".split(
    " ",
  ),
);

/** The default-domain opset a model imports (1 when it imports none). */
export function defaultOpset(model: ModelProto): number {
  const entry = model.opset_import.find((o) => o.domain === "" || o.domain === "ai.onnx");
  return entry === undefined ? 1 : (int64ToNumber(entry.version) ?? 1);
}

/** What {@link upgradeOpset} did. */
export interface OpsetUpgrade {
  readonly from: number;
  readonly to: number;
  /** Nodes rewritten, per op type. */
  readonly rewritten: Readonly<Record<string, number>>;
}

/** A name allocator that never reuses a name of the model. */
export function nameAllocator(model: ModelProto): (base: string) => string {
  const used = new Set<string>();
  for (const { graph } of graphsOf(model.graph as NonNullable<ModelProto["graph"]>)) {
    for (const t of graph.initializer) used.add(t.name);
    for (const v of [...graph.input, ...graph.output, ...graph.value_info]) used.add(v.name);
    for (const n of graph.node) {
      for (const name of [...n.input, ...n.output]) used.add(name);
      if (n.name) used.add(n.name);
    }
  }
  return (base) => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}

function take(node: NodeProto, name: string): AttributeProto | undefined {
  const i = node.attribute.findIndex((a) => a.name === name);
  if (i < 0) return undefined;
  return node.attribute.splice(i, 1)[0];
}

function ints(a: AttributeProto | undefined): number[] | undefined {
  return a?.ints?.map((v) => int64ToNumber(v) as number);
}

/**
 * Rewrites `model` in place to default-domain opset `target` (>= its current one), and raises its
 * IR version to what that opset needs.
 *
 * @throws {ModelFileError} for an op this module cannot carry to `target`, naming it.
 */
export function upgradeOpset(model: ModelProto, target: number, file: string): OpsetUpgrade {
  const from = defaultOpset(model);
  const rewritten: Record<string, number> = {};
  if (from >= target) return { from, to: from, rewritten };
  if (from < 9) {
    throw new ModelFileError(
      file,
      "opset_import",
      `default-domain opset ${from}: quantlab carries models from opset 9 on (needed: ${target})`,
    );
  }
  const graph = model.graph as NonNullable<ModelProto["graph"]>;
  const unique = nameAllocator(model);
  for (const at of graphsOf(graph)) {
    const out: NodeProto[] = [];
    const added: TensorProto[] = [];
    const int64 = (base: string, values: readonly number[]) => {
      const name = unique(base);
      added.push(
        tensorProto({
          name,
          dtype: "INT64",
          shape: [values.length],
          data: BigInt64Array.from(values, (v) => BigInt(v)),
        }),
      );
      return name;
    };
    const float = (base: string, value: number) => {
      const name = unique(base);
      added.push(tensorProto({ name, dtype: "FLOAT", shape: [], data: Float32Array.of(value) }));
      return name;
    };
    at.graph.node.forEach((node, index) => {
      if (!isOnnxDomain(node)) {
        out.push(node);
        return;
      }
      const op = node.op_type;
      const base = node.name || node.output[0] || op;
      const count = () => {
        rewritten[op] = (rewritten[op] ?? 0) + 1;
      };
      if (op === "Clip" && from < 11) {
        const min = take(node, "min");
        const max = take(node, "max");
        node.input = [
          node.input[0] as string,
          min ? float(`${base}_min`, min.f ?? 0) : "",
          max ? float(`${base}_max`, max.f ?? 0) : "",
        ];
        while (node.input[node.input.length - 1] === "") node.input.pop();
        count();
      } else if (op === "Slice" && from < 10) {
        const starts = ints(take(node, "starts")) ?? [];
        const ends = ints(take(node, "ends")) ?? [];
        const axes = ints(take(node, "axes"));
        node.input = [
          node.input[0] as string,
          int64(`${base}_starts`, starts),
          int64(`${base}_ends`, ends),
          ...(axes ? [int64(`${base}_axes`, axes)] : []),
        ];
        count();
      } else if (
        (op === "Softmax" || op === "LogSoftmax" || op === "Hardmax") &&
        from < 13 &&
        target >= 13
      ) {
        // Old semantics: coerce to 2-D at `axis` (default 1), normalize each row, reshape back.
        const axis = int64ToNumber(take(node, "axis")?.i) ?? 1;
        const x = node.input[0] as string;
        const y = node.output[0] as string;
        const flat = unique(`${base}_flat`);
        const normalized = unique(`${base}_2d`);
        const shape = unique(`${base}_shape`);
        out.push(
          nodeProto({
            name: unique(`${base}_flatten`),
            op: "Flatten",
            inputs: [x],
            outputs: [flat],
            attributes: { axis },
          }),
          { ...node, input: [flat], output: [normalized], attribute: [attr.int("axis", -1)] },
          nodeProto({
            name: unique(`${base}_shapeof`),
            op: "Shape",
            inputs: [x],
            outputs: [shape],
          }),
          nodeProto({
            name: unique(`${base}_reshape`),
            op: "Reshape",
            inputs: [normalized, shape],
            outputs: [y],
          }),
        );
        count();
        return;
      } else if (
        (op === "Squeeze" || op === "Unsqueeze" || op === "ReduceSum") &&
        from < 13 &&
        target >= 13
      ) {
        const axes = ints(take(node, "axes"));
        if (axes) node.input = [node.input[0] as string, int64(`${base}_axes`, axes)];
        count();
      } else if (REDUCE_18.has(op) && from < 18 && target >= 18) {
        const axes = ints(take(node, "axes"));
        if (axes) node.input = [node.input[0] as string, int64(`${base}_axes`, axes)];
        count();
      } else if (op === "Split") {
        if (from < 13 && target >= 13) {
          const split = ints(take(node, "split"));
          if (split) node.input = [node.input[0] as string, int64(`${base}_split`, split)];
        }
        if (from < 18 && target >= 18 && (node.input[1] ?? "") === "") {
          node.attribute.push(attr.int("num_outputs", node.output.length));
        }
        count();
      } else if (op === "Pad" && from < 11) {
        const pads = ints(take(node, "pads")) ?? [];
        const value = take(node, "value");
        node.input = [
          node.input[0] as string,
          int64(`${base}_pads`, pads),
          ...(value ? [float(`${base}_value`, value.f ?? 0)] : []),
        ];
        count();
      } else if (op === "Dropout" && from < 12) {
        if (node.output.length > 1 && node.output[1] !== "") {
          throw new ModelFileError(
            file,
            `${at.path}.node[${index}]`,
            "a Dropout with a mask output cannot be carried to a newer opset",
          );
        }
        node.op_type = "Identity";
        node.attribute = [];
        node.output = node.output.slice(0, 1);
        count();
      } else if (
        !COMPATIBLE.has(op) &&
        ![
          "Clip",
          "Slice",
          "Pad",
          "Dropout",
          "Softmax",
          "LogSoftmax",
          "Hardmax",
          "Squeeze",
          "Unsqueeze",
          "ReduceSum",
          "Split",
        ].includes(op) &&
        !REDUCE_18.has(op)
      ) {
        throw new ModelFileError(
          file,
          `${at.path}.node[${index}]`,
          `op ${op} cannot be carried from opset ${from} to ${target}: quantlab does not know its schema changes`,
        );
      }
      out.push(node);
    });
    at.graph.node = out;
    at.graph.initializer.push(...added);
  }
  for (const o of model.opset_import)
    if (o.domain === "" || o.domain === "ai.onnx") o.version = target;
  if (!model.opset_import.some((o) => o.domain === "" || o.domain === "ai.onnx")) {
    model.opset_import.push({ domain: "", version: target });
  }
  const ir = int64ToNumber(model.ir_version) ?? 1;
  model.ir_version = Math.max(ir, irVersionFor(target));
  return { from, to: target, rewritten };
}

/**
 * Carries an ONNX model to default-domain opset `target` (see {@link upgradeOpset}) and returns
 * the new bytes with what was rewritten.
 *
 * @throws {ModelFileError} for a bad file or an op that cannot be carried.
 * @example
 * const { bytes, upgrade } = upgradeOnnxOpset(readFileSync("cls.onnx"), 21);
 * upgrade // => { from: 9, to: 21, rewritten: { Clip: 18, Slice: 1, Softmax: 1 } }
 */
export function upgradeOnnxOpset(
  model: Uint8Array,
  target: number,
  options: { readonly file?: string } = {},
): { bytes: Uint8Array; upgrade: OpsetUpgrade } {
  const file = options.file ?? "model.onnx";
  if (!Number.isInteger(target) || target < 1 || target > 24) {
    throw new RangeError(
      `upgradeOnnxOpset(): argument 'target' must be an integer in [1, 24]; received ${target}`,
    );
  }
  const proto = decodeOnnx(model, file);
  const upgrade = upgradeOpset(proto, target, file);
  return { bytes: encodeModelProto(proto), upgrade };
}
