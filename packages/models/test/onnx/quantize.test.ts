/**
 * quantizeOnnx on a small Conv → Relu → Flatten → Gemm → Relu → MatMul network with seeded weights:
 * every variant loads in onnxruntime-node and stays close to the float model on the same inputs;
 * the codes are core's; options select and reject as documented.
 */
import { quantize, seededRandom, symmetricParams } from "@quantlab/core";
import { describe, expect, it } from "vitest";
import {
  calibrateOnnx,
  createOnnxModel,
  planOnnxQuantization,
  type QuantizeOnnxOptions,
  quantizeOnnx,
  quantizeOnnxWeight,
  readOnnx,
} from "../../src/index.js";
import { modelProto } from "../../src/onnx/build.js";
import { encodeModelProto, type TensorProto } from "../../src/onnx/proto.js";
import { run, values } from "./helpers.js";
import { convNet, cosine } from "./shared.js";

const model = createOnnxModel(
  convNet({
    size: 8,
    channels: 16,
    hidden: 64,
    output: "scores",
    fill: values,
    scales: [0.3, 0.1, 0.05, 0.1, 0.2],
  }),
);

const batch = 16;
const r = seededRandom(8);
const images = Float32Array.from({ length: batch * 192 }, () => r());
const feeds = { image: { type: "float32" as const, data: images, dims: [batch, 3, 8, 8] } };

