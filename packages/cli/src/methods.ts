/**
 * `quantize --method gptq|awq|hqq` (and `--bits`): an ONNX model's weights quantized layer by
 * layer by @quantlab/algorithms, in the main thread, to the codes @quantlab/models' plan writes.
 *
 * Each weight of a MatMul, Gemm or Conv of the main graph is the matrix its op multiplies, `[out,
 * in]`: a MatMul's `[K, N]` transposed, a Gemm's as transB says, a convolution's `[M, C/group ·
 * ∏kernel]` (one matrix per group). The data-aware methods see the layer's inputs recorded from
 * the float model on the `--calibrate` samples by onnxruntime-node (a MatMul's rows, a
 * convolution's patches), at most {@link MAX_ROWS} rows a layer, evenly spaced. Their codes are
 * the algorithms' grid (`[0, 2^bits − 1]` with an integer zero point), stored in --weights' type
 * (signed types shifted by 2^(bits−1)); AWQ's input scales become a Mul before the op.
 */
import {
  convPatches,
  convRowCount,
  type LayerMethod,
  type LayerQuantization,
  layerError,
  quantizeLayer,
  rtn,
} from "@quantlab/algorithms";
import { sqnrDb } from "@quantlab/core";
import {
  type OnnxLayer,
  type OnnxWeightCodes,
  type OnnxWeightJob,
  onnxLayers,
  quantizeOnnxWeight,
  withGraphOutputs,
} from "@quantlab/models";
import { CliError } from "./errors.js";
import type { Sample } from "./inputs.js";

/** Calibration rows a layer keeps at most (evenly spaced over all the samples' rows). */
export const MAX_ROWS = 2048;

/** What one layer's quantization reports (a progress line, a row of the table). */
export interface LayerLine {
  readonly name: string;
  readonly op: string;
  /** The matrix quantized, `[out, in]` (a convolution's per group: `out` sums the groups). */
  readonly matrix: readonly [number, number];
  /** Calibration rows used (data-aware methods). */
  readonly rows?: number;
  /** `||XWᵀ − XŴᵀ||² / ||XWᵀ||²` on the calibration rows, and RTN's on the same grid. */
  readonly outputError?: number;
  readonly rtnOutputError?: number;
  readonly seconds: number;
  /** Why this weight was rounded to nearest instead. */
  readonly fallback?: string;
  readonly warnings: readonly string[];
}

/** Settings of {@link quantizeByMethod}. */
export interface MethodSettings {
  readonly method: LayerMethod;
  readonly bits: number;
  readonly symmetric: boolean;
}

/** What {@link quantizeByMethod} gives back: the codes of every job, in order, and AWQ's factors. */
export interface MethodResult {
  readonly codes: OnnxWeightCodes[];
  readonly lines: LayerLine[];
  /** AWQ: per weight, the factor each input is multiplied by (1 / its scale). */
  readonly inputFactors: Map<string, Float32Array>;
}

/** Runs a model on samples and returns the named outputs with their dims. */
export type LayerRunner = (
  model: Uint8Array,
  sample: Sample,
  outputs: readonly string[],
) => Promise<Record<string, { data: Float32Array; dims: readonly number[] }>>;

const BITS_OF: Record<string, number> = { int8: 8, uint8: 8, int4: 4, uint4: 4 };

/** The matrix `[out, in]` a layer multiplies, from the weight as stored. */
function matrixOf(layer: OnnxLayer, values: Float32Array, shape: readonly number[]): Float32Array {
  if (layer.op === "Conv" || (layer.op === "Gemm" && layer.transB)) return values;
  const [k, n] = shape.slice(-2) as [number, number];
  const t = new Float32Array(k * n);
  for (let r = 0; r < k; r++)
    for (let c = 0; c < n; c++) t[c * k + r] = values[r * n + c] as number;
  return t;
}

function dimsOfWeight(layer: OnnxLayer, shape: readonly number[]): [number, number] {
  if (layer.op === "Conv") {
    const m = shape[0] as number;
    return [m, shape.slice(1).reduce((a, b) => a * b, 1)];
  }
  if (layer.op === "Gemm" && layer.transB) return [shape[0] as number, shape[1] as number];
  return [shape[shape.length - 1] as number, shape[shape.length - 2] as number];
}

