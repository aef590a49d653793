/**
 * readOnnx against onnxruntime: every data type, in raw_data and in its typed field, and external
 * data, decode to the values ORT computes for `Cast(to=FLOAT)` of the same initializer; bad files
 * give a ModelFileError naming the field, before any allocation their size does not justify.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seededRandom } from "@quantlab/core";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { ModelFileError, quantizeOnnx, readOnnx } from "../../src/index.js";
import { modelProto } from "../../src/onnx/build.js";
import { onnxDType } from "../../src/onnx/dtypes.js";
import { encodeModelProto, type ModelProto, type TensorProto } from "../../src/onnx/proto.js";
import { identity, run, runUnoptimized, values } from "./helpers.js";

const SHAPE = [3, 5];
const N = 15;

/** A model `y = Cast(t, FLOAT)` whose initializer `t` the test fills in. */
function castModel(tensor: Partial<TensorProto>, elemType = 1): ModelProto {
  const model = modelProto({
    inputs: [],
    outputs: [{ name: "y", dtype: "FLOAT", shape: SHAPE }],
    nodes: [{ op: "Cast", inputs: ["t"], outputs: ["y"], attributes: { to: elemType } }],
  });
  (model.graph as NonNullable<ModelProto["graph"]>).initializer.push({
    name: "t",
    dims: SHAPE,
    ...tensor,
  } as TensorProto);
  return model;
}

/** Raw bytes and typed-field entries of N seeded elements of each type. */
function samples(name: string): { raw: Uint8Array; field: string; entries: unknown[] } {
  const r = seededRandom(name.length * 31 + name.charCodeAt(0));
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  switch (name) {
    case "FLOAT": {
      const v = values(N, 1, 3);
      return { raw: bytesOf(v), field: "float_data", entries: Array.from(v) };
    }
    case "DOUBLE": {
      const v = Float64Array.from(values(N, 2, 3), (x) => x + 1e-9);
      return { raw: bytesOf(v), field: "double_data", entries: Array.from(v) };
    }
    case "INT64": {
      const v = BigInt64Array.from({ length: N }, () => BigInt(int(-1e6, 1e6)));
      return { raw: bytesOf(v), field: "int64_data", entries: Array.from(v, Number) };
    }
    case "UINT32":
    case "UINT64": {
      const v = Array.from({ length: N }, () => int(0, 4e9));
      const raw =
        name === "UINT32" ? bytesOf(Uint32Array.from(v)) : bytesOf(BigUint64Array.from(v, BigInt));
      return { raw, field: "uint64_data", entries: v };
    }
    case "INT4":
    case "UINT4": {
      const codes = Array.from({ length: N }, () => (name === "INT4" ? int(-8, 7) : int(0, 15)));
      const raw = new Uint8Array(Math.ceil(N / 2));
      codes.forEach((c, i) => {
        raw[i >> 1] = (raw[i >> 1] as number) | ((c & 15) << ((i & 1) * 4));
      });
      return { raw, field: "int32_data", entries: Array.from(raw) };
    }
    default: {
      const ranges: Record<string, [number, number, number]> = {
        INT8: [-128, 127, 1],
        UINT8: [0, 255, 1],
        BOOL: [0, 1, 1],
        INT16: [-32768, 32767, 2],
        UINT16: [0, 65535, 2],
        INT32: [-2e9, 2e9, 4],
        FLOAT16: [0, 0x7bff, 2],
        BFLOAT16: [0, 0x7f7f, 2],
        FLOAT8E4M3FN: [0, 0x7e, 1],
        FLOAT8E5M2: [0, 0x7b, 1],
      };
      const [lo, hi, width] = ranges[name] as [number, number, number];
      const v = Array.from(
        { length: N },
        () => int(lo, hi) * (name.startsWith("FLOAT") && r() < 0.5 ? -1 : 1),
      );
      const codes =
        name.startsWith("FLOAT") || name === "BFLOAT16"
          ? v.map((x) => (x < 0 ? (width === 2 ? 0x8000 : 0x80) | -x : x))
          : v;
      const raw = new Uint8Array(N * width);
      const view = new DataView(raw.buffer);
      codes.forEach((c, i) => {
        if (width === 1) view.setUint8(i, c & 0xff);
        else if (width === 2) view.setUint16(2 * i, c & 0xffff, true);
        else view.setInt32(4 * i, c, true);
      });
      return { raw, field: "int32_data", entries: codes };
    }
  }
}

