/**
 * The digit classifier: a multilayer perceptron (784 → 128 → 64 → 10, ReLU between layers), its
 * forward pass with every layer's activations, and a deterministic trainer in plain TypeScript
 * (mini-batch SGD with momentum, softmax cross-entropy) with hooks for quantization-aware
 * training: a fake-quantize step on weights and activations in the forward pass, and a backward
 * rule for it (the straight-through estimator by default).
 */
import { seededNormal, seededRandom, shuffled } from "./random.js";

/** Weights `[out, in]` row-major and biases `[out]` of each dense layer. */
export interface Mlp {
  /** Layer widths, input first: [784, 128, 64, 10]. */
  readonly sizes: readonly number[];
  readonly weights: readonly Float32Array[];
  readonly biases: readonly Float32Array[];
}

/**
 * A step in the forward pass that replaces a tensor (a layer's weights, or its input activations)
 * by a fake-quantized copy, and says how the gradient goes back through it.
 */
export interface FakeQuantStep {
  /** The values used in place of `x` for dense layer `layer`. */
  forward(x: Float32Array, layer: number): Float32Array;
  /**
   * The gradient w.r.t. `x` from the gradient w.r.t. `forward(x)`. Absent: the straight-through
   * estimator (the gradient passes unchanged). A clipped STE zeroes it where `x` saturated; LSQ
   * also accumulates the gradient of its scale here.
   */
  backward?(gradient: Float32Array, x: Float32Array, layer: number): Float32Array;
}

/** Fake quantization in the forward pass (QAT). */
export interface FakeQuant {
  readonly weights?: FakeQuantStep;
  /** Applied to the input of each dense layer (layer 0: the pixels). */
  readonly activations?: FakeQuantStep;
}

/** What {@link forward} returns. */
export interface ForwardResult {
  /** `[batch, classes]`. */
  readonly logits: Float32Array;
  /** The input of each dense layer as the layer saw it (after ReLU, after fake quantization). */
  readonly inputs: readonly Float32Array[];
  /** Each dense layer's output before ReLU (the last one is the logits). */
  readonly outputs: readonly Float32Array[];
}

/** A new MLP with He-normal weights and zero biases, from a seed. */
export function initMlp(sizes: readonly number[], seed: number): Mlp {
  const normal = seededNormal(seededRandom(seed));
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l] as number;
    const out = sizes[l + 1] as number;
    const w = new Float32Array(out * fanIn);
    const std = Math.sqrt(2 / fanIn);
    for (let i = 0; i < w.length; i++) w[i] = normal() * std;
    weights.push(w);
    biases.push(new Float32Array(out));
  }
  return { sizes: [...sizes], weights, biases };
}

/** `y[b, j] = bias[j] + Σ_i x[b, i] · w[j, i]`. */
function dense(
  x: Float32Array,
  w: Float32Array,
  bias: Float32Array,
  batch: number,
  n: number,
  m: number,
): Float32Array {
  const y = new Float32Array(batch * m);
  // Four rows at a time share each load of a weight; every dot product still sums i in order.
  let b = 0;
  for (; b + 4 <= batch; b += 4) {
    const x0 = b * n;
    const x1 = x0 + n;
    const x2 = x1 + n;
    const x3 = x2 + n;
    for (let j = 0; j < m; j++) {
      const wo = j * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = 0; i < n; i++) {
        const wi = w[wo + i] as number;
        s0 += (x[x0 + i] as number) * wi;
        s1 += (x[x1 + i] as number) * wi;
        s2 += (x[x2 + i] as number) * wi;
        s3 += (x[x3 + i] as number) * wi;
      }
      const bj = bias[j] as number;
      y[b * m + j] = s0 + bj;
      y[(b + 1) * m + j] = s1 + bj;
      y[(b + 2) * m + j] = s2 + bj;
      y[(b + 3) * m + j] = s3 + bj;
    }
  }
  for (; b < batch; b++) {
    const xo = b * n;
    for (let j = 0; j < m; j++) {
      const wo = j * n;
      let s = 0;
      for (let i = 0; i < n; i++) s += (x[xo + i] as number) * (w[wo + i] as number);
      y[b * m + j] = s + (bias[j] as number);
    }
  }
  return y;
}

/**
 * Runs the MLP on `batch` images (`batch × 784` values), returning the logits and each layer's
 * input and output.
 *
 * @example
 * const { logits, inputs } = forward(mlp, test.images.subarray(0, 784), 1);
 * inputs[1].length // => 128: the first hidden layer's ReLU activations
 */
