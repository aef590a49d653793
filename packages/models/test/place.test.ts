/**
 * Tensors read from files land in the kernels' WebAssembly memory (src/place.ts): the values a
 * reader decodes are in-place arrays of @quantlab/core, and quantizing them gives the same bits
 * as quantizing an ordinary copy.
 */
import { isAllocated, quantize } from "@quantlab/core";
import { describe, expect, it } from "vitest";
import { readSafetensors, writeSafetensors } from "../src/index.js";

describe("decoded tensors in the kernels' memory", () => {
  it("float32, float16 and int8 values from safetensors", () => {
    const n = 4099;
    const values = Array.from({ length: n }, (_, i) => Math.sin(i) * 4);
    const file = writeSafetensors({
      tensors: [
        { name: "f32", dtype: "F32", shape: [n], values },
        { name: "f16", dtype: "F16", shape: [n], values },
        { name: "i8", dtype: "I8", shape: [3], values: [-1, 0, 7] },
      ],
    });
    const model = readSafetensors(file, { file: "m.safetensors" });
    for (const t of model.tensors) {
      const x = t.values();
      expect(isAllocated(x)).toBe(true);
      const p = { dtype: "int8", scale: 0.03 } as const;
      const inPlace = quantize(x, p).data;
      const plain = quantize(Float32Array.from(x), p, { backend: "reference" }).data;
      expect(Array.from(inPlace)).toEqual(Array.from(plain));
    }
    expect(Array.from(model.tensors[2]?.values() ?? [])).toEqual([-1, 0, 7]);
  });
});