const TYPES = [
  "FLOAT",
  "DOUBLE",
  "FLOAT16",
  "BFLOAT16",
  "INT8",
  "UINT8",
  "INT16",
  "UINT16",
  "INT32",
  "INT64",
  "UINT32",
  "UINT64",
  "BOOL",
  "INT4",
  "UINT4",
  "FLOAT8E4M3FN",
  "FLOAT8E5M2",
];

describe("readOnnx decodes what onnxruntime decodes", () => {
  for (const name of TYPES) {
    it(`${name}, in raw_data and in its typed field`, async () => {
      const dtype = onnxDType(name);
      const { raw, field, entries } = samples(name);
      for (const tensor of [{ raw_data: raw }, { [field]: entries }]) {
        const bytes = encodeModelProto(castModel({ data_type: dtype.code, ...tensor }));
        const expected = (await run(bytes, {}, ["y"])).y as Float32Array;
        const file = readOnnx(bytes);
        const t = file.tensors[0];
        expect(t?.storedType).toBe(name);
        expect(t?.shape).toEqual(SHAPE);
        expect(Array.from(t?.values() ?? [])).toEqual(Array.from(expected));
        expect(Array.from(t?.bytes() ?? [])).toEqual(Array.from(raw));
      }
    });
  }

  it("external data, through resolve, as onnxruntime reads it from disk", async () => {
    const v = values(N, 9);
    const data = new Uint8Array(64 + v.byteLength);
    data.set(new Uint8Array(v.buffer), 64);
    const model = castModel({
      data_type: 1,
      data_location: 1,
      external_data: [
        { key: "location", value: "weights.bin" },
        { key: "offset", value: "64" },
        { key: "length", value: String(v.byteLength) },
      ],
    });
    const bytes = encodeModelProto(model);
    const dir = mkdtempSync(join(tmpdir(), "quantlab-onnx-"));
    writeFileSync(join(dir, "model.onnx"), bytes);
    writeFileSync(join(dir, "weights.bin"), data);
    const session = await ort.InferenceSession.create(join(dir, "model.onnx"));
    const expected = (await session.run({})).y?.data as Float32Array;
    const file = readOnnx(bytes, {
      resolve: (location) => (location === "weights.bin" ? data : new Uint8Array()),
    });
    expect(Array.from(file.tensors[0]?.values() ?? [])).toEqual(Array.from(expected));
    expect(Array.from(expected)).toEqual(Array.from(v));
  });

  it("graph inputs, outputs and opsets", () => {
    const bytes = encodeModelProto(
      modelProto({
        inputs: [{ name: "x", dtype: "FLOAT", shape: ["batch", 4] }],
        outputs: [{ name: "y", dtype: "FLOAT", shape: ["batch", 4] }],
        nodes: [{ op: "Relu", inputs: ["x"], outputs: ["y"] }],
        opset: 17,
        domains: { "com.microsoft": 1 },
      }),
    );
    expect(readOnnx(bytes).metadata).toMatchObject({
      irVersion: 8,
      opsets: [
        { domain: "ai.onnx", version: 17 },
        { domain: "com.microsoft", version: 1 },
      ],
      inputs: [{ name: "x", elemType: "FLOAT", shape: ["batch", 4] }],
      outputs: [{ name: "y", elemType: "FLOAT", shape: ["batch", 4] }],
      ops: { Relu: 1 },
    });
  });
});

