/**
 * Every case of the repository's golden folder (packages/conformance/golden) as a test of its own,
 * on both backends, plus the cast cases through core's other float entry points.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as core from "@quantlab/core";
import { afterEach, describe, expect, it } from "vitest";
import { compareFloats, compareIntegers } from "../src/compare.js";
import {
  float32Data,
  type GoldenCase,
  type GoldenTensor,
  goldenDir,
  isSuiteFile,
  loadSuites,
  REPOSITORY_GOLDEN_DIR,
} from "../src/golden.js";
import { OPS } from "../src/ops.js";
import { runCase } from "../src/run.js";

const suites = loadSuites([REPOSITORY_GOLDEN_DIR]);
const cases = suites.flatMap((s) => s.cases);

describe("the repository's golden folder", () => {
  const saved = process.env.QUANTLAB_GOLDEN;
  afterEach(() => {
    if (saved === undefined) delete process.env.QUANTLAB_GOLDEN;
    else process.env.QUANTLAB_GOLDEN = saved;
  });

  it("is the default, unless QUANTLAB_GOLDEN names another folder", () => {
    delete process.env.QUANTLAB_GOLDEN;
    expect(goldenDir()).toBe(REPOSITORY_GOLDEN_DIR);
    process.env.QUANTLAB_GOLDEN = "";
    expect(goldenDir()).toBe(REPOSITORY_GOLDEN_DIR);
    process.env.QUANTLAB_GOLDEN = "/elsewhere";
    expect(goldenDir()).toBe("/elsewhere");
  });

  it("has a case for every op the runner knows, and ids unique across suites", () => {
    const ops = [...new Set(cases.map((c) => c.op))].sort();
    expect(ops).toEqual(Object.keys(OPS).sort());
    const ids = cases.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    // ../shared/golden, which this folder replaces, holds 173 cases in 14 files.
    console.log(`${cases.length} golden cases in ${suites.length} files`);
    expect(cases.length).toBeGreaterThanOrEqual(173);
    expect(suites.length).toBeGreaterThanOrEqual(14);
  });

  it("reads gzipped suites (*.json.gz) as they are, and only suite files", () => {
    expect([isSuiteFile("a.json"), isSuiteFile("a.json.gz"), isSuiteFile("README.md")]).toEqual([
      true,
      true,
      false,
    ]);
    const dir = mkdtempSync(join(tmpdir(), "golden-"));
    try {
      const file = join(REPOSITORY_GOLDEN_DIR, "integer-pack.json");
      writeFileSync(join(dir, "pack.json.gz"), gzipSync(readFileSync(file)));
      writeFileSync(join(dir, "notes.txt"), "not a suite");
      const [plain] = loadSuites([file]);
      const read = loadSuites([dir]);
      expect(read.map((s) => s.cases)).toEqual([plain?.cases]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const backend of ["reference", "fast"] as const) {
  for (const suite of suites) {
    describe(`${backend}: ${suite.suite}`, () => {
      it.each(suite.cases.map((c) => [c.id, c] as const))("%s", (_, c) => {
        expect(runCase(c, backend).failure).toBeUndefined();
      });
    });
  }
}

interface CastCase extends GoldenCase {
  to: core.FloatDType;
  saturate?: boolean;
  roundMode?: core.RoundMode;
  input: GoldenTensor;
  expected: GoldenTensor;
}

const castCases = cases.filter((c): c is CastCase => c.op === "cast");

describe("cast cases through the other entry points", () => {
  it.each(castCases.map((c) => [c.id, c] as const))("%s", (_, c) => {
    const options: core.EncodeFloatOptions = {};
    if (c.saturate !== undefined) options.saturate = c.saturate;
    if (c.roundMode !== undefined) options.roundMode = c.roundMode;
    const input = float32Data(c.input);
    const expected = c.expected.data as number[];
    const codes = core.encodeFloat(c.to, input, options);
    expect(codes).toBeInstanceOf(core.FLOAT_FORMATS[c.to].storage);
    // The same float32 values as a number[] give the same codes.
    expect(compareIntegers(expected, core.encodeFloat(c.to, Array.from(input), options))).toBe(
      undefined,
    );
    // roundToFloat is the value of the code.
    const values = core.decodeFloat(c.to, expected);
    expect(compareFloats(values, core.roundToFloat(c.to, input, options))).toBeUndefined();
  });
});

// Cases whose oracle differs from the semantics core documents (see golden/README.md): each must
// still fail (a different result, or core's documented refusal), so that a change in core that
// settles one is noticed and the case moves back.
const disagreements = join(REPOSITORY_GOLDEN_DIR, "disagreements");
if (existsSync(disagreements)) {
  describe("golden/disagreements: oracles that differ from core's documented semantics", () => {
    const pending = loadSuites([disagreements]).flatMap((s) => s.cases);
    it.each(pending.map((c) => [c.id, c] as const))("%s still differs", (_, c) => {
      expect(runCase(c, "reference").failure).toMatch(/expected|threw RangeError/);
      expect(runCase(c, "fast").failure).toMatch(/expected|threw RangeError/);
    });
  });
}

// Carried suites whose ops the runner does not know yet (see golden/README.md, "pending/"): each op
// must still be unknown, so that the suites move into the folder, and run, as soon as it lands.
const pendingDir = join(REPOSITORY_GOLDEN_DIR, "pending");
if (existsSync(pendingDir)) {
  describe("golden/pending: suites waiting for their ops", () => {
    const pendingSuites = loadSuites([pendingDir]);
    it.each(pendingSuites.map((s) => [s.file, s] as const))(
      "%s needs an op the runner lacks",
      (_, s) => {
        const unknown = [...new Set(s.cases.map((c) => c.op))].filter((op) => !(op in OPS));
        expect(unknown.length).toBeGreaterThan(0);
      },
    );
  });
}
