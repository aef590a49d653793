import { describe, expect, it } from "vitest";
import type { GgmlType } from "../src/index.js";
import {
  BNB_FORMATS,
  blockStorage,
  GGML_TYPES,
  ggmlBlockFields,
  MX_FORMATS,
  NVFP4,
  quantizeBnb,
  quantizeGgml,
  quantizeMx,
  quantizeNvfp4,
} from "../src/index.js";
import { message } from "./show.js";

/** 512 values, every block nonzero: a ramp with a sign pattern. */
const x = Float32Array.from({ length: 512 }, (_, i) => ((i % 7) - 3) * 0.01 * (1 + (i % 13)));

describe("ggmlBlockFields", () => {
  it("adds up to each type's bytes per block (ggml-quants.h's structs)", () => {
    for (const [name, info] of Object.entries(GGML_TYPES)) {
      const bits = ggmlBlockFields(name as GgmlType).reduce((a, f) => a + f.bits, 0);
      expect([name, bits]).toEqual([name, info.bytesPerBlock * 8]);
    }
  });

  it("refuses a name it does not know", () => {
    expect(() => ggmlBlockFields("Q4_K" as GgmlType)).toThrow(
      `ggmlBlockFields(): argument 'type' must be a ggml type of GGML_TYPES; received "Q4_K".`,
    );
  });
});

describe("blockStorage", () => {
  it("gives each ggml type's bits per weight from its bytes", () => {
    for (const type of ["q8_0", "q4_0", "q4_1", "q5_0", "q4_K", "q6_K", "q2_K"] as const) {
      const t = quantizeGgml(x, type, { shape: [2, 256] });
      const s = blockStorage(t);
      expect(s.bits).toBe(t.data.length * 8);
      expect(s.bitsPerWeight).toBe(GGML_TYPES[type].bitsPerWeight);
      expect(s.values).toBe(512);
    }
    expect(blockStorage(quantizeGgml(x, "q4_K", { shape: [2, 256] })).fields).toEqual([
      { field: "d", kind: "scales", bits: 32, bitsPerWeight: 32 / 512 },
      { field: "dmin", kind: "scales", bits: 32, bitsPerWeight: 32 / 512 },
      { field: "scales", kind: "scales", bits: 192, bitsPerWeight: 192 / 512 },
      { field: "qs", kind: "codes", bits: 2048, bitsPerWeight: 4 },
    ]);
  });

  it("gives MX formats their table's bits per weight, packed or not", () => {
    for (const format of ["mxfp4", "mxfp8e4m3", "mxfp6e2m3"] as const) {
      expect(blockStorage(quantizeMx(x, format)).bitsPerWeight).toBe(
        MX_FORMATS[format].bitsPerWeight,
      );
    }
    expect(blockStorage(quantizeMx(x, "mxfp4", { pack: true })).bitsPerWeight).toBe(4.25);
  });

  it("counts NVFP4's e4m3 scale per 16 values and its float32 tensor scale", () => {
    const s = blockStorage(quantizeNvfp4(x, { shape: [2, 256] }));
    expect(s.bits).toBe(512 * 4 + 32 * 8 + 32);
    expect(s.bitsPerWeight).toBe(NVFP4.bitsPerWeight + 32 / 512);
  });

  it("counts bitsandbytes' absmax, and the double quantization's codes, groups and offset", () => {
    const plain = blockStorage(quantizeBnb(x, "nf4"));
    expect(plain.format).toBe("nf4");
    expect(plain.bits).toBe(512 * 4 + 8 * 32);
    expect(plain.bitsPerWeight).toBe(4.5);
    const big = new Float32Array(64 * 512).map((_, i) => x[i % 512] as number);
    const nested = blockStorage(quantizeBnb(big, "nf4", { doubleQuant: true }));
    expect(nested.format).toBe("nf4 (double quantized)");
    // 512 blocks: a uint8 code each, two float32 groups of 256, one float32 offset.
    expect(nested.bits).toBe(big.length * 4 + 512 * 8 + 2 * 32 + 32);
    expect(nested.bitsPerWeight).toBeCloseTo(4 + 8 / 64 + 64 / big.length + 32 / big.length, 12);
    expect(BNB_FORMATS.nf4).toBeDefined();
  });

  it("names each field and its kind, in the order the tensor stores them", () => {
    const shape = [2, 256];
    const fields = (t: Parameters<typeof blockStorage>[0]) => {
      const s = blockStorage(t);
      return [s.format, s.fields.map((f) => [f.field, f.kind, f.bits])];
    };
    // 512 values: mxfp4 16 e8m0 scales (blocks of 32) and 4-bit codes; NVFP4 a float32 tensor
    // scale, 32 e4m3 scales (blocks of 16) and 256 packed bytes; nf4 in blocks of 64: 8 absmax
    // values (float32, or with double quantization 8 one-byte codes, one float32 per 256 of them
    // and a float32 offset) and 256 packed bytes.
    expect(fields(quantizeMx(x, "mxfp4", { shape }))).toEqual([
      "mxfp4",
      [
        ["scales", "scales", 128],
        ["codes", "codes", 2048],
      ],
    ]);
    expect(fields(quantizeNvfp4(x, { shape }))).toEqual([
      "nvfp4",
      [
        ["tensor scale", "scales", 32],
        ["scales", "scales", 256],
        ["codes", "codes", 2048],
      ],
    ]);
    expect(fields(quantizeBnb(x, "nf4"))).toEqual([
      "nf4",
      [
        ["absmax", "scales", 256],
        ["codes", "codes", 2048],
      ],
    ]);
    expect(fields(quantizeBnb(x, "fp4", { doubleQuant: true }))).toEqual([
      "fp4 (double quantized)",
      [
        ["absmax", "scales", 64],
        ["nested absmax", "scales", 32],
        ["offset", "scales", 32],
        ["codes", "codes", 2048],
      ],
    ]);
  });

  it("refuses an object that only looks like a block tensor", () => {
    const expected =
      "TypeError: blockStorage(): argument 't' must be a tensor of quantizeGgml, quantizeMx, quantizeNvfp4 or quantizeBnb; received";
    const ggml = quantizeGgml(x, "q8_0", { shape: [2, 256] });
    for (const t of [
      null,
      "q8_0",
      { shape: "2" },
      { ...ggml, data: Array.from(ggml.data) },
      { ...ggml, type: "Q8_0" },
      { ...quantizeBnb(x, "nf4"), packed: [1, 2] },
      { ...quantizeNvfp4(x, { shape: [2, 256] }), packed: [1, 2] },
    ]) {
      expect(
        message(() => blockStorage(t as never)).startsWith(expected),
        JSON.stringify(t)?.slice(0, 60),
      ).toBe(true);
    }
  });

  it("refuses what is no block tensor", () => {
    expect(() => blockStorage({ shape: [2] } as never)).toThrow(
      "blockStorage(): argument 't' must be a tensor of quantizeGgml, quantizeMx, quantizeNvfp4 or quantizeBnb; received an object",
    );
    expect(() => blockStorage(null as never)).toThrow(TypeError);
  });
});
