export type { Classifier } from "./classifier.js";
export { digitClassifier, mlpToOnnx } from "./classifier.js";
export type { OptimizationLevel, PairProbe, QLinearScales } from "./inspect.js";
export { int16PairProbe, optimizedOps, runQLinearMatMul } from "./inspect.js";
export type {
  IntegerClassifier,
  IntegerLayer,
  IntegerRun,
  Requantization,
} from "./integer.js";
export { integerClassifier } from "./integer.js";
export type { FakeQuant, FakeQuantStep, ForwardResult, Mlp, TrainOptions } from "./mlp.js";
export { accuracyOf, argmax, forward, initMlp, TRAIN_DEFAULTS, trainMlp } from "./mlp.js";
export type { DigitSet, MnistSplit } from "./mnist.js";
export { mnistDigits, mnistSplit, PIXELS } from "./mnist.js";
export type { Agreement } from "./ort.js";
export { agreement, floatFeed, runOnnx, session } from "./ort.js";
export {
  OCR_HEIGHT,
  OCR_WIDTH,
  ocrClassifierPath,
  sileroVadPath,
  speechLikeAudio,
  textLineImages,
  VAD_CONTEXT,
  VAD_FRAME,
  VAD_RATE,
  vadFeeds,
} from "./pretrained.js";
export { seededNormal, seededRandom, shuffled } from "./random.js";
export type { LayerQuantized } from "./variants.js";
export { oneLayerAtATime, reportedBitsPerWeight } from "./variants.js";
