/**
 * foldBatchNormOnnx: every BatchNormalization that follows a Conv folded into the Conv's weight
 * and bias, as deployment tools do before they quantize (ONNX Runtime's Conv+BN fusion, PyTorch's
 * `fuse_conv_bn_eval`): the weights a quantizer then sees.
 */
import { checkOptions } from "@quantlab/core/validate";
import { argumentError } from "../args.js";
import { tensorProto } from "./build.js";
import { type ConstantAt, constantsOf, graphsOf, isOnnxDomain } from "./graph.js";
import { nameAllocator } from "./opset.js";
import {
  attribute,
  encodeModelProto,
  int64ToNumber,
  type ModelProto,
  type NodeProto,
} from "./proto.js";
import { decodeOnnx } from "./read.js";
import { checkTensor, type ExternalDataResolver, floatValues } from "./tensor.js";

/** Options of {@link foldBatchNormOnnx}. */
export interface FoldBatchNormOptions {
  /** The file's name, for messages. */
  readonly file?: string;
  /** Reads external data (weights in files beside the model). */
  readonly resolve?: ExternalDataResolver;
}

/** One Conv + BatchNormalization pair that was folded. */
export interface FoldedBatchNorm {
  /** The Conv's weight before folding, and the new weight's name. */
  readonly weight: string;
  readonly foldedWeight: string;
  /** The new bias's name. */
  readonly foldedBias: string;
  /** The BatchNormalization node's name (or its output's, when it has none). */
  readonly batchNorm: string;
  /** Output channels: the length of the per-channel factor γ / √(σ² + ε). */
  readonly channels: number;
}

/** What {@link foldBatchNormOnnx} returns. */
export interface FoldedOnnx {
  readonly bytes: Uint8Array;
  readonly folded: readonly FoldedBatchNorm[];
  /** The BatchNormalization nodes left as they were, and why. */
  readonly skipped: readonly { readonly batchNorm: string; readonly reason: string }[];
}

/**
 * Folds each BatchNormalization of the main graph that directly follows a Conv into that Conv:
 * with k_c = γ_c / √(σ²_c + ε) per output channel c,
 *
 *   W'[c, …] = W[c, …] · k_c,   b'_c = (b_c − μ_c) · k_c + β_c   (b = 0 for a Conv without bias),
 *
 * each computed in float64 and rounded once to float32. The Conv takes the BatchNormalization's
 * output name, the BatchNormalization node is removed, and constants nothing reads any more are
 * dropped. A pair is left as it is (and reported in `skipped`) when the Conv's output feeds
 * anything else or is a graph output, when a parameter is not a FLOAT constant, when the
 * BatchNormalization has more than one output (training mode) or `spatial = 0`, or when the
 * channel counts disagree. Subgraphs are not touched.
 *
 * @throws {TypeError} when `model` is not a Uint8Array or an option is of the wrong kind.
 * @throws {RangeError} for an unknown option key.
 * @throws {ModelFileError} for a file that is not a valid ONNX model.
 * @example
 * const { bytes, folded } = foldBatchNormOnnx(readFileSync("mobilenet.onnx"));
 * folded.length // => the number of Conv + BatchNormalization pairs
 */
