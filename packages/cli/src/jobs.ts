/**
 * The work a model's quantization is cut into: one job per tensor, each a pure function of plain
 * data (typed arrays, numbers, strings), so it runs the same in this thread or a worker's and
 * gives the same bytes wherever it ran.
 *
 * Kinds are named by method and target: round to nearest (RTN) runs in the pool; the methods of
 * @quantlab/algorithms (--method gptq|awq|hqq, --bits) run layer by layer in the main thread (methods.ts).
 */
import { dequantizeGgml, type GgmlType, quantizeGgml, sqnrDb } from "@quantlab/core";
import { type OnnxWeightCodes, type OnnxWeightJob, quantizeOnnxWeight } from "@quantlab/models";

/** One tensor of a GGUF file to write in a ggml block format. */
export interface GgufTensorJob {
  readonly name: string;
  /** The float values, row-major, of `shape`; blocks run along the last dimension. */
  readonly values: Float32Array;
  readonly shape: readonly number[];
  readonly type: GgmlType;
}

/** The blocks of one GGUF tensor, and the SQNR of their decoding against the float values. */
export interface GgufTensorCodes {
  readonly data: Uint8Array;
  readonly sqnrDb: number;
}

/**
 * Round to nearest in a ggml block format: core's `quantizeGgml` (bit-exact with ggml's
 * `quantize_row_<type>_ref`), and `dequantizeGgml` for the SQNR.
 *
 * @example
 * const job = { name: "w", values: Float32Array.from({ length: 32 }, (_, i) => i - 16), shape: [1, 32], type: "q8_0" };
 * quantizeGgufTensor(job).data.length; // => 34
 */
export function quantizeGgufTensor(job: GgufTensorJob): GgufTensorCodes {
  const q = quantizeGgml(job.values, job.type, { shape: [...job.shape] });
  return { data: q.data, sqnrDb: sqnrDb(job.values, dequantizeGgml(q).data) };
}

/**
 * `run(job)`, its error naming the tensor: `tensor fc1.weight: quantizeGgml(): argument 'x[5]'
 * must be a finite number ...` (of the same class, so a RangeError stays one).
 */
function naming<J extends { readonly name: string }, R>(run: (job: J) => R): (job: J) => R {
  return (job: J) => {
    try {
      return run(job);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      const Class =
        error instanceof RangeError ? RangeError : error instanceof TypeError ? TypeError : Error;
      throw new Class(`tensor ${job.name}: ${error.message}`);
    }
  };
}

/** Every kind of job, by name: the worker threads look them up here. */
export const JOBS = {
  /** RTN of one ONNX weight (QDQ or MatMulNBits), @quantlab/models' quantizeOnnxWeight. */
  "rtn-onnx": naming((job: OnnxWeightJob): OnnxWeightCodes => quantizeOnnxWeight(job)),
  /** RTN of one tensor in a ggml block format. */
  "rtn-gguf": naming((job: GgufTensorJob): GgufTensorCodes => quantizeGgufTensor(job)),
} as const;

export type JobKind = keyof typeof JOBS;
export type JobOf<K extends JobKind> = Parameters<(typeof JOBS)[K]>[0];
export type ResultOf<K extends JobKind> = ReturnType<(typeof JOBS)[K]>;
