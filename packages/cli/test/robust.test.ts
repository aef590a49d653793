/**
 * Untrusted files: every truncation and many bit flips of each fixture, through `inspect` and
 * `quantize`, end in a result (exit code 0) or a named error (exit code 1), never in an
 * "unexpected error" or a stack trace; values a scheme cannot take are named by tensor.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createOnnxModel } from "@quantlab/models";
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureDir, run } from "./helpers.js";

let dir: string;
beforeAll(() => {
  dir = fixtureDir();
});

/** A deterministic sequence of positions in [0, n). */
const positions = (n: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    Math.floor((((i * 2654435761) % 4294967296) / 4294967296) * n),
  );

describe("bad files", () => {
  it("are a result or a named error, for cut and flipped ONNX, GGUF and safetensors files", async () => {
    const outcomes = { ok: 0, named: 0 };
    for (const name of ["tiny.onnx", "tiny.gguf", "tiny.safetensors"]) {
      const bytes = readFileSync(join(dir, name));
      const variants: Uint8Array[] = [];
      for (const at of positions(bytes.length, 24)) variants.push(bytes.subarray(0, at));
      for (const at of positions(bytes.length, 24)) {
        const flipped = Uint8Array.from(bytes);
        flipped[at] = (flipped[at] as number) ^ 0xff;
        variants.push(flipped);
      }
      const ext = name.slice(name.indexOf("."));
      for (const variant of variants) {
        writeFileSync(join(dir, `bad${ext}`), variant);
        for (const args of [
          ["inspect", `bad${ext}`],
          ["quantize", `bad${ext}`, "out.gguf", "--format", "gguf-q8_0", "--threads", "1"],
        ]) {
          const r = await run(dir, ...args);
          expect(r.stderr).not.toContain("unexpected error");
          expect(r.stderr).not.toMatch(/\n\s+at /);
          expect([0, 1]).toContain(r.code);
          if (r.code === 0) outcomes.ok++;
          else {
            outcomes.named++;
            expect(r.stderr).toMatch(new RegExp(`^quantlab ${args[0]}: bad\\${ext}: `));
          }
        }
      }
    }
    console.log(`bad files: ${outcomes.ok} read anyway, ${outcomes.named} named errors`);
    expect(outcomes.named).toBeGreaterThan(50);
  });

  it("name the tensor whose values a scheme cannot take", async () => {
    const w = new Float32Array(64).fill(0.5);
    w[5] = Number.NaN;
    writeFileSync(
      join(dir, "nan.onnx"),
      createOnnxModel({
        inputs: [{ name: "x", dtype: "FLOAT", shape: [1, 8] }],
        outputs: [{ name: "y", dtype: "FLOAT", shape: [1, 8] }],
        initializers: [{ name: "w", dtype: "FLOAT", shape: [8, 8], data: w }],
        nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"] }],
      }),
    );
    const onnx = await run(
      dir,
      "quantize",
      "nan.onnx",
      "q.onnx",
      "--weights",
      "int8",
      "--threads",
      "1",
    );
    expect([onnx.code, onnx.stderr]).toEqual([
      1,
      "quantlab quantize: nan.onnx: cannot quantize: tensor w: symmetricParams(): argument 'x[5]' must be a finite number; received NaN.\n",
    ]);
    const inspect = await run(dir, "inspect", "nan.onnx");
    expect(inspect.stdout).toContain("1 NaN/Infinity");
  });
});