describe("quantized initializers", () => {
  const k = 64;
  const n = 24;
  const w = values(k * n, 4, 0.2);
  const matmul = encodeModelProto(
    modelProto({
      inputs: [{ name: "a", dtype: "FLOAT", shape: ["m", k] }],
      outputs: [{ name: "y", dtype: "FLOAT", shape: ["m", n] }],
      nodes: [{ op: "MatMul", inputs: ["a", "w"], outputs: ["y"] }],
      initializers: [{ name: "w", dtype: "FLOAT", shape: [k, n], data: w }],
    }),
  );
  const eye = { a: { type: "float32" as const, data: identity(k), dims: [k, k] } };

  it("record their scheme, and values() is the weight onnxruntime multiplies by", async () => {
    for (const options of [
      { weights: "int8" },
      { weights: "uint8", granularity: "channel" },
      { weights: "int4", granularity: "block", blockSize: 16 },
      { weights: "uint4", granularity: "block", blockSize: 32, symmetric: false },
    ] as const) {
      const q = quantizeOnnx(matmul, options);
      const file = readOnnx(q.bytes);
      const codes = file.tensors.find((t) => t.name === "w_quantized");
      expect(codes?.quantization, JSON.stringify(options)).toMatchObject({
        kind: "linear",
        dtype: options.weights,
        ...("granularity" in options ? { axis: options.granularity === "channel" ? 1 : 0 } : {}),
        ...("blockSize" in options ? { blockSize: options.blockSize } : {}),
      });
      // A = I: the product is the dequantized weight itself (unfused: ORT's optimized graph
      // folds int8 per-tensor DQ + MatMul into a kernel that rounds differently, by 1 ulp).
      const effective = (await runUnoptimized(q.bytes, eye, ["y"])).y as Float32Array;
      expect(Array.from(codes?.values() ?? []), JSON.stringify(options)).toEqual(
        Array.from(effective),
      );
    }
  });

  it("MatMulNBits: values() is [N, K], the transpose of the weight onnxruntime multiplies by", async () => {
    for (const symmetric of [true, false]) {
      const q = quantizeOnnx(matmul, {
        weights: "int4",
        format: "matmulnbits",
        blockSize: 16,
        symmetric,
      });
      const file = readOnnx(q.bytes);
      expect(file.metadata.ops).toEqual({ "com.microsoft.MatMulNBits": 1 });
      const b = file.tensors.find((t) => t.name === "w_MatMulNBits");
      expect(b?.quantization).toEqual({ kind: "blocks", format: "MatMulNBits4", blockSize: 16 });
      expect(b?.shape).toEqual([n, k / 16, 8]);
      const effective = (await run(q.bytes, eye, ["y"])).y as Float32Array;
      const transposed = new Float32Array(k * n);
      const d = b?.values() ?? new Float32Array();
      for (let r = 0; r < n; r++)
        for (let c = 0; c < k; c++) transposed[c * n + r] = d[r * k + c] as number;
      expect(Array.from(transposed)).toEqual(Array.from(effective));
    }
  });
});

