/**
 * The measurements of the comparison table: every method at 4, 3 and 2 bits on every model, and
 * the classifier's own experiments (QAT, cross-layer equalization with bias correction,
 * SmoothQuant). Heavy, so their results are cached under the repository's build/algorithms/,
 * keyed by a hash of everything they depend on (see {@link cacheKey}).
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { fakeQuantize } from "@quantlab/core";
import {
  accuracyOf,
  agreement,
  digitClassifier,
  forward,
  type Mlp,
  ocrClassifierPath,
  sileroVadPath,
  trainMlp,
} from "@quantlab/zoo";
import {
  correctBias,
  equalizeChain,
  fakeQuantSte,
  type LayerMethod,
  lsq,
  rtn,
  smoothQuant,
} from "../src/index.js";
import { activations as correlated, weight as seededWeight } from "./data.js";
import {
  type Bench,
  CLASSIFIER_CALIBRATION,
  classifierBench,
  ocrBench,
  quantizeUnit,
  relativeError,
  vadBench,
} from "./models.js";

export const METHODS: readonly LayerMethod[] = ["rtn", "gptq", "awq", "hqq"];
export const BITS = [4, 3, 2] as const;
/** Inputs per scale: 32 (rows shorter than that have one scale). */
export const GROUP = 32;

export interface Cell {
  /** Mean over the model's weights of `||XWᵀ − XŴᵀ||² / ||XWᵀ||²` on their calibration inputs. */
  readonly layerError: number;
  readonly figures: Record<string, number>;
  /** Seconds the method took over all the model's weights. */
  readonly seconds: number;
}

export interface ModelResult {
  readonly name: string;
  readonly units: number;
  readonly float: Record<string, number>;
  readonly cells: Record<string, Cell>;
  readonly notes: Record<string, number>;
}

async function measure(bench: Bench, notes: Record<string, number> = {}): Promise<ModelResult> {
  const cells: Record<string, Cell> = {};
  for (const bits of BITS) {
    for (const method of METHODS) {
      const t0 = performance.now();
      const weights = bench.units.map((u) => quantizeUnit(method, u, bits, GROUP));
      const seconds = (performance.now() - t0) / 1000;
      const errors = bench.units.map((u, i) => relativeError(u, weights[i] as Float32Array));
      cells[`${bits}/${method}`] = {
        layerError: errors.reduce((a, b) => a + b, 0) / errors.length,
        figures: await bench.evaluate(weights),
        seconds,
      };
    }
  }
  return { name: bench.name, units: bench.units.length, float: bench.float, cells, notes };
}

/** Every method, bits and model of the main table. */
export async function mainTable(): Promise<ModelResult[]> {
  const vad = await vadBench();
  return [
    await measure(classifierBench()),
    await measure(await ocrBench()),
    await measure(vad, { liftedMatches: vad.liftedMatches }),
  ];
}

// ---------------------------------------------------------------------------------------------
// The classifier's own experiments

type Figures = { accuracy: number; cosine: number };

function classifierTools() {
  const { mlp, data } = digitClassifier();
  const shapes = mlp.weights.map((_, l) => [mlp.sizes[l + 1], mlp.sizes[l]] as [number, number]);
  const reference = forward(mlp, data.test.images, data.test.count).logits;
  const figures = (m: Mlp, fakeQuant = {}): Figures => {
    const logits = forward(m, data.test.images, data.test.count, fakeQuant).logits;
    return {
      accuracy: accuracyOf(logits, data.test.labels),
      cosine: agreement(reference, logits, 10).cosine,
    };
  };
  const quantized = (m: Mlp, grid: object): Mlp => ({
    ...m,
    weights: m.weights.map(
      (w, l) => rtn({ data: w, shape: shapes[l] as [number, number] }, grid).dequantized,
    ),
  });
  const n = CLASSIFIER_CALIBRATION;
  const calibration = (m: Mlp) => forward(m, data.train.images.subarray(0, n * 784), n).inputs;
  return { mlp, data, shapes, figures, quantized, calibration, n };
}

/** Training digits the QAT fine-tuning sees (one epoch), and its learning rate. */
export const QAT = { images: 4000, epochs: 1, learningRate: 0.01 } as const;

/**
 * QAT fine-tuning from the trained classifier, per-channel grids: RTN of the trained weights; RTN
 * after the same fine-tuning in float (the fair baseline: the extra epoch alone helps); QAT with
 * the straight-through estimator (then RTN on the same grid); LSQ (its learned steps).
 */
