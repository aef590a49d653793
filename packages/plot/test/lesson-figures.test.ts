/**
 * The figures of lessons 06 to 08: every number drawn is core's (zeroPointTerms, packingLayout,
 * the unpacked codes) or the caller's measured value, in the place the docs say.
 */
import {
  packCodes,
  packingLayout,
  packNibbles,
  unpackCodes,
  unpackNibbles,
  zeroPointTerms,
} from "@quantlab/core";
import { describe, expect, test } from "vitest";
import {
  codeTables,
  layerSensitivity,
  packedBytes,
  qualityVsBits,
  zeroPointTermBars,
} from "../src/index.js";

// biome-ignore lint/suspicious/noExplicitAny: tests read trace fields of every trace type
type AnyTrace = any;

const TEMPLATE = /^\w+\(\): argument '[^']+' must be .+; received .+\.$/s;
function refuses(call: () => unknown, kind: typeof TypeError | typeof RangeError, part: string) {
  expect(call).toThrow(kind);
  try {
    call();
  } catch (e) {
    expect((e as Error).message).toMatch(TEMPLATE);
    expect((e as Error).message).toContain(part);
  }
}

describe("zeroPointTermBars", () => {
  const a = { data: new Uint8Array([130, 140, 10, 20]), shape: [2, 2] };
  const b = { data: new Uint8Array([120, 110, 100, 90]), shape: [2, 2] };
  const terms = zeroPointTerms(a, b, { aZeroPoint: 128, bZeroPoint: 128 });

  test("draws the four terms and the total of each element, from core", () => {
    const fig = zeroPointTermBars(terms, { row: 1 });
    const [products, rows, columns, constant, total] = fig.data as AnyTrace[];
    expect(products.x).toEqual(["y[1, 0]", "y[1, 1]"]);
    expect(products.y).toEqual([terms.products[2], terms.products[3]]);
    expect(rows.y).toEqual([terms.rowTerms[1], terms.rowTerms[1]]);
    expect(columns.y).toEqual([terms.columnTerms[0], terms.columnTerms[1]]);
    expect(constant.y).toEqual([terms.constant, terms.constant]);
    expect(total.y).toEqual([terms.total[2], terms.total[3]]);
    // (10 − 128)(120 − 128) + (20 − 128)(100 − 128) = 944 + 3024
    expect(total.y[0]).toBe(3968);
    expect(fig.layout.barmode).toBe("group");
  });

  test("refuses what is not core's result, and rows or columns out of range", () => {
    refuses(() => zeroPointTermBars({} as never), TypeError, "'terms.shape'");
    refuses(() => zeroPointTermBars(terms, { row: 2 }), RangeError, "'options.row'");
    refuses(() => zeroPointTermBars(terms, { columns: 0 }), RangeError, "'options.columns'");
    refuses(() => zeroPointTermBars(terms, { rows: 1 } as never), RangeError, 'key "rows"');
  });
});

describe("codeTables", () => {
  test("draws each table as a staircase from inputMin", () => {
    const fig = codeTables(
      [
        { name: "a", codes: [0, 0, 1] },
        { name: "b", codes: [2, 3, 4] },
      ],
      { inputMin: -128 },
    );
    const [a, b] = fig.data as AnyTrace[];
    expect(a.x).toEqual([-128, -127, -126]);
    expect(b.y).toEqual([2, 3, 4]);
    expect(a.line.shape).toBe("hv");
  });

  test("refuses tables of different lengths or repeated names", () => {
    refuses(() => codeTables([]), RangeError, "'tables'");
    refuses(
      () =>
        codeTables([
          { name: "a", codes: [1] },
          { name: "a", codes: [1] },
        ]),
      RangeError,
      "'tables[1].name'",
    );
    refuses(
      () =>
        codeTables([
          { name: "a", codes: [1] },
          { name: "b", codes: [1, 2] },
        ]),
      RangeError,
      "'tables[1].codes'",
    );
  });
});

