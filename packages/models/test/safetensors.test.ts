import { readFileSync } from "node:fs";
import { join } from "node:path";
import { roundToFloat } from "@quantlab/core";
import { describe, expect, it } from "vitest";
import {
  readModel,
  readSafetensors,
  type SafetensorsDType,
  writeSafetensors,
} from "../src/index.js";
import { modelFileError } from "./helpers.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const bits = (v: Float32Array) => [...new Uint32Array(v.buffer, v.byteOffset, v.length)];
/** writeSafetensors given what a read file holds: its metadata, and each tensor's stored bytes in order. */
const rewrite = (file: ReturnType<typeof readSafetensors>) =>
  writeSafetensors({
    metadata: file.metadata,
    tensors: file.tensors.map((t) => ({
      name: t.name,
      dtype: t.storedType,
      shape: t.shape,
      data: t.bytes(),
    })),
  });

describe("a file written by the safetensors library (fixture: scripts/make_fixtures.py)", () => {
  const bytes = new Uint8Array(readFileSync(join(FIXTURES, "numpy.safetensors")));
  const oracle = JSON.parse(readFileSync(join(FIXTURES, "numpy.json"), "utf8"));
  const file = readSafetensors(bytes, { file: "numpy.safetensors" });

  it("reads __metadata__ and every tensor's dtype, shape and offsets", () => {
    expect(file.metadata).toEqual(oracle.metadata);
    const ours = Object.fromEntries(
      file.tensors.map((t) => [
        t.name,
        { dtype: t.storedType, shape: t.shape, dataOffsets: t.dataOffsets },
      ]),
    );
    const theirs = Object.fromEntries(
      Object.entries(oracle.tensors).map(([k, v]) => {
        const { dtype, shape, dataOffsets } = v as Record<string, unknown>;
        return [k, { dtype, shape, dataOffsets }];
      }),
    );
    expect(ours).toEqual(theirs);
  });

  it("decodes every tensor bit for bit as numpy's astype(float32)", () => {
    for (const t of file.tensors) {
      expect(bits(t.values()), `${t.name} (${t.storedType})`).toEqual(
        oracle.tensors[t.name].valueBits,
      );
    }
    console.log(
      `numpy.safetensors: ${file.tensors.length} tensors (${file.tensors.map((t) => t.storedType).join(", ")}) decoded as numpy does`,
    );
  });

  it("writeSafetensors writes the library's bytes again, given its tensor order", () => {
    expect(Buffer.from(rewrite(file)).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe("writeSafetensors and readSafetensors", () => {
  const tensors: { name: string; dtype: SafetensorsDType; shape: number[]; values: number[] }[] = [
    { name: "f32", dtype: "F32", shape: [2, 2], values: [1, -2, 0.1, 3e38] },
    { name: "f16", dtype: "F16", shape: [3], values: [1, 0.1, 65504] },
    { name: "bf16", dtype: "BF16", shape: [3], values: [1, 0.1, 70000] },
    { name: "i8", dtype: "I8", shape: [3], values: [-128, 0, 127] },
    { name: "u8", dtype: "U8", shape: [1, 3], values: [0, 128, 255] },
    { name: "f64", dtype: "F64", shape: [1], values: [0.1] },
    { name: "i32", dtype: "I32", shape: [1], values: [-5] },
    { name: "bool", dtype: "BOOL", shape: [2], values: [1, 0] },
    { name: "empty", dtype: "F32", shape: [0], values: [] },
  ];
  const bytes = writeSafetensors({ metadata: { format: "pt" }, tensors });
  const file = readSafetensors(bytes);

  it("pads the header with spaces to a multiple of 8, as the safetensors library does", () => {
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    expect(file.dataOffset).toBe(8 + n);
  });

  it("gives back metadata, names, dtypes, shapes and values", () => {
    expect(file.metadata).toEqual({ format: "pt" });
    expect(file.tensors.map((t) => [t.name, t.storedType, t.shape])).toEqual(
      tensors.map((t) => [t.name, t.dtype, t.shape]),
    );
    const values = Object.fromEntries(file.tensors.map((t) => [t.name, [...t.values()]]));
    expect(values.f32).toEqual([...Float32Array.from([1, -2, 0.1, 3e38])]);
    expect(values.f16).toEqual([...roundToFloat("float16", [1, 0.1, 65504])]);
    expect(values.bf16).toEqual([...roundToFloat("bfloat16", [1, 0.1, 70000])]);
    expect(values.i8).toEqual([-128, 0, 127]);
    expect(values.u8).toEqual([0, 128, 255]);
    expect(values.f64).toEqual([Math.fround(0.1)]);
    expect(values.bool).toEqual([1, 0]);
    expect(values.empty).toEqual([]);
  });

  it("round trip: writing what was read gives the same bytes", () => {
    expect(Buffer.from(rewrite(file)).equals(Buffer.from(bytes))).toBe(true);
  });

  it("readModel tells safetensors by its header", () => {
    expect(readModel(bytes).format).toBe("safetensors");
  });
});

/** A safetensors file of this header (JSON) and `data` bytes of data. */
function file(header: unknown, data = 0, headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(
    typeof header === "string" ? header : JSON.stringify(header),
  );
  const out = new Uint8Array(8 + json.byteLength + data);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.byteLength), true);
  out.set(json, 8);
  return out;
}

describe("bad safetensors files: a ModelFileError naming the file, the field and the problem", () => {
  const t = (dtype: string, shape: number[], offsets: number[]) => ({
    dtype,
    shape,
    data_offsets: offsets,
  });
  it.each([
    ["shorter than the header length", new Uint8Array(5)],
    ["a header length of 2^40", file({}, 0, 2n ** 40n)],
    ["a header past the end", file({}, 0, 100n)],
    ["a header that is not JSON", file("{nope")],
    ["a header that is not an object", file(" [1]")],
    ["an unknown dtype", file({ w: t("F12", [1], [0, 2]) }, 2)],
    ["offsets past the end", file({ w: t("F32", [2], [0, 8]) }, 4)],
    ["offsets the wrong way round", file({ w: t("F32", [1], [4, 0]) }, 4)],
    ["a length that does not match dtype x shape", file({ w: t("F32", [3], [0, 8]) }, 8)],
    ["a shape that claims 2^40 elements", file({ w: t("F32", [1048576, 1048576], [0, 8]) }, 8)],
    ["a negative dimension", file({ w: t("U8", [-1], [0, 1]) }, 1)],
    ["overlapping tensors", file({ a: t("U8", [4], [0, 4]), b: t("U8", [4], [2, 6]) }, 6)],
    ["a gap between tensors", file({ a: t("U8", [2], [0, 2]), b: t("U8", [2], [4, 6]) }, 6)],
    ["trailing bytes", file({ a: t("U8", [2], [0, 2]) }, 4)],
    ["metadata that is not strings", file({ __metadata__: { a: 1 } })],
    [
      "data_offsets that are not two integers",
      file({ w: { dtype: "U8", shape: [1], data_offsets: [0] } }, 1),
    ],
  ])("%s", (_, bytes) => {
    const read = () => readSafetensors(bytes, { file: "bad.safetensors" });
    expect(modelFileError(read, "bad.safetensors")).toMatchSnapshot();
  });
});

describe("writeSafetensors: bad arguments", () => {
  it.each([
    ["an unknown dtype", { tensors: [{ name: "w", dtype: "F12", shape: [1], values: [1] }] }],
    [
      "a U8 value out of range",
      { tensors: [{ name: "w", dtype: "U8", shape: [1], values: [256] }] },
    ],
    [
      "a tensor named __metadata__",
      { tensors: [{ name: "__metadata__", dtype: "U8", shape: [1], values: [1] }] },
    ],
    ["metadata that is not strings", { metadata: { a: 1 }, tensors: [] }],
    [
      "data of the wrong length",
      { tensors: [{ name: "w", dtype: "F32", shape: [2], data: new Uint8Array(4) }] },
    ],
    [
      "F8_E4M3 from values",
      { tensors: [{ name: "w", dtype: "F8_E4M3", shape: [1], values: [1] }] },
    ],
  ])("%s", (_, input) => {
    const write = () => writeSafetensors(input as Parameters<typeof writeSafetensors>[0]);
    expect(write).toThrow();
    try {
      write();
    } catch (error) {
      expect((error as Error).message).toMatchSnapshot();
    }
  });
});
