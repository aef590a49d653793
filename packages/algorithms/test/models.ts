/**
 * The models the comparison runs on, as layers the algorithms take: the digit classifier
 * (@quantlab/zoo, 784 → 128 → 64 → 10) and the pretrained ONNX models (PP-OCR's direction
 * classifier, Silero VAD v5's 16 kHz branch), each weight with its calibration inputs, and a way
 * to run the model with other weights.
 */
import { readFileSync } from "node:fs";
import {
  accuracyOf,
  agreement,
  digitClassifier,
  forward,
  type Mlp,
  OCR_HEIGHT,
  OCR_WIDTH,
  ocrClassifierPath,
  seededRandom,
  sileroVadPath,
  speechLikeAudio,
  textLineImages,
  VAD_CONTEXT,
  VAD_FRAME,
  VAD_RATE,
} from "@quantlab/zoo";
import * as ort from "onnxruntime-node";
import {
  type Hessian,
  hessian,
  type LayerMethod,
  type Matrix,
  quantizeLayer,
} from "../src/index.js";
import {
  decode,
  liftThenBranch,
  patchRows,
  rowCount,
  session,
  type WeightUse,
  weightUses,
  withOutputs,
  withWeights,
} from "./onnx.js";

/** One matrix the algorithms quantize: a weight `[rows, cols]` and its calibration inputs. */
export interface Unit {
  /** The model tensor it belongs to, and where its rows go back. */
  readonly tensor: string;
  readonly group: number;
  readonly rows: number;
  readonly cols: number;
  readonly weight: Float32Array;
  readonly calibration: Float32Array;
  readonly samples: number;
  /** `2 XᵀX / n` of the calibration (GPTQ's Hessian, and the yardstick of the output error). */
  readonly hessian: Hessian;
}

/** A model the comparison quantizes: its units, how to evaluate it, what to report. */
export interface Bench {
  readonly name: string;
  readonly units: readonly Unit[];
  /** Evaluates the model with these effective weights per unit (in `units` order). */
  evaluate(weights: readonly Float32Array[]): Promise<Record<string, number>>;
  /** The float model's own figures. */
  readonly float: Record<string, number>;
}

/** `||XWᵀ − XŴᵀ||² / ||XWᵀ||²` on the unit's calibration inputs (float64, over their nonzeros). */
export function relativeError(unit: Unit, q: Float32Array): number {
  const { rows, cols, weight, calibration: x, samples } = unit;
  let num = 0;
  let den = 0;
  const index = new Int32Array(cols);
  const value = new Float64Array(cols);
  for (let s = 0; s < samples; s++) {
    let nz = 0;
    for (let c = 0; c < cols; c++) {
      const v = x[s * cols + c] as number;
      if (v !== 0) {
        index[nz] = c;
        value[nz++] = v;
      }
    }
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let y = 0;
      let e = 0;
      for (let i = 0; i < nz; i++) {
        const c = o + (index[i] as number);
        const v = value[i] as number;
        y += v * (weight[c] as number);
        e += v * ((weight[c] as number) - (q[c] as number));
      }
      num += e * e;
      den += y * y;
    }
  }
  return den > 0 ? num / den : num;
}

/** Quantizes a unit by `method` through the CLI's entry, quantizeLayer; returns the effective weight. */
export function quantizeUnit(
  method: LayerMethod,
  unit: Unit,
  bits: number,
  groupSize: number,
): Float32Array {
  const w: Matrix = { data: unit.weight, shape: [unit.rows, unit.cols] };
  const grid = { bits, groupSize };
  if (method === "gptq") return quantizeLayer("gptq", w, grid, unit.hessian).effective;
  if (method === "awq")
    return quantizeLayer("awq", w, grid, {
      data: unit.calibration,
      shape: [unit.samples, unit.cols],
    }).effective;
  return quantizeLayer(method, w, grid).effective;
}

function unitOf(
  tensor: string,
  group: number,
  rows: number,
  cols: number,
  weight: Float32Array,
  x: Float32Array,
  samples: number,
): Unit {
  return {
    tensor,
    group,
    rows,
    cols,
    weight,
    calibration: x,
    samples,
    hessian: hessian({ data: x, shape: [samples, cols] }),
  };
}

// ---------------------------------------------------------------------------------------------
// The digit classifier

/** Calibration digits: the first 512 of the training split (the test split stays unseen). */
export const CLASSIFIER_CALIBRATION = 512;

