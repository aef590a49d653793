/**
 * Properties of each algorithm that hold whatever the reference: formats core reads, invariants of
 * the transformations, the options' effects.
 */
import { dequantize, dequantizeGgml, quantize, quantizeGgml } from "@quantlab/core";
import { describe, expect, it } from "vitest";
import {
  awq,
  correctBias,
  equalize,
  equalizeChain,
  fakeQuantSte,
  gptq,
  gptqHessian,
  hessian,
  hqq,
  layerError,
  lsq,
  quantizeLayer,
  rtn,
  smoothQuant,
} from "../src/index.js";
import { activations, weight } from "./data.js";

const W = { data: weight(501, 32, 128), shape: [32, 128] };
const X = { data: activations(502, 256, 128), shape: [256, 128] };

describe("the grid is core's", () => {
  it.each([2, 4, 8])(
    "%i bits: rtn's codes are core's quantize(w, params), and decode with core's dequantize",
    (bits) => {
      for (const options of [
        { bits },
        { bits, groupSize: 32 },
        { bits, symmetric: true },
        { bits, perTensor: true },
      ]) {
        const q = rtn(W, options);
        const { dtype, axis, blockSize } = q.tensor;
        const params = {
          dtype,
          scale: paramTensor(q.tensor.scale),
          zeroPoint: paramTensor(q.tensor.zeroPoint),
          ...(axis === undefined ? {} : { axis }),
          ...(blockSize === undefined ? {} : { blockSize }),
        };
        const again = quantize(W.data, params as never, { shape: W.shape });
        expect(Array.from(again.data), JSON.stringify(options)).toEqual(Array.from(q.tensor.data));
        expect(Array.from(dequantize(q.tensor).data)).toEqual(Array.from(q.dequantized));
      }
    },
  );

  it("3 bits: codes in [0, 7], stored as uint4", () => {
    const q = rtn(W, { bits: 3, groupSize: 32 });
    expect(q.tensor.dtype).toBe("uint4");
    expect(Math.max(...q.tensor.data)).toBeLessThanOrEqual(7);
    expect(Math.min(...q.tensor.data)).toBe(0);
  });
});

/** Per-group parameters as core's blocked layout wants them: tensors shaped [rows, groups]. */
function paramTensor(p: number | Float32Array | Int32Array): unknown {
  if (typeof p === "number") return p;
  const groups = p.length / 32;
  return groups === 1 ? p : { data: p, shape: [32, groups] };
}

describe("gptq", () => {
  it("does not depend on the lazy batch size (codes equal for blocks of 1, 16, 128)", () => {
    const codes = [1, 16, 128].map((blockSize) =>
      Array.from(gptq(W, X, { bits: 3, groupSize: 32, blockSize }).tensor.data),
    );
    expect(codes[0]).toEqual(codes[2]);
    expect(codes[1]).toEqual(codes[2]);
  });

  it("from a Hessian gives what it gives from the inputs; reports progress", () => {
    const steps: number[] = [];
    // Batches of 32 columns hold whole groups of 16; groups longer than a batch widen it to one group.
    const a = gptq(W, X, {
      bits: 4,
      groupSize: 16,
      blockSize: 32,
      onProgress: (done) => steps.push(done),
    });
    const b = gptqHessian(W, hessian(X), { bits: 4, groupSize: 16 });
    expect(Array.from(a.tensor.data)).toEqual(Array.from(b.tensor.data));
    expect(steps).toEqual([32, 64, 96, 128]);
    const wide: number[] = [];
    gptq(W, X, { bits: 4, groupSize: 64, blockSize: 32, onProgress: (done) => wide.push(done) });
    expect(wide).toEqual([64, 128]);
  });

  it("beats round-to-nearest on the calibration inputs, with and without act-order and static groups", () => {
    const r = layerError(
      W,
      { data: rtn(W, { bits: 3, groupSize: 32 }).dequantized, shape: W.shape },
      X,
    );
    for (const o of [{}, { actOrder: true }, { staticGroups: true }]) {
      const g = gptq(W, X, { bits: 3, groupSize: 32, ...o });
      expect(
        layerError(W, { data: g.dequantized, shape: W.shape }, X),
        JSON.stringify(o),
      ).toBeLessThan(r * 0.8);
    }
  });

  it("act-order quantizes by decreasing diag(H) and keeps the groups contiguous", () => {
    const g = gptq(W, X, { bits: 4, groupSize: 32, actOrder: true });
    const h = hessian(X).data;
    const order = Array.from(g.report.order as Int32Array);
    for (let i = 1; i < order.length; i++)
      expect(h[(order[i - 1] as number) * 129]).toBeGreaterThanOrEqual(
        h[(order[i] as number) * 129] as number,
      );
    expect(g.tensor.blockSize).toBe(32);
  });

  it("sets the weights of never-active inputs to 0 and says so", () => {
    const x = Float32Array.from(X.data);
    for (let s = 0; s < 256; s++) x[s * 128 + 5] = 0;
    const g = gptq(W, { data: x, shape: X.shape }, { bits: 4 });
    expect(g.report.deadInputs).toBe(1);
    for (let r = 0; r < 32; r++) expect(g.dequantized[r * 128 + 5]).toBe(0);
    expect(g.report.warnings.join()).toContain("never active");
  });
});

