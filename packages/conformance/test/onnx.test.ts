/**
 * The onnx_node runner can fail: a changed code, a changed packed byte, a NaN code standing in for a
 * number, or an op it does not know each make an ONNX backend case fail.
 */
import { describe, expect, it } from "vitest";
import { type GoldenCase, loadSuites, REPOSITORY_GOLDEN_DIR } from "../src/golden.js";
import type { OnnxTensor } from "../src/onnx.js";
import { runCase } from "../src/run.js";

const cases = loadSuites([REPOSITORY_GOLDEN_DIR])
  .flatMap((s) => s.cases)
  .filter((c) => c.op === "onnx_node");

function find(id: string): GoldenCase {
  const c = cases.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no case ${id}`);
  return structuredClone(c);
}

const output = (c: GoldenCase) => (c.expected as OnnxTensor[])[0] as OnnxTensor;

describe("onnx_node cases", () => {
  it("are ONNX's 187 backend tests less the 6 in disagreements/", () => {
    expect(cases.length).toBe(181);
  });

  it("fail when one expected code changes", () => {
    const c = find("test_quantizelinear_e4m3fn");
    expect(runCase(c).failure).toBeUndefined();
    (output(c).data as number[])[1] = 49;
    expect(runCase(c).failure).toBe("[1]: expected 49, got 48");
  });

  it("let any NaN code stand for another NaN code, and for nothing else", () => {
    // test_cast_FLOAT_to_FLOAT8E5M2: ml_dtypes writes NaN as 0x7E, core as 0x7F.
    const c = find("test_cast_FLOAT_to_FLOAT8E5M2");
    const data = output(c).data as number[];
    expect(data[8]).toBe(0x7e);
    expect(runCase(c).failure).toBeUndefined();
    data[8] = 0x7d; // another NaN code of e5m2
    expect(runCase(c).failure).toBeUndefined();
    data[8] = 0x7b; // 57344, a number
    expect(runCase(c).failure).toBe("[8]: expected 123, got 127");
  });

  it("check the packed bytes of sub-byte tensors against core's packCodes and unpackCodes", () => {
    const out = find("test_quantizelinear_int4");
    (output(out).raw as number[])[0] = 0x12;
    expect(runCase(out).failure).toBe("packCodes: raw[0]: expected 18, got 33");
    const input = find("test_dequantizelinear_uint2");
    ((input.inputs as OnnxTensor[])[0]?.raw as number[])[0] = 0;
    expect(runCase(input).failure).toMatch(/unpackCodes of raw/);
  });

  it("fail on an op they do not know", () => {
    const c = find("test_matmulinteger");
    c.opType = "ConvInteger";
    expect(runCase(c).failure).toBe("ONNX op ConvInteger is not supported");
  });
});
