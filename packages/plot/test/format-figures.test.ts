import { blockStorage, ggmlBlockFields, quantizeGgml, quantizeMx } from "@quantlab/core";
import { describe, expect, test } from "vitest";
import { bitsAgainstError, storageBars } from "../src/index.js";

const points = [
  { name: "q8_0", bitsPerWeight: 8.5, error: 41.2, family: "GGUF" },
  { name: "q4_K", bitsPerWeight: 4.5, error: 22.1, family: "GGUF" },
  { name: "mxfp4", bitsPerWeight: 4.25, error: 17.9, family: "MX" },
];

describe("bitsAgainstError", () => {
  test("one trace per family, in order of appearance, each point at its bits and error", () => {
    const fig = bitsAgainstError(points);
    expect(fig.data.map((t) => t.name)).toEqual(["GGUF (2)", "MX (1)"]);
    const gguf = fig.data[0] as { x: number[]; y: number[]; text: string[] };
    expect(gguf.x).toEqual([8.5, 4.5]);
    expect(gguf.y).toEqual([41.2, 22.1]);
    expect(gguf.text).toEqual(["q8_0", "q4_K"]);
    expect((fig.layout.title as { text: string }).text).toBe(
      "3 formats: bits per weight against SQNR (dB), 4.25 to 8.5 bits",
    );
    expect((fig.layout.yaxis as { title: { text: string } }).title.text).toBe("SQNR (dB)");
  });

  test("a long label at the right end of the axis goes to the left of its point", () => {
    const fig = bitsAgainstError([
      { name: "Q8_0", bitsPerWeight: 8.5, error: 45, family: "GGUF" },
      { name: "MXFP8 (e4m3), a long name", bitsPerWeight: 8.25, error: 30, family: "MX" },
      { name: "MXFP4", bitsPerWeight: 4.25, error: 18, family: "MX" },
    ]);
    const mx = fig.data[1] as { text: string[]; textposition: string[] };
    expect(mx.text).toEqual(["MXFP8 (e4m3), a long name", "MXFP4"]);
    expect(mx.textposition).toEqual(["middle left", "middle right"]);
  });

  test("the doc example", () => {
    const fig = bitsAgainstError([points[0], points[2]] as typeof points);
    expect(fig.data.map((t) => t.name)).toEqual(["GGUF (1)", "MX (1)"]);
  });

  test("bad points name the point and the field", () => {
    expect(() => bitsAgainstError([])).toThrow(
      "bitsAgainstError(): argument 'points' must be a non-empty array; received an array of length 0.",
    );
    expect(() => bitsAgainstError([{ ...points[0], bitsPerWeight: 0 }] as typeof points)).toThrow(
      "bitsAgainstError(): argument 'points[0].bitsPerWeight' must be a finite number > 0; received 0.",
    );
    expect(() => bitsAgainstError([{ ...points[0], error: Number.NaN }] as typeof points)).toThrow(
      "argument 'points[0].error' must be a finite number; received NaN.",
    );
    expect(() => bitsAgainstError([{ ...points[0], family: 3 }] as never)).toThrow(TypeError);
    expect(() => bitsAgainstError(points, { titel: "x" } as never)).toThrow(
      "argument 'options' must be an object with keys among 'errorTitle', 'title'",
    );
  });
});

describe("storageBars", () => {
  test("draws core's fields end to end: q4_K's block as ggml-quants.h lays it out", () => {
    const fig = storageBars([{ name: "q4_K", fields: ggmlBlockFields("q4_K") }], {
      unit: "bits of one block",
    });
    const [codes, scales, total] = fig.data as {
      x: number[];
      base: number[];
      text: string[];
      customdata: string[];
    }[];
    expect(scales?.customdata).toEqual(["d", "dmin", "scales"]);
    expect(scales?.base).toEqual([0, 16, 32]);
    expect(scales?.x).toEqual([16, 16, 96]);
    expect(codes?.text).toEqual(["qs"]);
    expect(codes?.base).toEqual([128]);
    expect(total?.x).toEqual([1152]);
    expect(1152).toBe(144 * 8);
  });

  test("bits per weight from blockStorage add up to each format's total", () => {
    const x = Float32Array.from({ length: 256 }, (_, i) => Math.sin(i));
    const rows = [quantizeGgml(x, "q4_0"), quantizeMx(x, "mxfp4")].map((t) => {
      const s = blockStorage(t);
      return {
        name: s.format,
        fields: s.fields.map(
          (f: { field: string; kind: "codes" | "scales"; bitsPerWeight: number }) => ({
            ...f,
            bits: f.bitsPerWeight,
          }),
        ),
      };
    });
    const fig = storageBars(rows);
    expect((fig.data[2] as { x: number[] }).x).toEqual([4.5, 4.25]);
    expect(fig.data.map((t) => t.name)).toEqual(["codes", "scales", "total"]);
    expect((fig.layout.title as { text: string }).text).toBe(
      "What each of 2 formats stores, in bits per weight: codes (blue) and scales (orange)",
    );
  });

  test("the doc example, and bad rows", () => {
    const fig = storageBars([
      {
        name: "q4_0",
        fields: [
          { field: "d", kind: "scales", bits: 0.5 },
          { field: "qs", kind: "codes", bits: 4 },
        ],
      },
    ]);
    expect(fig.data.map((t) => t.name)).toEqual(["codes", "scales", "total"]);
    expect(() => storageBars([])).toThrow(
      "storageBars(): argument 'rows' must be a non-empty array",
    );
    expect(() =>
      storageBars([{ name: "a", fields: [{ field: "d", kind: "bits" as never, bits: 1 }] }]),
    ).toThrow(
      `storageBars(): argument 'rows[0].fields[0].kind' must be "codes" or "scales"; received "bits".`,
    );
    expect(() =>
      storageBars([{ name: "a", fields: [{ field: "d", kind: "codes", bits: -1 }] }]),
    ).toThrow("argument 'rows[0].fields[0].bits' must be a finite number > 0; received -1.");
  });
});