export function forward(
  mlp: Mlp,
  x: Float32Array,
  batch: number,
  fakeQuant: FakeQuant = {},
): ForwardResult {
  const inputs: Float32Array[] = [];
  const outputs: Float32Array[] = [];
  let a = x;
  const layers = mlp.weights.length;
  for (let l = 0; l < layers; l++) {
    const n = mlp.sizes[l] as number;
    const m = mlp.sizes[l + 1] as number;
    const input = fakeQuant.activations ? fakeQuant.activations.forward(a, l) : a;
    const w = fakeQuant.weights
      ? fakeQuant.weights.forward(mlp.weights[l] as Float32Array, l)
      : (mlp.weights[l] as Float32Array);
    inputs.push(input);
    const y = dense(input, w, mlp.biases[l] as Float32Array, batch, n, m);
    outputs.push(y);
    if (l + 1 < layers) {
      const r = new Float32Array(y.length);
      for (let i = 0; i < y.length; i++) r[i] = Math.max(y[i] as number, 0);
      a = r;
    }
  }
  return { logits: outputs[outputs.length - 1] as Float32Array, inputs, outputs };
}

/** Index of the largest logit of each row. */
export function argmax(logits: Float32Array, classes: number): Uint8Array {
  const rows = logits.length / classes;
  const out = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if ((logits[r * classes + c] as number) > (logits[r * classes + best] as number)) best = c;
    out[r] = best;
  }
  return out;
}

/** Share of rows whose largest logit is the label. */
export function accuracyOf(logits: Float32Array, labels: Uint8Array, classes = 10): number {
  const predicted = argmax(logits, classes);
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) right++;
  return right / labels.length;
}

/** Options of {@link trainMlp}. */
export interface TrainOptions {
  readonly sizes?: readonly number[];
  readonly seed?: number;
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly momentum?: number;
  /** Start from these weights instead of a new initialization (fine-tuning, QAT). */
  readonly initial?: Mlp;
  readonly fakeQuant?: FakeQuant;
  /** Called after each epoch with the mean training loss. */
  readonly onEpoch?: (epoch: number, loss: number) => void;
}

/** The defaults: what the project's classifier is trained with. */
export const TRAIN_DEFAULTS = {
  sizes: [784, 128, 64, 10],
  seed: 7,
  epochs: 4,
  batchSize: 32,
  learningRate: 0.05,
  momentum: 0.9,
} as const;

function copyMlp(mlp: Mlp): Mlp {
  return {
    sizes: [...mlp.sizes],
    weights: mlp.weights.map((w) => w.slice()),
    biases: mlp.biases.map((b) => b.slice()),
  };
}

/**
 * Trains the MLP on `images`/`labels` with mini-batch SGD and momentum on the softmax
 * cross-entropy, the batches drawn by a seeded shuffle each epoch: the same options give the same
 * weights, bit for bit, on the same JavaScript engine.
 *
 * @example
 * const { mlp } = trainMlp(train.images, train.labels, { epochs: 1 });
 */
