/**
 * calibrateOnnx: activation ranges from sample inputs, for static quantization. The model runs in
 * whatever runtime the caller passes (onnxruntime-node, onnxruntime-web...), with the activations
 * to observe added as graph outputs; core's observers and calibration methods turn what it saw
 * into scales and zero points.
 */
import { type CalibrationMethod, calibrate, Histogram, MinMaxObserver } from "@quantlab/core";
import { valueInfoProto } from "./build.js";
import { isOnnxDomain } from "./graph.js";
import { encodeModelProto, type ModelProto } from "./proto.js";
import type { ActivationParams } from "./quantize.js";
import { decodeOnnx } from "./read.js";

/** An input tensor for a run: element type by ONNX runtime's name ("float32", "int64", ...). */
export interface OnnxFeed {
  readonly type: "float32" | "int64" | "int32" | "uint8" | "int8" | "bool";
  readonly data: Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;
  readonly dims: readonly number[];
}

/** Runs `model` on `feeds` and returns the float32 values of `outputs`. */
export type OnnxRunner = (
  model: Uint8Array,
  feeds: Readonly<Record<string, OnnxFeed>>,
  outputs: readonly string[],
) => Promise<Record<string, Float32Array>>;

/** Options of {@link calibrateOnnx}. */
export interface CalibrateOnnxOptions {
  /** Activation code type (default "uint8", affine, as ORT's quantize_static). */
  readonly dtype?: "uint8" | "int8";
  /** "minmax" (default: MinMaxObserver) or a histogram method of core's `calibrate` (int8 symmetric). */
  readonly method?: CalibrationMethod;
  /** Ops whose data input and output are observed (default MatMul, Gemm, Conv). */
  readonly ops?: readonly string[];
  /** Histogram settings for the histogram methods. */
  readonly bins?: number;
  readonly percentile?: number;
  readonly file?: string;
}

/** The activations {@link calibrateOnnx} observes: data inputs and outputs of the chosen ops. */
export function activationTensors(model: ModelProto, ops: ReadonlySet<string>): string[] {
  const graph = model.graph as NonNullable<ModelProto["graph"]>;
  const constants = new Set([
    ...graph.initializer.map((t) => t.name),
    ...graph.node.filter((n) => n.op_type === "Constant").flatMap((n) => n.output),
  ]);
  const outputs = new Set(graph.output.map((v) => v.name));
  const names: string[] = [];
  for (const node of graph.node) {
    if (!isOnnxDomain(node) || !ops.has(node.op_type)) continue;
    for (const t of [node.input[0], node.output[0]]) {
      if (t && !constants.has(t) && !outputs.has(t) && !names.includes(t)) names.push(t);
    }
  }
  return names;
}

/**
 * Runs `samples` through the model and returns quantization parameters for each activation
 * feeding or leaving a MatMul, Gemm or Conv of the main graph: with `method: "minmax"` (default)
 * the range a `MinMaxObserver` saw (uint8 affine, or int8 symmetric); with "percentile", "mse" or
 * "entropy" a symmetric int8 scale from core's `calibrate` over a `Histogram` of |x|.
 *
 * @example
 * const ranges = await calibrateOnnx(model, samples, ortRunner);
 * const w8a8 = quantizeOnnx(model, { weights: "int8", granularity: "channel", activations: ranges });
 */
export async function calibrateOnnx(
  model: Uint8Array,
  samples: readonly Readonly<Record<string, OnnxFeed>>[],
  run: OnnxRunner,
  options: CalibrateOnnxOptions = {},
): Promise<Record<string, ActivationParams>> {
  const file = options.file ?? "model.onnx";
  const method = options.method ?? "minmax";
  const dtype = options.dtype ?? (method === "minmax" ? "uint8" : "int8");
  if (method !== "minmax" && dtype !== "int8") {
    throw new TypeError(
      `calibrateOnnx(): argument 'options.dtype' must be "int8" with method "${method}" (symmetric); received "${dtype}"`,
    );
  }
  if (samples.length === 0) {
    throw new RangeError(
      "calibrateOnnx(): argument 'samples' must hold at least one input; received 0",
    );
  }
  const proto = decodeOnnx(model, file);
  const graph = proto.graph as NonNullable<ModelProto["graph"]>;
  const names = activationTensors(proto, new Set(options.ops ?? ["MatMul", "Gemm", "Conv"]));
  const existing = new Set(graph.output.map((v) => v.name));
  for (const name of names) {
    if (!existing.has(name))
      graph.output.push({
        ...valueInfoProto({ name, dtype: "FLOAT", shape: [] }),
        type: { tensor_type: { elem_type: 1 } },
      });
  }
  const inputs = new Set(graph.input.map((v) => v.name));
  const probe = encodeModelProto(proto);
  const observers = new Map<string, MinMaxObserver | Histogram>();
  for (const name of names) {
    observers.set(
      name,
      method === "minmax"
        ? new MinMaxObserver({ dtype, scheme: dtype === "uint8" ? "affine" : "symmetric" })
        : new Histogram({ bins: options.bins ?? 2048 }),
    );
  }
  for (const feeds of samples) {
    const result = await run(probe, feeds, names);
    for (const name of names) {
      const values = result[name];
      if (values === undefined)
        throw new Error(`calibrateOnnx(): the runner returned no output "${name}"`);
      observers.get(name)?.observe(values);
    }
  }
  const out: Record<string, ActivationParams> = {};
  for (const name of names) {
    const o = observers.get(name) as MinMaxObserver | Histogram;
    if (o instanceof MinMaxObserver) {
      const p = o.qparams();
      out[name] = { dtype, scale: p.scale as number, zeroPoint: p.zeroPoint as number };
    } else {
      const c = calibrate(o, {
        method,
        dtype,
        ...(method === "percentile" && options.percentile !== undefined
          ? { percentile: options.percentile }
          : {}),
      });
      out[name] = { dtype, scale: c.scale, zeroPoint: 0 };
    }
  }
  void inputs;
  return out;
}
