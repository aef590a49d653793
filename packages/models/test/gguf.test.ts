import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gguf } from "@huggingface/gguf";
import { dequantizeGgml, GGML_TYPES, quantizeGgml, roundToFloat } from "@quantlab/core";
import { afterAll, describe, expect, it } from "vitest";
import { ByteWriter } from "../src/args.js";
import {
  GGUF_TENSOR_TYPES,
  GGUF_VALUE_TYPES,
  type GgufArray,
  type GgufFile,
  type GgufValue,
  readGguf,
  readModel,
  writeGguf,
} from "../src/index.js";
import { modelFileError } from "./helpers.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIXTURES, name)));
const bits = (v: Float32Array) => [...new Uint32Array(v.buffer, v.byteOffset, v.length)];

/** A read file as writeGguf input: metadata as read, tensors as stored bytes. */
const asInput = (file: GgufFile) => ({
  metadata: file.metadata,
  tensors: file.tensors.map((t) => ({
    name: t.name,
    type: t.storedType,
    shape: t.shape,
    data: t.bytes(),
  })),
});

/** Our value in gguf-py's JSON view: its GGUFReader lists an array's types as ["array", item]
 * (["array", "array", item] for an array of arrays, whose items it flattens). */
function pyView(value: GgufValue): { types: string[]; value: unknown } {
  const json = (v: unknown): unknown =>
    typeof v === "bigint" ? (v >= -(2n ** 53n) && v <= 2n ** 53n ? Number(v) : String(v)) : v;
  if (value.type !== "array") return { types: [value.type], value: json(value.value) };
  if (value.itemType !== "array") {
    return {
      types: ["array", value.itemType],
      value: Array.from(value.value as ArrayLike<unknown>, json),
    };
  }
  const inner = value.value as readonly GgufArray[];
  return {
    types: ["array", "array", inner[0].itemType],
    value: inner.flatMap((a) => Array.from(a.value as ArrayLike<unknown>, json)),
  };
}

describe("gguf-py's files (fixtures written by gguf-py's GGUFWriter, see scripts/make_fixtures.py)", () => {
  for (const name of ["gguf-py", "gguf-py-align64"]) {
    const bytes = fixture(`${name}.gguf`);
    const oracle = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8"));
    const file = readGguf(bytes, { file: `${name}.gguf` });

    it(`${name}: header, alignment and data section as gguf-py's GGUFReader finds them`, () => {
      expect(file.version).toBe(3);
      expect(file.alignment).toBe(oracle.alignment);
      expect(file.dataOffset).toBe(oracle.dataOffset);
    });

    it(`${name}: every metadata key, its type and value`, () => {
      const ours = Object.fromEntries(
        Object.entries(file.metadata).map(([k, v]) => [k, pyView(v)]),
      );
      expect(ours).toEqual(oracle.metadata);
      expect(Object.keys(file.metadata)).toEqual(Object.keys(oracle.metadata));
      expect(file.metadata["test.array.nested"]).toEqual({
        type: "array",
        itemType: "array",
        value: [
          { itemType: "string", value: ["x", "y"] },
          { itemType: "string", value: ["z"] },
        ],
      });
    });

    it(`${name}: every tensor's info, and its values bit for bit as gguf.quants.dequantize`, () => {
      expect(file.tensors.map((t) => t.name)).toEqual(
        oracle.tensors.map((t: { name: string }) => t.name),
      );
      for (const [i, t] of file.tensors.entries()) {
        const o = oracle.tensors[i];
        expect([t.storedType, t.dims, file.dataOffset + t.offset, t.byteLength], t.name).toEqual([
          o.type,
          o.dims,
          o.offset,
          o.bytes,
        ]);
        expect(t.shape).toEqual([...o.dims].reverse());
        expect(bits(t.values()), `${t.name} (${t.storedType})`).toEqual(o.valueBits);
      }
      console.log(
        `${name}.gguf: ${Object.keys(file.metadata).length} key-values, ${file.tensors.length} tensors (${file.tensors.map((t) => t.storedType).join(", ")}) decoded as gguf-py does`,
      );
    });

    it(`${name}: writeGguf writes the same file again, byte for byte`, () => {
      expect(Buffer.from(writeGguf(asInput(file))).equals(bytes)).toBe(true);
    });
  }

  it("quantizes Q8_0 and Q4_0 from values to the bytes gguf-py's quantize gives", () => {
    const file = readGguf(fixture("gguf-py.gguf"));
    const tensor = (n: string) =>
      file.tensors.find((t) => t.name === n) as GgufFile["tensors"][number];
    const source = tensor("q.source");
    for (const type of ["Q8_0", "Q4_0"]) {
      const written = readGguf(
        writeGguf({ tensors: [{ name: "q", type, shape: source.shape, values: source.values() }] }),
      );
      expect(
        Buffer.from(written.tensors[0].bytes()).equals(tensor(type.toLowerCase()).bytes()),
        type,
      ).toBe(true);
    }
  });
});

