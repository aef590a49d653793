/**
 * The built executable, as users run it (`bin/quantlab.js` → dist, a process of its own): exit
 * codes, help and version, errors without stack traces, stderr without terminal control codes
 * when it is not a terminal, and the same bytes whatever the thread count.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createOnnxModel } from "@quantlab/models";
import { beforeAll, describe, expect, it } from "vitest";
import { fixtureDir, wave } from "./helpers.js";

const BIN = join(import.meta.dirname, "../bin/quantlab.js");
let dir: string;

function quantlab(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** 16 chained MatMuls [128, 256] and a Gemm: jobs enough to spread over threads. */
function layered(): Uint8Array {
  const initializers = [];
  const nodes = [];
  let x = "x";
  for (let l = 0; l < 16; l++) {
    const shape = l % 2 === 0 ? [128, 256] : [256, 128];
    initializers.push({
      name: `w${l}`,
      dtype: "FLOAT",
      shape,
      data: wave(32768, l, 0.1 + l / 100),
    });
    nodes.push({ op: "MatMul", inputs: [x, `w${l}`], outputs: [`h${l}`] });
    x = `h${l}`;
  }
  initializers.push({ name: "g", dtype: "FLOAT", shape: [64, 128], data: wave(64 * 128, 99, 0.2) });
  nodes.push({ op: "Gemm", inputs: [x, "g"], outputs: ["y"], attributes: { transB: 1 } });
  return createOnnxModel({
    inputs: [{ name: "x", dtype: "FLOAT", shape: [1, 128] }],
    outputs: [{ name: "y", dtype: "FLOAT", shape: [1, 64] }],
    initializers,
    nodes,
  });
}

beforeAll(() => {
  dir = fixtureDir();
  writeFileSync(join(dir, "layered.onnx"), layered());
});

describe("the quantlab executable", () => {
  it("prints its help and version (exit code 0), and its usage on no command (2)", () => {
    const help = quantlab("--help");
    expect([help.code, help.stderr]).toEqual([0, ""]);
    expect(help.stdout).toMatch(/^quantlab: inspect, quantize and compare/);
    for (const command of ["inspect", "quantize", "compare"]) {
      const r = quantlab(command, "--help");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(`^quantlab ${command}: .*\n\nUsage: quantlab ${command} `),
      );
      expect(quantlab("help", command).stdout).toBe(r.stdout);
    }
    const version = JSON.parse(
      readFileSync(join(import.meta.dirname, "../package.json"), "utf8"),
    ).version;
    expect(quantlab("--version").stdout).toBe(`${version}\n`);
    const none = quantlab();
    expect([none.code, none.stdout]).toEqual([2, ""]);
    expect(none.stderr).toMatch(/^quantlab: inspect, quantize and compare/);
  });

  it("exits 2 on bad usage, 1 on a bad file, without a stack trace", () => {
    const typo = quantlab("inspekt", "tiny.onnx");
    expect([typo.code, typo.stderr]).toEqual([
      2,
      'quantlab: unknown command "inspekt"; did you mean inspect? (commands: inspect, quantize, compare)\n(see quantlab --help)\n',
    ]);
    const flag = quantlab("inspect", "tiny.onnx", "--jsn");
    expect([flag.code, flag.stderr]).toEqual([
      2,
      "quantlab inspect: unknown flag --jsn; did you mean --json?\n(see quantlab inspect --help)\n",
    ]);
    const bytes = readFileSync(join(dir, "tiny.onnx"));
    writeFileSync(join(dir, "cut.onnx"), bytes.subarray(0, 700));
    writeFileSync(join(dir, "cut.gguf"), readFileSync(join(dir, "tiny.gguf")).subarray(0, 200));
    for (const file of ["cut.onnx", "cut.gguf"]) {
      for (const command of [
        ["inspect", file],
        ["quantize", file, "out.gguf", "--format", "gguf-q8_0"],
      ]) {
        const r = quantlab(...command);
        expect(r.code).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toMatch(
          new RegExp(`^quantlab ${command[0]}: ${file.replace(".", "\\.")}: [^:]+: .+\n$`),
        );
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    }
    console.log(`a truncated GGUF: ${quantlab("inspect", "cut.gguf").stderr.trim()}`);
  });

  it("writes the same bytes on 1 and on 3 threads, ONNX and GGUF", () => {
    const schemes = [
      ["out.onnx", "--weights", "int8", "--per-channel"],
      ["out.onnx", "--weights", "uint4", "--block", "32"],
      ["out.onnx", "--weights", "int4", "--format", "matmulnbits", "--block", "32"],
      ["out.gguf", "--format", "gguf-q4_K"],
      ["out.gguf", "--format", "gguf-q8_0"],
    ];
    const runs: [string, string[][]][] = [
      ["layered.onnx", schemes],
      ["classifier.onnx", schemes.slice(1, 3)],
    ];
    for (const [model, list] of runs) {
      for (const [out, ...flags] of list) {
        const files = [1, 3].map((threads) => {
          const r = quantlab(
            "quantize",
            model,
            out as string,
            ...flags,
            "--threads",
            String(threads),
          );
          expect([r.code, r.stderr.replace(/^quantize: .*\n/gm, "")]).toEqual([0, ""]);
          // Never more threads than tensors to quantize.
          const [, tensors, used] = r.stdout.match(/; (\d+) tensors? on (\d+) threads?\n/) ?? [];
          expect(Number(used)).toBe(Math.max(1, Math.min(threads, Number(tensors))));
          return readFileSync(join(dir, out as string));
        });
        expect(Buffer.compare(files[0] as Buffer, files[1] as Buffer)).toBe(0);
      }
    }
  });

  it("keeps stderr free of terminal codes when it is not a terminal", () => {
    const r = quantlab(
      "quantize",
      "layered.onnx",
      "q.gguf",
      "--format",
      "gguf-q6_K",
      "--threads",
      "2",
    );
    expect(r.code).toBe(0);
    // No carriage return, no escape sequence.
    for (const text of [r.stderr, r.stdout]) {
      expect([text.includes("\r"), text.includes("\u001b")]).toEqual([false, false]);
    }
  });

  it("runs as `npx quantlab` in the workspace", () => {
    const root = join(import.meta.dirname, "../../..");
    const out = execFileSync("npx", ["--no-install", "quantlab", "--version"], {
      cwd: root,
      encoding: "utf8",
    });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
