/**
 * quantizeOnnx: a float ONNX model in, a quantized one out, as ONNX Runtime's quantize_dynamic /
 * quantize_static / MatMulNBitsQuantizer write them, with every scale, zero point and code
 * computed by @quantlab/core.
 */
import {
  affineParams,
  dequantize,
  dequantizePacked,
  type IntegerDType,
  MinMaxObserver,
  qparamsFromRange,
  quantize,
  quantizePacked,
  sqnrDb,
  symmetricParams,
} from "@quantlab/core";
import { nodeProto, tensorProto } from "./build.js";
import { type ConstantAt, constantsOf, type GraphAt, graphsOf, isOnnxDomain } from "./graph.js";
import { defaultOpset, nameAllocator, type OpsetUpgrade, upgradeOpset } from "./opset.js";
import {
  attr,
  encodeModelProto,
  intAttribute,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from "./proto.js";
import { decodeOnnx } from "./read.js";
import { checkTensor, type ExternalDataResolver, floatValues } from "./tensor.js";

/** Weight dtypes the writer produces. */
export type WeightDType = "int8" | "uint8" | "int4" | "uint4";

/** Parameters of one activation tensor (from {@link calibrateOnnx}). */
export interface ActivationParams {
  readonly dtype: "int8" | "uint8";
  readonly scale: number;
  readonly zeroPoint: number;
}

/** Options of {@link quantizeOnnx}. */
export interface QuantizeOnnxOptions {
  /** Weight code type (default "int8"). */
  readonly weights?: WeightDType;
  /** "tensor" (default), "channel" (one scale per output channel) or "block" (along the reduction axis). */
  readonly granularity?: "tensor" | "channel" | "block";
  /** Block size for "block" and for MatMulNBits (default 32). */
  readonly blockSize?: number;
  /** Symmetric (zero point 0, or the middle code for unsigned) or affine; default: signed → symmetric. */
  readonly symmetric?: boolean;
  /** Symmetric signed codes drop the most negative one, as ORT's weights (default true). */
  readonly restricted?: boolean;
  /**
   * 8-bit weights use one bit less of range, PyTorch's `reduce_range` (int8 [-63, 63] restricted,
   * [-64, 64] unrestricted as onnxruntime's quantizer; uint8 affine [0, 127]); default false. For
   * int8 weights, onnxruntime's x86 kernels on CPUs without VNNI add pairs of 8-bit products in
   * int16 (pmaddubsw), which saturates at full range; with reduced weights every pair fits.
   */
  readonly reduceRange?: boolean;
  /** "qdq" (default): DequantizeLinear on each weight. "matmulnbits": com.microsoft.MatMulNBits for MatMul weights. */
  readonly format?: "qdq" | "matmulnbits";
  /** Ops whose weights are quantized (default MatMul, Gemm, Conv; LSTM, GRU and RNN may be added). */
  readonly ops?: readonly string[];
  /** Only these weights (by tensor name). */
  readonly include?: readonly string[];
  /** Never these weights. */
  readonly exclude?: readonly string[];
  /** Weights with fewer elements stay float (default 16). */
  readonly minSize?: number;
  /** Static activation quantization: QuantizeLinear/DequantizeLinear pairs on these tensors. */
  readonly activations?: Readonly<Record<string, ActivationParams>>;
  /** Name used in messages (default "model.onnx"). */
  readonly file?: string;
  /**
   * Bytes of an external data file by its location: weights stored outside the model are read
   * through it (their quantized codes are written inside the new model; the others stay external).
   */
  readonly resolve?: ExternalDataResolver;
}

/** One quantized weight, as the writer reports it. */
export interface QuantizedWeightReport {
  readonly name: string;
  readonly op: string;
  readonly shape: readonly number[];
  readonly dtype: WeightDType;
  readonly granularity: "tensor" | "channel" | "block";
  readonly axis?: number;
  readonly blockSize?: number;
  readonly bytesBefore: number;
  /** Codes plus scales and zero points. */
  readonly bytesAfter: number;
  /** SQNR of the dequantized weight against the float one, in dB. */
  readonly sqnrDb: number;
}

/** What {@link quantizeOnnx} returns. */
export interface QuantizedOnnx {
  readonly bytes: Uint8Array;
  readonly weights: readonly QuantizedWeightReport[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
  readonly activations: readonly string[];
  readonly opset: OpsetUpgrade;
}

/** The weight input of each op, and its channel and reduction axes (by weight rank and attributes). */
interface WeightSlot {
  readonly input: number;
  /** Output-channel axis and reduction (block) axis. */
  axes(node: NodeProto, rank: number): { channel: number; reduction: number } | undefined;
}

const SLOTS: Readonly<Record<string, readonly WeightSlot[]>> = {
  MatMul: [
    {
      input: 1,
      axes: (_n, rank) => (rank >= 2 ? { channel: rank - 1, reduction: rank - 2 } : undefined),
    },
  ],
  Gemm: [
    {
      input: 1,
      axes: (n, rank) =>
        rank !== 2
          ? undefined
          : intAttribute(n, "transB", 0)
            ? { channel: 0, reduction: 1 }
            : { channel: 1, reduction: 0 },
    },
  ],
  Conv: [{ input: 1, axes: (_n, rank) => (rank >= 3 ? { channel: 0, reduction: 1 } : undefined) }],
  LSTM: [1, 2].map((input) => ({
    input,
    axes: (_n: NodeProto, rank: number) => (rank === 3 ? { channel: 1, reduction: 2 } : undefined),
  })),
  GRU: [1, 2].map((input) => ({
    input,
    axes: (_n: NodeProto, rank: number) => (rank === 3 ? { channel: 1, reduction: 2 } : undefined),
  })),
  RNN: [1, 2].map((input) => ({
    input,
    axes: (_n: NodeProto, rank: number) => (rank === 3 ? { channel: 1, reduction: 2 } : undefined),
  })),
};

const DEFAULT_OPS = ["MatMul", "Gemm", "Conv"];

function argError(arg: string, expected: string, value: unknown): TypeError {
  return new TypeError(
    `quantizeOnnx(): argument '${arg}' must be ${expected}; received ${JSON.stringify(value)}`,
  );
}

interface Resolved {
  readonly weights: WeightDType;
  readonly granularity: "tensor" | "channel" | "block";
  readonly blockSize: number;
  readonly symmetric: boolean;
  readonly restricted: boolean;
  readonly reduceRange: boolean;
  readonly format: "qdq" | "matmulnbits";
  readonly ops: ReadonlySet<string>;
  readonly include?: ReadonlySet<string>;
  readonly exclude: ReadonlySet<string>;
  readonly minSize: number;
}

function resolveOptions(o: QuantizeOnnxOptions): Resolved {
  const weights = o.weights ?? "int8";
  if (!["int8", "uint8", "int4", "uint4"].includes(weights))
    throw argError("options.weights", '"int8", "uint8", "int4" or "uint4"', weights);
  const format = o.format ?? "qdq";
  if (format !== "qdq" && format !== "matmulnbits")
    throw argError("options.format", '"qdq" or "matmulnbits"', format);
  const granularity = o.granularity ?? (format === "matmulnbits" ? "block" : "tensor");
  if (!["tensor", "channel", "block"].includes(granularity))
    throw argError("options.granularity", '"tensor", "channel" or "block"', granularity);
  const blockSize = o.blockSize ?? 32;
  if (!Number.isInteger(blockSize) || blockSize < 2)
    throw argError("options.blockSize", "an integer >= 2", blockSize);
  if (format === "matmulnbits") {
    if (weights !== "int4" && weights !== "uint4")
      throw argError("options.weights", '"int4" or "uint4" with format "matmulnbits"', weights);
    if (granularity !== "block")
      throw argError("options.granularity", '"block" with format "matmulnbits"', granularity);
    if (blockSize < 16 || (blockSize & (blockSize - 1)) !== 0) {
      throw argError("options.blockSize", "a power of two >= 16 for MatMulNBits", blockSize);
    }
  }
  const signed = weights === "int8" || weights === "int4";
  const reduceRange = o.reduceRange ?? false;
  if (typeof reduceRange !== "boolean")
    throw argError("options.reduceRange", "a boolean", reduceRange);
  if (reduceRange && weights !== "int8" && weights !== "uint8")
    throw argError(
      "options.reduceRange",
      `false for ${weights} weights (it applies to 8-bit)`,
      true,
    );
  if (reduceRange && weights === "uint8" && o.symmetric === true)
    throw argError(
      "options.reduceRange",
      "false for symmetric uint8 weights (their zero point stays 128, outside [0, 127])",
      true,
    );
  const minSize = o.minSize ?? 16;
  if (!Number.isInteger(minSize) || minSize < 0)
    throw argError("options.minSize", "an integer >= 0", minSize);
  const ops = new Set(o.ops ?? DEFAULT_OPS);
  for (const op of ops)
    if (!(op in SLOTS))
      throw argError("options.ops", `a list of ${Object.keys(SLOTS).join(", ")}`, o.ops);
  return {
    weights,
    granularity,
    blockSize,
    symmetric: o.symmetric ?? signed,
    restricted: (o.restricted ?? true) && signed && (o.symmetric ?? signed),
    reduceRange,
    format,
    ops,
    ...(o.include ? { include: new Set(o.include) } : {}),
    exclude: new Set(o.exclude ?? []),
    minSize,
  };
}

/** Scales and zero points of a weight, from core: per tensor, per channel or per block. */
interface WeightParams {
  readonly scale: Float32Array;
  readonly zeroPoint: Float64Array;
  readonly shape: readonly number[];
}

/** What the arithmetic of one weight needs from the options. */
interface WeightSettings {
  readonly symmetric: boolean;
  readonly restricted: boolean;
  readonly reduceRange: boolean;
  readonly blockSize: number;
}

function weightParams(
  values: Float32Array,
  shape: readonly number[],
  dtype: IntegerDType,
  o: WeightSettings,
  layout: { granularity: "tensor" | "channel" | "block"; axis: number },
): WeightParams {
  const scheme = o.symmetric ? "symmetric" : "affine";
  if (layout.granularity === "tensor") {
    const p = o.symmetric
      ? symmetricParams(values, { dtype, restricted: o.restricted, reduceRange: o.reduceRange })
      : affineParams(values, { dtype, reduceRange: o.reduceRange });
    return { scale: Float32Array.of(p.scale), zeroPoint: Float64Array.of(p.zeroPoint), shape: [] };
  }
  if (layout.granularity === "channel") {
    const observer = new MinMaxObserver({
      dtype,
      scheme,
      restricted: o.restricted,
      reduceRange: o.reduceRange,
      axis: layout.axis,
    });
    const p = observer.observe(values, shape).qparams();
    const scale = p.scale as Float32Array;
    return {
      scale,
      zeroPoint: Float64Array.from(p.zeroPoint as Int32Array),
      shape: [scale.length],
    };
  }
  const axis = layout.axis;
  const dim = shape[axis] as number;
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const blocks = Math.ceil(dim / o.blockSize);
  const paramShape = shape.map((d, i) => (i === axis ? blocks : d));
  const count = outer * blocks * inner;
  const scale = new Float32Array(count);
  const zeroPoint = new Float64Array(count);
  for (let a = 0; a < outer; a++) {
    for (let b = 0; b < blocks; b++) {
      for (let c = 0; c < inner; c++) {
        let min = Number.POSITIVE_INFINITY;
        let max = Number.NEGATIVE_INFINITY;
        const end = Math.min(dim, (b + 1) * o.blockSize);
        for (let d = b * o.blockSize; d < end; d++) {
          const v = values[(a * dim + d) * inner + c] as number;
          if (v < min) min = v;
          if (v > max) max = v;
        }
        const p = qparamsFromRange(min, max, {
          dtype,
          scheme,
          restricted: o.restricted,
          reduceRange: o.reduceRange,
        });
        const at = (a * blocks + b) * inner + c;
        scale[at] = p.scale;
        zeroPoint[at] = p.zeroPoint;
      }
    }
  }
  return { scale, zeroPoint, shape: paramShape };
}

/** Codes as the bytes of an ONNX tensor of `dtype` (4-bit packed, ONNX nibble order). */
function quantizeWeight(
  values: Float32Array,
  shape: readonly number[],
  dtype: IntegerDType,
  params: WeightParams,
  axis: number,
  blockSize: number | undefined,
): { raw: Uint8Array; dequantized: Float32Array } {
  const p =
    params.shape.length === 0
      ? { dtype, scale: params.scale[0] as number, zeroPoint: params.zeroPoint[0] as number }
      : blockSize === undefined
        ? { dtype, scale: params.scale, zeroPoint: params.zeroPoint, axis }
        : {
            dtype,
            scale: { data: params.scale, shape: params.shape },
            zeroPoint: { data: params.zeroPoint, shape: params.shape },
            axis,
            blockSize,
          };
  if (dtype === "int4" || dtype === "uint4") {
    const packed = quantizePacked(values, p, { shape });
    return { raw: packed.data, dequantized: dequantizePacked(packed).data };
  }
  const q = quantize(values, p, { shape });
  const raw = new Uint8Array(q.data.buffer, q.data.byteOffset, q.data.byteLength);
  return { raw, dequantized: dequantize(q).data };
}

/** Zero points as the bytes of an ONNX tensor of `dtype` (4-bit packed, ONNX nibble order). */
function zeroPointBytes(dtype: IntegerDType, params: WeightParams): Uint8Array {
  const n = params.zeroPoint.length;
  let raw: Uint8Array;
  if (dtype === "int4" || dtype === "uint4") {
    raw = new Uint8Array(Math.ceil(n / 2));
    for (let i = 0; i < n; i++)
      raw[i >> 1] |= ((params.zeroPoint[i] as number) & 15) << ((i & 1) * 4);
  } else {
    raw = new Uint8Array(n);
    for (let i = 0; i < n; i++) raw[i] = (params.zeroPoint[i] as number) & 0xff;
  }
  return raw;
}

const ONNX_NAME: Readonly<Record<string, string>> = {
  int8: "INT8",
  uint8: "UINT8",
  int4: "INT4",
  uint4: "UINT4",
};

interface Candidate {
  readonly constant: ConstantAt;
  readonly at: GraphAt;
  readonly node: NodeProto;
  readonly slot: WeightSlot;
}

/**
 * One weight to quantize, as plain data: what {@link quantizeOnnxWeight} needs and nothing of the
 * graph, so that a worker thread can take it (it survives `structuredClone`).
 */
export interface OnnxWeightJob {
  /** The weight's name (for messages). */
  readonly name: string;
  /** The float weight, row-major, of `shape`. */
  readonly values: Float32Array;
  /**
   * The shape the codes take: the weight's own, except for a Conv weight in blocks (`[M,
   * C·kH·kW]`); for MatMulNBits the MatMul weight `[K, N]`.
   */
  readonly shape: readonly number[];
  readonly dtype: WeightDType;
  readonly format: "qdq" | "matmulnbits";
  readonly granularity: "tensor" | "channel" | "block";
  /** The axis of `shape` the scales run along (channel or block axis; unused per tensor). */
  readonly axis: number;
  readonly blockSize: number;
  readonly symmetric: boolean;
  readonly restricted: boolean;
  readonly reduceRange: boolean;
}

/** What {@link quantizeOnnxWeight} computes for one weight: the bytes the writer stores. */
export interface OnnxWeightCodes {
  /**
   * The codes as the ONNX tensor stores them: QDQ codes of the job's shape (4-bit packed two
   * per byte, low nibble first); MatMulNBits `B`, `[N, ceil(K / blockSize), blockSize / 2]`.
   */
  readonly codes: Uint8Array;
  readonly scale: Float32Array;
  /** The shape of the scale (and zero point) tensor: `[]` per tensor, `[N, blocks]` for MatMulNBits. */
  readonly paramShape: readonly number[];
  /** The zero points as stored (4-bit packed); undefined for symmetric MatMulNBits (no input). */
  readonly zeroPoint: Uint8Array | undefined;
  /** SQNR of the dequantized weight (as the runtime will see it) against the float one, in dB. */
  readonly sqnrDb: number;
}

/**
 * The arithmetic of one weight: scales and zero points from core (`symmetricParams` /
 * `affineParams` per tensor, `MinMaxObserver` per channel, `qparamsFromRange` per block), codes
 * from `quantize` / `quantizePacked` (ONNX semantics), the SQNR of their dequantization. A pure
 * function of the job: the same job gives the same bytes in any thread.
 *
 * @example
 * const plan = planOnnxQuantization(model, { weights: "int8", granularity: "channel" });
 * const codes = plan.jobs.map(quantizeOnnxWeight); // or spread over worker threads
 * const { bytes } = plan.finish(codes);
 */
export function quantizeOnnxWeight(job: OnnxWeightJob): OnnxWeightCodes {
  const dtype = job.dtype as IntegerDType;
  if (job.format === "matmulnbits") return matMulNBitsCodes(job);
  const params = weightParams(job.values, job.shape, dtype, job, job);
  const blockSize = job.granularity === "block" ? job.blockSize : undefined;
  const { raw, dequantized } = quantizeWeight(
    job.values,
    job.shape,
    dtype,
    params,
    job.axis,
    blockSize,
  );
  return {
    codes: raw,
    scale: params.scale,
    paramShape: params.shape,
    zeroPoint: zeroPointBytes(dtype, params),
    sqnrDb: sqnrDb(job.values, dequantized),
  };
}

function matMulNBitsCodes(job: OnnxWeightJob): OnnxWeightCodes {
  if (job.dtype !== "int4" && job.dtype !== "uint4")
    throw new RangeError(
      `quantizeOnnxWeight(): MatMulNBits needs 4-bit weights; received "${job.dtype}"`,
    );
  const values = job.values;
  const [k, n] = job.shape as [number, number];
  const bs = job.blockSize;
  const blocks = Math.ceil(k / bs);
  const padded = blocks * bs;
  // The transposed weight [N, K], zero-padded along K to whole blocks.
  const t = new Float32Array(n * padded);
  for (let r = 0; r < k; r++)
    for (let col = 0; col < n; col++) t[col * padded + r] = values[r * n + col] as number;
  // Codes are uint4 (MatMulNBits' storage): a symmetric int4 scale with zero point 8, or affine uint4.
  const symmetric = job.symmetric;
  const paramsDType: IntegerDType = symmetric ? "int4" : "uint4";
  const params = weightParams(
    t,
    [n, padded],
    paramsDType,
    { ...job, restricted: symmetric && job.restricted },
    { granularity: "block", axis: 1 },
  );
  const zeroPoint = symmetric
    ? new Float64Array(params.zeroPoint.length).fill(8)
    : params.zeroPoint;
  const stored = { ...params, zeroPoint };
  const { raw, dequantized } = quantizeWeight(t, [n, padded], "uint4", stored, 1, bs);
  let packed: Uint8Array | undefined;
  if (!symmetric) {
    const perRow = Math.ceil(blocks / 2);
    packed = new Uint8Array(n * perRow);
    for (let r = 0; r < n; r++)
      for (let b = 0; b < blocks; b++)
        packed[r * perRow + (b >> 1)] |=
          ((zeroPoint[r * blocks + b] as number) & 15) << ((b & 1) * 4);
  }
  // Error of the weight as ORT will see it: dequantized [N, K] back to [K, N].
  const back = new Float32Array(k * n);
  for (let r = 0; r < k; r++)
    for (let col = 0; col < n; col++) back[r * n + col] = dequantized[col * padded + r] as number;
  return {
    codes: raw,
    scale: params.scale,
    paramShape: [n, blocks],
    zeroPoint: packed,
    sqnrDb: sqnrDb(values, back),
  };
}

/**
 * A quantization of an ONNX model in two steps: `jobs`, the weights to quantize (plain data, for
 * {@link quantizeOnnxWeight} in this thread or any other), then `finish(codes)`, which writes
 * the model from their results, given in the order of `jobs`. `finish` can be called once, and
 * does not read the jobs' values (they may have been transferred to a worker thread).
 */
export interface OnnxQuantizationPlan {
  readonly jobs: readonly OnnxWeightJob[];
  finish(codes: readonly OnnxWeightCodes[]): QuantizedOnnx;
}

/**
 * Quantizes the weights of an ONNX model (and, with `activations`, its activations) and returns
 * the new model's bytes with a report per weight.
 *
 * - `format: "qdq"`: each quantized weight becomes integer codes and a DequantizeLinear whose
 *   output keeps the weight's name: int8/uint8 per tensor or per output channel, int4/uint4 (or
 *   int8) in blocks along the reduction axis (opset 21; Conv weights are blocked over
 *   `C·kH·kW` and reshaped back). The model is carried to the opset this needs.
 * - `format: "matmulnbits"`: a MatMul with a 2-D constant `[K, N]` weight becomes
 *   com.microsoft.MatMulNBits: uint4 codes of the transposed weight in blocks of `blockSize`
 *   along K, packed low nibble first, shape `[N, ceil(K / blockSize), blockSize / 2]`, float
 *   scales `[N, blocks]`, and packed uint4 zero points when not symmetric (symmetric: no
 *   zero_points input, the default 8).
 * - `activations`: a QuantizeLinear → DequantizeLinear pair on each named tensor of the main
 *   graph (graph outputs excepted), as ORT's QDQ `quantize_static`.
 *
 * Scales and zero points come from core (`symmetricParams`/`affineParams` per tensor,
 * `MinMaxObserver` per channel, `qparamsFromRange` per block), codes from `quantize` /
 * `quantizePacked` (ONNX semantics). Biases stay float. It is {@link planOnnxQuantization}
 * with every job run here, in order.
 *
 * @throws {TypeError} for bad options.
 * @throws {ModelFileError} for a bad model file, or one that cannot reach the opset needed.
 * @example
 * const { bytes, weights } = quantizeOnnx(floatModel, { weights: "int8", granularity: "channel" });
 * weights.map((w) => `${w.name} ${w.sqnrDb.toFixed(1)} dB`)
 */
export function quantizeOnnx(model: Uint8Array, options: QuantizeOnnxOptions = {}): QuantizedOnnx {
  const plan = planOnnxQuantization(model, options);
  return plan.finish(plan.jobs.map(quantizeOnnxWeight));
}

/**
 * The first step of {@link quantizeOnnx}: reads the model, checks the options, picks the weights
 * and carries the model to the opset the scheme needs; returns one job per weight and the
 * function that writes the model from the jobs' results. Run the jobs anywhere (worker threads:
 * each job and result is plain data); the bytes `finish` writes depend only on the results,
 * which depend only on the jobs.
 *
 * @throws {TypeError} for bad options.
 * @throws {ModelFileError} for a bad model file, or one that cannot reach the opset needed.
 * @example
 * const plan = planOnnxQuantization(model, { weights: "int4", granularity: "block", blockSize: 32 });
 * plan.jobs.length; // the weights to quantize
 * const { bytes, weights } = plan.finish(plan.jobs.map(quantizeOnnxWeight));
 */
export function planOnnxQuantization(
  model: Uint8Array,
  options: QuantizeOnnxOptions = {},
): OnnxQuantizationPlan {
  const o = resolveOptions(options);
  const file = options.file ?? "model.onnx";
  const proto = decodeOnnx(model, file);
  const main = proto.graph as NonNullable<ModelProto["graph"]>;
  const graphs = graphsOf(main);

  // 1. Find the candidate weights: constant inputs at a weight slot of a chosen op.
  const candidates: Candidate[] = [];
  const skipped: { name: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const at of graphs) {
    const constants = new Map(constantsOf(at).map((c) => [c.name, c]));
    for (const node of at.graph.node) {
      if (!isOnnxDomain(node) || !o.ops.has(node.op_type)) continue;
      for (const slot of SLOTS[node.op_type] ?? []) {
        const name = node.input[slot.input];
        if (name === undefined || name === "") continue;
        const constant = constants.get(name);
        const key = `${at.path}/${name}`;
        if (constant === undefined || seen.has(key)) continue;
        seen.add(key);
        if (o.include && !o.include.has(name)) continue;
        if (o.exclude.has(name)) {
          skipped.push({ name, reason: "excluded" });
          continue;
        }
        candidates.push({ constant, at, node, slot });
      }
    }
  }

  for (const name of o.include ?? []) {
    if (!candidates.some((c) => c.constant.name === name)) {
      skipped.push({ name, reason: `not a constant weight of ${[...o.ops].join(", ")}` });
    }
  }

  // 2. Check each, and decide its layout.
  const plans: WeightPlan[] = [];
  for (const c of candidates) {
    const checked = checkTensor(file, c.constant.path, c.constant.tensor, options.resolve);
    const name = c.constant.name;
    if (checked.dtype.name !== "FLOAT") {
      skipped.push({ name, reason: `stored as ${checked.dtype.name}, not FLOAT` });
      continue;
    }
    if (checked.count < o.minSize) {
      skipped.push({ name, reason: `${checked.count} elements, fewer than minSize ${o.minSize}` });
      continue;
    }
    const axes = c.slot.axes(c.node, checked.shape.length);
    if (axes === undefined) {
      skipped.push({ name, reason: `rank ${checked.shape.length} does not fit ${c.node.op_type}` });
      continue;
    }
    if (o.format === "matmulnbits" && (c.node.op_type !== "MatMul" || checked.shape.length !== 2)) {
      skipped.push({ name, reason: "MatMulNBits takes the 2-D constant weight of a MatMul only" });
      continue;
    }
    if (o.format === "matmulnbits" && c.at.graph !== main) {
      skipped.push({ name, reason: "MatMulNBits is written in the main graph only" });
      continue;
    }
    const consumers = graphs.flatMap((g) => g.graph.node).filter((n) => n.input.includes(name));
    if (o.format === "matmulnbits" && consumers.length !== 1) {
      skipped.push({ name, reason: "shared by several nodes" });
      continue;
    }
    // (plain buffers: a job may be transferred to a worker thread)
    const values = floatValues(checked, false);
    const shape = [...checked.shape];
    // Conv weights in blocks: quantize the [M, C·kH·kW] matrix, reshape back after DequantizeLinear.
    const flatten = o.format === "qdq" && o.granularity === "block" && c.node.op_type === "Conv";
    const qShape = flatten ? [shape[0] as number, values.length / (shape[0] as number)] : shape;
    const axis =
      o.format === "matmulnbits"
        ? 0
        : o.granularity === "channel"
          ? axes.channel
          : flatten
            ? 1
            : axes.reduction;
    const job: OnnxWeightJob = {
      name,
      values,
      shape: qShape,
      dtype: o.weights,
      format: o.format,
      granularity: o.granularity,
      axis,
      blockSize: o.blockSize,
      symmetric: o.symmetric,
      restricted: o.restricted,
      reduceRange: o.reduceRange,
    };
    plans.push({ c, shape, job, flatten, count: values.length });
  }

  // 3. Opset: DequantizeLinear with axis needs 13, int4 / block_size 21, MatMulNBits any.
  const needs4bit = o.weights === "int4" || o.weights === "uint4" || o.granularity === "block";
  const needed =
    o.format === "matmulnbits"
      ? 0
      : plans.length === 0 && options.activations === undefined
        ? 0
        : needs4bit
          ? 21
          : 13;
  const opset =
    needed > defaultOpset(proto)
      ? upgradeOpset(proto, needed, file)
      : { from: defaultOpset(proto), to: defaultOpset(proto), rewritten: {} };

  const unique = nameAllocator(proto);
  let finished = false;
  const finish = (codes: readonly OnnxWeightCodes[]): QuantizedOnnx => {
    if (finished) throw new Error("planOnnxQuantization(): finish() was already called");
    if (!Array.isArray(codes) || codes.length !== plans.length) {
      throw new TypeError(
        `planOnnxQuantization(): argument 'codes' of finish() must be ${plans.length} results, one per job; received ${Array.isArray(codes) ? codes.length : typeof codes}`,
      );
    }
    finished = true;
    const reports = plans.map((p, i) => rewriteWeight(unique, p, codes[i] as OnnxWeightCodes));
    const activations =
      options.activations === undefined
        ? []
        : quantizeActivations(main, options.activations, unique);
    if (
      reports.some((r) => r.op === "MatMul") &&
      o.format === "matmulnbits" &&
      !proto.opset_import.some((x) => x.domain === "com.microsoft")
    ) {
      proto.opset_import.push({ domain: "com.microsoft", version: 1 });
    }
    return { bytes: encodeModelProto(proto), weights: reports, skipped, activations, opset };
  };
  return { jobs: plans.map((p) => p.job), finish };
}

/** One weight's place in the graph, its job, and its element count (the job's values may have moved to another thread by the time the model is written). */
interface WeightPlan {
  readonly c: Candidate;
  readonly shape: number[];
  readonly job: OnnxWeightJob;
  readonly flatten: boolean;
  readonly count: number;
}

/** Replaces one float weight by its codes (and DequantizeLinear, or MatMulNBits); its report. */
function rewriteWeight(
  unique: (base: string) => string,
  plan: WeightPlan,
  result: OnnxWeightCodes,
): QuantizedWeightReport {
  const { c, shape, job, flatten } = plan;
  const name = c.constant.name;
  const graph = c.at.graph;
  const added: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  const bytesBefore = plan.count * 4;
  const bytesAfter =
    result.codes.length + result.scale.length * 4 + (result.zeroPoint?.length ?? 0);
  let report: QuantizedWeightReport;
  if (job.format === "matmulnbits") {
    const [k, n] = shape as [number, number];
    const bs = job.blockSize;
    const blocks = Math.ceil(k / bs);
    const codes = unique(`${name}_MatMulNBits`);
    const scale = unique(`${name}_scales`);
    added.push(
      tensorProto({ name: codes, dtype: "UINT8", shape: [n, blocks, bs / 2], data: result.codes }),
      tensorProto({ name: scale, dtype: "FLOAT", shape: [n, blocks], data: result.scale }),
    );
    const inputs = [c.node.input[0] as string, codes, scale];
    if (result.zeroPoint !== undefined) {
      const zero = unique(`${name}_zero_points`);
      const perRow = Math.ceil(blocks / 2);
      added.push(
        tensorProto({ name: zero, dtype: "UINT8", shape: [n, perRow], data: result.zeroPoint }),
      );
      inputs.push(zero);
    }
    const node = c.node;
    node.op_type = "MatMulNBits";
    node.domain = "com.microsoft";
    node.input = inputs;
    node.attribute = [
      attr.int("K", k),
      attr.int("N", n),
      attr.int("bits", 4),
      attr.int("block_size", bs),
    ];
    report = {
      name,
      op: "MatMul",
      shape,
      dtype: job.dtype,
      granularity: "block",
      axis: 0,
      blockSize: bs,
      bytesBefore,
      bytesAfter,
      sqnrDb: result.sqnrDb,
    };
  } else {
    const dtype = job.dtype;
    const axis = job.axis;
    const blockSize = job.granularity === "block" ? job.blockSize : undefined;
    const codes = unique(`${name}_quantized`);
    const scale = unique(`${name}_scale`);
    const zero = unique(`${name}_zero_point`);
    added.push(
      tensorProto({
        name: codes,
        dtype: ONNX_NAME[dtype] as string,
        shape: job.shape,
        data: result.codes,
      }),
      tensorProto({ name: scale, dtype: "FLOAT", shape: result.paramShape, data: result.scale }),
      tensorProto({
        name: zero,
        dtype: ONNX_NAME[dtype] as string,
        shape: result.paramShape,
        data: result.zeroPoint as Uint8Array,
      }),
    );
    const dqOut = flatten ? unique(`${name}_dequantized`) : name;
    nodes.push({
      input: [codes, scale, zero],
      output: [dqOut],
      name: unique(`${name}_DequantizeLinear`),
      op_type: "DequantizeLinear",
      domain: "",
      attribute: [
        ...(result.paramShape.length > 0 ? [attr.int("axis", axis)] : []),
        ...(blockSize !== undefined ? [attr.int("block_size", blockSize)] : []),
      ],
    });
    if (flatten) {
      const shapeName = unique(`${name}_shape`);
      added.push(
        tensorProto({
          name: shapeName,
          dtype: "INT64",
          shape: [shape.length],
          data: BigInt64Array.from(shape, BigInt),
        }),
      );
      nodes.push(
        nodeProto({
          name: unique(`${name}_Reshape`),
          op: "Reshape",
          inputs: [dqOut, shapeName],
          outputs: [name],
        }),
      );
    }
    report = {
      name,
      op: c.node.op_type,
      shape,
      dtype,
      granularity: job.granularity,
      ...(job.granularity !== "tensor" ? { axis } : {}),
      ...(blockSize !== undefined ? { blockSize } : {}),
      bytesBefore,
      bytesAfter,
      sqnrDb: result.sqnrDb,
    };
  }
  // Remove the float weight (initializer, graph input of old IR, or Constant node); put the new nodes where it was.
  if (c.constant.node) {
    const at = graph.node.indexOf(c.constant.node);
    graph.node.splice(at, 1, ...nodes);
  } else {
    graph.initializer.splice(graph.initializer.indexOf(c.constant.tensor), 1);
    graph.input = graph.input.filter((v) => v.name !== name);
    if (nodes.length > 0) graph.node.unshift(...nodes);
  }
  graph.initializer.push(...added);
  return report;
}

/** Static activations: Q → DQ pairs on the named tensors, consumers rewired to the DQ output. */
function quantizeActivations(
  main: NonNullable<ModelProto["graph"]>,
  activations: Readonly<Record<string, ActivationParams>>,
  unique: (base: string) => string,
): string[] {
  const done: string[] = [];
  const outputs = new Set(main.output.map((v) => v.name));
  const params = new Map(Object.entries(activations));
  const known = new Set([...main.input.map((v) => v.name), ...main.node.flatMap((n) => n.output)]);
  for (const tensor of params.keys()) {
    if (!known.has(tensor)) {
      throw new RangeError(
        `quantizeOnnx(): argument 'options.activations' must name tensors of the main graph; received "${tensor}", which no node produces`,
      );
    }
  }
  const rewired = new Map<string, string>();
  const pairs = new Map<string, NodeProto[]>();
  for (const [tensor, p] of params) {
    if (outputs.has(tensor)) continue;
    if (p.dtype !== "int8" && p.dtype !== "uint8")
      throw argError(`options.activations["${tensor}"].dtype`, '"int8" or "uint8"', p.dtype);
    const scale = unique(`${tensor}_scale`);
    const zero = unique(`${tensor}_zero_point`);
    const q = unique(`${tensor}_quantized`);
    const dq = unique(`${tensor}_dequantized`);
    main.initializer.push(
      tensorProto({ name: scale, dtype: "FLOAT", shape: [], data: Float32Array.of(p.scale) }),
      tensorProto({
        name: zero,
        dtype: ONNX_NAME[p.dtype] as string,
        shape: [],
        data: Uint8Array.of(p.zeroPoint & 0xff),
      }),
    );
    pairs.set(tensor, [
      nodeProto({
        name: unique(`${tensor}_QuantizeLinear`),
        op: "QuantizeLinear",
        inputs: [tensor, scale, zero],
        outputs: [q],
      }),
      nodeProto({
        name: unique(`${tensor}_DequantizeLinear`),
        op: "DequantizeLinear",
        inputs: [q, scale, zero],
        outputs: [dq],
      }),
    ]);
    rewired.set(tensor, dq);
    done.push(tensor);
  }
  const produced = new Set(main.node.flatMap((n) => n.output));
  const out: NodeProto[] = [];
  for (const [tensor, pair] of pairs) if (!produced.has(tensor)) out.push(...pair);
  for (const node of main.node) {
    node.input = node.input.map((i) => rewired.get(i) ?? i);
    out.push(node);
    for (const o2 of node.output) {
      const pair = pairs.get(o2);
      if (pair) out.push(...pair);
    }
  }
  main.node = out;
  return done;
}