/** Rows a recorded input offers to a layer (per group for a Conv: the same count each). */
function rowsOffered(layer: OnnxLayer, dims: readonly number[], cols: number): number {
  if (layer.op === "Conv") return convRowCount(layer, dims);
  const total = dims.reduce((a, b) => a * b, 1);
  return total / cols;
}

/** The calibration rows `[count, cols]` of one group of a layer, from one recorded input. */
function rowsOf(
  layer: OnnxLayer,
  x: { data: Float32Array; dims: readonly number[] },
  group: number,
  pick: readonly number[],
  cols: number,
): Float32Array {
  if (layer.op === "Conv") return convPatches(x, layer, group, pick);
  const out = new Float32Array(pick.length * cols);
  if (layer.op === "Gemm" && layer.transA) {
    // A is [K, M]: row m of the product is column m of A.
    const m = (x.dims[1] as number) ?? 1;
    pick.forEach((row, i) => {
      for (let k = 0; k < cols; k++) out[i * cols + k] = x.data[k * m + row] as number;
    });
    return out;
  }
  pick.forEach((row, i) => {
    out.set(x.data.subarray(row * cols, (row + 1) * cols), i * cols);
  });
  return out;
}

/** Evenly spaced picks of `want` among `total`. */
function spaced(total: number, want: number): number[] {
  if (total <= want) return Array.from({ length: total }, (_, i) => i);
  return Array.from({ length: want }, (_, i) => Math.floor((i * total) / want));
}

/** Packs codes of a 4-bit or 8-bit ONNX type, in order (4-bit: two a byte, low nibble first). */
function packCodes(values: ArrayLike<number>, four: boolean): Uint8Array {
  if (!four) return Uint8Array.from(values, (v) => v & 0xff);
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++)
    out[i >> 1] |= ((values[i] as number) & 15) << ((i & 1) * 4);
  return out;
}

/**
 * The bytes @quantlab/models' plan writes for a job, from a layer's quantization `[out, in]`:
 * codes and scales moved to the job's layout (a MatMul's `[K, N]`), shifted for signed types.
 */
function jobCodes(job: OnnxWeightJob, layer: OnnxLayer, q: LayerQuantization): OnnxWeightCodes {
  const [out, cols] = q.shape;
  const four = job.dtype === "int4" || job.dtype === "uint4";
  const signed = job.dtype === "int4" || job.dtype === "int8";
  const shift = signed ? 2 ** (q.bits - 1) : 0;
  const storeMax = signed ? 2 ** ((four ? 4 : 8) - 1) - 1 : 2 ** (four ? 4 : 8) - 1;
  const storeMin = signed ? -(2 ** ((four ? 4 : 8) - 1)) : 0;
  const transposed = !(layer.op === "Conv" || (layer.op === "Gemm" && layer.transB));
  const groups = q.params.shape[1];
  const n = out * cols;
  const codes = new Int32Array(n);
  const dequantized = new Float32Array(n);
  for (let o = 0; o < out; o++)
    for (let i = 0; i < cols; i++) {
      const at = transposed ? i * out + o : o * cols + i;
      codes[at] = (q.codes[o * cols + i] as number) - shift;
      dequantized[at] = q.effective[o * cols + i] as number;
    }
  const scale = new Float32Array(out * groups);
  const zero = new Int32Array(out * groups);
  for (let o = 0; o < out; o++)
    for (let g = 0; g < groups; g++) {
      const at = transposed ? g * out + o : o * groups + g;
      scale[at] = q.params.scale[o * groups + g] as number;
      const z = (q.params.zeroPoint[o * groups + g] as number) - shift;
      if (!Number.isInteger(z) || z < storeMin || z > storeMax)
        throw new CliError(
          `${job.name}: ${q.method}'s zero point ${z + shift} does not fit ${job.dtype} (${q.bits} bits)`,
        );
      zero[at] = z;
    }
  // Per channel: one scale per output channel; in blocks: the weight's shape with the reduction
  // axis counted in blocks (a MatMul's [blocks, N]; a Conv's or Gemm's [M, blocks]).
  const paramShape =
    job.granularity === "channel"
      ? [out]
      : transposed
        ? [groups, ...job.shape.slice(-1)]
        : [job.shape[0] as number, groups];
  return {
    codes: packCodes(codes, four),
    scale,
    paramShape,
    zeroPoint: packCodes(zero, four),
    sqnrDb: sqnrDb(job.values, dequantized),
  };
}