export function foldBatchNormOnnx(
  model: Uint8Array,
  options: FoldBatchNormOptions = {},
): FoldedOnnx {
  const fn = "foldBatchNormOnnx";
  if (!(model instanceof Uint8Array)) throw argumentError(fn, "model", "a Uint8Array", model);
  const o = checkOptions(fn, "options", options, ["file", "resolve"]);
  if (o.file !== undefined && typeof o.file !== "string") {
    throw argumentError(fn, "options.file", "a string", o.file);
  }
  if (o.resolve !== undefined && typeof o.resolve !== "function") {
    throw argumentError(fn, "options.resolve", "a function", o.resolve);
  }
  const file = o.file ?? "model.onnx";
  const proto: ModelProto = decodeOnnx(model, file);
  const main = proto.graph as NonNullable<ModelProto["graph"]>;
  const everyNode = () => graphsOf(main).flatMap((g) => g.graph.node);
  const constants = new Map(constantsOf({ graph: main, path: "graph" }).map((c) => [c.name, c]));
  const unique = nameAllocator(proto);
  const outputs = new Set(main.output.map((v) => v.name));
  const readers = new Map<string, number>();
  for (const node of everyNode()) {
    for (const name of node.input) readers.set(name, (readers.get(name) ?? 0) + 1);
  }
  const producer = new Map<string, NodeProto>();
  for (const node of main.node) for (const name of node.output) producer.set(name, node);

  const folded: FoldedBatchNorm[] = [];
  const skipped: { batchNorm: string; reason: string }[] = [];
  const removed = new Set<NodeProto>();
  const touched = new Set<string>();

  const floats = (c: ConstantAt | undefined): Float32Array | undefined => {
    if (c === undefined) return undefined;
    const checked = checkTensor(file, c.path, c.tensor, o.resolve);
    return checked.dtype.name === "FLOAT" ? floatValues(checked) : undefined;
  };

  for (const bn of main.node) {
    if (bn.op_type !== "BatchNormalization" || !isOnnxDomain(bn)) continue;
    const label = bn.name || (bn.output[0] ?? "");
    const skip = (reason: string) => skipped.push({ batchNorm: label, reason });
    const x = bn.input[0] ?? "";
    const conv = producer.get(x);
    if (conv === undefined || conv.op_type !== "Conv" || !isOnnxDomain(conv)) {
      skip("its input is not the output of a Conv");
      continue;
    }
    if (bn.output.filter((o) => o !== "").length > 1) {
      skip("it has more than one output (training mode)");
      continue;
    }
    const spatial = attribute(bn, "spatial");
    if (spatial !== undefined && int64ToNumber(spatial.i) === 0) {
      skip("spatial = 0 (per-element statistics)");
      continue;
    }
    if ((readers.get(x) ?? 0) !== 1 || outputs.has(x) || conv.output.length !== 1) {
      skip("the Conv's output is also read elsewhere");
      continue;
    }
    const weightName = conv.input[1] ?? "";
    const biasName = conv.input[2] ?? "";
    if ((readers.get(weightName) ?? 0) !== 1) {
      skip(`the Conv's weight ${weightName} is shared with other nodes`);
      continue;
    }
    const w = floats(constants.get(weightName));
    const b = biasName === "" ? undefined : floats(constants.get(biasName));
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) =>
      floats(constants.get(bn.input[i] ?? "")),
    );
    if (
      w === undefined ||
      (biasName !== "" && b === undefined) ||
      gamma === undefined ||
      beta === undefined ||
      mean === undefined ||
      variance === undefined
    ) {
      skip("a weight, bias or statistic is not a FLOAT constant");
      continue;
    }
    const channels = gamma.length;
    const shape = constants.get(weightName)?.tensor.dims.map((d) => int64ToNumber(d) as number);
    if (
      shape?.[0] !== channels ||
      [beta, mean, variance].some((a) => a.length !== channels) ||
      (b !== undefined && b.length !== channels)
    ) {
      skip("the channel counts of the Conv and the BatchNormalization differ");
      continue;
    }
    const epsilon = attribute(bn, "epsilon")?.f ?? 1e-5;
    const per = w.length / channels;
    const w2 = new Float32Array(w.length);
    const b2 = new Float32Array(channels);
    for (let c = 0; c < channels; c++) {
      const k = (gamma[c] as number) / Math.sqrt((variance[c] as number) + Math.fround(epsilon));
      for (let i = 0; i < per; i++) w2[c * per + i] = (w[c * per + i] as number) * k;
      b2[c] = ((b?.[c] ?? 0) - (mean[c] as number)) * k + (beta[c] as number);
    }
    const foldedWeight = unique(`${weightName}_folded`);
    const foldedBias = unique(`${label}_folded_bias`);
    main.initializer.push(
      tensorProto({ name: foldedWeight, dtype: "FLOAT", shape: shape as number[], data: w2 }),
      tensorProto({ name: foldedBias, dtype: "FLOAT", shape: [channels], data: b2 }),
    );
    conv.input = [conv.input[0] ?? "", foldedWeight, foldedBias];
    conv.output = [bn.output[0] ?? ""];
    removed.add(bn);
    for (const name of [weightName, biasName, ...bn.input.slice(1)]) if (name) touched.add(name);
    main.value_info = main.value_info.filter((v) => v.name !== x);
    folded.push({ weight: weightName, foldedWeight, foldedBias, batchNorm: label, channels });
  }

  main.node = main.node.filter((n) => !removed.has(n));
  // Drop the constants that only the folded pairs read.
  const read = new Set(everyNode().flatMap((n) => n.input));
  for (const name of touched) {
    if (read.has(name) || outputs.has(name)) continue;
    const c = constants.get(name);
    if (c === undefined) continue;
    if (c.node) main.node = main.node.filter((n) => n !== c.node);
    else {
      main.initializer = main.initializer.filter((t) => t !== c.tensor);
      main.input = main.input.filter((v) => v.name !== name);
    }
  }
  if (folded.length === 0 && skipped.length === 0) {
    return { bytes: model, folded, skipped };
  }
  return { bytes: encodeModelProto(proto), folded, skipped };
}
