/**
 * The algorithms against references that are not themselves: ONNX Runtime's HQQ quantizer, a
 * float64 PyTorch transcription of GPTQ's Algorithm 1, and torchao's worked 2×2 example
 * (test/fixtures, made by `npm run fixtures` from packages/conformance/generate/algorithms.py).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { dequantize } from "@quantlab/core";
import { describe, expect, it } from "vitest";
import { gptq, gptqWithQuantizer, hqq, layerError } from "../src/index.js";
import { activations, hexCodes, sha256, weight } from "./data.js";

// biome-ignore lint/suspicious/noExplicitAny: fixture files are JSON whose shape each test reads.
const fixture = (name: string): any =>
  JSON.parse(readFileSync(join(import.meta.dirname, "fixtures", name), "utf8"));

interface HqqCase {
  id: string;
  input: { seed: number; rows: number; cols: number; outlierEvery: number; sha256: string };
  bits: number;
  groupSize: number;
  codes: string;
  scale: number[];
  zero: number[];
}

interface GptqCase {
  id: string;
  weight: { seed: number; rows: number; cols: number; sha256: string };
  calibration: { seed: number; samples: number; sha256: string };
  options: {
    bits: number;
    groupSize?: number;
    symmetric: boolean;
    actOrder: boolean;
    percdamp: number;
    blockSize: number;
  };
  codes: string;
  scale: number[];
  zeroPoint: number[];
  outputError: number;
  rtnOutputError: number;
}

/** Units in the last place of float32 between a and b. */
function ulps(a: number, b: number): number {
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  const key = (v: number) => (v < 0 ? -2147483648 - v : v);
  return Math.abs(key(i[0] as number) - key(i[1] as number));
}

describe("HQQ against ONNX Runtime's HQQWeightOnlyQuantizer", () => {
  const hqqFixture = fixture("hqq-onnxruntime.json");
  it.each((hqqFixture.cases as HqqCase[]).map((c) => [c.id, c] as const))("%s", (_, c) => {
    const { seed, rows, cols, outlierEvery, sha256: digest } = c.input;
    const w = weight(seed, rows, cols, outlierEvery);
    expect(sha256(w)).toBe(digest);
    const q = hqq({ data: w, shape: [rows, cols] }, { bits: c.bits, groupSize: c.groupSize });
    const codes = hexCodes(c.codes);
    let codeDiff = 0;
    for (let i = 0; i < codes.length; i++) if (codes[i] !== q.codes[i]) codeDiff++;
    let scaleUlps = 0;
    let zeroUlps = 0;
    let zeroAbs = 0;
    let zeroDiff = 0;
    c.scale.forEach((s: number, i: number) => {
      scaleUlps = Math.max(scaleUlps, ulps(Math.fround(s), q.scale[i] as number));
    });
    c.zero.forEach((z: number, i: number) => {
      zeroUlps = Math.max(zeroUlps, ulps(Math.fround(z), q.zero[i] as number));
      zeroAbs = Math.max(zeroAbs, Math.abs(Math.fround(z) - (q.zero[i] as number)));
      if (Math.fround(z) !== q.zero[i]) zeroDiff++;
    });
    console.log(
      `HQQ ${c.id}: ${q.report.iterations} iterations; codes differing ${codeDiff} of ${codes.length}; ` +
        `scales max ${scaleUlps} ulp; ` +
        `zero points: ${zeroDiff} of ${c.zero.length} differ, by at most ${zeroUlps} ulp (|Δ| ≤ ${zeroAbs.toExponential(2)})`,
    );
    // Measured (onnxruntime 1.30, torch 2.13): every code and every scale equal; zero points within
    // 3 ulp (torch sums its float32 means in its own order, ours in float64 rounded once; and its
    // vectorized pow may differ from Math.pow by an ulp). The bound: 4 ulp.
    expect(codeDiff).toBe(0);
    expect(scaleUlps).toBe(0);
    expect(zeroUlps).toBeLessThanOrEqual(4);
  });
});

