/**
 * ONNX models run by onnxruntime-node, deterministically: one intra-op and one inter-op thread,
 * sequential execution (the results cannot depend on the machine's core count). Loaded on first
 * use, so `inspect` and `quantize` without calibration never load the runtime.
 */
import type { OnnxFeed, OnnxRunner } from "@quantlab/models";
import type { InferenceSession, Tensor } from "onnxruntime-node";
import { CliError } from "./errors.js";
import type { Sample } from "./inputs.js";

type Ort = typeof import("onnxruntime-node");
let ort: Promise<Ort> | undefined;
const runtime = () => {
  ort ??= import("onnxruntime-node");
  return ort;
};

/** An output of a run: float32 values (other numeric types converted) and dims. */
export interface RunOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** A loaded model: its input and output names, and a run. */
export interface OrtModel {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(sample: Sample, outputs?: readonly string[]): Promise<Record<string, RunOutput>>;
}

const OPTIONS: InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: "sequential",
};

function floats(t: Tensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
    return Float32Array.from(t.data as ArrayLike<bigint>, (v) => Number(v));
  }
  return Float32Array.from(t.data as ArrayLike<number>);
}

/**
 * Loads a model with onnxruntime-node: from its path when given (external data files are found
 * beside it), else from its bytes. `file` names it in errors.
 */
export async function loadOrt(file: string, source: string | Uint8Array): Promise<OrtModel> {
  const o = await runtime();
  let session: InferenceSession;
  try {
    session =
      typeof source === "string"
        ? await o.InferenceSession.create(source, OPTIONS)
        : await o.InferenceSession.create(source, OPTIONS);
  } catch (error) {
    throw new CliError(`${file}: onnxruntime cannot load it: ${(error as Error).message}`);
  }
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(sample, outputs) {
      const feeds: Record<string, Tensor> = {};
      for (const [name, f] of Object.entries(sample)) {
        feeds[name] = new o.Tensor(f.type, f.data as never, [...f.dims]);
      }
      const names = outputs === undefined || outputs.length === 0 ? session.outputNames : outputs;
      let result: InferenceSession.ReturnType;
      try {
        result = await session.run(feeds, [...names]);
      } catch (error) {
        throw new CliError(`${file}: onnxruntime failed to run it: ${(error as Error).message}`);
      }
      const out: Record<string, RunOutput> = {};
      for (const name of names) {
        const t = result[name] as Tensor;
        out[name] = { data: floats(t), dims: [...t.dims] };
      }
      return out;
    },
  };
}

/** An `OnnxRunner` for `calibrateOnnx`: one session per model bytes. */
export function ortRunner(file: string): OnnxRunner {
  const models = new WeakMap<Uint8Array, Promise<OrtModel>>();
  return async (model, feeds: Readonly<Record<string, OnnxFeed>>, outputs) => {
    let m = models.get(model);
    if (m === undefined) {
      m = loadOrt(file, model);
      models.set(model, m);
    }
    const result = await (await m).run(feeds, outputs);
    return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.data]));
  };
}
