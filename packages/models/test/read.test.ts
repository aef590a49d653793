import { describe, expect, it } from "vitest";
import {
  createOnnxModel,
  ModelFileError,
  readModel,
  sniffFormat,
  writeGguf,
  writeSafetensors,
} from "../src/index.js";

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

describe("sniffFormat and readModel", () => {
  it("tell each format by its first bytes", () => {
    expect(sniffFormat(writeGguf({}))).toBe("gguf");
    expect(sniffFormat(writeSafetensors({ tensors: [] }))).toBe("safetensors");
    expect(sniffFormat(json([]))).toBe("tfjs");
    expect(sniffFormat(new Uint8Array([0xef, 0xbb, 0xbf, 0x20, 0x0a, 0x7b]))).toBe("tfjs");
    expect(sniffFormat(new Uint8Array([0x08, 0x07, 0x12]))).toBe("onnx");
    expect(sniffFormat(new Uint8Array([1, 2, 3]))).toBeUndefined();
  });

  it("reads a tfjs manifest with no shards", () => {
    const model = readModel(json([{ paths: [], weights: [] }]), { file: "m.json" });
    expect([model.format, model.tensors.length]).toEqual(["tfjs", 0]);
  });

  it("says what it found in a file of no known format", () => {
    const read = () => readModel(new Uint8Array([1, 2, 3]), { file: "x.bin" });
    expect(read).toThrow(ModelFileError);
    expect(read).toThrow(
      "x.bin: format: not a model file this package reads (GGUF, safetensors, tfjs JSON, ONNX); it starts with 01 02 03",
    );
  });

  it("reads an ONNX file through readOnnx", () => {
    const bytes = createOnnxModel({
      inputs: [{ name: "x", dtype: "FLOAT", shape: [1, 2] }],
      outputs: [{ name: "y", dtype: "FLOAT", shape: [1, 2] }],
      initializers: [
        { name: "w", dtype: "FLOAT", shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
      ],
      nodes: [{ op: "MatMul", inputs: ["x", "w"], outputs: ["y"] }],
    });
    const model = readModel(bytes, { file: "m.onnx" });
    expect(model.format).toBe("onnx");
    expect(Array.from(model.tensors[0]?.values() ?? [])).toEqual([1, 2, 3, 4]);
  });
});