describe("quantizeOnnx", () => {
  it("writes models onnxruntime runs, close to the float model", async () => {
    const reference = (await run(model, feeds, ["scores"])).scores as Float32Array;
    const samples = [0, 1, 2, 3].map((s) => ({
      image: {
        type: "float32" as const,
        data: Float32Array.from({ length: 8 * 192 }, seededRandom(100 + s)),
        dims: [8, 3, 8, 8],
      },
    }));
    const ranges = await calibrateOnnx(model, samples, run);
    const percentile = await calibrateOnnx(model, samples, run, {
      method: "percentile",
      percentile: 99.9,
    });
    expect(Object.values(percentile).every((p) => p.dtype === "int8" && p.zeroPoint === 0)).toBe(
      true,
    );
    expect(Object.keys(ranges)).toEqual(["image", "conv", "flat", "fc", "fc.relu"]);
    const variants: Record<string, QuantizeOnnxOptions & { minCosine: number }> = {
      // Minimum cosines: the measured value (printed) less a margin. W8A8 weights are reduced to
      // [-63, 63]: at full range, onnxruntime on x86 without VNNI saturates pairs of products in
      // int16 (measured there: cosine 0.9638 with int8 percentile activations).
      "int8 per tensor": { weights: "int8", minCosine: 0.999 },
      "uint8 per tensor": { weights: "uint8", minCosine: 0.999 },
      "int8 per channel": { weights: "int8", granularity: "channel", minCosine: 0.999 },
      "uint8 per channel, affine": { weights: "uint8", granularity: "channel", minCosine: 0.999 },
      "int4 block 32": { weights: "int4", granularity: "block", blockSize: 32, minCosine: 0.98 },
      "uint4 block 16, affine": {
        weights: "uint4",
        granularity: "block",
        blockSize: 16,
        minCosine: 0.98,
      },
      "int8 block 32": { weights: "int8", granularity: "block", blockSize: 32, minCosine: 0.999 },
      "W8A8 static": {
        weights: "int8",
        granularity: "channel",
        activations: ranges,
        reduceRange: true,
        minCosine: 0.995,
      },
      "W8A8 static, int8 percentile": {
        weights: "int8",
        granularity: "channel",
        activations: percentile,
        reduceRange: true,
        minCosine: 0.99,
      },
    };
    const lines: string[] = [];
    for (const [name, { minCosine, ...options }] of Object.entries(variants)) {
      const q = quantizeOnnx(model, options);
      expect(
        q.weights.map((w) => w.name),
        name,
      ).toEqual(["conv.weight", "fc.weight", "head.weight"]);
      const out = (await run(q.bytes, feeds, ["scores"])).scores as Float32Array;
      const c = cosine(reference, out);
      console.log(
        `${name}: cosine ${c.toFixed(6)}, weight SQNR ${q.weights.map((w) => w.sqnrDb.toFixed(1)).join(" / ")} dB, ${q.bytes.length} bytes`,
      );
      expect(c, name).toBeGreaterThan(minCosine);
    }
    const nbits = quantizeOnnx(model, { weights: "int4", format: "matmulnbits", blockSize: 32 });
    expect(nbits.weights.map((w) => w.name)).toEqual(["head.weight"]);
    expect(nbits.skipped).toEqual([
      { name: "conv.weight", reason: "MatMulNBits takes the 2-D constant weight of a MatMul only" },
      { name: "fc.weight", reason: "MatMulNBits takes the 2-D constant weight of a MatMul only" },
    ]);
    const c = cosine(reference, (await run(nbits.bytes, feeds, ["scores"])).scores as Float32Array);
    lines.push(`MatMulNBits int4 block 32: cosine ${c.toFixed(6)}`);
    console.log(lines.join("\n"));
    expect(c).toBeGreaterThan(0.98);
  });

  it("stores core's codes and scales", () => {
    const q = quantizeOnnx(model, { weights: "int8", include: ["head.weight"] });
    const file = readOnnx(q.bytes);
    const codes = file.tensors.find((t) => t.name === "head.weight_quantized");
    const w = values(640, 5, 0.2);
    const params = symmetricParams(w, { restricted: true });
    expect(codes?.quantization).toEqual({
      kind: "linear",
      dtype: "int8",
      scale: params.scale,
      zeroPoint: 0,
    });
    const expected = quantize(w, params).data;
    expect(
      Array.from(
        Int8Array.from((codes as { bytes(): Uint8Array }).bytes(), (b) => (b << 24) >> 24),
      ),
    ).toEqual(Array.from(expected));
  });

  it("keeps 8-bit weights in [-63, 63] with reduceRange, a scale of absmax / 63 per channel", () => {
    const q = quantizeOnnx(model, {
      include: ["head.weight"],
      granularity: "channel",
      reduceRange: true,
    });
    const stored = readOnnx(q.bytes).tensors.find((t) => t.name === "head.weight_quantized");
    const codes = Int8Array.from(
      (stored as { bytes(): Uint8Array }).bytes(),
      (b) => (b << 24) >> 24,
    );
    const w = values(640, 5, 0.2);
    const scale = (stored as { quantization: { scale: Float32Array } }).quantization.scale;
    for (let n = 0; n < 10; n++) {
      let absmax = 0;
      let codemax = 0;
      for (let k = 0; k < 64; k++) {
        absmax = Math.max(absmax, Math.abs(w[k * 10 + n] as number));
        codemax = Math.max(codemax, Math.abs(codes[k * 10 + n] as number));
      }
      expect(codemax).toBe(63);
      expect(scale[n]).toBe(Math.fround(Math.fround(absmax) / 63));
    }
    expect(() => quantizeOnnx(model, { weights: "int4", reduceRange: true })).toThrow(
      "quantizeOnnx(): argument 'options.reduceRange' must be false for int4 weights (it applies to 8-bit); received true",
    );
    expect(() =>
      quantizeOnnx(model, { weights: "uint8", symmetric: true, reduceRange: true }),
    ).toThrow(
      "quantizeOnnx(): argument 'options.reduceRange' must be false for symmetric uint8 weights (their zero point stays 128, outside [0, 127]); received true",
    );
    const unrestricted = quantizeOnnx(model, {
      include: ["head.weight"],
      restricted: false,
      reduceRange: true,
    });
    const wide = readOnnx(unrestricted.bytes).tensors.find(
      (t) => t.name === "head.weight_quantized",
    );
    const wideCodes = Int8Array.from(
      (wide as { bytes(): Uint8Array }).bytes(),
      (b) => (b << 24) >> 24,
    );
    // PyTorch's reduced int8 grid is [-64, 63] with s = absmax / 63.5: absmax lands on 63.5, a tie
    // rounded to 64 (onnxruntime's reduced range is [-64, 64]).
    expect(Math.max(...Array.from(wideCodes, Math.abs))).toBe(64);
    expect(() => quantizeOnnx(model, { reduceRange: 1 as never })).toThrow(
      "quantizeOnnx(): argument 'options.reduceRange' must be a boolean; received 1",
    );
  });

  it("selects weights by op, name and size, and says why it left one out", () => {
    expect(quantizeOnnx(model, { ops: ["Conv"] }).weights.map((w) => w.name)).toEqual([
      "conv.weight",
    ]);
    const q = quantizeOnnx(model, { exclude: ["fc.weight"], minSize: 500 });
    expect(q.weights.map((w) => w.name)).toEqual(["head.weight"]);
    expect(q.skipped).toEqual([
      { name: "fc.weight", reason: "excluded" },
      { name: "conv.weight", reason: "432 elements, fewer than minSize 500" },
    ]);
    expect(quantizeOnnx(model, { include: ["conv.bias", "head.weight"] }).skipped).toEqual([
      { name: "conv.bias", reason: "not a constant weight of MatMul, Gemm, Conv" },
    ]);
    // Biases stay float.
    expect(readOnnx(q.bytes).tensors.find((t) => t.name === "fc.bias")?.storedType).toBe("FLOAT");
  });

  it("reads external weights through resolve, and writes their codes inside the model", async () => {
    const w = values(64 * 10, 5, 0.2);
    const external = encodeModelProto(
      (() => {
        const m = modelProto({
          inputs: [{ name: "x", dtype: "FLOAT", shape: [1, 64] }],
          outputs: [{ name: "y", dtype: "FLOAT", shape: [1, 10] }],
          nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"] }],
        });
        m.graph?.initializer.push({
          name: "w",
          dims: [64, 10],
          data_type: 1,
          data_location: 1,
          external_data: [{ key: "location", value: "w.bin" }],
        } as unknown as TensorProto);
        return m;
      })(),
    );
    expect(() => quantizeOnnx(external)).toThrow(
      'model.onnx: graph.initializer[0].external_data.location: tensor w is stored in "w.bin": pass a resolve function to read it',
    );
    const bin = new Uint8Array(w.buffer);
    const q = quantizeOnnx(external, { resolve: () => bin });
    const x = { x: { type: "float32" as const, data: values(64, 9), dims: [1, 64] } };
    const inline = createOnnxModel({
      inputs: [{ name: "x", dtype: "FLOAT", shape: [1, 64] }],
      outputs: [{ name: "y", dtype: "FLOAT", shape: [1, 10] }],
      nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"] }],
      initializers: [{ name: "w", dtype: "FLOAT", shape: [64, 10], data: w }],
    });
    const expected = (await run(quantizeOnnx(inline).bytes, x, ["y"])).y;
    expect((await run(q.bytes, x, ["y"])).y).toEqual(expected);
  });

  it("carries the model to the opset each scheme needs", () => {
    expect(quantizeOnnx(model, { weights: "int8" }).opset).toEqual({
      from: 21,
      to: 21,
      rewritten: {},
    });
    const old = createOnnxModel({
      opset: 11,
      inputs: [{ name: "x", dtype: "FLOAT", shape: [1, 32] }],
      outputs: [{ name: "y", dtype: "FLOAT", shape: [1, 32] }],
      initializers: [{ name: "w", dtype: "FLOAT", shape: [32, 32], data: values(1024, 6) }],
      nodes: [
        { op: "MatMul", inputs: ["x", "w"], outputs: ["h"] },
        { op: "Softmax", inputs: ["h"], outputs: ["y"], attributes: { axis: 1 } },
      ],
    });
    const q = quantizeOnnx(old, { weights: "int4", granularity: "block" });
    expect(q.opset).toEqual({ from: 11, to: 21, rewritten: { Softmax: 1 } });
    expect(readOnnx(q.bytes).metadata).toMatchObject({
      irVersion: 10,
      opsets: [{ domain: "ai.onnx", version: 21 }],
    });
  });

  it("rejects bad options with the argument named", () => {
    expect(() =>
      quantizeOnnx(model, {
        activations: { "no.such": { dtype: "uint8", scale: 0.1, zeroPoint: 0 } },
      }),
    ).toThrow(
      `quantizeOnnx(): argument 'options.activations' must name tensors of the main graph; received "no.such", which no node produces`,
    );
    expect(() => quantizeOnnx(model, { weights: "int3" as never })).toThrow(
      `quantizeOnnx(): argument 'options.weights' must be "int8", "uint8", "int4" or "uint4"; received "int3"`,
    );
    expect(() => quantizeOnnx(model, { weights: "int8", format: "matmulnbits" })).toThrow(
      `quantizeOnnx(): argument 'options.weights' must be "int4" or "uint4" with format "matmulnbits"; received "int8"`,
    );
    expect(() =>
      quantizeOnnx(model, { weights: "int4", format: "matmulnbits", blockSize: 24 }),
    ).toThrow(
      "quantizeOnnx(): argument 'options.blockSize' must be a power of two >= 16 for MatMulNBits; received 24",
    );
  });

  it("splits into plain-data jobs whose results finish() writes, as quantizeOnnx does", () => {
    const schemes: QuantizeOnnxOptions[] = [
      { weights: "int8", granularity: "channel" },
      { weights: "int4", granularity: "block", blockSize: 32 },
      { weights: "uint4", format: "matmulnbits", blockSize: 16, symmetric: false },
    ];
    for (const options of schemes) {
      const plan = planOnnxQuantization(model, options);
      const names = plan.jobs.map((j) => j.name);
      // What a worker thread receives and sends back: structured clones.
      const codes = structuredClone(plan.jobs)
        .map(quantizeOnnxWeight)
        .map((c) => structuredClone(c));
      // A worker pool moves each job's values away (transfer detaches them here): finish must not need them.
      for (const job of plan.jobs)
        structuredClone(job.values, { transfer: [job.values.buffer as ArrayBuffer] });
      expect(plan.jobs[0]?.values.length).toBe(0);
      const split = plan.finish(codes);
      const whole = quantizeOnnx(model, options);
      expect(Buffer.from(split.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
      expect(split.weights).toEqual(whole.weights);
      expect(split.weights.map((w) => w.name)).toEqual(names);
      expect(() => plan.finish(codes)).toThrow(
        "planOnnxQuantization(): finish() was already called",
      );
    }
    expect(planOnnxQuantization(model, { weights: "int8" }).jobs.map((j) => j.name)).toEqual([
      "conv.weight",
      "fc.weight",
      "head.weight",
    ]);
    expect(() => planOnnxQuantization(model).finish([])).toThrow(
      "planOnnxQuantization(): argument 'codes' of finish() must be 3 results, one per job; received 0",
    );
  });
});
