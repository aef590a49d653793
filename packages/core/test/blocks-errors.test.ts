/**
 * The block formats' answers to bad input, argument by argument (survivors of the mutation run over
 * src/blocks/: each message names its function and argument, and each check runs).
 */
import { describe, expect, it } from "vitest";
import * as c from "../src/index.js";

/** What `f` throws as `Name: message`, or `value V` for what it returns. */
function outcome(f: () => unknown): string {
  try {
    return `value ${JSON.stringify(f())}`;
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}
const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 2);
const mx = c.quantizeMx(x, "mxfp4", { shape: [2, 32] });
const mxp = c.quantizeMx(x, "mxfp4", { shape: [2, 32], pack: true });
const mx8 = c.quantizeMx(x, "mxfp8e4m3", { shape: [2, 32] });
const bnb = c.quantizeBnb(x, "nf4");
const dq = c.quantizeBnb(new Float32Array(300 * 64).fill(0.5), "nf4", { doubleQuant: true });
const nv = c.quantizeNvfp4(x, { shape: [2, 32] });
const gg = c.quantizeGgml(x, "q8_0", { shape: [2, 32] });

describe("block formats, bad input", () => {
  it.each<[string, () => unknown, string]>([
    [
      "dequantizeMx(5)",
      () => c.dequantizeMx(5 as never),
      "TypeError: dequantizeMx(): argument 't' must be a { format, shape, axis, blockSize, scales, codes, packed } MX tensor; received 5.",
    ],
    [
      "dequantizeMx format",
      () => c.dequantizeMx({ ...mx, format: "mxfp5" } as never),
      'RangeError: dequantizeMx(): argument \'t.format\' must be one of "mxfp8e4m3", "mxfp8e5m2", "mxfp6e3m2", "mxfp6e2m3", "mxfp4", "mxint8"; received "mxfp5".',
    ],
    [
      "dequantizeMx options",
      () => c.dequantizeMx(mx, { outt: 1 } as never),
      "RangeError: dequantizeMx(): argument 'options' must be an object with keys among 'out', 'backend', 'threads' (did you mean 'out'?); received an object with key \"outt\".",
    ],
    [
      "dequantizeMx shape",
      () => c.dequantizeMx({ ...mx, shape: "ab" } as never),
      "TypeError: dequantizeMx(): argument 't.shape' must be an array of non-negative integers; received \"ab\".",
    ],
    [
      "dequantizeMx rank",
      () => c.dequantizeMx({ ...mx, shape: [] } as never),
      "RangeError: dequantizeMx(): argument 't.shape' must be a tensor of at least one dimension (blocks run along an axis); received a scalar (shape []).",
    ],
    [
      "dequantizeMx axis",
      () => c.dequantizeMx({ ...mx, axis: 2 } as never),
      "RangeError: dequantizeMx(): argument 't.axis' must be an integer in [-2, 1]; received 2.",
    ],
    [
      "dequantizeMx axis -3",
      () => c.dequantizeMx({ ...mx, axis: -3 } as never),
      "RangeError: dequantizeMx(): argument 't.axis' must be an integer in [-2, 1]; received -3.",
    ],
    [
      "dequantizeMx axis -1",
      () => c.dequantizeMx({ ...mx, axis: -1 } as never).data.length,
      "value 64",
    ],
    [
      "dequantizeMx blockSize",
      () => c.dequantizeMx({ ...mx, blockSize: undefined } as never),
      "TypeError: dequantizeMx(): argument 't.blockSize' must be an integer ≥ 1; received undefined.",
    ],
    [
      "dequantizeMx blockSize 0",
      () => c.dequantizeMx({ ...mx, blockSize: 0 } as never),
      "RangeError: dequantizeMx(): argument 't.blockSize' must be an integer ≥ 1; received 0.",
    ],
    [
      "dequantizeMx packed",
      () => c.dequantizeMx({ ...mx, packed: undefined } as never),
      "TypeError: dequantizeMx(): argument 't.packed' must be a boolean; received undefined.",
    ],
    [
      "dequantizeMx packed 1",
      () => c.dequantizeMx({ ...mx, packed: 1 } as never),
      "TypeError: dequantizeMx(): argument 't.packed' must be a boolean; received 1.",
    ],
    [
      "dequantizeMx packed codes len",
      () => c.dequantizeMx({ ...mxp, codes: new Uint8Array(3) } as never),
      "RangeError: dequantizeMx(): argument 't.codes' must be a Uint8Array of length 32 (two mxfp4 codes a byte for shape [2, 32]); received a Uint8Array of length 3.",
    ],
    [
      "dequantizeMx mxfp8e4m3 code 255 is NaN",
      () => Number.isNaN(c.dequantizeMx({ ...mx8, codes: new Uint8Array(64).fill(255) }).data[0]),
      "value true",
    ],
    [
      "dequantizeMx mxfp4 code 16",
      () =>
        c.dequantizeMx({
          ...mx,
          codes: Uint8Array.from({ length: 64 }, (_, i) => (i === 63 ? 16 : 0)),
        }),
      "RangeError: dequantizeMx(): argument 't.codes[63]' must be a float4e2m1 code in [0, 15]; received 16.",
    ],
    [
      "dequantizeMx packed pad",
      () =>
        c.dequantizeMx({
          ...c.quantizeMx([1, 2, 3], "mxfp4", { pack: true }),
          codes: Uint8Array.of(0x21, 0xf3),
        }),
      "RangeError: dequantizeMx(): argument 't.codes[1]' must be a byte with 0 in its high nibble (padding after 3 codes); received 243 (0xf3).",
    ],
    [
      "dequantizeBnb(5)",
      () => c.dequantizeBnb(5 as never),
      "TypeError: dequantizeBnb(): argument 't' must be a { format, shape, blockSize, packed, absmax, nested, codes } bitsandbytes tensor; received 5.",
    ],
    [
      "dequantizeBnb format",
      () => c.dequantizeBnb({ ...bnb, format: "nf5" } as never),
      'RangeError: dequantizeBnb(): argument \'t.format\' must be one of "nf4", "fp4"; received "nf5".',
    ],
    [
      "dequantizeBnb options",
      () => c.dequantizeBnb(bnb, { outt: 1 } as never),
      "RangeError: dequantizeBnb(): argument 'options' must be an object with keys among 'out', 'backend', 'threads' (did you mean 'out'?); received an object with key \"outt\".",
    ],
    [
      "dequantizeBnb shape",
      () => c.dequantizeBnb({ ...bnb, shape: "ab" } as never),
      "TypeError: dequantizeBnb(): argument 't.shape' must be an array of non-negative integers; received \"ab\".",
    ],
    [
      "dequantizeBnb blockSize",
      () => c.dequantizeBnb({ ...bnb, blockSize: undefined } as never),
      "TypeError: dequantizeBnb(): argument 't.blockSize' must be a number; received undefined.",
    ],
    [
      "dequantizeBnb nested 5",
      () => c.dequantizeBnb({ ...dq, nested: 5 } as never),
      "TypeError: dequantizeBnb(): argument 't.nested' must be a { absmax, offset, blockSize } record or null; received 5.",
    ],
    [
      "dequantizeBnb nested blockSize str",
      () => c.dequantizeBnb({ ...dq, nested: { ...dq.nested, blockSize: "256" } } as never),
      "TypeError: dequantizeBnb(): argument 't.nested.blockSize' must be 256 (the block size of bitsandbytes' double quantization); received \"256\".",
    ],
    [
      "dequantizeBnb nested offset str",
      () => c.dequantizeBnb({ ...dq, nested: { ...dq.nested, offset: "0" } } as never),
      "TypeError: dequantizeBnb(): argument 't.nested.offset' must be a number; received \"0\".",
    ],
    [
      "dequantizeNvfp4(5)",
      () => c.dequantizeNvfp4(5 as never),
      "TypeError: dequantizeNvfp4(): argument 't' must be a { shape, globalScale, scales, packed, codes } NVFP4 tensor; received 5.",
    ],
    [
      "dequantizeNvfp4 options",
      () => c.dequantizeNvfp4(nv, { outt: 1 } as never),
      "RangeError: dequantizeNvfp4(): argument 'options' must be an object with keys among 'out' (did you mean 'out'?); received an object with key \"outt\".",
    ],
    [
      "dequantizeNvfp4 shape",
      () => c.dequantizeNvfp4({ ...nv, shape: "ab" } as never),
      "TypeError: dequantizeNvfp4(): argument 't.shape' must be an array of non-negative integers; received \"ab\".",
    ],
    [
      "dequantizeNvfp4 globalScale",
      () => c.dequantizeNvfp4({ ...nv, globalScale: undefined } as never),
      "TypeError: dequantizeNvfp4(): argument 't.globalScale' must be a number; received undefined.",
    ],
    [
      "quantizeNvfp4 shape opt",
      () => c.quantizeNvfp4(new Float32Array(32), { shape: [2, 16] }),
      "RangeError: quantizeNvfp4(): argument 'x' must be a tensor with a nonzero value (NVFP4's tensor scale amax / 2688 must not be 0); received all values 0.",
    ],
    [
      "quantizeNvfp4 tiny",
      () => c.quantizeNvfp4(new Float32Array(32).fill(1e-45), { shape: [2, 16] }),
      "RangeError: quantizeNvfp4(): argument 'x' must be a tensor with a nonzero value (NVFP4's tensor scale amax / 2688 must not be 0); received an amax so small that amax / 2688 rounds to 0.",
    ],
    [
      "quantizeNvfp4 x str",
      () => c.quantizeNvfp4("ab" as never),
      "TypeError: quantizeNvfp4(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received \"ab\".",
    ],
    [
      "quantizeNvfp4 empty",
      () => c.quantizeNvfp4(new Float32Array(0), { shape: [0, 16] }).packed.length,
      "value 0",
    ],
    [
      "quantizeGgml options",
      () => c.quantizeGgml(x, "q8_0", { shap: [2, 32] } as never),
      "RangeError: quantizeGgml(): argument 'options' must be an object with keys among 'shape', 'out', 'backend', 'threads' (did you mean 'shape'?); received an object with key \"shap\".",
    ],
    [
      "quantizeGgml x str",
      () => c.quantizeGgml("ab" as never, "q8_0"),
      "TypeError: quantizeGgml(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received \"ab\".",
    ],
    [
      "quantizeGgml cols",
      () => c.quantizeGgml(new Float32Array(48), "q8_0", { shape: [3, 16] }),
      "RangeError: quantizeGgml(): argument 'options.shape' must be a shape whose last dimension is a multiple of 32 (the q8_0 block size); received [3, 16].",
    ],
    [
      "quantizeGgml bad out with NaN",
      () =>
        c.quantizeGgml(
          Float32Array.from({ length: 32 }, (_, i) => (i === 5 ? NaN : 1)),
          "q8_0",
          { out: new Uint8Array(3) },
        ),
      "RangeError: quantizeGgml(): argument 'x[5]' must be a finite number (ggml's result for NaN and ±Infinity is undefined); received NaN.",
    ],
    [
      "quantizeGgml NaN fast",
      () =>
        c.quantizeGgml(
          Float32Array.from({ length: 32 }, (_, i) => (i === 5 ? NaN : 1)),
          "q8_0",
        ),
      "RangeError: quantizeGgml(): argument 'x[5]' must be a finite number (ggml's result for NaN and ±Infinity is undefined); received NaN.",
    ],
    [
      "quantizeGgml NaN q4_1",
      () =>
        c.quantizeGgml(
          Float32Array.from({ length: 32 }, (_, i) => (i === 5 ? NaN : 1)),
          "q4_1",
        ),
      "RangeError: quantizeGgml(): argument 'x[5]' must be a finite number (ggml's result for NaN and ±Infinity is undefined); received NaN.",
    ],
    [
      "dequantizeGgml(5)",
      () => c.dequantizeGgml(5 as never),
      "TypeError: dequantizeGgml(): argument 't' must be a { type, shape, data } ggml tensor; received 5.",
    ],
    [
      "dequantizeGgml null",
      () => c.dequantizeGgml(null as never),
      "TypeError: dequantizeGgml(): argument 't' must be a { type, shape, data } ggml tensor; received null.",
    ],
    [
      "dequantizeGgml options",
      () => c.dequantizeGgml(gg, { outt: 1 } as never),
      "RangeError: dequantizeGgml(): argument 'options' must be an object with keys among 'out', 'backend', 'threads' (did you mean 'out'?); received an object with key \"outt\".",
    ],
    [
      "dequantizeGgml shape",
      () => c.dequantizeGgml({ ...gg, shape: "ab" } as never),
      "TypeError: dequantizeGgml(): argument 't.shape' must be an array of non-negative integers; received \"ab\".",
    ],
    [
      "quantizeBnb x str",
      () => c.quantizeBnb("ab" as never, "nf4"),
      "TypeError: quantizeBnb(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received \"ab\".",
    ],
    [
      "quantizeMx x str",
      () => c.quantizeMx("ab" as never, "mxfp4"),
      "TypeError: quantizeMx(): argument 'x' must be a number, an array, a typed array, a mathjs matrix or a { data, shape } tensor; received \"ab\".",
    ],
    [
      "quantizeMx scalar",
      () => c.quantizeMx(new Float32Array(1), "mxfp4", { shape: [] }),
      "RangeError: quantizeMx(): argument 'options.shape' must be a tensor of at least one dimension (blocks run along an axis); received a scalar (shape []).",
    ],
    [
      "quantizeMx scalar x",
      () => c.quantizeMx(5 as never, "mxfp4"),
      "RangeError: quantizeMx(): argument 'x' must be a tensor of at least one dimension (blocks run along an axis); received a scalar (shape []).",
    ],
  ])("%s", (_, call, expected) => {
    expect(outcome(call)).toBe(expected);
  });
});

