/**
 * Damaged files, made by truncating and bit-flipping valid ones: every outcome must be a
 * successful read (every tensor's values decoded) or a ModelFileError, never another exception,
 * a hang or a runaway allocation, and each input is read within a bounded time.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom } from "@quantlab/core";
import { describe, expect, it } from "vitest";
import {
  type ModelFile,
  ModelFileError,
  readGguf,
  readModel,
  readSafetensors,
  readTfjs,
  writeGguf,
  writeSafetensors,
} from "../src/index.js";

const FIXTURES = join(import.meta.dirname, "fixtures");

/** Every truncation, then `flips` copies with 1 to 4 random bits flipped (or bytes set). */
function* damaged(bytes: Uint8Array, flips: number, seed: number): Generator<Uint8Array> {
  for (let n = 0; n < bytes.byteLength; n++) yield bytes.slice(0, n);
  const next = seededRandom(seed); // every run damages the files the same way
  for (let i = 0; i < flips; i++) {
    const copy = bytes.slice();
    const count = 1 + Math.floor(next() * 4);
    for (let k = 0; k < count; k++) {
      const at = Math.floor(next() * copy.byteLength);
      const how = next();
      if (how < 0.7) copy[at] ^= 1 << Math.floor(next() * 8);
      else copy[at] = how < 0.85 ? 0xff : 0x00;
    }
    yield copy;
  }
}

interface Tally {
  inputs: number;
  read: number;
  rejected: number;
  slowestMs: number;
}

/** Reads one input; returns whether it read. Anything but a ModelFileError fails the test. */
function attempt(read: () => ModelFile, tally: Tally, input: Uint8Array): void {
  const start = performance.now();
  tally.inputs++;
  try {
    const model = read();
    for (const t of model.tensors) t.values();
    tally.read++;
  } catch (error) {
    if (!(error instanceof ModelFileError)) {
      throw new Error(
        `input ${tally.inputs} (${input.byteLength} bytes) threw ${(error as Error)?.name}: ${(error as Error)?.message}`,
      );
    }
    tally.rejected++;
  }
  tally.slowestMs = Math.max(tally.slowestMs, performance.now() - start);
}

const newTally = (): Tally => ({ inputs: 0, read: 0, rejected: 0, slowestMs: 0 });

/**
 * Damages each file (seed firstSeed, then firstSeed + 1, ...) and reads each copy with `read`,
 * then with readModel.
 */
function fuzzFiles(
  files: readonly Uint8Array[],
  firstSeed: number,
  file: string,
  read: (input: Uint8Array, options: { file: string }) => ModelFile,
): Tally {
  const tally = newTally();
  for (const [i, bytes] of files.entries()) {
    for (const input of damaged(bytes, 3000, firstSeed + i)) {
      attempt(() => read(input, { file }), tally, input);
      attempt(() => readModel(input, { file }), tally, input);
    }
  }
  return tally;
}

const report = (name: string, t: Tally) =>
  console.log(
    `fuzz ${name}: ${t.inputs} inputs, ${t.read} read, ${t.rejected} ModelFileErrors, slowest ${t.slowestMs.toFixed(1)} ms`,
  );
// Measured on 2 shared cores: the slowest input took 5 to 85 ms (a garbage collection or a first
// compilation landing on it); 1000 ms is over 10x that, and still catches a hang or a runaway loop.
const SLOWEST_MS = 1000;

// Tens of thousands of reads: seconds alone, more when other suites share the cores.
describe("truncated and bit-flipped files give a successful read or a ModelFileError", {
  timeout: 120_000,
}, () => {
  it("GGUF", () => {
    const ours = writeGguf({
      metadata: {
        "general.architecture": "llama",
        "a.n": { type: "uint32", value: 7 },
        "a.big": { type: "int64", value: -3n },
        "a.tokens": ["<s>", "x", "é"],
        "a.scores": { type: "array", itemType: "float32", value: [1, 2] },
        "a.nested": {
          type: "array",
          itemType: "array",
          value: [{ itemType: "bool", value: [true] }],
        },
      },
      tensors: [
        { name: "f32", type: "F32", shape: [2, 2], values: [1, 2, 3, 4] },
        { name: "f16", type: "F16", shape: [3], values: [1, 2, 3] },
        { name: "q8", type: "Q8_0", shape: [1, 32], values: new Float32Array(32).fill(0.5) },
        { name: "q4", type: "Q4_0", shape: [1, 32], values: new Float32Array(32).fill(-0.5) },
      ],
    });
    const fixture = new Uint8Array(readFileSync(join(FIXTURES, "gguf-py.gguf")));
    const tally = fuzzFiles([ours, fixture], 1, "f.gguf", readGguf);
    report("GGUF", tally);
    expect(tally.read).toBeGreaterThan(0);
    expect(tally.rejected).toBeGreaterThan(0);
    expect(tally.slowestMs).toBeLessThan(SLOWEST_MS);
  });

  it("safetensors", () => {
    const ours = writeSafetensors({
      metadata: { format: "pt" },
      tensors: [
        { name: "a", dtype: "F32", shape: [2, 2], values: [1, 2, 3, 4] },
        { name: "b", dtype: "BF16", shape: [3], values: [1, 2, 3] },
        { name: "c", dtype: "I8", shape: [2], values: [-1, 1] },
      ],
    });
    const fixture = new Uint8Array(readFileSync(join(FIXTURES, "numpy.safetensors")));
    const tally = fuzzFiles([ours, fixture], 11, "f.safetensors", readSafetensors);
    report("safetensors", tally);
    expect(tally.read).toBeGreaterThan(0);
    expect(tally.slowestMs).toBeLessThan(SLOWEST_MS);
  });

  it("tfjs: the manifest and the shards", () => {
    const manifest = new TextEncoder().encode(
      JSON.stringify({
        format: "graph-model",
        weightsManifest: [
          {
            paths: ["a.bin", "b.bin"],
            weights: [
              {
                name: "q",
                shape: [4, 2],
                dtype: "float32",
                quantization: { dtype: "uint8", min: -1, scale: 0.01 },
              },
              { name: "h", shape: [3], dtype: "float32", quantization: { dtype: "float16" } },
              { name: "i", shape: [2], dtype: "int32" },
              { name: "f", shape: [2], dtype: "float32" },
            ],
          },
        ],
      }),
    );
    const shard = new Uint8Array(8 + 6 + 8 + 8).map((_, i) => i * 37);
    const tally = newTally();
    for (const input of damaged(manifest, 3000, 21)) {
      const resolve = (p: string) => (p === "a.bin" ? shard.subarray(0, 10) : shard.subarray(10));
      attempt(() => readTfjs(input, { file: "m.json", resolve }), tally, input);
      attempt(() => readModel(input, { file: "m.json", resolve }), tally, input);
    }
    for (const input of damaged(shard, 200, 22)) {
      attempt(() => readTfjs(manifest, { file: "m.json", resolve: () => input }), tally, input);
    }
    report("tfjs", tally);
    expect(tally.read).toBeGreaterThan(0);
    expect(tally.slowestMs).toBeLessThan(SLOWEST_MS);
  });
});