export function classifierBench(): Bench & { mlp: Mlp; calibrationInputs: Float32Array[] } {
  const { mlp, data } = digitClassifier();
  const n = CLASSIFIER_CALIBRATION;
  const calib = forward(mlp, data.train.images.subarray(0, n * 784), n);
  const units = mlp.weights.map((w, l) =>
    unitOf(
      `fc${l + 1}.weight`,
      0,
      mlp.sizes[l + 1] as number,
      mlp.sizes[l] as number,
      w,
      calib.inputs[l] as Float32Array,
      n,
    ),
  );
  const reference = forward(mlp, data.test.images, data.test.count).logits;
  const evaluateSync = (weights: readonly Float32Array[], biases = mlp.biases) => {
    const logits = forward({ ...mlp, weights, biases }, data.test.images, data.test.count).logits;
    const a = agreement(reference, logits, 10);
    return { accuracy: accuracyOf(logits, data.test.labels), cosine: a.cosine, top1: a.top1 };
  };
  return {
    name: "digit classifier",
    units,
    mlp,
    calibrationInputs: calib.inputs as Float32Array[],
    evaluate: async (weights) => evaluateSync(weights),
    float: evaluateSync(mlp.weights),
  };
}

// ---------------------------------------------------------------------------------------------
// ONNX models

/** At most this many calibration rows per unit, drawn by a seeded shuffle. */
const MAX_ROWS = 1024;

interface Capture {
  readonly use: WeightUse;
  readonly parts: { data: Float32Array; dims: number[] }[];
}

/** Units of every Conv/MatMul weight: per group, weight rows and sampled calibration patches. */
function unitsOf(captures: readonly Capture[], seed: number): Unit[] {
  const units: Unit[] = [];
  const random = seededRandom(seed);
  for (const { use, parts } of captures) {
    const counts = parts.map((p) => rowCount(use, p.dims));
    const total = counts.reduce((a, b) => a + b, 0);
    const take = Math.min(total, MAX_ROWS);
    // A seeded sample of row indices over all parts, in order.
    const all = Uint32Array.from({ length: total }, (_, i) => i);
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(random() * (total - i));
      const t = all[i] as number;
      all[i] = all[j] as number;
      all[j] = t;
    }
    const chosen = Array.from(all.subarray(0, take)).sort((a, b) => a - b);
    const groups = use.op === "Conv" ? use.group : 1;
    for (let g = 0; g < groups; g++) {
      let x: Float32Array;
      let rows: number;
      let cols: number;
      let weight: Float32Array;
      if (use.op === "MatMul") {
        const [k, n] = use.shape as [number, number];
        rows = n;
        cols = k;
        weight = new Float32Array(n * k);
        for (let i = 0; i < k; i++)
          for (let j = 0; j < n; j++) weight[j * k + i] = use.values[i * n + j] as number;
      } else {
        const m = use.shape[0] as number;
        rows = m / use.group;
        cols = use.values.length / m;
        weight = use.values.slice(g * rows * cols, (g + 1) * rows * cols);
      }
      x = new Float32Array(take * cols);
      let offset = 0;
      let at = 0;
      parts.forEach((p, pi) => {
        const local: number[] = [];
        while (at < chosen.length && (chosen[at] as number) < offset + (counts[pi] as number)) {
          local.push((chosen[at] as number) - offset);
          at++;
        }
        if (local.length > 0) x.set(patchRows(use, p, g, local), (at - local.length) * cols);
        offset += counts[pi] as number;
      });
      units.push(unitOf(use.name, g, rows, cols, weight, x, take));
    }
  }
  return units;
}

/** Effective unit weights back into each model tensor's layout. */
function tensorsFrom(
  uses: readonly WeightUse[],
  units: readonly Unit[],
  weights: readonly Float32Array[],
) {
  const out = new Map<string, Float32Array>();
  for (const use of uses) out.set(use.name, new Float32Array(use.values.length));
  units.forEach((u, i) => {
    const t = out.get(u.tensor) as Float32Array;
    const use = uses.find((x) => x.name === u.tensor) as WeightUse;
    const w = weights[i] as Float32Array;
    if (use.op === "MatMul") {
      for (let r = 0; r < u.rows; r++)
        for (let c = 0; c < u.cols; c++) t[c * u.rows + r] = w[r * u.cols + c] as number;
    } else t.set(w, u.group * u.rows * u.cols);
  });
  return out;
}

