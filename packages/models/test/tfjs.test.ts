import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { ModelFileError, readModel, readTfjs } from "../src/index.js";
import { folderResolver, readModelFile } from "../src/node.js";
import { modelFileError } from "./helpers.js";

const require = createRequire(import.meta.url);
const FACE_API = join(dirname(require.resolve("@vladmandic/face-api/package.json")), "model");

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const bits = (values: Float32Array) =>
  new Uint32Array(values.buffer, values.byteOffset, values.length);

/** tfjs-core's own decoding of a weight group: the oracle. Values as float32 bit patterns. */
function tfjsDecode(shards: Uint8Array[], specs: tf.io.WeightsManifestEntry[]) {
  const buffers = shards.map((s) => s.slice().buffer);
  const decoded = tf.io.decodeWeights(buffers, specs);
  const out = new Map<string, Float32Array>();
  for (const spec of specs) {
    const tensor = decoded[spec.name];
    out.set(spec.name, Float32Array.from(tensor.dataSync() as Float32Array | Int32Array));
    tensor.dispose();
  }
  return out;
}

function expectSameBits(ours: Float32Array, theirs: Float32Array, name: string) {
  expect(ours.length, name).toBe(theirs.length);
  const a = bits(ours);
  const b = bits(theirs);
  let mismatches = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) mismatches++;
  expect(mismatches, `${name}: elements whose bits differ from tfjs-core`).toBe(0);
}

describe("@vladmandic/face-api's tfjs weights", () => {
  const manifests = readdirSync(FACE_API).filter((f) => f.endsWith("-weights_manifest.json"));

  it("ships the seven models", () => {
    expect(manifests).toHaveLength(7);
  });

  it("reads every model and decodes every tensor bit for bit as tfjs-core's io.decodeWeights", () => {
    let tensors = 0;
    let quantized = 0;
    let storedBytes = 0;
    let values = 0;
    for (const manifest of manifests) {
      const path = join(FACE_API, manifest);
      const model = readModelFile(path);
      expect(model.format).toBe("tfjs");
      const groups = JSON.parse(readFileSync(path, "utf8")) as tf.io.WeightsManifestConfig;
      const expected = new Map<string, Float32Array>();
      for (const group of groups) {
        const shards = group.paths.map((p) => new Uint8Array(readFileSync(join(FACE_API, p))));
        for (const [name, v] of tfjsDecode(shards, group.weights)) expected.set(name, v);
        storedBytes += shards.reduce((n, s) => n + s.byteLength, 0);
      }
      expect(model.tensors.map((t) => t.name)).toEqual([...expected.keys()]);
      for (const tensor of model.tensors) {
        const ours = tensor.values();
        expectSameBits(
          ours,
          expected.get(tensor.name) as Float32Array,
          `${manifest}: ${tensor.name}`,
        );
        tensors++;
        values += ours.length;
        if (tensor.quantization !== undefined) quantized++;
      }
    }
    console.log(
      `face-api: ${manifests.length} models, ${tensors} tensors (${quantized} uint8-quantized), ${values} values, ${storedBytes} bytes of shards`,
    );
    expect(tensors).toBe(464);
    expect(quantized).toBe(419);
    expect(storedBytes).toBe(13447550);
  });

  it("records tfjs's quantization on each quantized tensor", () => {
    const model = readModelFile(join(FACE_API, "ssd_mobilenetv1_model-weights_manifest.json"));
    const first = model.tensors[0];
    expect(first.name).toBe("Prediction/BoxPredictor_0/ClassPredictor/weights");
    expect(first.storedType).toBe("uint8");
    expect(first.shape).toEqual([1, 1, 512, 9]);
    expect(first.byteLength).toBe(512 * 9);
    expect(first.quantization).toEqual({
      kind: "tfjs",
      dtype: "uint8",
      scale: 0.0026856216729856004,
      min: -0.34107395246917127,
    });
    const int32 = model.tensors.filter((t) => "dtype" in t && t.dtype === "int32");
    expect(int32.length).toBe(15);
  });
});