describe("GPTQ against a float64 PyTorch transcription of Algorithm 1", () => {
  const reference = fixture("gptq-reference.json");
  const rows: string[] = [
    "| layer, setting | codes equal | our output error | reference's | relative difference | RTN's | scales equal | zero points equal |",
    "|---|--:|--:|--:|--:|--:|--:|--:|",
  ];
  it.each((reference.cases as GptqCase[]).map((c) => [c.id, c] as const))("%s", (_, c) => {
    const { seed, rows: out, cols, sha256: wd } = c.weight;
    const w = weight(seed, out, cols);
    const x = activations(c.calibration.seed, c.calibration.samples, cols);
    expect(sha256(w)).toBe(wd);
    expect(sha256(x)).toBe(c.calibration.sha256);
    const q = gptq(
      { data: w, shape: [out, cols] },
      { data: x, shape: [c.calibration.samples, cols] },
      c.options,
    );
    const codes = hexCodes(c.codes);
    let same = 0;
    for (let i = 0; i < codes.length; i++) if (codes[i] === q.tensor.data[i]) same++;
    const share = same / codes.length;
    const error = layerError(
      { data: w, shape: [out, cols] },
      { data: q.dequantized, shape: [out, cols] },
      { data: x, shape: [c.calibration.samples, cols] },
    );
    const relative = Math.abs(error - c.outputError) / c.outputError;
    rows.push(
      `| ${c.id} | ${(share * 100).toFixed(2)} % (${same} / ${codes.length}) | ${error.toFixed(6)} | ${c.outputError.toFixed(6)} | ${relative.toExponential(1)} | ${c.rtnOutputError.toFixed(6)} |`,
    );
    let scalesEqual = 0;
    c.scale.forEach((v: number, i: number) => {
      if (Math.fround(v) === q.tensor.scale[i as never]) scalesEqual++;
    });
    const zerosEqual = c.zeroPoint.filter(
      (z: number, i: number) => z === (q.tensor.zeroPoint as Int32Array)[i],
    ).length;
    rows[rows.length - 1] +=
      ` ${scalesEqual} / ${c.scale.length} | ${zerosEqual} / ${c.zeroPoint.length} |`;
    // The codes decode through core's dequantize to the values GPTQ used.
    expect(Array.from(dequantize(q.tensor).data)).toEqual(Array.from(q.dequantized));
    // The bounds: codes identical on at least 99 % of weights, output error within 1 %.
    expect(share).toBeGreaterThanOrEqual(0.99);
    expect(relative).toBeLessThanOrEqual(0.01);
    // And GPTQ's claim on these layers: below round-to-nearest's error.
    expect(error).toBeLessThan(c.rtnOutputError);
  });
  it("prints the comparison", () => {
    console.log(
      `GPTQ vs the float64 PyTorch transcription (${reference.oracle.split(":")[0]}):\n${rows.join("\n")}`,
    );
    expect(rows.length).toBe(2 + reference.cases.length);
  });
});