// Lesson 09's points: three at 4.5 bits within 0.75 dB, two more within 0.4 bits of them.
const crowd = [
  { name: "Q8_0", bitsPerWeight: 8.5, error: 45.19, family: "GGUF" },
  { name: "Q6_K", bitsPerWeight: 6.5625, error: 34.96, family: "GGUF" },
  { name: "Q4_K", bitsPerWeight: 4.5, error: 23.26, family: "GGUF" },
  { name: "Q4_1", bitsPerWeight: 5, error: 22.47, family: "GGUF" },
  { name: "Q4_0", bitsPerWeight: 4.5, error: 21.15, family: "GGUF" },
  { name: "NF4", bitsPerWeight: 4.5, error: 20.51, family: "bitsandbytes" },
  { name: "NF4, double quantized", bitsPerWeight: 4.1276, error: 20.5, family: "bitsandbytes" },
  { name: "MXFP8 (e4m3)", bitsPerWeight: 8.25, error: 30.33, family: "MX" },
  { name: "MXFP4", bitsPerWeight: 4.25, error: 18.64, family: "MX" },
  { name: "NVFP4", bitsPerWeight: 4.5003, error: 20.4, family: "MX" },
];

test("bitsAgainstError places the labels of nearby points apart", () => {
  // Q4_0 and NF4 at 4.5 bits, NVFP4 at 4.5003, Q8_0 at 8.5.
  const near = ["Q4_0", "NF4", "NVFP4", "Q8_0"].map(
    (name) => crowd.find((p) => p.name === name) as (typeof crowd)[number],
  );
  const fig = bitsAgainstError(near);
  type T = { text: string[]; textposition: string[]; customdata: string[] };
  // Each label's place: a position beside its point, or the end of its line.
  const places = new Map<string, string>();
  for (const t of fig.data as T[])
    t.customdata.forEach((name, i) => {
      if (t.text[i] !== "") places.set(name, t.textposition[i] as string);
    });
  for (const a of fig.layout.annotations ?? []) places.set(a.text as string, `${a.ax},${a.ay}`);
  // The three at 4.5 each somewhere else.
  expect(new Set(["Q4_0", "NF4", "NVFP4"].map((name) => places.get(name))).size).toBe(3);
});

test("bitsAgainstError labels a crowd once each: beside its point or further off with a line", () => {
  const fig = bitsAgainstError(crowd);
  type T = { x: number[]; y: number[]; text: string[]; customdata: string[] };
  const beside = (fig.data as T[]).flatMap((t) => t.text.filter((name) => name !== ""));
  const annotations = fig.layout.annotations ?? [];
  const further = annotations.map((a) => a.text);
  // Every name once, in one of the two ways; the hover keeps every name.
  expect([...beside, ...further].sort()).toEqual(crowd.map((p) => p.name).sort());
  expect((fig.data as T[]).flatMap((t) => t.customdata).sort()).toEqual(
    crowd.map((p) => p.name).sort(),
  );
  expect(further.length).toBeGreaterThan(0);
  for (const a of annotations) {
    const point = crowd.find((p) => p.name === a.text);
    // The line starts at its own point and ends elsewhere, inside the x axis' range [3, 9.75].
    expect([a.x, a.y]).toEqual([point?.bitsPerWeight, point?.error]);
    expect(a.showarrow).toBe(true);
    expect(a.ax !== a.x || a.ay !== a.y).toBe(true);
    expect(a.ax as number).toBeGreaterThan(3);
    expect(a.ax as number).toBeLessThan(9.75);
  }
  console.log(
    `bitsAgainstError, lesson 09's ${crowd.length} points: ${beside.length} labels beside their point, ${further.length} with a line (${further.join(", ")})`,
  );
});

test("storageBars names only the segments a name fits in, and every one in its hover", () => {
  const fig = storageBars([{ name: "q4_K", fields: ggmlBlockFields("q4_K") }]);
  const scales = fig.data[1] as { text: string[]; customdata: string[] };
  expect(scales.text).toEqual(["", "", "scales"]);
  expect(scales.customdata).toEqual(["d", "dmin", "scales"]);
});