describe("block formats, rows beyond the first", () => {
  it("name the row and columns of a block they cannot store", () => {
    const nv = [
      ...new Array(32).fill(1e-35),
      ...new Array(16).fill(0),
      ...new Array(16).fill(1e-35),
    ];
    expect(outcome(() => c.quantizeNvfp4(nv, { shape: [2, 32] }))).toBe(
      "RangeError: quantizeNvfp4(): argument 'x' must be a tensor whose scales NVFP4 can hold: (1 / g) / S finite in float32 for every block, g = amax / 2688 the tensor scale and S the block's e4m3 scale; received g = 3.720239e-39 (amax 1e-35), infinite for block 0 of row 1 (columns 0..15).",
    );
    // A zero among values too small for a tensor scale: not "all values 0".
    expect(outcome(() => c.quantizeNvfp4([0, ...new Array(15).fill(1e-45)]))).toBe(
      "RangeError: quantizeNvfp4(): argument 'x' must be a tensor with a nonzero value (NVFP4's tensor scale amax / 2688 must not be 0); received an amax so small that amax / 2688 rounds to 0.",
    );
    const big = Float32Array.from({ length: 64 }, (_, i) => (i === 40 ? 1e10 : 1));
    for (const backend of ["fast", "reference"] as const) {
      expect(outcome(() => c.quantizeGgml(big, "q8_0", { shape: [2, 32], backend }))).toBe(
        "RangeError: quantizeGgml(): argument 'x' must be a tensor whose blocks q8_0 can store, with d = amax / 127 finite in fp16 (amax below about 8.32e6) and 1 / d finite in float32 (amax 0 or above about 3.7e-37); received block 0 of row 1 (columns 0..31) with values in [1, 10000000000].",
      );
    }
  });

  it("mxfp4 along axis 0 is mxfp4 along the last axis of the transpose", () => {
    const rows = 64;
    const x = Float32Array.from({ length: rows * 2 }, (_, i) => Math.sin(i * 1.3) * (1 + (i % 5)));
    const xt = Float32Array.from(
      { length: rows * 2 },
      (_, k) => x[(k % rows) * 2 + Math.floor(k / rows)] as number,
    );
    for (const backend of ["fast", "reference"] as const) {
      const q0 = c.quantizeMx(x, "mxfp4", { shape: [rows, 2], axis: 0, backend });
      const q1 = c.quantizeMx(xt, "mxfp4", { shape: [2, rows], axis: 1, backend });
      const scales = Array.from(
        { length: 4 },
        (_, k) => q1.scales[(k % 2) * 2 + Math.floor(k / 2)],
      );
      const codes = Array.from(
        { length: rows * 2 },
        (_, k) => q1.codes[(k % 2) * rows + Math.floor(k / 2)],
      );
      expect([Array.from(q0.scales), Array.from(q0.codes)]).toEqual([scales, codes]);
    }
  });
});