describe("GPTQ on torchao's worked 2×2 example (gptq_quantize's docstring)", () => {
  const toy = fixture("gptq-torchao-toy.json");
  // The docstring's setting: W_t [N, K] = [[1.2, 0.5], [0.8, 1.5]], X = [[1, 1]], percdamp 0.01,
  // each column quantized with its own scale max|w| / 2, codes round(w / scale).clamp(0, 2).
  const w = { data: toy.weight.flat(), shape: [2, 2] };
  const x = { data: toy.calibration.flat(), shape: [1, 2] };
  const column = (v: ArrayLike<number>) => {
    const s = Math.max(...Array.from(v, Math.abs)) / 2;
    return Array.from(v, (e) => Math.min(2, Math.max(0, Math.round(e / s))) * s);
  };
  const outputs = (m: ArrayLike<number>, transposed: boolean) =>
    transposed
      ? [(m[0] as number) + (m[1] as number), (m[2] as number) + (m[3] as number)]
      : [(m[0] as number) + (m[2] as number), (m[1] as number) + (m[3] as number)];
  const error = (a: ArrayLike<number>, b: ArrayLike<number>, transposed: boolean) => {
    const ya = outputs(a, transposed);
    const yb = outputs(b, transposed);
    return (
      ((ya[0] as number) - (yb[0] as number)) ** 2 + ((ya[1] as number) - (yb[1] as number)) ** 2
    );
  };

  it("reproduces the setting, and measures what the docstring states", () => {
    const seen: number[][] = [];
    const g = gptqWithQuantizer(w, x, (v, c) => {
      seen[c] = Array.from(v);
      return column(v);
    });
    const r = [0, 1].map((c) => column([w.data[c], w.data[2 + c]]));
    const rtn = [r[0]?.[0], r[1]?.[0], r[0]?.[1], r[1]?.[1]] as number[];
    toy.gptq.flat().forEach((v: number, i: number) => {
      expect(g[i]).toBeCloseTo(v, 12);
    });
    expect(rtn).toEqual(toy.rtn.flat());
    const e = {
      rtn: { xwt: error(w.data, rtn, true), xw: error(w.data, rtn, false) },
      gptq: { xwt: error(w.data, g, true), xw: error(w.data, g, false) },
    };
    console.log(
      [
        "torchao's 2×2 example, recomputed (float64) vs its docstring:",
        `  RTN  dequantized ${JSON.stringify(rtn)} (docstring ${JSON.stringify(toy.docstring.rtn.flat())}): ` +
          `error ${e.rtn.xw.toFixed(4)} with the docstring's outputs X·W, ${e.rtn.xwt.toFixed(4)} with X·W_tᵀ; docstring: ${toy.docstring.errors.rtn}`,
        `  GPTQ dequantized ${JSON.stringify(Array.from(g, (v) => Number(v.toFixed(4))))} (docstring ${JSON.stringify(toy.docstring.gptq.flat())}): ` +
          `error ${e.gptq.xw.toFixed(4)} with X·W, ${e.gptq.xwt.toFixed(4)} with X·W_tᵀ; docstring: ${toy.docstring.errors.gptq}`,
        `  H⁻¹'s upper Cholesky factor ${JSON.stringify(toy.upperInverseCholesky.flat().map((v: number) => Number(v.toFixed(4))))} ` +
          `(the docstring's H_inv ${JSON.stringify(toy.docstring.hinv.flat())}); column 1 after the update ` +
          `[${seen[1]?.map((v) => v.toFixed(4)).join(", ")}] (docstring ${JSON.stringify(toy.docstring.updatedColumn1)})`,
      ].join("\n"),
    );
    // Ours equals the float64 PyTorch computation of the same setting.
    expect(e.rtn.xwt).toBeCloseTo(toy.errors.rtn.outputsXWt, 12);
    expect(e.gptq.xwt).toBeCloseTo(toy.errors.gptq.outputsXWt, 12);
    expect(e.gptq.xw).toBeCloseTo(toy.errors.gptq.outputsXW, 12);
    // What holds of the docstring: column 0 and the whole RTN result, and RTN's error (0.1025,
    // which it rounds to 0.11).
    expect([g[0], g[2]]).toEqual([1.2, 0.6]);
    expect(rtn).toEqual(toy.docstring.rtn.flat());
    expect(e.rtn.xw).toBeCloseTo(0.1025, 12);
    // What does not: its H_inv is not the inverse (nor its Cholesky factor) of its damped H, it
    // applies the update with the wrong sign (1.5 − 0.196 = 1.304; the update is +0.198), and its 0.09 is not the error of its own GPTQ values (0.0419 with
    // X·W). Computed correctly, the recomputed scale of column 1 grows with the compensation and
    // GPTQ ends above RTN on this one-sample, rank-1 Hessian: 0.1218 vs 0.1025 (X·W_tᵀ).
    expect(seen[1]?.[0]).toBe(0.5);
    expect(seen[1]?.[1]).toBeCloseTo(1.5 + (0.2 / 5.012422379394304) * 4.962794435043866, 12);
    expect(e.gptq.xwt).toBeGreaterThan(e.rtn.xwt);
    expect(error(w.data, toy.docstring.gptq.flat(), false)).toBeCloseTo(0.041936, 6);
  });
});