/**
 * Quantizes the jobs of an ONNX plan by `settings.method`: one layer at a time, `onLayer` called
 * after each. Jobs the method cannot take (weights of other ops or of subgraphs; Conv weights
 * for AWQ, whose input scales a Mul cannot apply to patches) are rounded to nearest by the plan's
 * own arithmetic, and say why.
 *
 * @throws {CliError} when a layer's calibration inputs cannot be recorded, or a method refuses
 *   its inputs (a singular Hessian without dampening, NaN in the activations).
 */
export async function quantizeByMethod(
  model: Uint8Array,
  file: string,
  jobs: readonly OnnxWeightJob[],
  settings: MethodSettings,
  samples: readonly Sample[] | undefined,
  run: LayerRunner | undefined,
  onLayer: (line: LayerLine, index: number, count: number) => void,
): Promise<MethodResult> {
  const layers = new Map<string, OnnxLayer>();
  for (const l of onnxLayers(model, file)) if (!layers.has(l.weight)) layers.set(l.weight, l);
  const dataAware = settings.method === "gptq" || settings.method === "awq";
  const fallbackOf = (job: OnnxWeightJob): string | undefined => {
    const layer = layers.get(job.name);
    if (layer === undefined)
      return "not the constant weight of a MatMul, Gemm or Conv of the main graph";
    if (job.granularity === "tensor") return "per tensor";
    if (settings.method === "awq" && layer.op === "Conv")
      return "a Conv (AWQ's input scales apply to a MatMul's or Gemm's input)";
    if (layer.op !== "Conv" && job.shape.length !== 2) return "a batched MatMul weight";
    return undefined;
  };
  // Record every layer's input once, per sample.
  const recorded = new Map<string, { data: Float32Array; dims: readonly number[] }[]>();
  if (dataAware) {
    if (samples === undefined || run === undefined || samples.length === 0)
      throw new CliError(
        `${file}: --method ${settings.method} needs --calibrate DIR (sample inputs)`,
      );
    const inputs = [
      ...new Set(
        jobs
          .filter((j) => fallbackOf(j) === undefined)
          .map((j) => (layers.get(j.name) as OnnxLayer).input),
      ),
    ];
    // Graph inputs come from the samples themselves; the others are recorded by the runtime.
    const inner = inputs.filter((name) => !samples.some((sample) => name in sample));
    const probe = withGraphOutputs(model, inner, file);
    for (const name of inputs) recorded.set(name, []);
    for (const sample of samples) {
      const out = inner.length > 0 ? await run(probe, sample, inner) : {};
      for (const name of inputs) {
        const feed = sample[name];
        const v =
          feed === undefined
            ? out[name]
            : { data: Float32Array.from(feed.data as ArrayLike<number>), dims: feed.dims };
        if (v === undefined) throw new CliError(`${file}: the runtime returned no "${name}"`);
        recorded.get(name)?.push(v);
      }
    }
  }
  const codes: OnnxWeightCodes[] = [];
  const lines: LayerLine[] = [];
  const inputFactors = new Map<string, Float32Array>();
  for (const [index, job] of jobs.entries()) {
    const t0 = performance.now();
    const layer = layers.get(job.name);
    const fallback = fallbackOf(job);
    if (fallback !== undefined || layer === undefined) {
      codes.push(quantizeOnnxWeight(job));
      const line: LayerLine = {
        name: job.name,
        op: layer?.op ?? "-",
        matrix: [job.shape[0] ?? 1, job.values.length / (job.shape[0] ?? 1)],
        seconds: (performance.now() - t0) / 1000,
        fallback: fallback ?? "no layer",
        warnings: [],
      };
      lines.push(line);
      onLayer(line, index, jobs.length);
      continue;
    }
    const [out, cols] = dimsOfWeight(layer, job.shape);
    const w = matrixOf(layer, job.values, job.shape);
    const parts = layer.op === "Conv" ? layer.group : 1;
    const rowsPer = out / parts;
    const groupSize = job.granularity === "block" ? job.blockSize : cols;
    const options = {
      bits: settings.bits,
      groupSize,
      ...(settings.method === "hqq"
        ? { integerZeroPoint: true }
        : { symmetric: settings.symmetric }),
    };
    const results: LayerQuantization[] = [];
    let error = 0;
    let rtnError = 0;
    let rowsUsed = 0;
    const warnings: string[] = [];
    for (let g = 0; g < parts; g++) {
      const wg = {
        data: w.subarray(g * rowsPer * cols, (g + 1) * rowsPer * cols),
        shape: [rowsPer, cols],
      };
      let x: { data: Float32Array; shape: number[] } | undefined;
      if (dataAware) {
        const xs = recorded.get(layer.input) ?? [];
        const counts = xs.map((v) => rowsOffered(layer, v.dims, cols));
        const total = counts.reduce((a, b) => a + b, 0);
        const picks = spaced(total, MAX_ROWS);
        const data = new Float32Array(picks.length * cols);
        let at = 0;
        let start = 0;
        xs.forEach((v, s) => {
          const local = picks
            .filter((p) => p >= start && p < start + (counts[s] as number))
            .map((p) => p - start);
          if (local.length > 0) data.set(rowsOf(layer, v, g, local, cols), at * cols);
          at += local.length;
          start += counts[s] as number;
        });
        x = { data, shape: [picks.length, cols] };
        rowsUsed = picks.length;
      }
      let q: LayerQuantization;
      try {
        q = quantizeLayer(settings.method, wg, options, x);
      } catch (e) {
        throw new CliError(`${file}: ${job.name} (${layer.op}): ${(e as Error).message}`);
      }
      results.push(q);
      warnings.push(...q.report.warnings);
      if (x !== undefined) {
        const r = rtn(wg, { bits: settings.bits, groupSize, symmetric: settings.symmetric });
        error += (q.report.outputError as number) / parts;
        rtnError += layerError(wg, { data: r.dequantized, shape: wg.shape }, x) / parts;
      }
    }
    const merged = mergeGroups(results, out, cols);
    codes.push(jobCodes(job, layer, merged));
    if (merged.inputScale !== undefined)
      inputFactors.set(
        job.name,
        Float32Array.from(merged.inputScale, (s) => 1 / s),
      );
    const line: LayerLine = {
      name: job.name,
      op: layer.op,
      matrix: [out, cols],
      ...(dataAware ? { rows: rowsUsed, outputError: error, rtnOutputError: rtnError } : {}),
      seconds: (performance.now() - t0) / 1000,
      warnings: [...new Set(warnings)],
    };
    lines.push(line);
    onLayer(line, index, jobs.length);
  }
  return { codes, lines, inputFactors };
}