export function trainMlp(
  images: Float32Array,
  labels: Uint8Array,
  options: TrainOptions = {},
): { mlp: Mlp; losses: number[] } {
  const sizes = options.sizes ?? TRAIN_DEFAULTS.sizes;
  const seed = options.seed ?? TRAIN_DEFAULTS.seed;
  const epochs = options.epochs ?? TRAIN_DEFAULTS.epochs;
  const batchSize = options.batchSize ?? TRAIN_DEFAULTS.batchSize;
  const lr = options.learningRate ?? TRAIN_DEFAULTS.learningRate;
  const mu = options.momentum ?? TRAIN_DEFAULTS.momentum;
  const fq = options.fakeQuant ?? {};
  const mlp = options.initial ? copyMlp(options.initial) : initMlp(sizes, seed);
  const n0 = mlp.sizes[0] as number;
  const classes = mlp.sizes[mlp.sizes.length - 1] as number;
  const count = labels.length;
  const layers = mlp.weights.length;
  const vw = mlp.weights.map((w) => new Float32Array(w.length));
  const vb = mlp.biases.map((b) => new Float32Array(b.length));
  const random = seededRandom(seed + 1);
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = shuffled(count, random);
    let lossSum = 0;
    for (let start = 0; start < count; start += batchSize) {
      const batch = Math.min(batchSize, count - start);
      const x = new Float32Array(batch * n0);
      for (let b = 0; b < batch; b++) {
        const index = order[start + b] as number;
        x.set(images.subarray(index * n0, (index + 1) * n0), b * n0);
      }
      const weightsUsed = mlp.weights.map((w, l) => (fq.weights ? fq.weights.forward(w, l) : w));
      const { inputs, outputs } = forward({ ...mlp, weights: weightsUsed }, x, batch, {
        ...(fq.activations ? { activations: fq.activations } : {}),
      });
      // Softmax cross-entropy gradient, averaged over the batch.
      const logits = outputs[layers - 1] as Float32Array;
      let g = new Float32Array(batch * classes);
      for (let b = 0; b < batch; b++) {
        let max = Number.NEGATIVE_INFINITY;
        for (let c = 0; c < classes; c++) max = Math.max(max, logits[b * classes + c] as number);
        let sum = 0;
        for (let c = 0; c < classes; c++)
          sum += Math.exp((logits[b * classes + c] as number) - max);
        const label = labels[order[start + b] as number] as number;
        for (let c = 0; c < classes; c++) {
          const p = Math.exp((logits[b * classes + c] as number) - max) / sum;
          g[b * classes + c] = (p - (c === label ? 1 : 0)) / batch;
        }
        lossSum += -((logits[b * classes + label] as number) - max - Math.log(sum));
      }
      for (let l = layers - 1; l >= 0; l--) {
        const n = mlp.sizes[l] as number;
        const m = mlp.sizes[l + 1] as number;
        const input = inputs[l] as Float32Array;
        const w = weightsUsed[l] as Float32Array;
        let dw = new Float32Array(m * n);
        const db = new Float32Array(m);
        for (let b = 0; b < batch; b++) {
          for (let j = 0; j < m; j++) db[j] = (db[j] as number) + (g[b * m + j] as number);
        }
        // dw[j, i] sums g[b, j] · x[b, i] over b in order, rounded to float32 after each term
        // (four rows a pass; a zero gradient adds nothing, as skipping it would).
        const fround = Math.fround;
        for (let j = 0; j < m; j++) {
          const wo = j * n;
          let b = 0;
          for (; b + 4 <= batch; b += 4) {
            const g0 = g[b * m + j] as number;
            const g1 = g[(b + 1) * m + j] as number;
            const g2 = g[(b + 2) * m + j] as number;
            const g3 = g[(b + 3) * m + j] as number;
            if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0) continue;
            const x0 = b * n;
            const x1 = x0 + n;
            const x2 = x1 + n;
            const x3 = x2 + n;
            for (let i = 0; i < n; i++) {
              let v = dw[wo + i] as number;
              v = fround(v + g0 * (input[x0 + i] as number));
              v = fround(v + g1 * (input[x1 + i] as number));
              v = fround(v + g2 * (input[x2 + i] as number));
              dw[wo + i] = v + g3 * (input[x3 + i] as number);
            }
          }
          for (; b < batch; b++) {
            const gj = g[b * m + j] as number;
            if (gj === 0) continue;
            const xo = b * n;
            for (let i = 0; i < n; i++)
              dw[wo + i] = (dw[wo + i] as number) + gj * (input[xo + i] as number);
          }
        }
        if (l > 0) {
          // Gradient w.r.t. this layer's input, then through the activation step and the ReLU.
          let dx = new Float32Array(batch * n);
          for (let b = 0; b < batch; b++) {
            for (let j = 0; j < m; j++) {
              const gj = g[b * m + j] as number;
              if (gj === 0) continue;
              const wo = j * n;
              const xo = b * n;
              for (let i = 0; i < n; i++)
                dx[xo + i] = (dx[xo + i] as number) + gj * (w[wo + i] as number);
            }
          }
          if (fq.activations?.backward) {
            dx = fq.activations.backward(
              dx,
              outputsRelu(outputs[l - 1] as Float32Array),
              l,
            ) as Float32Array<ArrayBuffer>;
          }
          const pre = outputs[l - 1] as Float32Array;
          for (let i = 0; i < dx.length; i++) if (!((pre[i] as number) > 0)) dx[i] = 0;
          g = dx;
        }
        if (fq.weights?.backward)
          dw = fq.weights.backward(
            dw,
            mlp.weights[l] as Float32Array,
            l,
          ) as Float32Array<ArrayBuffer>;
        const wl = mlp.weights[l] as Float32Array;
        const bl = mlp.biases[l] as Float32Array;
        const vwl = vw[l] as Float32Array;
        const vbl = vb[l] as Float32Array;
        for (let i = 0; i < wl.length; i++) {
          vwl[i] = mu * (vwl[i] as number) - lr * (dw[i] as number);
          wl[i] = (wl[i] as number) + (vwl[i] as number);
        }
        for (let j = 0; j < bl.length; j++) {
          vbl[j] = mu * (vbl[j] as number) - lr * (db[j] as number);
          bl[j] = (bl[j] as number) + (vbl[j] as number);
        }
      }
    }
    const loss = lossSum / count;
    losses.push(loss);
    options.onEpoch?.(epoch, loss);
  }
  return { mlp, losses };
}

function outputsRelu(pre: Float32Array): Float32Array {
  const r = new Float32Array(pre.length);
  for (let i = 0; i < pre.length; i++) r[i] = Math.max(pre[i] as number, 0);
  return r;
}
