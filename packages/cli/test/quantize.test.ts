/**
 * `quantlab quantize`: the files it writes (the library's own bytes for ONNX; GGUF blocks read
 * back), the per-tensor report against figures computed here from the written file, the
 * conversions it refuses, and its usage errors (exit code 2) with their messages.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dequantizeGgml, GGML_TYPES, quantizeGgml } from "@quantlab/core";
import { quantizeOnnx, readGguf, type StoredTensor, writeSafetensors } from "@quantlab/models";
import { readModelFile } from "@quantlab/models/node";
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureDir, run, untimed, W8A8_STATIC, wave } from "./helpers.js";

let dir: string;
beforeAll(() => {
  dir = fixtureDir();
});

/** SQNR in dB, 10 log10(Σx² / Σ(x - y)²), in float64 (written here, not core's). */
function sqnr(x: Float32Array, y: Float32Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < x.length; i++) {
    signal += (x[i] as number) ** 2;
    noise += ((x[i] as number) - (y[i] as number)) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

/** `quantlab quantize ...args --threads 1` in the fixture folder (the reports say "on 1 thread"). */
const quantize = (...args: string[]) => run(dir, "quantize", ...args, "--threads", "1");
const read = (file: string) => readModelFile(join(dir, file));
const tensor = (tensors: readonly StoredTensor[], name: string) =>
  tensors.find((t) => t.name === name) as StoredTensor;

describe("quantlab quantize to ONNX", () => {
  it("writes quantizeOnnx's bytes and reports each weight (snapshot)", async () => {
    const r = await quantize("tiny.onnx", "int8.onnx", "--weights", "int8", "--per-channel");
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(untimed(r.stdout)).toMatchSnapshot();
    const written = readFileSync(join(dir, "int8.onnx"));
    const direct = quantizeOnnx(readFileSync(join(dir, "tiny.onnx")), {
      weights: "int8",
      granularity: "channel",
      file: "tiny.onnx",
    });
    expect(Buffer.compare(written, direct.bytes)).toBe(0);
  });

  it("reports SQNR and bytes that the written file confirms", async () => {
    for (const args of [
      ["--weights", "int8"],
      ["--weights", "uint8", "--per-channel"],
      ["--weights", "int4", "--block", "16"],
      ["--weights", "int4", "--format", "matmulnbits", "--block", "16"],
    ]) {
      const r = await quantize("tiny.onnx", "q.onnx", ...args, "--json");
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(Object.keys(report)).toEqual([
        "input",
        "output",
        "format",
        "scheme",
        "threads",
        "seconds",
        "bytes",
        "totals",
        "quantized",
        "kept",
        "activations",
        "notes",
      ]);
      const float = read("tiny.onnx").tensors;
      const out = read("q.onnx").tensors;
      expect(report.bytes.output).toBe(readFileSync(join(dir, "q.onnx")).byteLength);
      for (const q of report.quantized) {
        const original = tensor(float, q.name);
        // The codes, scales and zero points the file holds for this weight (not the shape a
        // Conv weight in blocks is reshaped back with).
        const parts = ["quantized", "scale", "zero_point", "MatMulNBits", "scales", "zero_points"];
        const stored = out.filter((t) => parts.some((p) => t.name === `${q.name}_${p}`));
        expect(q.bytesAfter).toBe(stored.reduce((n, t) => n + t.byteLength, 0));
        expect(q.bytesBefore).toBe(original.byteLength);
        const codes = stored.find((t) => t.quantization !== undefined) as StoredTensor;
        let dequantized = codes.values();
        if (codes.quantization?.kind === "blocks") {
          // MatMulNBits reads as [N, K]: transpose back to the MatMul weight's [K, N].
          const [k, n] = original.shape as [number, number];
          const t = new Float32Array(k * n);
          for (let i = 0; i < k; i++)
            for (let j = 0; j < n; j++) t[i * n + j] = dequantized[j * k + i] as number;
          dequantized = t;
        }
        expect(q.sqnrDb).toBeCloseTo(sqnr(original.values(), dequantized), 9);
      }
      expect(report.totals.bytesBefore).toBe(
        report.quantized.reduce((n: number, q: { bytesBefore: number }) => n + q.bytesBefore, 0),
      );
    }
  });

  it("quantizes the classifier's activations from a folder of samples (W8A8)", async () => {
    const { mkdirSync, writeFileSync } = await import("node:fs");
    mkdirSync(join(dir, "calibration"), { recursive: true });
    const sample = (seed: number) => ({
      pixels: {
        dims: [2, 784],
        data: Array.from({ length: 1568 }, (_, i) => ((i * seed) % 97) / 97),
      },
    });
    writeFileSync(join(dir, "calibration", "a.json"), JSON.stringify([sample(3), sample(5)]));
    writeFileSync(join(dir, "calibration", "b.json"), JSON.stringify(sample(7)));
    const w8a8 = (out: string, ...flags: string[]) =>
      quantize("classifier.onnx", out, ...W8A8_STATIC, ...flags);
    const r = await w8a8("w8a8.onnx");
    expect([r.code, r.stderr]).toEqual([0, ""]);
    // Around each MatMul: pixels, fc1.matmul, fc1.out, fc2.matmul, fc2.out, fc3.matmul (logits,
    // the graph output, is an Add's).
    expect(r.stdout).toContain("activations: 6 tensors with QuantizeLinear/DequantizeLinear pairs");
    expect(r.stdout).toContain("note: calibration: 6 activations observed over 3 samples (minmax)");
    const ops = (read("w8a8.onnx").metadata as { ops: Record<string, number> }).ops;
    // 3 weights + 6 activations dequantized; 6 activations quantized.
    expect([ops.DequantizeLinear, ops.QuantizeLinear]).toEqual([9, 6]);
    const reduced = await w8a8("w8a8-reduced.onnx", "--reduce-range");
    expect([reduced.code, reduced.stderr]).toEqual([0, ""]);
    expect(reduced.stdout).toContain("QDQ int8 per channel, symmetric, reduced range");
    expect(reduced.stdout).not.toContain("note: full-range");
    expect(r.stdout).toContain("note: full-range int8 weights with 8-bit activations");
    const codes = read("w8a8-reduced.onnx").tensors.find((t) => t.name === "fc1.weight_quantized");
    const signed = Int8Array.from(
      (codes as { bytes(): Uint8Array }).bytes(),
      (b) => (b << 24) >> 24,
    );
    expect(Math.max(...Array.from(signed, Math.abs))).toBe(63);
  });
});

describe("quantlab quantize to GGUF", () => {
  it("writes block types from ONNX, safetensors, tfjs and GGUF, as core quantizes them", async () => {
    for (const [input, type] of [
      ["tiny.onnx", "q8_0"],
      ["tiny.safetensors", "q4_K"],
      ["tfjs/model-weights_manifest.json", "q4_0"],
      ["tiny.gguf", "iq4_nl"],
    ] as const) {
      const r = await quantize(
        input,
        "out.gguf",
        "--format",
        `gguf-${type}`,
        "--json",
        "--min-size",
        "0",
      );
      expect([r.code, r.stderr]).toEqual([0, ""]);
      const report = JSON.parse(r.stdout);
      const source = read(input).tensors;
      const gguf = readGguf(readFileSync(join(dir, "out.gguf")), { file: "out.gguf" });
      const size = GGML_TYPES[type].blockSize;
      for (const t of gguf.tensors) {
        const from = tensor(source, t.name);
        const eligible =
          from.shape.length >= 2 &&
          (from.shape.at(-1) as number) % size === 0 &&
          (input !== "tiny.gguf" || ["F32", "F16", "BF16"].includes(from.storedType));
        expect([t.name, t.shape]).toEqual([from.name, from.shape]);
        if (eligible) {
          expect(t.storedType).toBe(type.toUpperCase());
          const blocks = quantizeGgml(from.values(), type, { shape: [...from.shape] }).data;
          expect(Buffer.compare(t.bytes(), blocks)).toBe(0);
          const row = report.quantized.find((q: { name: string }) => q.name === t.name);
          const decoded = dequantizeGgml({ type, shape: [...t.shape], data: t.bytes() }).data;
          expect(row.sqnrDb).toBeCloseTo(sqnr(from.values(), decoded), 9);
          expect([row.bytesBefore, row.bytesAfter]).toEqual([from.byteLength, t.byteLength]);
        } else if (input === "tiny.gguf") {
          expect(Buffer.compare(t.bytes(), from.bytes())).toBe(0);
        } else {
          // Float tensors a block type cannot take: F32, or F16 when stored so (exact either way).
          const type = from.storedType === "F16" ? "F16" : "F32";
          expect([t.storedType, Array.from(t.values())]).toEqual([type, Array.from(from.values())]);
        }
      }
      // The input's bytes count the files read beside it (the tfjs shard).
      const beside = input.startsWith("tfjs/") ? ["tfjs/group1-shard1of1.bin"] : [];
      const inputBytes = [input, ...beside].reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      expect(report.bytes.input).toBe(inputBytes);
      // Integer tensors of other formats are left out; a GGUF input keeps them.
      const names = gguf.tensors.map((t) => t.name);
      if (input === "tiny.safetensors") expect(names).toEqual(["w", "b"]);
      if (input === "tiny.gguf") expect(names).toContain("positions");
    }
  });

  it("leaves an all-zero tensor's SQNR (0/0) out of the min and the median, and says so", async () => {
    const zeros = writeSafetensors({
      metadata: {},
      tensors: [
        { name: "zero", dtype: "F32", shape: [2, 32], values: new Float32Array(64) },
        { name: "w", dtype: "F32", shape: [2, 32], values: wave(64, 0, 1) },
      ],
    });
    writeFileSync(join(dir, "zeros.safetensors"), zeros);
    const args = ["zeros.safetensors", "zeros.gguf", "--format", "gguf-q8_0"];
    const json = JSON.parse((await quantize(...args, "--json")).stdout);
    const [zero, w] = (json.quantized as { sqnrDb: number | null }[]).map((t) => t.sqnrDb);
    expect(zero).toBeNull(); // NaN in JSON
    expect(json.totals.sqnrMinDb).toBe(w);
    expect(json.totals.sqnrMedianDb).toBe(w);
    const db = (w as number).toFixed(2);
    const text = (await quantize(...args)).stdout;
    expect(text).toMatch(/^zero .* - \(all 0\)$/m);
    expect(text).toContain(`SQNR min ${db} dB, median ${db} dB`);
  });

  it("carries a GGUF input's key-values and sets the file type where one type makes the file", async () => {
    await quantize("tiny.gguf", "q8.gguf", "--format", "gguf-q8_0");
    const q8 = readGguf(readFileSync(join(dir, "q8.gguf")));
    expect(q8.metadata["general.architecture"]).toEqual({ type: "string", value: "llama" });
    expect(q8.metadata["general.file_type"]).toEqual({ type: "uint32", value: 7 });
    expect(q8.metadata["general.quantization_version"]).toEqual({ type: "uint32", value: 2 });
    const r = await quantize("tiny.gguf", "k.gguf", "--format", "gguf-q4_K");
    expect(r.stdout).toContain(
      "note: general.file_type removed: llama.cpp has no file type made of Q4_K alone",
    );
    expect("general.file_type" in readGguf(readFileSync(join(dir, "k.gguf"))).metadata).toBe(false);
  });

  it("prints the conversion (snapshot)", async () => {
    const r = await quantize(
      "tiny.safetensors",
      "st.gguf",
      "--weights",
      "int4",
      "--format",
      "gguf",
    );
    expect(r.code).toBe(0);
    expect(untimed(r.stdout)).toMatchSnapshot();
  });

  it("refuses what it does not convert, naming the way that works (exit code 1)", async () => {
    const r = await run(dir, "quantize", "tiny.safetensors", "x.onnx", "--weights", "int8");
    expect([r.code, r.stdout]).toEqual([1, ""]);
    expect(r.stderr).toBe(
      "quantlab quantize: tiny.safetensors: --format qdq writes ONNX, which needs an ONNX input (a graph); this is a safetensors file. From safetensors, quantlab writes GGUF: --format gguf-q8_0, gguf-q4_0, ...\n",
    );
    const cal = await run(
      dir,
      "quantize",
      "tiny.onnx",
      "x.onnx",
      "--weights",
      "int8",
      "--calibrate",
      "nowhere",
      "--activations",
      "int8",
    );
    expect([cal.code, cal.stderr]).toEqual([
      1,
      "quantlab quantize: nowhere: cannot list it: ENOENT: no such file or directory, scandir '" +
        join(dir, "nowhere") +
        "'\n",
    ]);
  });
});

describe("quantlab quantize: usage", () => {
  const cases: [string[], string][] = [
    [["tiny.onnx"], "missing OUT: quantlab quantize takes IN OUT"],
    [["tiny.onnx", "x.onnx"], "--weights is required: int8, uint8, int4 or uint4"],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int3"],
      '--weights takes one of int8, uint8, int4, uint4; received "int3"; did you mean int8?',
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int8", "--per-chanel"],
      "unknown flag --per-chanel; did you mean --per-channel?",
    ],
    [
      ["tiny.onnx", "x.onnx", "--wieghts", "int8"],
      "unknown flag --wieghts; did you mean --weights?",
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int8", "--per-channel", "--block", "32"],
      "--per-channel and --block exclude each other",
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int8", "--block", "x"],
      '--block takes an integer; received "x"',
    ],
    [["tiny.onnx", "x.onnx", "--weights", "int8", "--block"], "--block needs a value (N)"],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int8", "--threads", "0"],
      "--threads takes an integer from 1 to 64; received 0",
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int8", "--format", "matmulnbits"],
      "--format matmulnbits stores 4-bit weights: use --weights int4 or uint4, not int8",
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int4", "--format", "matmulnbits", "--block", "24"],
      "--format matmulnbits takes --block a power of two >= 16; received 24",
    ],
    [
      ["tiny.onnx", "x.gguf", "--weights", "int8", "--format", "qdq"],
      '--format qdq writes ONNX, but OUT "x.gguf" ends in .gguf',
    ],
    [
      ["tiny.onnx", "x.bin", "--weights", "int8"],
      'OUT "x.bin" ends in neither .onnx nor .gguf: name the format with --format',
    ],
    [
      ["tiny.onnx", "x.gguf", "--format", "gguf-q4_o"],
      '--format takes one of qdq, matmulnbits, gguf, gguf-q8_0, gguf-q4_0, gguf-q4_1, gguf-q5_0, gguf-q5_1, gguf-iq4_nl, gguf-q2_K, gguf-q3_K, gguf-q4_K, gguf-q5_K, gguf-q6_K, gguf-q8_K; received "gguf-q4_o"; did you mean gguf-q4_0?',
    ],
    [
      ["tiny.onnx", "x.gguf", "--format", "gguf-q8_0", "--weights", "int4"],
      "gguf-q8_0 stores int8 codes; --weights int4 disagrees (leave it out, or pick another type)",
    ],
    [
      ["tiny.onnx", "x.gguf", "--format", "gguf-q6_K", "--weights", "int8"],
      "gguf-q6_K stores codes --weights cannot name: leave --weights out",
    ],
    [
      ["tiny.onnx", "x.gguf", "--format", "gguf-q8_0", "--block", "64"],
      "gguf-q8_0 has blocks of 32; --block 64 disagrees",
    ],
    [
      ["tiny.onnx", "x.gguf", "--format", "gguf", "--weights", "uint8"],
      "--format gguf has no uint8 block type: use --weights int8 (q8_0), int4 (q4_0) or uint4 (q4_1)",
    ],
    [
      ["tiny.onnx", "x.gguf", "--format", "gguf-q8_0", "--per-channel"],
      "--per-channel applies to ONNX outputs, not to --format gguf-q8_0",
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int8", "--activations", "int8"],
      "--activations needs --calibrate DIR (the sample inputs)",
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int4", "--reduce-range"],
      "--reduce-range applies to 8-bit weights (int8, uint8), not to --weights int4",
    ],
    [
      ["tiny.onnx", "x.gguf", "--format", "gguf-q8_0", "--reduce-range"],
      "--reduce-range applies to ONNX outputs, not to --format gguf-q8_0",
    ],
    [
      [
        "tiny.onnx",
        "x.onnx",
        "--weights",
        "int8",
        "--per-channel",
        "--bits",
        "7",
        "--reduce-range",
      ],
      "--reduce-range and --bits exclude each other (--bits sets the grid)",
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "uint8", "--scheme", "symmetric", "--reduce-range"],
      "--reduce-range takes affine uint8 weights: leave out --scheme symmetric",
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int8", "--calibrate", "d"],
      "--calibrate needs --activations int8 or uint8 (or a data-aware --method gptq or awq)",
    ],
    [
      [
        "tiny.onnx",
        "x.onnx",
        "--weights",
        "int8",
        "--calibrate",
        "d",
        "--activations",
        "uint8",
        "--calibration",
        "mse",
      ],
      "--calibration mse gives symmetric int8 scales: use --activations int8",
    ],
    [
      ["tiny.onnx", "tiny.onnx", "--weights", "int8"],
      "OUT is IN: write the quantized model to another file",
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int8", "--method", "gptq2"],
      '--method takes one of rtn, gptq, awq, hqq; received "gptq2"; did you mean gptq?',
    ],
    [
      ["tiny.onnx", "x.onnx", "--weights", "int8", "--json=yes"],
      "--json takes no value; received --json=yes",
    ],
    [["tiny.onnx", "x.onnx", "--weights", "int8", "--weights", "int4"], "--weights is given twice"],
  ];
  it.each(cases)("quantize %j: exit code 2", async (args, message) => {
    const r = await run(dir, "quantize", ...args);
    expect(r.stderr).toBe(`quantlab quantize: ${message}\n(see quantlab quantize --help)\n`);
    expect([r.code, r.stdout]).toEqual([2, ""]);
  });

  it("takes a block type in any case, and --flag=value", async () => {
    const r = await run(
      dir,
      "quantize",
      "tiny.onnx",
      "x.gguf",
      "--format=GGUF-Q4_K",
      "--threads=1",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^quantize tiny.onnx -> x.gguf: GGUF q4_K;/);
  });
});