describe("awq", () => {
  it("never does worse than RTN on its calibration set (α = 0 is RTN), and its scales fold out", () => {
    const a = awq(W, X, { bits: 3, groupSize: 32 });
    expect(a.report.errors[0]).toBeCloseTo(
      layerError(W, { data: rtn(W, { bits: 3, groupSize: 32 }).dequantized, shape: W.shape }, X),
      12,
    );
    expect(Math.min(...a.report.errors)).toBe(a.report.errors[a.report.alphas.indexOf(a.alpha)]);
    expect(a.alpha).toBeGreaterThan(0);
    // The scaled weight's codes decode to Q(W·s); dividing column j by s_j gives the effective weight.
    const q = a.quantized?.dequantized as Float32Array;
    for (let i = 0; i < q.length; i++)
      expect(a.effective[i]).toBe(Math.fround((q[i] as number) / (a.scales[i % 128] as number)));
  });

  it("rounds to a ggml block format with core's quantizeGgml", () => {
    const a = awq(W, X, { ggml: "q4_0" });
    const plain = dequantizeGgml(quantizeGgml(W.data, "q4_0", { shape: W.shape })).data;
    const rtnError = layerError(W, { data: plain, shape: W.shape }, X);
    expect(a.report.errors[0]).toBeCloseTo(rtnError, 12);
    expect(a.ggml?.type).toBe("q4_0");
    expect(layerError(W, { data: a.effective, shape: W.shape }, X)).toBeLessThanOrEqual(rtnError);
    console.log(
      `AWQ + q4_0 on a 32×128 layer: output error ${layerError(W, { data: a.effective, shape: W.shape }, X).toExponential(3)} vs q4_0's ${rtnError.toExponential(3)} (α ${a.alpha})`,
    );
  });
});

describe("hqq", () => {
  it("lowers the weight's own error below the min-max grid, without data", () => {
    const opt = hqq(W, { bits: 3, groupSize: 32 });
    const minmax = hqq(W, { bits: 3, groupSize: 32, optimize: false });
    const meanAbs = (d: Float32Array) =>
      d.reduce((s, v, i) => s + Math.abs(v - (W.data[i] as number)), 0) / d.length;
    expect(meanAbs(opt.dequantized)).toBeLessThan(meanAbs(minmax.dequantized));
    expect(opt.report.errors.length).toBeGreaterThan(1);
  });

  it("with integer zero points is core's QuantizedTensor", () => {
    const q = hqq(W, { bits: 4, groupSize: 32, integerZeroPoint: true });
    expect(q.tensor?.dtype).toBe("uint4");
    expect(Array.from(dequantize(q.tensor as never).data)).toEqual(Array.from(q.dequantized));
    expect(Array.from(q.zero).every(Number.isInteger)).toBe(true);
  });
});

describe("smoothQuant", () => {
  it("leaves the layer's function unchanged: (X / s)(W · s)ᵀ = X Wᵀ", () => {
    const r = smoothQuant(W, X, { alpha: 0.7 });
    let worst = 0;
    for (let s = 0; s < 8; s++)
      for (let o = 0; o < 32; o++) {
        let a = 0;
        let b = 0;
        for (let j = 0; j < 128; j++) {
          const x = X.data[s * 128 + j] as number;
          a += x * (W.data[o * 128 + j] as number);
          b += (x / (r.scales[j] as number)) * (r.smoothedWeight[o * 128 + j] as number);
        }
        worst = Math.max(worst, Math.abs(a - b));
      }
    expect(worst).toBeLessThan(1e-5);
  });
});

