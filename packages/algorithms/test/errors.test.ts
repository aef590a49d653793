/** Bad input: each error names the function, the argument, what was expected and what came. */
import { describe, expect, it } from "vitest";
import { awq, equalize, gptq, hqq, lsq, quantizeLayer, rtn, smoothQuant } from "../src/index.js";
import { activations, weight } from "./data.js";

const w = { data: weight(401, 16, 64), shape: [16, 64] };
const x = (samples: number) => ({ data: activations(402, samples, 64), shape: [samples, 64] });

describe("bad input", () => {
  it("a calibration set too small for the Hessian, without dampening: singular, and how much dampening helps", () => {
    expect(() => gptq(w, x(10), { percdamp: 0 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: gptq(): argument 'calibration' must be inputs whose Hessian H = 2XᵀX/n plus the dampening λI is positive definite; received 10 samples of 64 inputs: H has rank at most 10 < 64 (singular: fewer samples than active inputs), and percdamp 0 adds λ = 0; dampening makes it positive definite: its Cholesky factorization succeeds from percdamp 1e-12 (λ = 9.25e-12) on, and GPTQ's usual percdamp 0.01 adds λ = 0.0925; or give at least 64 samples.]`,
    );
  });

  it("the same with GPTQ's usual dampening: it runs, and says the Hessian is singular", () => {
    const q = gptq(w, x(10));
    expect(q.report.warnings).toMatchInlineSnapshot(`
      [
        "the Hessian is singular: 10 samples for 64 active inputs give rank at most 10; only the dampening λ = 0.0925 (percdamp 0.01) makes it positive definite, and on its null space GPTQ compensates errors along directions the calibration never saw: give at least as many samples as inputs",
      ]
    `);
  });

  it("dependent inputs, enough samples, no dampening", () => {
    const d = activations(403, 200, 64);
    for (let s = 0; s < 200; s++) d[s * 64 + 1] = d[s * 64] as number;
    expect(() =>
      gptq(w, { data: d, shape: [200, 64] }, { percdamp: 0 }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: gptq(): argument 'calibration' must be inputs whose Hessian H = 2XᵀX/n plus the dampening λI is positive definite; received 200 samples of 64 inputs: H is not positive definite in float64 (its inputs are linearly dependent, or nearly), and percdamp 0 adds λ = 0; dampening makes it positive definite: its Cholesky factorization succeeds from percdamp 1e-12 (λ = 1.03e-11) on, and GPTQ's usual percdamp 0.01 adds λ = 0.103.]`,
    );
  });

  it("shapes that do not match the layer", () => {
    expect(() =>
      gptq(w, { data: new Float32Array(32 * 100), shape: [32, 100] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: gptq(): argument 'calibration.shape' must be [samples, 64] (one column per input of weight [16, 64]); received [32, 100].]`,
    );
    expect(() =>
      awq(w, { data: new Float32Array(10), shape: [2, 64] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: awq(): argument 'calibration.data' must be 128 values (shape [2, 64]); received 10 values.]`,
    );
    expect(() => quantizeLayer("awq", w, { bits: 4 })).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: quantizeLayer(): argument 'calibration' must be a matrix [samples, 64] of the layer's inputs for method "awq" (it is data-aware); received undefined.]`,
    );
    expect(() =>
      equalize({ weight: w }, { weight: { data: new Float32Array(8 * 10), shape: [8, 10] } }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: equalize(): argument 'second.weight.shape' must be [rows, 16] (1 per output channel of first.weight [16, 64]); received [8, 10].]`,
    );
    expect(() => rtn({ data: [1, 2, 3], shape: [2, 2] })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: rtn(): argument 'weight.data' must be 4 values (shape [2, 2]); received 3 values.]`,
    );
    expect(() => lsq([[4, 4]]).forward(new Float32Array(15), 0)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: lsq(): argument 'layer' must be a layer of the shapes given (1), with as many weights as its shape; received layer 0 with 15 weights.]`,
    );
  });

  it("NaN and Infinity in activations and weights", () => {
    const bad = x(100);
    bad.data[3 * 64 + 17] = Number.NaN;
    expect(() => gptq(w, bad)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: gptq(): argument 'calibration.data[209]' must be a finite number (row 3, column 17); received NaN.]`,
    );
    expect(() => smoothQuant(w, bad)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: smoothQuant(): argument 'calibration.data[209]' must be a finite number (row 3, column 17); received NaN.]`,
    );
    const inf = { data: Float32Array.from(w.data), shape: w.shape };
    inf.data[5] = Number.POSITIVE_INFINITY;
    expect(() => hqq(inf)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: hqq(): argument 'weight.data[5]' must be a finite number (row 0, column 5); received Infinity.]`,
    );
  });

  it("options", () => {
    expect(() => rtn(w, { bits: 9 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: rtn(): argument 'options.bits' must be an integer in [2, 8]; received 9.]`,
    );
    expect(() => gptq(w, x(100), { group: 32 } as never)).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: gptq(): argument 'options' must be an object with keys among 'bits', 'groupSize', 'symmetric', 'perTensor', 'percdamp', 'blockSize', 'actOrder', 'staticGroups', 'onProgress'; received an object with key "group".]`,
    );
    expect(() =>
      gptq(w, x(100), { actOrder: true, staticGroups: false }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: gptq(): argument 'options.staticGroups' must be true (or undefined) with actOrder: dynamic groups in act-order are not contiguous runs of inputs, which core's blocked layout stores; received false.]`,
    );
    expect(() => quantizeLayer("hqq", w, { symmetric: true })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: quantizeLayer(): argument 'options.symmetric' must be undefined for method "hqq" (its options: bits, groupSize, onProgress, lpNorm, beta, kappa, iterations, integerZeroPoint); received true.]`,
    );
    expect(() => quantizeLayer("gptq4" as never, w)).toThrowErrorMatchingInlineSnapshot(
      `[TypeError: quantizeLayer(): argument 'method' must be one of "rtn", "gptq", "awq", "hqq"; received "gptq4".]`,
    );
    expect(() => rtn(w, { perTensor: true, groupSize: 32 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: rtn(): argument 'options.groupSize' must be undefined with perTensor; received 32.]`,
    );
    expect(() => smoothQuant(w, x(100), { alpha: 1.5 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: smoothQuant(): argument 'options.alpha' must be a number in [0, 1]; received 1.5.]`,
    );
  });
});