/** The groups of a grouped convolution as one quantization of the whole `[out, cols]` weight. */
function mergeGroups(parts: LayerQuantization[], out: number, cols: number): LayerQuantization {
  if (parts.length === 1) return parts[0] as LayerQuantization;
  const first = parts[0] as LayerQuantization;
  const cat = <T extends Uint8Array | Float32Array | Int32Array>(
    make: new (n: number) => T,
    get: (q: LayerQuantization) => T,
  ): T => {
    const total = parts.reduce((n, q) => n + get(q).length, 0);
    const r = new make(total);
    let at = 0;
    for (const q of parts) {
      r.set(get(q) as never, at);
      at += get(q).length;
    }
    return r;
  };
  const zeroIsInt = first.params.zeroPoint instanceof Int32Array;
  return {
    ...first,
    shape: [out, cols],
    codes: cat(Uint8Array, (q) => q.codes),
    dequantized: cat(Float32Array, (q) => q.dequantized),
    effective: cat(Float32Array, (q) => q.effective),
    params: {
      ...first.params,
      scale: cat(Float32Array, (q) => q.params.scale),
      zeroPoint: zeroIsInt
        ? cat(Int32Array, (q) => q.params.zeroPoint as Int32Array)
        : cat(Float32Array, (q) => q.params.zeroPoint as Float32Array),
      shape: [out, first.params.shape[1]],
    },
  };
}

/** The default bits of a weight type. */
export function bitsOf(dtype: string): number {
  return BITS_OF[dtype] ?? 8;
}
