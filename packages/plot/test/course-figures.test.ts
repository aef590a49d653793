/**
 * The figures of the course's format, granularity and calibration lessons. Expected values come
 * from the formats' definitions (π's IEEE bit patterns, the eight values of float4 e2m1, the
 * subnormals k · 2^(1 - bias - m)) or from core's tested functions, never from the figure code.
 */
import { Histogram, MinMaxObserver } from "@quantlab/core";
import { describe, expect, test } from "vitest";
import {
  bitFields,
  bitsPerWeightChart,
  channelRanges,
  clipSweep,
  FIELD_COLORS,
  floatNumberLine,
  heatmap,
  valueSpacing,
} from "../src/index.js";
import { type AnyTrace, trace } from "./helpers/traces.js";

describe("bitFields", () => {
  const fig = bitFields(["float32", "float16", "float4e2m1", "int8"], { value: Math.PI });
  const rowOf = (t: AnyTrace, label: string) =>
    (t.y as string[]).flatMap((y, i) => (y === label ? [i] : []));

  test("one box per bit, coloured by field, top bit on the left", () => {
    const sign = trace(fig, "sign");
    const exponent = trace(fig, "exponent");
    const mantissa = trace(fig, "mantissa (fraction)");
    const value = trace(fig, "integer value bits");
    const f16 = "float16<br>1·5·10, bias 15";
    expect(rowOf(sign, f16).map((i) => sign.base[i])).toEqual([0]);
    expect(rowOf(exponent, f16).map((i) => exponent.base[i])).toEqual([1, 2, 3, 4, 5]);
    expect(rowOf(mantissa, f16).map((i) => mantissa.base[i])).toEqual(
      Array.from({ length: 10 }, (_, i) => 6 + i),
    );
    expect(rowOf(value, "int8<br>two's complement").length).toBe(7);
    expect(sign.marker.color).toBe(FIELD_COLORS.sign);
    // Every box is one bit long.
    for (const t of fig.data as AnyTrace[])
      expect(new Set(t.x)).toEqual(new Set(t.x.length ? [1] : []));
  });

  test("writes the bits of π: binary32 0x40490FDB, binary16 0x4248, e2m1 0b0101, int8 3", () => {
    const bitsOf = (label: string) => {
      const boxes: [number, string][] = [];
      for (const t of fig.data as AnyTrace[])
        for (const i of rowOf(t, label)) boxes.push([t.base[i], t.text[i]]);
      return boxes
        .sort((a, b) => a[0] - b[0])
        .map((b) => b[1])
        .join("");
    };
    expect(Number.parseInt(bitsOf("float32<br>1·8·23, bias 127"), 2)).toBe(0x40490fdb);
    expect(Number.parseInt(bitsOf("float16<br>1·5·10, bias 15"), 2)).toBe(0x4248);
    expect(bitsOf("float4e2m1<br>1·2·1, bias 1")).toBe("0101");
    expect(bitsOf("int8<br>two's complement")).toBe("00000011");
    expect(fig.layout.annotations?.map((a) => a.text)).toEqual([
      "= 3.14159274",
      "= 3.140625",
      "= 3",
      "= 3",
    ]);
  });

  test("refuses what it cannot draw, under its own name", () => {
    expect(() => bitFields([])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: bitFields(): argument 'formats' must be a non-empty array; received an array of length 0.]`,
    );
    expect(() => bitFields(["float16", "float7" as never])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: bitFields(): argument 'formats[1]' must be "float64", "float32", a low-precision float dtype or an integer dtype; received "float7".]`,
    );
    expect(() => bitFields(["int8", "int8"])).toThrow(RangeError);
    expect(() =>
      bitFields(["float4e2m1"], { value: Number.NaN }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: bitFields(): argument 'options.value' must be a number, not NaN (float4e2m1 has no NaN code); received NaN.]`,
    );
    expect(() => bitFields(["int8"], { vlaue: 1 } as never)).toThrow(RangeError);
  });
});

describe("valueSpacing", () => {
  test("float4 e2m1: 0.5, 1, 1.5, 2, 3, 4, 6 are 0.5, 0.5, 0.5, 1, 1, 2 apart", () => {
    const fig = valueSpacing(["float4e2m1", { dtype: "int4", scale: 0.5 }]);
    const normal = trace(fig, "float4e2m1 (±6)");
    expect(normal.x).toEqual([1, 2, 4, 6]);
    expect(normal.y).toEqual([0.5, 1, 2, 2]);
    expect(normal.line.shape).toBe("hv");
    const sub = trace(fig, "float4e2m1 subnormals");
    expect([sub.x, sub.y]).toEqual([
      [0.5, 1],
      [0.5, 0.5],
    ]);
    // The subnormal lines stay out of the legend, which has one neutral entry for all of them.
    expect(sub.showlegend).toBe(false);
    const legend = trace(fig, "subnormals (dotted, in each format's colour)");
    expect([legend.x, legend.line.dash]).toEqual([[null], "dot"]);
    expect(fig.data.filter((t) => (t as AnyTrace).showlegend !== false).length).toBe(3);
    // int4 with s = 0.5: levels -4 ... 3.5, each 0.5 apart, from the first above 0.
    const grid = trace(fig, "int4, s = 0.5 ([-4, 3.5])");
    expect([grid.x, grid.y]).toEqual([
      [0.5, 3.5],
      [0.5, 0.5],
    ]);
  });

  test("float8 e4m3fn: the subnormal step 2^-9 runs up to 2^-5, then the gap doubles each binade", () => {
    const fig = valueSpacing(["float8e4m3fn"]);
    const normal = trace(fig, "float8e4m3fn (±448)");
    expect(normal.x.slice(0, 3)).toEqual([2 ** -6, 2 ** -5, 2 ** -4]);
    expect(normal.y.slice(0, 3)).toEqual([2 ** -9, 2 ** -8, 2 ** -7]);
    expect(normal.x[normal.x.length - 1]).toBe(448);
    expect(normal.y[normal.y.length - 1]).toBe(32);
    const sub = trace(fig, "float8e4m3fn subnormals");
    expect([sub.x, sub.y]).toEqual([
      [2 ** -9, 2 ** -6],
      [2 ** -9, 2 ** -9],
    ]);
  });

  test("xRange cuts the lines and sets the axis", () => {
    const fig = valueSpacing(["float16"], { xRange: [1, 4] });
    const normal = trace(fig, "float16 (±65504)");
    expect([normal.x, normal.y]).toEqual([
      [1, 2, 4],
      [2 ** -10, 2 ** -9, 2 ** -9],
    ]);
    expect(trace(fig, "float16 subnormals").x).toEqual([]);
    expect(fig.data.map((t) => t.name)).not.toContain(
      "subnormals (dotted, in each format's colour)",
    );
    expect(fig.layout.xaxis?.range).toEqual([0, Math.log10(4)]);
    expect(() => valueSpacing(["float16"], { xRange: [0, 1] })).toThrow(RangeError);
    expect(() => valueSpacing(["int8" as never])).toThrow(RangeError);
    expect(() => valueSpacing([])).toThrow(RangeError);
  });
});

describe("floatNumberLine", () => {
  test("puts float4 e2m1's subnormal at minNormal / 2 and e4m3fn's at k / 8", () => {
    const fig = floatNumberLine(["float4e2m1", "float8e4m3fn"], { upTo: 2 });
    const sub = trace(fig, "subnormal values");
    const normal = trace(fig, "normal values");
    const at = (t: AnyTrace, row: string) => t.x.filter((_: number, i: number) => t.y[i] === row);
    expect(at(sub, "float4e2m1 (M = 1)")).toEqual([0.5]);
    expect(at(normal, "float4e2m1 (M = 1)")).toEqual([1, 1.5, 2]);
    expect(at(sub, "float8e4m3fn (M = 3)")).toEqual([1, 2, 3, 4, 5, 6, 7].map((k) => k / 8));
    // Normals from minNormal to 2 · minNormal keep the subnormal step (1/8), then it doubles.
    expect(at(normal, "float8e4m3fn (M = 3)")).toEqual([
      ...[8, 9, 10, 11, 12, 13, 14, 15].map((k) => k / 8),
      2,
    ]);
    expect(trace(fig, "zero").x).toEqual([0, 0]);
  });

  test("refuses a format without subnormals", () => {
    expect(() => floatNumberLine(["float8e8m0"])).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: floatNumberLine(): argument 'dtypes[0]' must be a format with subnormals (not float8e8m0); received "float8e8m0".]`,
    );
    expect(() => floatNumberLine(["float16"], { upTo: 0 })).toThrow(RangeError);
  });
});