/** PP-OCR's text-direction classifier: 16 calibration lines (seed 17), 64 evaluation lines (seed 5). */
export async function ocrBench(): Promise<Bench> {
  const model = decode(new Uint8Array(readFileSync(ocrClassifierPath())));
  const uses = weightUses(model);
  const feed = (images: Float32Array, count: number) => ({
    x: new ort.Tensor("float32", images, [count, 3, OCR_HEIGHT, OCR_WIDTH]),
  });
  const calib = textLineImages(16, 17);
  const probe = await session(
    withOutputs(
      model,
      uses.map((u) => u.input),
    ),
  );
  const seen = await probe.run(
    feed(calib.images, 16),
    uses.map((u) => u.input),
  );
  await probe.release();
  const captures = uses.map((use) => {
    const t = seen[use.input] as ort.Tensor;
    return { use, parts: [{ data: t.data as Float32Array, dims: [...t.dims] }] };
  });
  const units = unitsOf(captures, 31);
  const count = 64;
  const test = textLineImages(count);
  const output = "softmax_0.tmp_0";
  const runWith = async (bytes: Uint8Array) => {
    const s = await session(bytes);
    const r = await s.run(feed(test.images, count), [output]);
    await s.release();
    return (r[output] as ort.Tensor).data as Float32Array;
  };
  const reference = await runWith(withWeights(model, new Map()));
  const figures = (p: Float32Array) => {
    const a = agreement(reference, p, 2);
    let right = 0;
    for (let i = 0; i < count; i++)
      if ((p[2 * i + 1] as number) > 0.5 === (test.labels[i] === 1)) right++;
    return { accuracy: right / count, cosine: a.cosine, top1: a.top1 };
  };
  return {
    name: "PP-OCR direction",
    units,
    float: figures(reference),
    evaluate: async (weights) =>
      figures(await runWith(withWeights(model, tensorsFrom(uses, units, weights)))),
  };
}

function vadFeeds(
  audio: Float32Array,
  frame: number,
  state: Float32Array,
): Record<string, ort.Tensor> {
  const input = new Float32Array(VAD_CONTEXT + VAD_FRAME);
  const start = frame * VAD_FRAME - VAD_CONTEXT;
  for (let i = 0; i < input.length; i++)
    input[i] = start + i >= 0 ? (audio[start + i] as number) : 0;
  return {
    input: new ort.Tensor("float32", input, [1, input.length]),
    state: new ort.Tensor("float32", state, [2, 1, 128]),
    sr: new ort.Tensor("int64", BigInt64Array.of(BigInt(VAD_RATE)), []),
  };
}

/** Speech probabilities of every frame of `audio`, the state carried; optionally capturing outputs. */
async function vadRun(
  bytes: Uint8Array,
  audio: Float32Array,
  capture: readonly string[] = [],
): Promise<{ p: Float32Array; seen: Map<string, { data: Float32Array; dims: number[] }[]> }> {
  const s = await session(bytes);
  const frames = Math.floor(audio.length / VAD_FRAME);
  const p = new Float32Array(frames);
  const seen = new Map(capture.map((c) => [c, [] as { data: Float32Array; dims: number[] }[]]));
  let state: Float32Array = new Float32Array(256);
  for (let f = 0; f < frames; f++) {
    const r = await s.run(vadFeeds(audio, f, state), ["output", "stateN", ...capture]);
    p[f] = ((r.output as ort.Tensor).data as Float32Array)[0] as number;
    state = (r.stateN as ort.Tensor).data as Float32Array;
    for (const c of capture) {
      const t = r[c] as ort.Tensor;
      seen.get(c)?.push({ data: (t.data as Float32Array).slice(), dims: [...t.dims] });
    }
  }
  await s.release();
  return { p, seen };
}

/**
 * Silero VAD v5, its 16 kHz branch lifted into the main graph (the same outputs; checked by the
 * test): calibration on 8 s of speech-like audio (seed 23), evaluation on zoo's 3 s (seed 11).
 */
export async function vadBench(): Promise<Bench & { liftedMatches: number }> {
  const original = new Uint8Array(readFileSync(sileroVadPath()));
  const model = liftThenBranch(decode(original));
  const uses = weightUses(model);
  const calibAudio = speechLikeAudio(8, 23);
  const { seen } = await vadRun(
    withOutputs(
      model,
      uses.map((u) => u.input),
    ),
    calibAudio,
    uses.map((u) => u.input),
  );
  const units = unitsOf(
    uses.map((use) => ({ use, parts: seen.get(use.input) ?? [] })),
    37,
  );
  const audio = speechLikeAudio(3);
  const reference = (await vadRun(original, audio)).p;
  const lifted = (await vadRun(withWeights(model, new Map()), audio)).p;
  let same = 0;
  for (let i = 0; i < lifted.length; i++) if (lifted[i] === reference[i]) same++;
  const figures = (p: Float32Array) => {
    const rows = (v: Float32Array) =>
      Float32Array.from(
        { length: v.length * 2 },
        (_, i) => (i % 2 ? v[i >> 1] : 1 - (v[i >> 1] as number)) as number,
      );
    const a = agreement(rows(reference), rows(p), 2);
    return { cosine: agreement(reference, p, 1).cosine, top1: a.top1, maxAbs: a.maxAbsDiff };
  };
  return {
    name: "Silero VAD v5",
    units,
    float: figures(reference),
    liftedMatches: same / reference.length,
    evaluate: async (weights) =>
      figures((await vadRun(withWeights(model, tensorsFrom(uses, units, weights)), audio)).p),
  };
}