export function qatRows(): Record<string, Record<string, Figures & { seconds?: number }>> {
  const { mlp, data, shapes, figures, quantized } = classifierTools();
  const images = data.train.images.subarray(0, QAT.images * 784);
  const labels = data.train.labels.subarray(0, QAT.images);
  const train = (fakeQuant?: object) => {
    const t0 = performance.now();
    const m = trainMlp(images, labels, {
      initial: mlp,
      epochs: QAT.epochs,
      learningRate: QAT.learningRate,
      ...(fakeQuant ? { fakeQuant } : {}),
    }).mlp;
    return { m, seconds: (performance.now() - t0) / 1000 };
  };
  const tuned = train();
  const rows: Record<string, Record<string, Figures & { seconds?: number }>> = {};
  for (const bits of BITS) {
    const grid = { bits };
    const ste = train({ weights: fakeQuantSte(shapes, grid) });
    const step = lsq(shapes, { bits, learningRate: QAT.learningRate });
    const l = train({ weights: step });
    rows[bits] = {
      rtn: figures(quantized(mlp, grid)),
      tunedRtn: { ...figures(quantized(tuned.m, grid)), seconds: tuned.seconds },
      ste: { ...figures(quantized(ste.m, grid)), seconds: ste.seconds },
      lsq: {
        ...figures({ ...l.m, weights: l.m.weights.map((w, i) => step.forward(w, i)) }),
        seconds: l.seconds,
      },
    };
  }
  return rows;
}

/**
 * Per-tensor grids (one scale a layer), where cross-layer equalization matters: RTN, CLE then
 * RTN, CLE then RTN with bias correction (E[x] of each layer's input over the calibration digits).
 */
export function cleRows(): { sweeps: number; rows: Record<string, Record<string, Figures>> } {
  const { mlp, shapes, figures, quantized, calibration, n } = classifierTools();
  const eq = equalizeChain(
    mlp.weights.map((w, l) => ({
      weight: { data: w, shape: shapes[l] as [number, number] },
      bias: mlp.biases[l],
    })),
  );
  const equalized: Mlp = {
    ...mlp,
    weights: eq.layers.map((x) => x.weight.data),
    biases: eq.layers.map((x) => x.bias as Float32Array),
  };
  const inputs = calibration(equalized);
  const rows: Record<string, Record<string, Figures>> = {};
  for (const bits of [8, ...BITS]) {
    const grid = { bits, perTensor: true };
    const cle = quantized(equalized, grid);
    const biases = cle.weights.map((q, l) => {
      const [out, k] = shapes[l] as [number, number];
      const x = inputs[l] as Float32Array;
      const mean = new Float64Array(k);
      for (let s = 0; s < n; s++)
        for (let j = 0; j < k; j++) mean[j] = (mean[j] as number) + (x[s * k + j] as number) / n;
      return correctBias(
        { data: equalized.weights[l] as Float32Array, shape: [out, k] },
        { data: q, shape: [out, k] },
        equalized.biases[l],
        mean,
      );
    });
    rows[bits] = {
      rtn: figures(quantized(mlp, grid)),
      cle: figures(cle),
      cleBias: figures({ ...cle, biases }),
    };
  }
  return { sweeps: eq.sweeps, rows };
}

/**
 * W8A8 (and W8A4): int8 weights per channel (symmetric), activations per tensor (symmetric, the
 * range of the calibration digits), without smoothing (s = 1) and with SmoothQuant's α = 0.5.
 */
export function smoothRows(): Record<string, Record<string, Figures>> {
  const { mlp, shapes, figures, calibration, n } = classifierTools();
  const inputs = calibration(mlp);
  const rows: Record<string, Record<string, Figures>> = {};
  for (const activationBits of [8, 4]) {
    const row: Record<string, Figures> = {};
    for (const [name, alpha] of [
      ["plain", undefined],
      ["smoothQuant", 0.5],
    ] as const) {
      const scales = mlp.weights.map((w, l) => {
        const [out, k] = shapes[l] as [number, number];
        return alpha === undefined
          ? { scales: new Float32Array(k).fill(1), smoothedWeight: w }
          : smoothQuant(
              { data: w, shape: [out, k] },
              { data: inputs[l] as Float32Array, shape: [n, k] },
              { alpha },
            );
      });
      const weights = scales.map(
        (r, l) =>
          rtn(
            { data: r.smoothedWeight, shape: shapes[l] as [number, number] },
            { bits: 8, symmetric: true },
          ).dequantized,
      );
      const qmax = 2 ** (activationBits - 1) - 1;
      const steps = scales.map((r, l) => {
        const x = inputs[l] as Float32Array;
        const k = (shapes[l] as [number, number])[1];
        let max = 0;
        for (let i = 0; i < x.length; i++)
          max = Math.max(max, Math.abs((x[i] as number) / (r.scales[i % k] as number)));
        return max / qmax;
      });
      const activations = {
        forward: (x: Float32Array, l: number) => {
          const k = (shapes[l] as [number, number])[1];
          const s = (scales[l] as { scales: Float32Array }).scales;
          const y = Float32Array.from(x, (v, i) => v / (s[i % k] as number));
          return fakeQuantize(y, {
            dtype: activationBits === 8 ? "int8" : "int4",
            scale: steps[l] as number,
            zeroPoint: 0,
          }).data;
        },
      };
      row[name] = figures({ ...mlp, weights }, { activations });
    }
    rows[`W8A${activationBits}`] = row;
  }
  return rows;
}