describe("heatmap", () => {
  test("rows top down, on one colour scale symmetric about 0", () => {
    const fig = heatmap({
      panels: [
        { name: "w", values: [1, -2, 0.5, 4, 0, 3] },
        { name: "e", values: [0, 0, 0, 0, 0, -5] },
      ],
      shape: [2, 3],
    });
    expect((fig.data[0] as AnyTrace).z).toEqual([
      [1, -2, 0.5],
      [4, 0, 3],
    ]);
    expect((fig.data[1] as AnyTrace).xaxis).toBe("x2");
    const colors = (fig.layout as AnyTrace).coloraxis;
    expect([colors.cmin, colors.cmax]).toEqual([-5, 5]);
    expect(fig.layout.yaxis?.autorange).toBe("reversed");
    const seq = heatmap({
      panels: [{ name: "|e|", values: [1, 2] }],
      shape: [1, 2],
      scale: "sequential",
      zmax: 4,
    });
    expect([
      (seq.layout as AnyTrace).coloraxis.cmin,
      (seq.layout as AnyTrace).coloraxis.cmax,
    ]).toEqual([0, 4]);
  });

  test("refuses values that do not fit the shape", () => {
    expect(() =>
      heatmap({ panels: [{ name: "w", values: [1, 2, 3] }], shape: [2, 2] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: heatmap(): argument 'options.panels[0].values' must be 4 values (rows × cols of options.shape); received an array of length 3.]`,
    );
    expect(() => heatmap({ panels: [], shape: [1, 1] })).toThrow(RangeError);
    expect(() => heatmap({ panels: [{ name: "w", values: [1] }], shape: [1, 0] as never })).toThrow(
      RangeError,
    );
  });
});

describe("channelRanges", () => {
  test("draws MinMaxObserver's range of each channel", () => {
    const w = Float32Array.from({ length: 24 }, (_, i) => Math.sin(i) * (i >= 18 ? 6 : 1));
    const fig = channelRanges(w, { shape: [4, 6] });
    const observer = new MinMaxObserver({ axis: 0 }).observe(w, [4, 6]);
    const bars = trace(fig, "range of each channel (4)");
    expect(bars.base).toEqual(Array.from(observer.min));
    expect(bars.y).toEqual(Array.from(observer.max, (v, c) => v - (observer.min[c] as number)));
    const lines = fig.data[1] as AnyTrace;
    expect(lines.y).toEqual([
      Math.min(...observer.min),
      Math.min(...observer.min),
      null,
      Math.max(...observer.max),
      Math.max(...observer.max),
    ]);
    expect(() => channelRanges(w, { shape: [4, 6], axis: 2 })).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: channelRanges(): argument 'options.axis' must be an integer in [-2, 1] for an input of rank 2; received 2.]`,
    );
  });
});

describe("bitsPerWeightChart", () => {
  test("one labelled line per series", () => {
    const fig = bitsPerWeightChart({
      series: [
        {
          name: "int8",
          points: [
            { bits: 8, value: 36, label: "tensor" },
            { bits: 9, value: 46 },
          ],
        },
        { name: "int4", points: [{ bits: 4.5, value: 17, label: "g64" }] },
      ],
      yTitle: "SQNR (dB)",
    });
    expect(
      fig.data.map((t) => [t.name, (t as AnyTrace).x, (t as AnyTrace).y, (t as AnyTrace).text]),
    ).toEqual([
      ["int8", [8, 9], [36, 46], ["tensor", ""]],
      ["int4", [4.5], [17], ["g64"]],
    ]);
    expect(() =>
      bitsPerWeightChart({
        series: [{ name: "a", points: [{ bits: 1, value: 0 }] }],
        yTitle: "MSE",
        yType: "log",
      }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: bitsPerWeightChart(): argument 'options.series[0].points[0].value' must be a number > 0 (the y axis is logarithmic); received 0.]`,
    );
    expect(() => bitsPerWeightChart({ series: [{ name: "a", points: [] }], yTitle: "x" })).toThrow(
      RangeError,
    );
  });
});

describe("clipSweep", () => {
  test("the curve, each choice marked, and core's histogram above", () => {
    const h = new Histogram({ bins: 8 }).observe([0, 0, 0.5, 1, 3, 7.5]);
    const fig = clipSweep({
      amax: [1, 2, 4, 8],
      mse: [1, 0.5, 0.25, 0.3],
      choices: [
        { name: "minmax", amax: 7.5, mse: 0.3 },
        { name: "mse", amax: 4, mse: 0.25 },
      ],
      histogram: h,
    });
    expect(fig.data.map((t) => t.name)).toEqual([
      "|x| histogram (6 values)",
      "MSE against amax",
      "minmax: amax = 7.5",
      "mse: amax = 4",
    ]);
    const bars = fig.data[0] as AnyTrace;
    // Width 1 (8 · 1 > 7.5), |x| in bins 0, 0, 0, 1, 3, 7.
    expect(bars.y).toEqual([3, 1, 0, 1, 0, 0, 0, 1]);
    expect(bars.x).toEqual([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5]);
    expect(fig.layout.shapes?.map((s) => s.x0)).toEqual([7.5, 4]);
  });

  test("merges bins into at most 256 bars, count for count", () => {
    const values = Float32Array.from({ length: 3000 }, (_, i) => (i % 1000) / 100);
    const h = new Histogram().observe(values);
    const fig = clipSweep({ amax: [5, 10], mse: [1, 2], choices: [], histogram: h });
    const bars = fig.data[0] as AnyTrace;
    expect(bars.y.length).toBeLessThanOrEqual(256);
    expect(bars.y.reduce((a: number, b: number) => a + b, 0)).toBe(3000);
    expect(() => clipSweep({ amax: [1, 2], mse: [1], choices: [] })).toThrow(RangeError);
    expect(() =>
      clipSweep({ amax: [1], mse: [0], choices: [] }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[RangeError: clipSweep(): argument 'options.mse[0]' must be a number > 0 (the axis is logarithmic); received 0.]`,
    );
  });
});