describe("readTfjs against tfjs-core on every code", () => {
  const codes = new Uint16Array(65536).map((_, i) => i);
  const codeBytes = new Uint8Array(codes.buffer);
  const bytes8 = new Uint8Array(256).map((_, i) => i);

  const cases: { title: string; specs: tf.io.WeightsManifestEntry[]; shards: Uint8Array[] }[] = [
    {
      title: "float16 quantization: all 65536 codes, NaN payloads, subnormals, -0",
      specs: [{ name: "h", shape: [65536], dtype: "float32", quantization: { dtype: "float16" } }],
      shards: [codeBytes],
    },
    {
      title: "uint16 quantization with awkward min and scale (float64 arithmetic, one rounding)",
      specs: [
        {
          name: "u16",
          shape: [256, 256],
          dtype: "float32",
          quantization: { dtype: "uint16", min: -0.1234567890123, scale: 3.0000000000001e-6 },
        },
      ],
      shards: [codeBytes],
    },
    {
      title: "uint8 quantization of float32 and int32 weights, plain float32, int32 and bool",
      specs: [
        {
          name: "u8",
          shape: [256],
          dtype: "float32",
          quantization: { dtype: "uint8", min: -1.0000001, scale: 0.0078431377 },
        },
        {
          name: "i32q",
          shape: [256],
          dtype: "int32",
          quantization: { dtype: "uint8", min: -127.5, scale: 0.999 },
        },
        { name: "f32", shape: [2, 32], dtype: "float32" },
        { name: "i32", shape: [64], dtype: "int32" },
        { name: "b", shape: [4], dtype: "bool" },
      ],
      // Three shards that split weights across their boundaries.
      shards: [
        bytes8.subarray(0, 100),
        bytes8.subarray(100),
        bytes8,
        new Uint8Array(256 + 256 + 4).fill(1),
      ],
    },
  ];

  for (const { title, specs, shards } of cases) {
    it(title, () => {
      const paths = shards.map((_, i) => `group1-shard${i + 1}of${shards.length}`);
      const model = readTfjs(json([{ paths, weights: specs }]), {
        resolve: (p) => shards[paths.indexOf(p)],
      });
      const expected = tfjsDecode(shards, specs);
      for (const tensor of model.tensors) {
        expectSameBits(tensor.values(), expected.get(tensor.name) as Float32Array, tensor.name);
      }
      expect(model.tensors.map((t) => t.name)).toEqual(specs.map((s) => s.name));
    });
  }

  it("keeps float16 NaN payloads (0x7c01 decodes to 0x7f802000, as in tfjs)", () => {
    const model = readTfjs(
      json([
        {
          paths: ["a"],
          weights: [
            { name: "h", shape: [2], dtype: "float32", quantization: { dtype: "float16" } },
          ],
        },
      ]),
      { resolve: () => new Uint8Array([0x01, 0x7c, 0x00, 0xfe]) },
    );
    expect([...bits(model.tensors[0].values())].map((b) => b.toString(16))).toEqual([
      "7f802000",
      "ffc00000",
    ]);
  });
});