/**
 * SmoothQuant where its premise holds: a 128×256 layer whose inputs have outlier channels (the
 * seeded inputs of test/data.ts, and every 32nd channel 40 times larger, as LLM activations have
 * them). W8A8 as {@link smoothRows}; the relative output error over 1024 inputs.
 */
export function smoothOutliers(): Record<string, number> {
  const [out, k, n] = [128, 256, 1024];
  const w = seededWeight(301, out, k);
  const x = correlated(302, n, k);
  for (let s = 0; s < n; s++)
    for (let j = 5; j < k; j += 32) x[s * k + j] = (x[s * k + j] as number) * 40;
  const errorOf = (alpha: number | undefined) => {
    const r =
      alpha === undefined
        ? { scales: new Float32Array(k).fill(1), smoothedWeight: w }
        : smoothQuant({ data: w, shape: [out, k] }, { data: x, shape: [n, k] }, { alpha });
    const wq = rtn(
      { data: r.smoothedWeight, shape: [out, k] },
      { bits: 8, symmetric: true },
    ).dequantized;
    const xs = Float32Array.from(x, (v, i) => v / (r.scales[i % k] as number));
    let max = 0;
    for (const v of xs) max = Math.max(max, Math.abs(v));
    const xq = fakeQuantize(xs, { dtype: "int8", scale: max / 127, zeroPoint: 0 }).data;
    let num = 0;
    let den = 0;
    for (let s = 0; s < n; s++)
      for (let o = 0; o < out; o++) {
        let y = 0;
        let q = 0;
        for (let j = 0; j < k; j++) {
          y += (x[s * k + j] as number) * (w[o * k + j] as number);
          q += (xq[s * k + j] as number) * (wq[o * k + j] as number);
        }
        num += (y - q) ** 2;
        den += y * y;
      }
    return num / den;
  };
  return { plain: errorOf(undefined), smoothQuant: errorOf(0.5) };
}

// ---------------------------------------------------------------------------------------------
// The cache

function repositoryRoot(): string {
  let dir = import.meta.dirname;
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) dir = dirname(dir);
  return dir;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .filter((f) => f.endsWith(".ts"))
    .sort();
}

/**
 * A hash of everything the measurements depend on: the sources of core, zoo and this package,
 * the test helpers that run them, onnxruntime-node's version, the model files and the
 * classifier's cache key (its trainer, options and data).
 */
export function cacheKey(): string {
  const root = repositoryRoot();
  const hash = createHash("sha256");
  const here = import.meta.dirname;
  const files = [
    ...["core", "zoo", "algorithms"].flatMap((p) => filesUnder(join(root, "packages", p, "src"))),
    ...["models.ts", "onnx.ts", "experiments.ts"].map((f) => join(here, f)),
  ];
  for (const f of files) hash.update(f.slice(root.length)).update(readFileSync(f));
  const ortPackage = join(
    root,
    "packages",
    "algorithms",
    "node_modules",
    "onnxruntime-node",
    "package.json",
  );
  hash.update(JSON.parse(readFileSync(ortPackage, "utf8")).version as string);
  hash.update(readFileSync(ocrClassifierPath())).update(readFileSync(sileroVadPath()));
  hash.update(digitClassifier().key);
  return hash.digest("hex").slice(0, 16);
}

/** `compute()`, or its result from build/algorithms/NAME-KEY.json when the key matches. */
export async function cached<T>(
  name: string,
  key: string,
  compute: () => Promise<T> | T,
): Promise<{ value: T; fromCache: boolean; file: string }> {
  const dir = join(repositoryRoot(), "build", "algorithms");
  const file = join(dir, `${name}-${key}.json`);
  if (existsSync(file))
    return { value: JSON.parse(readFileSync(file, "utf8")) as T, fromCache: true, file };
  const value = await compute();
  mkdirSync(dir, { recursive: true });
  // Older measurements (other keys) are stale: the inputs they were measured on changed.
  for (const f of readdirSync(dir))
    if (f.startsWith(`${name}-`)) rmSync(join(dir, f), { force: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value));
  renameSync(tmp, file);
  return { value, fromCache: false, file };
}