describe("equalize and correctBias", () => {
  const relu = (v: number) => Math.max(v, 0);
  const net = (
    w1: ArrayLike<number>,
    b1: ArrayLike<number>,
    w2: ArrayLike<number>,
    x: ArrayLike<number>,
  ) => {
    const h = Array.from({ length: 16 }, (_, i) =>
      relu(
        Array.from({ length: 8 }, (_, j) => (w1[i * 8 + j] as number) * (x[j] as number)).reduce(
          (a, b) => a + b,
          0,
        ) + (b1[i] as number),
      ),
    );
    return Array.from({ length: 4 }, (_, o) =>
      h.reduce((a, v, i) => a + v * (w2[o * 16 + i] as number), 0),
    );
  };
  const w1 = weight(503, 16, 8).map((v, i) => v * (1 + (i % 16) * 3));
  const b1 = weight(504, 1, 16);
  const w2 = weight(505, 4, 16);

  it("keeps the ReLU network's function and equalizes the channel ranges", () => {
    const { first, second, scales } = equalize(
      { weight: { data: w1, shape: [16, 8] }, bias: b1 },
      { weight: { data: w2, shape: [4, 16] } },
    );
    const x = weight(506, 1, 8);
    const before = net(w1, b1, w2, x);
    const after = net(first.weight.data, first.bias as Float32Array, second.weight.data, x);
    before.forEach((v, i) => {
      expect(after[i]).toBeCloseTo(v, 5);
    });
    for (let i = 0; i < 16; i++) {
      let r1 = 0;
      let r2 = 0;
      for (let c = 0; c < 8; c++)
        r1 = Math.max(r1, Math.abs(first.weight.data[i * 8 + c] as number));
      for (let o = 0; o < 4; o++)
        r2 = Math.max(r2, Math.abs(second.weight.data[o * 16 + i] as number));
      expect(r1 / r2).toBeCloseTo(1, 5);
    }
    expect(scales.length).toBe(16);
  });

  it("a chain converges; span covers convolution taps", () => {
    const chain = equalizeChain([
      { weight: { data: w1, shape: [16, 8] }, bias: b1 },
      { weight: { data: w2, shape: [4, 16] } },
    ]);
    expect(chain.sweeps).toBeLessThan(100);
    const conv = equalize(
      { weight: { data: w1, shape: [16, 8] } },
      { weight: { data: weight(507, 4, 48), shape: [4, 48] } },
      { span: 3 },
    );
    expect(conv.second.weight.shape).toEqual([4, 48]);
  });

  it("bias correction restores the mean output", () => {
    const q = rtn({ data: w1, shape: [16, 8] }, { bits: 2, perTensor: true }).dequantized;
    const mean = [0.5, 1, 1.5, 2, 0.1, 0.2, 0.3, 0.4];
    const b = correctBias({ data: w1, shape: [16, 8] }, { data: q, shape: [16, 8] }, b1, mean);
    for (let i = 0; i < 16; i++) {
      let exact = b1[i] as number;
      let corrected = b[i] as number;
      for (let c = 0; c < 8; c++) {
        exact += (w1[i * 8 + c] as number) * (mean[c] as number);
        corrected += (q[i * 8 + c] as number) * (mean[c] as number);
      }
      expect(corrected).toBeCloseTo(exact, 5);
    }
  });
});

describe("QAT steps", () => {
  it("fakeQuantSte's forward is rtn on the grid; no backward (straight through)", () => {
    const step = fakeQuantSte([[32, 128]], { bits: 3, groupSize: 32 });
    expect(Array.from(step.forward(W.data, 0))).toEqual(
      Array.from(rtn(W, { bits: 3, groupSize: 32 }).dequantized),
    );
    expect(step.backward).toBeUndefined();
  });

  it("lsq: the LSQ gradient of the step, and the gradient of w clipped outside the range", () => {
    const w = Float32Array.of(0.1, -0.3, 2, -5);
    const step = lsq([[1, 4]], { bits: 2, learningRate: 0.1, momentum: 0 });
    step.forward(w, 0);
    const s = step.scales(0)[0] as number;
    expect(s).toBeCloseTo((2 * (7.4 / 4)) / Math.sqrt(1), 6);
    const g = Float32Array.of(1, 1, 1, 1);
    const dw = step.backward(g, w, 0);
    // Qn = 2, Qp = 1: inside for w/s in [-2, 1].
    const inside = Array.from(w, (v) => v / s >= -2 && v / s <= 1);
    expect(Array.from(dw)).toEqual(inside.map((i) => (i ? 1 : 0)));
    let ds = 0;
    w.forEach((v) => {
      const u = Math.fround(v / s);
      ds += u < -2 ? -2 : u > 1 ? 1 : Math.round(u) - u;
    });
    expect(step.scales(0)[0]).toBeCloseTo(s - (0.1 * ds) / Math.sqrt(4 * 1), 6);
    const t = step.quantize(w, 0);
    expect(t.dtype).toBe("int2");
    expect(Array.from(dequantize(t).data)).toEqual(Array.from(step.forward(w, 0)));
  });
});

describe("quantizeLayer", () => {
  it.each(["rtn", "gptq", "awq", "hqq"] as const)("%s: params, codes and report", (method) => {
    const progress: number[] = [];
    const r = quantizeLayer(
      method,
      W,
      { bits: 4, groupSize: 64, onProgress: (p) => progress.push(p.done) },
      method === "hqq" ? undefined : X,
    );
    expect(r.codes.length).toBe(32 * 128);
    expect(r.params.shape).toEqual([32, 2]);
    expect(r.params.blockSize).toBe(64);
    expect(progress.length).toBeGreaterThan(0);
    expect(r.report.weightSqnrDb).toBeGreaterThan(10);
    if (method !== "hqq") {
      expect(r.report.outputError).toBeCloseTo(
        layerError(W, { data: r.effective, shape: W.shape }, X),
        12,
      );
      expect(Array.from(dequantize(r.tensor as never).data)).toEqual(Array.from(r.dequantized));
    } else expect(r.params.zeroPoint).toBeInstanceOf(Float32Array);
    if (method === "awq") expect(r.inputScale?.length).toBe(128);
  });
});