describe("readTfjs", () => {
  const manifest = [
    {
      paths: ["g1.bin"],
      weights: [{ name: "a", shape: [2], dtype: "float32" }],
    },
    {
      paths: ["g2-1.bin", "g2-2.bin"],
      weights: [
        {
          name: "b",
          shape: [3],
          dtype: "float32",
          quantization: { dtype: "uint8", min: 0, scale: 2 },
        },
        { name: "c", shape: [1], dtype: "int32" },
      ],
    },
  ];
  const files: Record<string, Uint8Array> = {
    "g1.bin": new Uint8Array(new Float32Array([1.5, -2]).buffer),
    "g2-1.bin": new Uint8Array([1, 2]),
    "g2-2.bin": new Uint8Array([3, 7, 0, 0, 0]),
  };
  const resolve = (p: string) => {
    const f = files[p];
    if (f === undefined) throw new Error("no such file");
    return f;
  };

  it("reads groups in manifest order, each group's shards concatenated", () => {
    const model = readTfjs(json(manifest), { resolve });
    expect(
      model.tensors.map((t) => [t.name, t.group, t.offset, t.byteLength, [...t.values()]]),
    ).toEqual([
      ["a", 0, 0, 8, [1.5, -2]],
      ["b", 1, 0, 3, [2, 4, 6]],
      ["c", 1, 3, 4, [7]],
    ]);
  });

  it("reads a model.json and keeps its other fields as metadata", () => {
    const model = readModel(
      json({
        format: "layers-model",
        generatedBy: "test",
        modelTopology: { x: 1 },
        weightsManifest: manifest,
      }),
      { file: "model.json", resolve },
    );
    expect(model.format).toBe("tfjs");
    expect(model.metadata).toEqual({
      format: "layers-model",
      generatedBy: "test",
      modelTopology: { x: 1 },
    });
    expect(model.tensors).toHaveLength(3);
  });

  const bad =
    (value: unknown, files_ = resolve) =>
    () =>
      readTfjs(json(value), { file: "m.json", resolve: files_ });
  it.each([
    ["not JSON", () => readTfjs(new TextEncoder().encode("{oops"), { file: "m.json" })],
    ["no manifest", bad({ modelTopology: {} })],
    ["a manifest that is not an array", bad({ weightsManifest: {} })],
    [
      "an unknown dtype",
      bad([{ paths: [], weights: [{ name: "s", shape: [1], dtype: "string" }] }]),
    ],
    [
      "an unknown quantization dtype",
      bad([
        {
          paths: ["g1.bin"],
          weights: [{ name: "a", shape: [2], dtype: "float32", quantization: { dtype: "int4" } }],
        },
      ]),
    ],
    [
      "uint8 quantization without a scale",
      bad([
        {
          paths: ["g1.bin"],
          weights: [
            { name: "a", shape: [2], dtype: "float32", quantization: { dtype: "uint8", min: 0 } },
          ],
        },
      ]),
    ],
    [
      "float16 quantization of an int32 weight",
      bad([
        {
          paths: ["g1.bin"],
          weights: [{ name: "a", shape: [2], dtype: "int32", quantization: { dtype: "float16" } }],
        },
      ]),
    ],
    [
      "shards shorter than the weights",
      bad([{ paths: ["g1.bin"], weights: [{ name: "a", shape: [3], dtype: "float32" }] }]),
    ],
    [
      "a shape that claims 2^40 elements",
      bad([
        {
          paths: ["g1.bin"],
          weights: [{ name: "a", shape: [1048576, 1048576], dtype: "float32" }],
        },
      ]),
    ],
    [
      "a negative dimension",
      bad([{ paths: ["g1.bin"], weights: [{ name: "a", shape: [-2], dtype: "float32" }] }]),
    ],
    ["a missing shard", bad([{ paths: ["nope.bin"], weights: [] }])],
    [
      "a name given twice",
      bad([
        {
          paths: ["g1.bin"],
          weights: [
            { name: "a", shape: [1], dtype: "float32" },
            { name: "a", shape: [1], dtype: "float32" },
          ],
        },
      ]),
    ],
  ])("%s: a ModelFileError naming file and field", (_, read) => {
    expect(modelFileError(read, "m.json")).toMatchSnapshot();
  });

  it("asks for a resolver when the manifest names shards", () => {
    expect(() => readTfjs(json(manifest))).toThrow(
      "readTfjs(): argument 'options.resolve' must be a function (relativePath) => Uint8Array to read the weight shards; received undefined.",
    );
  });

  it("folderResolver reads beside the model only, and names the model in its errors", () => {
    const here = dirname(import.meta.filename);
    const resolveFile = folderResolver("test/tfjs.test.ts", join(here, ".."));
    expect(resolveFile("tfjs.test.ts").byteLength).toBe(
      readFileSync(import.meta.filename).byteLength,
    );
    expect(() => resolveFile("../package.json")).toThrow(
      `test/tfjs.test.ts: "../package.json": a file outside the model's folder; only files beside the model are read`,
    );
    expect(() => resolveFile("/etc/passwd")).toThrow(ModelFileError);
    expect(() => resolveFile("missing.bin")).toThrow(
      /^test\/tfjs\.test\.ts: "missing\.bin": ENOENT/,
    );
  });

  it("readModelFile refuses shard paths outside the model's folder", () => {
    // The resolver is bound to the folder; "../" escapes are refused, not read.
    expect(() =>
      readModel(json([{ paths: ["../../package.json"], weights: [] }]), {
        file: "x.json",
        resolve: (p) => {
          throw new Error(`refused ${p}`);
        },
      }),
    ).toThrow(
      'x.json: manifest[0].paths[0]: cannot read "../../package.json": refused ../../package.json',
    );
  });
});
