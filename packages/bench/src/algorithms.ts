/**
 * `npm run bench -- --algorithms`: the time of each @quantlab/algorithms method on one layer, in a
 * process of its own: a 512×512 layer with 2048 calibration inputs, and the largest layers the
 * comparison table quantizes (the digit classifier's fc1, 128×784 with 512 inputs; Silero VAD's
 * STFT convolution, 258×256 with 1000 patches), on seeded dense data (the worst case for AWQ's
 * error, which skips zero inputs). Medians of 3 calls (one warm-up), single-threaded.
 */
import {
  awq,
  equalize,
  gptq,
  gptqHessian,
  hessian,
  hqq,
  type Matrix,
  rtn,
  smoothQuant,
} from "@quantlab/algorithms";
import { normalValues } from "./data.js";

export interface AlgorithmTiming {
  readonly layer: string;
  readonly method: string;
  readonly medianMs: number;
  readonly minMs: number;
  readonly maxMs: number;
}

export interface AlgorithmsRequest {
  readonly seed: number;
  readonly repeats: number;
}

const LAYERS: { name: string; out: number; in: number; samples: number }[] = [
  { name: "512×512, 2048 inputs", out: 512, in: 512, samples: 2048 },
  { name: "classifier fc1 128×784, 512 inputs", out: 128, in: 784, samples: 512 },
  { name: "VAD STFT conv 258×256, 1000 inputs", out: 258, in: 256, samples: 1000 },
];

function time(
  repeats: number,
  run: () => unknown,
): { medianMs: number; minMs: number; maxMs: number } {
  run();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    medianMs: times[Math.floor(times.length / 2)] as number,
    minMs: times[0] as number,
    maxMs: times[times.length - 1] as number,
  };
}

export function measureAlgorithms(request: AlgorithmsRequest): AlgorithmTiming[] {
  const out: AlgorithmTiming[] = [];
  let seed = request.seed;
  for (const layer of LAYERS) {
    const w: Matrix = {
      data: normalValues(layer.out * layer.in, seed++).map((v) => v / Math.sqrt(layer.in)),
      shape: [layer.out, layer.in],
    };
    const x: Matrix = {
      data: normalValues(layer.samples * layer.in, seed++),
      shape: [layer.samples, layer.in],
    };
    const h = hessian(x);
    const next = normalValues(layer.out * layer.out, seed++);
    const grid = { bits: 4, groupSize: 128 };
    const methods: [string, () => unknown][] = [
      ["rtn (4 bits, groups of 128)", () => rtn(w, grid)],
      ["hessian 2XᵀX/n", () => hessian(x)],
      ["gptq from the Hessian", () => gptqHessian(w, h, grid)],
      ["gptq (Hessian included)", () => gptq(w, x, grid)],
      ["gptq act-order", () => gptqHessian(w, h, { ...grid, actOrder: true })],
      ["awq (20 exponents)", () => awq(w, x, grid)],
      ["hqq (20 iterations at most)", () => hqq(w, grid)],
      ["smoothQuant scales", () => smoothQuant(w, x)],
      [
        "equalize with the next layer",
        () => equalize({ weight: w }, { weight: { data: next, shape: [layer.out, layer.out] } }),
      ],
    ];
    for (const [method, run] of methods)
      out.push({ layer: layer.name, method, ...time(request.repeats, run) });
  }
  return out;
}

process.on("message", (request: AlgorithmsRequest) => {
  try {
    process.send?.({ results: measureAlgorithms(request) });
  } catch (error) {
    process.send?.({
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