describe("qualityVsBits", () => {
  test("puts each variant at its bits per weight, sorted, labelled", () => {
    const fig = qualityVsBits(
      [
        {
          name: "m",
          points: [
            { name: "float", bitsPerWeight: 32, value: 95 },
            { name: "int4", bitsPerWeight: 5, value: 94 },
            { name: "int8", bitsPerWeight: 8.25, value: 94.9 },
          ],
        },
      ],
      { valueLabel: "test accuracy (%)" },
    );
    const [t] = fig.data as AnyTrace[];
    expect(t.x).toEqual([5, 8.25, 32]);
    expect(t.y).toEqual([94, 94.9, 95]);
    expect(t.text).toEqual(["int4", "int8", "float"]);
    expect(t.textposition).toEqual(["top center", "top center", "top center"]);
    expect(fig.layout.yaxis?.title).toEqual({ text: "test accuracy (%)" });
    expect(fig.layout.height).toBe(546);
    expect(t.mode).toBe("text+markers");
  });

  test("puts the labels of points of nearly the same size on different sides", () => {
    const fig = qualityVsBits([
      {
        name: "m",
        points: [
          { name: "a", bitsPerWeight: 8, value: 1 },
          { name: "b", bitsPerWeight: 8.1, value: 2 },
          { name: "c", bitsPerWeight: 8.2, value: 3 },
          { name: "d", bitsPerWeight: 16, value: 4 },
        ],
      },
    ]);
    const [t] = fig.data as AnyTrace[];
    expect(t.textposition).toEqual(["top center", "bottom center", "middle right", "top center"]);
  });

  test("refuses empty series and bits per weight <= 0", () => {
    refuses(() => qualityVsBits([{ name: "m", points: [] }]), TypeError, "'series[0].points'");
    refuses(
      () => qualityVsBits([{ name: "m", points: [{ name: "x", bitsPerWeight: 0, value: 1 }] }]),
      RangeError,
      "bitsPerWeight",
    );
  });
});

describe("layerSensitivity", () => {
  test("ranks the layers, worst at the top (plotly's last category)", () => {
    const fig = layerSensitivity(
      [
        { name: "a", damage: 0.1 },
        { name: "b", damage: 3 },
        { name: "c", damage: 1 },
      ],
      { top: 2 },
    );
    const [t] = fig.data as AnyTrace[];
    expect(t.y).toEqual(["c", "b"]);
    expect(t.x).toEqual([1, 3]);
  });

  test("refuses repeated names and a top out of range", () => {
    refuses(
      () =>
        layerSensitivity([
          { name: "a", damage: 1 },
          { name: "a", damage: 2 },
        ]),
      RangeError,
      "'layers[1].name'",
    );
    refuses(
      () => layerSensitivity([{ name: "a", damage: 1 }], { top: 2 }),
      RangeError,
      "'options.top'",
    );
    refuses(() => layerSensitivity([{ name: "a", damage: Number.NaN }]), RangeError, "damage");
  });
});

describe("packedBytes", () => {
  const codes = Array.from({ length: 32 }, (_, i) => i % 16);
  const rowOf = (order: "onnx" | "ggml" | "bnb") => {
    const bytes = packNibbles(codes, order);
    return {
      name: order,
      bytes,
      layout: packingLayout(order, 4, 32),
      codes: unpackNibbles(bytes, order, 32),
    };
  };

  test("labels each nibble with the element core's layout puts there", () => {
    const fig = packedBytes([rowOf("onnx"), rowOf("ggml"), rowOf("bnb")]);
    const [onnx, ggml, bnb] = fig.data as AnyTrace[];
    // Byte 0 spans x in [0, 1): the high nibble is drawn on the left (centre 0.25), the low on the right (0.75).
    const at = (t: AnyTrace, x: number) => t.text[t.x.indexOf(x)];
    expect([at(onnx, 0.25), at(onnx, 0.75)]).toEqual(["1", "0"]);
    expect([at(ggml, 0.25), at(ggml, 0.75)]).toEqual(["16", "0"]);
    expect([at(bnb, 0.25), at(bnb, 0.75)]).toEqual(["0", "1"]);
    expect(onnx.hovertext[0]).toBe("element 0 = 0<br>byte 0, bits 3..0");
    const hex = (fig.layout.annotations ?? []).slice(0, 2).map((a) => a.text);
    // ONNX: byte 0 = 0 | 1 << 4 = 0x10, byte 1 = 2 | 3 << 4 = 0x32
    expect(hex).toEqual(["0x10", "0x32"]);
  });

  test("draws 2-bit fields four a byte", () => {
    const two = [1, -2, 0, -1, 1, 1, -2, 0];
    const bytes = packCodes(two, "int2");
    const fig = packedBytes([
      {
        name: "int2",
        bytes,
        layout: packingLayout("onnx", 2, 8),
        codes: unpackCodes(bytes, "int2", 8),
      },
    ]);
    const [t] = fig.data as AnyTrace[];
    // Element 0 in bits 1..0: the rightmost quarter of byte 0, centred at 0.875.
    expect(t.x[0]).toBe(0.875);
    expect(t.hovertext[1]).toBe("element 1 = -2<br>byte 0, bits 3..2");
  });

  test("refuses a layout that does not match the bytes", () => {
    const row = rowOf("onnx");
    refuses(
      () => packedBytes([{ ...row, bytes: new Uint8Array(3) }]),
      RangeError,
      "'rows[0].bytes'",
    );
    refuses(() => packedBytes([{ ...row, layout: {} as never }]), TypeError, "'rows[0].layout'");
    refuses(() => packedBytes([row], { bytes: 17 }), RangeError, "'options.bytes'");
  });
});