describe("bad files", () => {
  const good = encodeModelProto(castModel({ data_type: 1, raw_data: new Uint8Array(N * 4) }));

  function problem(bytes: Uint8Array, options = {}): string {
    try {
      readOnnx(bytes, { file: "bad.onnx", ...options });
    } catch (error) {
      expect(error).toBeInstanceOf(ModelFileError);
      return (error as Error).message;
    }
    throw new Error("readOnnx accepted a bad file");
  }

  it("truncated", () => {
    expect(problem(good.subarray(0, good.length - 7))).toMatch(
      /^bad\.onnx: ModelProto: not a readable ONNX protobuf message \(\d+ bytes\): index out of range/,
    );
  });

  it("not protobuf", () => {
    expect(problem(new TextEncoder().encode("GGUF this is not an ONNX file at all"))).toMatch(
      /^bad\.onnx: (ModelProto|graph): /,
    );
    expect(problem(new Uint8Array(0))).toBe(
      "bad.onnx: graph: missing: the bytes decode, but hold no ONNX graph",
    );
  });

  it("raw_data that disagrees with the dims", () => {
    const bytes = encodeModelProto(
      castModel({ data_type: 1, raw_data: new Uint8Array(N * 4 - 4) }),
    );
    expect(problem(bytes)).toBe(
      "bad.onnx: graph.initializer[0].raw_data: 56 bytes, but dims [3, 5] of FLOAT need 60",
    );
  });

  it("dims that claim 2^40 elements, checked before allocating", () => {
    const big = { dims: [2 ** 20, 2 ** 20], data_type: 1 };
    const raw = encodeModelProto(castModel({ ...big, raw_data: new Uint8Array(16) }));
    expect(problem(raw)).toBe(
      "bad.onnx: graph.initializer[0].raw_data: 16 bytes, but dims [1048576, 1048576] of FLOAT need 4398046511104",
    );
    const typed = encodeModelProto(castModel({ ...big, float_data: [1, 2, 3] }));
    expect(problem(typed)).toBe(
      "bad.onnx: graph.initializer[0].float_data: 3 entries, but dims [1048576, 1048576] of FLOAT need 1099511627776",
    );
    const external = encodeModelProto(
      castModel({ ...big, data_location: 1, external_data: [{ key: "location", value: "w.bin" }] }),
    );
    expect(problem(external, { resolve: () => new Uint8Array(100) })).toBe(
      'bad.onnx: graph.initializer[0].external_data.offset: 0 + 4398046511104 bytes runs past the end of "w.bin" (100 bytes)',
    );
    const huge = encodeModelProto(
      castModel({ dims: [2 ** 40, 2 ** 40], data_type: 1, raw_data: new Uint8Array(4) }),
    );
    expect(problem(huge)).toBe(
      "bad.onnx: graph.initializer[0].dims: [1099511627776, 1099511627776] is 1.2089258196146292e+24 elements, more than 2^53",
    );
  });

  it("an external-data offset past the end of its file", () => {
    const bytes = encodeModelProto(
      castModel({
        data_type: 1,
        data_location: 1,
        external_data: [
          { key: "location", value: "w.bin" },
          { key: "offset", value: "4096" },
        ],
      }),
    );
    expect(problem(bytes, { resolve: () => new Uint8Array(4100) })).toBe(
      'bad.onnx: graph.initializer[0].external_data.offset: 4096 + 60 bytes runs past the end of "w.bin" (4100 bytes)',
    );
    expect(problem(bytes)).toBe(
      'bad.onnx: graph.initializer[0].external_data.location: tensor t is stored in "w.bin": pass a resolve function to read it',
    );
  });

  it("an unknown data_type, a negative dim", () => {
    expect(
      problem(encodeModelProto(castModel({ data_type: 99, raw_data: new Uint8Array(4) }))),
    ).toBe(
      "bad.onnx: graph.initializer[0].data_type: unknown data type 99 (ONNX defines 1 to 26; 0 is UNDEFINED)",
    );
    expect(
      problem(
        encodeModelProto(castModel({ dims: [3, -5], data_type: 1, raw_data: new Uint8Array(4) })),
      ),
    ).toBe("bad.onnx: graph.initializer[0].dims[1]: must be a non-negative integer; found -5");
  });

  it("random bytes never crash or hang: a ModelFileError or a model, always fast", () => {
    const r = seededRandom(77);
    const start = performance.now();
    for (let trial = 0; trial < 300; trial++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(r() * 200) }, () =>
        Math.floor(r() * 256),
      );
      try {
        readOnnx(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(ModelFileError);
      }
      // Mutations of a valid file, too.
      const mutated = good.slice();
      mutated[Math.floor(r() * mutated.length)] = Math.floor(r() * 256);
      try {
        for (const t of readOnnx(mutated).tensors) t.values();
      } catch (error) {
        expect(error).toBeInstanceOf(ModelFileError);
      }
    }
    expect(performance.now() - start).toBeLessThan(5000);
  });

  it("DequantizeLinear parameters that do not fit their codes", () => {
    const model = modelProto({
      inputs: [],
      outputs: [{ name: "y", dtype: "FLOAT", shape: SHAPE }],
      nodes: [
        { op: "DequantizeLinear", inputs: ["q", "s"], outputs: ["y"], attributes: { axis: 1 } },
      ],
      initializers: [
        { name: "q", dtype: "INT8", shape: SHAPE, data: new Uint8Array(N) },
        { name: "s", dtype: "FLOAT", shape: [4], data: Float32Array.of(1, 1, 1, 1) },
      ],
    });
    const file = readOnnx(encodeModelProto(model), { file: "bad.onnx" });
    expect(() => file.tensors[0]?.values()).toThrow(ModelFileError);
    expect(() => file.tensors[0]?.values()).toThrow(
      /^bad\.onnx: graph\.initializer\[0\]: its DequantizeLinear parameters do not fit it: dequantize\(\): argument 'params\.scale'/,
    );
  });

  it("a bytes argument that is not a Uint8Array", () => {
    expect(() => readOnnx("model.onnx" as unknown as Uint8Array)).toThrow(
      "readOnnx(): argument 'bytes' must be a Uint8Array; received [object String]",
    );
  });
});
