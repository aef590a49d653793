/**
 * `quantlab compare`: its figures against the same runs made here with onnxruntime-node and
 * measured with loops written here; the inputs file format and its errors; `--random`'s
 * documented rule (mulberry32 + Box-Muller, seeded).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "@quantlab/core";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { cosine } from "../../models/test/onnx/shared.js";
import type { CompareReport } from "../src/compare.js";
import { randomInputs } from "../src/inputs.js";
import { fixtureDir, run } from "./helpers.js";

let dir: string;
beforeAll(async () => {
  dir = fixtureDir();
  const q = await run(
    dir,
    "quantize",
    "tiny.onnx",
    "int4.onnx",
    "--weights",
    "int4",
    "--block",
    "16",
    "--threads",
    "1",
  );
  expect(q.code).toBe(0);
});

/** 2 samples of [3, 3, 4, 4] images, values from a formula. */
const images = (s: number) =>
  Array.from({ length: 3 * 48 }, (_, i) => Math.fround(Math.cos(i * 0.37 + s) * 1.5));
const samples = [0, 1].map((s) => ({ image: { dims: [3, 3, 4, 4], data: images(s) } }));

async function logits(file: string): Promise<Float32Array[]> {
  const session = await ort.InferenceSession.create(join(dir, file), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const out: Float32Array[] = [];
  for (const s of samples) {
    const feeds = {
      image: new ort.Tensor("float32", Float32Array.from(s.image.data), s.image.dims),
    };
    out.push((await session.run(feeds)).logits?.data as Float32Array);
  }
  return out;
}

describe("quantlab compare", () => {
  it("measures B against A on an inputs file as computed independently", async () => {
    writeFileSync(join(dir, "inputs.json"), JSON.stringify(samples));
    /** compare tiny.onnx int4.onnx on inputs.json, as JSON. */
    const compare = (...flags: string[]) =>
      run(dir, "compare", "tiny.onnx", "int4.onnx", "--inputs", "inputs.json", ...flags, "--json");
    const r = await compare();
    expect([r.code, r.stderr]).toEqual([0, ""]);
    const report = JSON.parse(r.stdout) as CompareReport;
    const a = await logits("tiny.onnx");
    const b = await logits("int4.onnx");
    const x = a.flatMap((v) => Array.from(v));
    const y = b.flatMap((v) => Array.from(v));
    let max = 0;
    for (let i = 0; i < x.length; i++)
      max = Math.max(max, Math.abs((x[i] as number) - (y[i] as number)));
    let same = 0;
    for (let r = 0; r < x.length / 10; r++) {
      const row = (v: number[]) => v.slice(r * 10, r * 10 + 10);
      const arg = (v: number[]) => v.indexOf(Math.max(...v));
      if (arg(row(x)) === arg(row(y))) same++;
    }
    const out = report.outputs[0];
    expect(report.samples).toBe(2);
    expect(out?.name).toBe("logits");
    expect(out?.dims).toEqual([3, 10]);
    expect(out?.values).toBe(60);
    expect(out?.rows).toBe(6);
    expect(out?.cosine).toBeCloseTo(cosine(x, y), 12);
    expect(out?.maxAbsDiff).toBe(max);
    expect(out?.top1).toBe(same / 6);
    expect(out?.decisions).toBeNull();
    const t = await compare("--threshold", "0.05");
    const sides = x.filter((v, i) => v > 0.05 === (y[i] as number) > 0.05).length;
    expect((JSON.parse(t.stdout) as CompareReport).outputs[0]?.decisions).toBe(sides / 60);
    console.log(
      `compare tiny.onnx int4.onnx: cosine ${out?.cosine}, max abs diff ${out?.maxAbsDiff}, top-1 ${out?.top1}`,
    );
  });

  it("gives cosine 1, difference 0 and full agreement for a model against itself (text)", async () => {
    const r = await run(dir, "compare", "tiny.onnx", "tiny.onnx", "--random", "4");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        "compare tiny.onnx tiny.onnx: 4 samples, random inputs (seed 0, standard normal floats)",
        "output  dims     values  cosine    max abs diff   SQNR dB  top-1",
        "logits  [1, 10]      40  1.000000             0  Infinity  100% of 4 rows",
        "",
      ].join("\n"),
    );
  });

  it("draws --random inputs by its documented rule, the same for the same seed", () => {
    const inputs = [{ name: "x", elemType: "FLOAT", shape: ["batch", 3] }];
    const options = { seed: 7, shapes: new Map(), values: new Map() };
    const [first] = randomInputs("m.onnx", inputs, 2, options);
    // Box-Muller on seededRandom(7) (mulberry32): u = 1 - r1, v = r2; r cos, then r sin.
    const g = seededRandom(7);
    const u = 1 - g();
    const v = g();
    const radius = Math.sqrt(-2 * Math.log(u));
    expect(first?.x?.dims).toEqual([1, 3]);
    expect(Array.from(first?.x?.data as Float32Array).slice(0, 2)).toEqual([
      Math.fround(radius * Math.cos(2 * Math.PI * v)),
      Math.fround(radius * Math.sin(2 * Math.PI * v)),
    ]);
    expect(randomInputs("m.onnx", inputs, 2, options)).toEqual(
      randomInputs("m.onnx", inputs, 2, options),
    );
    const shaped = randomInputs("m.onnx", inputs, 1, {
      ...options,
      shapes: new Map([["x", [4, 3]]]),
    });
    expect(shaped[0]?.x?.dims).toEqual([4, 3]);
    expect(() =>
      randomInputs("m.onnx", [{ name: "sr", elemType: "INT64", shape: [] }], 1, options),
    ).toThrow(
      "m.onnx: input sr is INT64: give its value with --set sr=VALUE (random integers are seldom valid inputs)",
    );
    const sr = randomInputs("m.onnx", [{ name: "sr", elemType: "INT64", shape: [] }], 1, {
      ...options,
      values: new Map([["sr", 16000]]),
    });
    expect(sr[0]?.sr).toEqual({ type: "int64", data: BigInt64Array.of(16000n), dims: [] });
  });

  it("reports a bad inputs file as file: field: problem", async () => {
    const cases: [unknown, string][] = [
      [
        { image: { dims: [1, 3, 4, 4], data: [1, 2] } },
        "bad.json: sample.image.data: 2 values, but dims [1, 3, 4, 4] need 48",
      ],
      [{}, "bad.json: sample.image: missing: the model needs it"],
      [
        { image: { dims: [1, 48], data: images(0) }, extra: {} },
        'bad.json: sample.extra: the model has no input "extra"; its inputs are image',
      ],
      [
        [{ image: { dims: [3, 16], data: [...images(0).slice(0, 47), "x"] } }],
        'bad.json: [0].image.data[47]: expected a number; found "x"',
      ],
      [
        { image: { dims: [3, 3, 4, 4], data: images(0), type: "float64" } },
        'bad.json: sample.image.type: expected one of float32, int64, int32, int8, uint8, bool; found "float64"',
      ],
      [[], "bad.json: json: an empty array: no sample"],
    ];
    for (const [content, message] of cases) {
      writeFileSync(join(dir, "bad.json"), JSON.stringify(content));
      const r = await run(dir, "compare", "tiny.onnx", "int4.onnx", "--inputs", "bad.json");
      expect([r.code, r.stderr]).toEqual([1, `quantlab compare: ${message}\n`]);
    }
    writeFileSync(join(dir, "bad.json"), "{ not json");
    const r = await run(dir, "compare", "tiny.onnx", "int4.onnx", "--inputs", "bad.json");
    expect(r.stderr).toMatch(/^quantlab compare: bad.json: json: not valid JSON \(/);
  });

  it("refuses models it cannot run side by side, and bad usage", async () => {
    const gguf = await run(dir, "compare", "tiny.onnx", "tiny.gguf");
    expect([gguf.code, gguf.stderr]).toEqual([
      1,
      "quantlab compare: tiny.gguf: compare runs ONNX models with onnxruntime; this is a gguf file\n",
    ]);
    const other = await run(dir, "compare", "tiny.onnx", "classifier.onnx");
    expect(other.code).toBe(1);
    expect(other.stderr).toBe(
      "quantlab compare: classifier.onnx: inputs pixels are not inputs of tiny.onnx\n",
    );
    writeFileSync(join(dir, "garbage.onnx"), Uint8Array.of(0x08, 0x07, 0x3a, 0x05, 1, 2, 3));
    const garbage = await run(dir, "compare", "tiny.onnx", "garbage.onnx");
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(
      /^quantlab compare: garbage.onnx: ModelProto: not a readable ONNX protobuf message/,
    );
    const both = await run(
      dir,
      "compare",
      "a.onnx",
      "b.onnx",
      "--inputs",
      "x.json",
      "--random",
      "3",
    );
    expect([both.code, both.stderr]).toEqual([
      2,
      "quantlab compare: --inputs and --random exclude each other\n(see quantlab compare --help)\n",
    ]);
    const set = await run(dir, "compare", "a.onnx", "b.onnx", "--set", "sr");
    expect(set.stderr).toBe(
      'quantlab compare: --set takes NAME=VALUE; received "sr"\n(see quantlab compare --help)\n',
    );
    expect(readFileSync(join(dir, "tiny.onnx")).byteLength).toBeGreaterThan(0);
  });
});