describe("writeGguf and readGguf", () => {
  const metadata = {
    "general.architecture": "llama",
    "general.alignment": { type: "uint32", value: 64 },
    "t.uint8": { type: "uint8", value: 255 },
    "t.int8": { type: "int8", value: -128 },
    "t.uint16": { type: "uint16", value: 65535 },
    "t.int16": { type: "int16", value: -32768 },
    "t.uint32": { type: "uint32", value: 4294967295 },
    "t.int32": { type: "int32", value: -2147483648 },
    "t.float32": { type: "float32", value: Math.fround(0.1) },
    "t.float64": { type: "float64", value: 0.1 },
    "t.uint64": { type: "uint64", value: 2n ** 64n - 1n },
    "t.int64": { type: "int64", value: -(2n ** 63n) },
    "t.bool": true,
    "t.string": "ünïcode ✓",
    "t.strings": ["a", "", "b"],
    "t.floats": { type: "array", itemType: "float32", value: new Float32Array([1.5, -0]) },
    "t.u64s": {
      type: "array",
      itemType: "uint64",
      value: new BigUint64Array([1n, 2n ** 64n - 1n]),
    },
    "t.bools": { type: "array", itemType: "bool", value: [true, false] },
    "t.empty": { type: "array", itemType: "int32", value: new Int32Array(0) },
    "t.nested": {
      type: "array",
      itemType: "array",
      value: [
        { itemType: "int8", value: new Int8Array([1, -1]) },
        { itemType: "array", value: [{ itemType: "string", value: ["deep"] }] },
      ],
    },
  } as const;
  const tensors = [
    { name: "f32", type: "F32", shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
    { name: "f16", type: "F16", shape: [5], values: [1, 0.1, 65504, 1e-7, -0] },
    { name: "bf16", type: "BF16", shape: [1, 3], values: [1, 0.1, 70000] },
    { name: "f64", type: "F64", shape: [2], values: [0.1, -1e300] },
    { name: "i8", type: "I8", shape: [3], values: [-128, 0, 127] },
    { name: "i16", type: "I16", shape: [2], values: [-32768, 32767] },
    { name: "i32", type: "I32", shape: [2], values: [-(2 ** 31), 2 ** 24] },
    { name: "scalar", type: "F32", shape: [], values: [7] },
    { name: "empty", type: "F32", shape: [0, 4], values: [] },
  ];
  const bytes = writeGguf({ metadata, tensors });
  const file = readGguf(bytes);

  it("gives back every metadata value with its type", () => {
    expect(Object.keys(file.metadata)).toEqual(Object.keys(metadata));
    expect(file.metadata["t.uint64"]).toEqual({ type: "uint64", value: 2n ** 64n - 1n });
    expect(file.metadata["t.string"]).toEqual({ type: "string", value: "ünïcode ✓" });
    expect(file.metadata["t.strings"]).toEqual({
      type: "array",
      itemType: "string",
      value: ["a", "", "b"],
    });
    expect(file.metadata["t.nested"]).toEqual(metadata["t.nested"]);
    expect(file.metadata["t.floats"]).toEqual(metadata["t.floats"]);
    expect(file.alignment).toBe(64);
    expect(file.dataOffset % 64).toBe(0);
  });

  it("gives back every tensor: shape outermost first, dims innermost first, aligned offsets", () => {
    expect(file.tensors.map((t) => [t.name, t.storedType, t.shape, t.dims, t.offset])).toEqual([
      ["f32", "F32", [2, 3], [3, 2], 0],
      ["f16", "F16", [5], [5], 64],
      ["bf16", "BF16", [1, 3], [3, 1], 128],
      ["f64", "F64", [2], [2], 192],
      ["i8", "I8", [3], [3], 256],
      ["i16", "I16", [2], [2], 320],
      ["i32", "I32", [2], [2], 384],
      ["scalar", "F32", [], [], 448],
      ["empty", "F32", [0, 4], [4, 0], 512],
    ]);
    const values = Object.fromEntries(file.tensors.map((t) => [t.name, [...t.values()]]));
    expect(values.f32).toEqual([1, 2, 3, 4, 5, 6]);
    expect(values.f16).toEqual([...roundToFloat("float16", [1, 0.1, 65504, 1e-7, -0])]);
    expect(values.bf16).toEqual([...roundToFloat("bfloat16", [1, 0.1, 70000])]);
    expect(values.f64).toEqual([Math.fround(0.1), Number.NEGATIVE_INFINITY]);
    expect(values.i8).toEqual([-128, 0, 127]);
    expect(values.i32).toEqual([-(2 ** 31), 2 ** 24]);
    expect(values.scalar).toEqual([7]);
    expect(values.empty).toEqual([]);
  });

  it("round trip: writing what was read gives the same bytes", () => {
    expect(Buffer.from(writeGguf(asInput(file))).equals(Buffer.from(bytes))).toBe(true);
  });

  it("writes Q8_0 and Q4_0 (and every block format core quantizes) as core's quantizeGgml", () => {
    const x = Float32Array.from({ length: 2 * 256 }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
    for (const type of GGUF_TENSOR_TYPES.filter((t) => t.core !== undefined)) {
      const core = type.core as keyof typeof GGML_TYPES;
      const read = readGguf(
        writeGguf({ tensors: [{ name: "w", type: type.name, shape: [2, 256], values: x }] }),
      );
      const expected = quantizeGgml(x, core, { shape: [2, 256] });
      const t = read.tensors[0];
      expect(Buffer.from(t.bytes()).equals(Buffer.from(expected.data)), type.name).toBe(true);
      expect(bits(t.values()), type.name).toEqual(bits(dequantizeGgml(expected).data));
      expect(t.quantization).toEqual({
        kind: "blocks",
        format: type.name,
        blockSize: type.blockSize,
      });
    }
  });

  it("readModel tells GGUF by its magic", () => {
    expect(readModel(bytes, { file: "x.gguf" }).format).toBe("gguf");
  });
});

describe("the tensor type table", () => {
  it("agrees with @quantlab/core's GGML_TYPES on ids, block sizes and bytes per block", () => {
    for (const t of GGUF_TENSOR_TYPES.filter((t) => t.core !== undefined)) {
      const core = GGML_TYPES[t.core as keyof typeof GGML_TYPES];
      expect([core.ggmlTypeId, core.blockSize, core.bytesPerBlock], t.name).toEqual([
        t.id,
        t.blockSize,
        t.bytesPerBlock,
      ]);
    }
    expect(Object.keys(GGML_TYPES).sort()).toEqual(
      GGUF_TENSOR_TYPES.filter((t) => t.core !== undefined)
        .map((t) => t.core)
        .sort(),
    );
  });
});

describe("@huggingface/gguf reads the files writeGguf writes as readGguf does", () => {
  const dir = mkdtempSync(join(tmpdir(), "quantlab-gguf-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const files: [string, Uint8Array][] = [
    [
      "written.gguf",
      writeGguf({
        metadata: {
          "general.architecture": "llama",
          "llama.block_count": { type: "uint32", value: 2 },
          "x.i64": { type: "int64", value: -5n },
          "x.f64": { type: "float64", value: 1 / 3 },
          "x.tokens": ["<s>", "</s>", "hé"],
          "x.scores": { type: "array", itemType: "float32", value: [0.5, -1] },
          "x.flag": false,
        },
        tensors: [
          { name: "a", type: "F32", shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
          { name: "b", type: "Q8_0", shape: [3, 64], values: new Float32Array(192).fill(0.25) },
          { name: "c", type: "Q4_0", shape: [32], values: new Float32Array(32).fill(-1) },
          { name: "d", type: "BF16", shape: [1, 1, 2, 4], values: new Float32Array(8) },
        ],
      }),
    ],
    ["gguf-py.gguf", fixture("gguf-py.gguf")],
  ];

  for (const [name, bytes] of files) {
    it(name, async () => {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const theirs = await gguf(path, { allowLocalFile: true, typedMetadata: true });
      const ours = readGguf(bytes);
      expect(Number(theirs.tensorDataOffset)).toBe(ours.dataOffset);
      expect(
        theirs.tensorInfos.map((t) => [t.name, t.shape.map(Number), t.dtype, Number(t.offset)]),
      ).toEqual(ours.tensors.map((t) => [t.name, t.dims, t.ggmlType, t.offset]));
      const { version, tensor_count, kv_count, ...kv } = theirs.typedMetadata;
      expect([version.value, Number(tensor_count.value), Number(kv_count.value)]).toEqual([
        3,
        ours.tensors.length,
        Object.keys(ours.metadata).length,
      ]);
      expect(Object.keys(kv)).toEqual(Object.keys(ours.metadata));
      for (const [key, entry] of Object.entries(kv)) {
        const mine = ours.metadata[key];
        expect(GGUF_VALUE_TYPES[entry.type], key).toBe(mine.type);
        if (mine.type === "array") {
          if (mine.itemType !== "array")
            expect(GGUF_VALUE_TYPES[entry.subType as number], key).toBe(mine.itemType);
          const plain = (a: GgufArray): unknown[] =>
            a.itemType === "array"
              ? (a.value as GgufArray[]).map(plain)
              : Array.from(a.value as ArrayLike<unknown>);
          expect(entry.value, key).toEqual(plain(mine));
        } else {
          expect(entry.value, key).toEqual(mine.value);
        }
      }
    });
  }
});

/** Bytes of a GGUF file built field by field, for damaged files. */
function raw(build: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter();
  build(w);
  return w.result();
}
const header = (w: ByteWriter, tensors: bigint, kvs: bigint, version = 3) => {
  w.bytes(new TextEncoder().encode("GGUF"));
  w.u32(version);
  w.u64(tensors);
  w.u64(kvs);
};
const tensorInfo = (w: ByteWriter, name: string, dims: bigint[], type: number, offset: bigint) => {
  w.string(name);
  w.u32(dims.length);
  for (const d of dims) w.u64(d);
  w.u32(type);
  w.u64(offset);
};
/** One key-value: its key, its value type's number, then what `value` writes (nothing if left out). */
const kv = (w: ByteWriter, key: string, type: number, value?: (w: ByteWriter) => void) => {
  w.string(key);
  w.u32(type);
  value?.(w);
};
/** A file of no tensors and the one key-value `kv` writes. */
const oneKv = (key: string, type: number, value?: (w: ByteWriter) => void) =>
  raw((w) => {
    header(w, 0n, 1n);
    kv(w, key, type, value);
  });
/**
 * A file of no key-values and one tensor "t"; with `data`, the tensor infos are padded to 32 and
 * `data` zero bytes follow (without, the file ends after its tensor info).
 */
const oneTensor = (dims: bigint[], type: number, offset: bigint, data?: number) =>
  raw((w) => {
    header(w, 1n, 0n);
    tensorInfo(w, "t", dims, type, offset);
    if (data === undefined) return;
    w.pad(32);
    w.bytes(new Uint8Array(data));
  });

describe("bad GGUF files: a ModelFileError naming the file, the field and the problem", () => {
  const valid = writeGguf({
    metadata: { "general.architecture": "llama" },
    tensors: [{ name: "w", type: "F32", shape: [2], values: [1, 2] }],
  });
  const cases: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["wrong magic", raw((w) => w.bytes(new TextEncoder().encode("GGML\x03\0\0\0")))],
    ["version 1", raw((w) => header(w, 0n, 0n, 1))],
    ["version 4", raw((w) => header(w, 0n, 0n, 4))],
    ["big-endian", raw((w) => header(w, 0n, 0n, 0x03000000))],
    ["truncated in the header", valid.subarray(0, 12)],
    ["a tensor count that cannot fit", raw((w) => header(w, 2n ** 40n, 0n))],
    ["a key-value count that cannot fit", raw((w) => header(w, 0n, 2n ** 63n))],
    [
      "a string length larger than the file",
      raw((w) => {
        header(w, 0n, 1n);
        w.u64(2n ** 62n);
        w.bytes(new Uint8Array(16));
      }),
    ],
    [
      "a metadata array of absurd length",
      oneKv("k", 9, (w) => {
        w.u32(6);
        w.u64(2n ** 50n);
      }),
    ],
    ["an unknown value type", oneKv("k", 13)],
    ["a bool that is 2", oneKv("k", 7, (w) => w.u8(2))],
    [
      "a key given twice",
      raw((w) => {
        header(w, 0n, 2n);
        for (let i = 0; i < 2; i++) kv(w, "k", 7, (w) => w.u8(1));
      }),
    ],
    [
      "arrays nested 17 deep",
      oneKv("k", 9, (w) => {
        for (let i = 0; i < 17; i++) {
          w.u32(9);
          w.u64(1n);
        }
        w.u32(0);
        w.u64(0n);
      }),
    ],
    [
      "a key that is not UTF-8",
      raw((w) => {
        header(w, 0n, 1n);
        w.u64(2n);
        w.bytes(new Uint8Array([0xc3, 0x28]));
        w.u32(7);
        w.u8(1);
      }),
    ],
    ["general.alignment not a uint32", oneKv("general.alignment", 5, (w) => w.int(32, 4, true))],
    ["general.alignment not a power of two", oneKv("general.alignment", 4, (w) => w.u32(48))],
    ["five dimensions", oneTensor([1n, 1n, 1n, 1n, 1n], 0, 0n)],
    ["an unknown ggml type", oneTensor([1n], 4, 0n)],
    [
      "a tensor name given twice",
      raw((w) => {
        header(w, 2n, 0n);
        tensorInfo(w, "t", [1n], 0, 0n);
        tensorInfo(w, "t", [1n], 0, 32n);
      }),
    ],
    ["an offset off the alignment", oneTensor([1n], 0, 4n, 64)],
    ["an offset past the end", oneTensor([4n], 0, 64n, 32)],
    ["dims that claim 2^40 elements", oneTensor([2n ** 20n, 2n ** 20n], 0, 0n, 0)],
    ["a dimension past 2^53", oneTensor([2n ** 60n], 0, 0n, 0)],
    ["a Q8_0 row that is not whole blocks", oneTensor([33n], 8, 0n, 64)],
    ["truncated data", valid.subarray(0, valid.byteLength - 32)],
    ["a Q4_0 tensor of no dimensions", oneTensor([], 2, 0n, 32)],
  ];
  it.each(cases)("%s", (_, bytes) => {
    const read = () => readGguf(bytes, { file: "bad.gguf" });
    expect(modelFileError(read, "bad.gguf")).toMatchSnapshot();
  });

  it("version 2 files read as version 3 ones (the same layout)", () => {
    const v3 = fixture("gguf-py.gguf");
    const v2 = v3.slice();
    v2[4] = 2;
    const [a, b] = [readGguf(v2), readGguf(v3)];
    expect(a.version).toBe(2);
    expect(a.tensors.map((t) => [t.name, t.offset, [...t.bytes()]])).toEqual(
      b.tensors.map((t) => [t.name, t.offset, [...t.bytes()]]),
    );
    expect(a.metadata).toEqual(b.metadata);
  });

  it("an IQ2_XXS tensor reads, and says it cannot be decoded when its values are asked for", () => {
    const bytes = oneTensor([256n], 16, 0n, 66);
    const t = readGguf(bytes, { file: "iq.gguf" }).tensors[0];
    expect([t.storedType, t.byteLength]).toEqual(["IQ2_XXS", 66]);
    expect(() => t.values()).toThrow(
      'iq.gguf: tensors["t"]: IQ2_XXS tensors cannot be decoded yet (its tensor info and bytes are read)',
    );
  });
});

describe("writeGguf: bad arguments", () => {
  const bad = (input: unknown) => () => writeGguf(input as Parameters<typeof writeGguf>[0]);
  it.each([
    ["a number without its type", { metadata: { k: 3 } }],
    ["a uint8 out of range", { metadata: { k: { type: "uint8", value: 256 } } }],
    ["an unknown value type", { metadata: { k: { type: "u8", value: 1 } } }],
    [
      "alignment not a power of two",
      { metadata: { "general.alignment": { type: "uint32", value: 3 } } },
    ],
    ["an unknown tensor type", { tensors: [{ name: "w", type: "Q9_9", shape: [1], values: [1] }] }],
    [
      "a row that is not whole blocks",
      { tensors: [{ name: "w", type: "Q8_0", shape: [2, 16], values: new Float32Array(32) }] },
    ],
    [
      "values of the wrong length",
      { tensors: [{ name: "w", type: "F32", shape: [2], values: [1] }] },
    ],
    [
      "data of the wrong length",
      { tensors: [{ name: "w", type: "F16", shape: [2], data: new Uint8Array(3) }] },
    ],
    [
      "both values and data",
      { tensors: [{ name: "w", type: "F16", shape: [1], data: new Uint8Array(2), values: [1] }] },
    ],
    [
      "a name twice",
      {
        tensors: [
          { name: "w", type: "F32", shape: [1], values: [1] },
          { name: "w", type: "F32", shape: [1], values: [1] },
        ],
      },
    ],
    [
      "an I8 value out of range",
      { tensors: [{ name: "w", type: "I8", shape: [1], values: [128] }] },
    ],
    [
      "values Q8_0's fp16 scale cannot hold",
      {
        tensors: [{ name: "w", type: "Q8_0", shape: [32], values: new Float32Array(32).fill(1e9) }],
      },
    ],
    [
      "NaN into Q8_0",
      {
        tensors: [
          { name: "w", type: "Q8_0", shape: [32], values: new Float32Array(32).fill(Number.NaN) },
        ],
      },
    ],
    [
      "IQ2_XXS from values",
      { tensors: [{ name: "w", type: "IQ2_XXS", shape: [256], values: new Float32Array(256) }] },
    ],
  ])("%s", (_, input) => {
    expect(bad(input)).toThrow();
    try {
      bad(input)();
    } catch (error) {
      expect((error as Error).message).toMatchSnapshot();
    }
  });
});
