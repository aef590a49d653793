/** Walking an ONNX graph and its subgraphs (the branches of If, the bodies of Loop and Scan). */
import { ATTRIBUTE, type GraphProto, type NodeProto, type TensorProto } from "./proto.js";

/** A graph with the path that names it in messages (`graph`, `graph.node[4].attribute[then_branch].g`). */
export interface GraphAt {
  readonly graph: GraphProto;
  readonly path: string;
}

/** Every graph of a model, the main graph first, then subgraphs depth first. */
export function graphsOf(main: GraphProto, path = "graph"): GraphAt[] {
  const out: GraphAt[] = [{ graph: main, path }];
  main.node.forEach((node, i) => {
    for (const a of node.attribute) {
      const at = `${path}.node[${i}].attribute[${a.name}]`;
      if (a.type === ATTRIBUTE.GRAPH && a.g) out.push(...graphsOf(a.g, `${at}.g`));
      if (a.type === ATTRIBUTE.GRAPHS)
        (a.graphs ?? []).forEach((g, j) => {
          out.push(...graphsOf(g, `${at}.graphs[${j}]`));
        });
    }
  });
  return out;
}

/** A constant tensor of a graph: an initializer, or the value of a Constant node. */
export interface ConstantAt {
  /** The name consumers use: the initializer's name, or the Constant node's output. */
  readonly name: string;
  readonly tensor: TensorProto;
  readonly path: string;
  /** Set for a Constant node. */
  readonly node?: NodeProto;
}

/** The initializers and Constant-node tensors of one graph (not of its subgraphs). */
export function constantsOf(at: GraphAt): ConstantAt[] {
  const out: ConstantAt[] = at.graph.initializer.map((tensor, i) => ({
    name: tensor.name,
    tensor,
    path: `${at.path}.initializer[${i}]`,
  }));
  at.graph.node.forEach((node, i) => {
    if (node.op_type !== "Constant" || (node.domain !== "" && node.domain !== "ai.onnx")) return;
    const value = node.attribute.find((a) => a.name === "value" && a.type === ATTRIBUTE.TENSOR);
    if (value?.t === undefined || node.output[0] === undefined) return;
    out.push({
      name: node.output[0],
      tensor: value.t,
      path: `${at.path}.node[${i}].attribute[value].t`,
      node,
    });
  });
  return out;
}

/** Whether a node belongs to the default ONNX domain. */
export function isOnnxDomain(node: NodeProto): boolean {
  return node.domain === "" || node.domain === "ai.onnx";
}
