/**
 * The figures draw core's numbers. Expected values come from reasoning about the arithmetic (stated
 * beside each) or from core's own tested functions (quantize, dequantize, traceQuantize, the
 * metrics), never from the figure code.
 */
import {
  absoluteError,
  absolutePercentageError,
  dequantize,
  quantize,
  signedError,
  traceQuantize,
} from "@quantlab/core";
import { describe, expect, test } from "vitest";
import {
  COLORS,
  compareErrors,
  errorPerElement,
  histogramWithLevels,
  mappingCurve,
  originalVsDequantized,
  quantizationGrid,
} from "../src/index.js";
import { type AnyTrace, trace } from "./helpers/traces.js";

// The source's example: t = [-10, -5, 0, 5, 10] on int8 with scale float32(20 / 255), zero point 0.
const t = [-10, -5, 0, 5, 10];
const s = 0.0784313753247261;
const params = { dtype: "int8", scale: 20 / 255 } as const;
// ONNX divides in float32: 10 / s = 127.49999237 rounds to 127; 5 / s = 63.75 to 64.
const q = [-127, -64, 0, 64, 127];
const dq = Array.from(dequantize(q, params).data);
/** Core's level of every int8 code, -128 first. */
const int8Levels = Array.from(
  dequantize(
    Array.from({ length: 256 }, (_, i) => i - 128),
    params,
  ).data,
);

/**
 * The text, x and y of a segments trace of level ticks, [a, a, null, b, b, null, ...]: one tick
 * from y0 to y1 at each [code, level] of `levels`, labelled with both.
 */
function ticks(levels: [number, number][], y0: number, y1: number) {
  const label = (q: number, v: number) => `q = ${q}<br>(q − z)·s = ${v}`;
  return {
    text: levels.flatMap(([q, v]) => [label(q, v), label(q, v), ""]),
    x: levels.flatMap(([, v]) => [v, v, null]),
    y: levels.flatMap(() => [y0, y1, null]),
  };
}
/** What the two traces of input markers share: white-edged circles of size 9 in `color`. */
function inputMarkers(color: string) {
  return {
    hovertemplate: "%{text}<extra></extra>",
    marker: { color, line: { color: "#ffffff", width: 1 }, size: 9, symbol: "circle" },
    mode: "markers",
  };
}
/** The x of every other point of a segments trace [a, a, null, b, b, null, ...]. */
function segmentXs(tr: AnyTrace): number[] {
  const xs: number[] = [];
  for (let i = 0; i < tr.x.length; i += 3) xs.push(tr.x[i]);
  return xs;
}
/** The float32 just below x (x > 0 or x < 0, not a power-of-two boundary case here). */
function float32Below(x: number): number {
  const f = new Float32Array([x]);
  const w = new Int32Array(f.buffer);
  w[0] = (w[0] as number) + (x > 0 ? -1 : 1);
  return f[0] as number;
}

test("the example's numbers, as core computes them", () => {
  expect(Math.fround(20 / 255)).toBe(s);
  expect(Array.from(quantize(t, params).data)).toEqual(q);
  expect(traceQuantize(t, params).clipped).toEqual([false, false, false, false, false]);
  expect(int8Levels[0]).toBe(-128 * s); // a power of two times s: exact
  expect(int8Levels[255]).toBe(dq[4]);
});

describe("quantizationGrid", () => {
  const fig = quantizationGrid(t, params);

  test("traces, in order: nothing saturates, 10 included", () => {
    expect(fig.data.map((d) => d.name)).toEqual([
      "range of the levels [-10.0392, 9.96078]",
      "used codes (5 of 256)",
      "unused codes (251)",
      "x → x̂",
      "inputs x",
      "dequantized x̂ = (q − z)·s",
    ]);
    // 10 lies beyond the last level 127 s = 9.96, but 10 / s = 127.49999 rounds to 127 inside the
    // range: saturation does not change its code, so it is an ordinary input.
    expect(trace(fig, "inputs x").x).toEqual(t);
  });

  test("the range of the levels is [x̂(qmin), x̂(qmax)], core's levels", () => {
    const band = trace(fig, "range of the levels [-10.0392, 9.96078]");
    expect(Math.min(...band.x)).toBe(int8Levels[0]);
    expect(Math.max(...band.x)).toBe(int8Levels[255]);
    expect(band.fill).toBe("toself");
  });

  test("every level is a tick at core's x̂, the used ones apart", () => {
    const used = trace(fig, "used codes (5 of 256)");
    const unused = trace(fig, "unused codes (251)");
    expect(segmentXs(used)).toEqual(dq);
    expect(used.x.length).toBe(5 * 3);
    expect(unused.x.length).toBe(251 * 3);
    const all = [...segmentXs(used), ...segmentXs(unused)].sort((a, b) => a - b);
    expect(all).toEqual(int8Levels);
    expect(segmentXs(unused)).toContain(int8Levels[0]);
    expect(segmentXs(unused)).not.toContain(dq[0]);
    expect(used.text[0]).toBe("q = -127<br>(q − z)·s = -9.96078");
    expect(used.line.width).toBeLessThanOrEqual(1.5);
    expect(unused.line.color).toBe(COLORS.unusedLevel);
  });

  test("each input lands on its dequantized level", () => {
    expect(trace(fig, "dequantized x̂ = (q − z)·s").x).toEqual(dq);
    const lines = trace(fig, "x → x̂");
    expect(lines.x).toEqual(t.flatMap((x, i) => [x, dq[i], null]));
  });

  test("saturated means saturation changed the code, as core decides", () => {
    // 10.0001 / s = 127.5013 rounds to 128, beyond 127: saturated. 12 / s = 153: saturated.
    const g = quantizationGrid([10, 10.0001, 12], params);
    expect(traceQuantize([10, 10.0001, 12], params).clipped).toEqual([false, true, true]);
    expect(trace(g, "inputs x").x).toEqual([10]);
    const sat = trace(g, "saturated inputs (2)");
    expect(sat.x).toEqual([Math.fround(10.0001), 12]);
    expect(sat.marker.color).toBe(COLORS.saturated);
    expect(trace(g, "used codes (1 of 256)").x[0]).toBe(dq[4]);
  });

  test("the semantics are named: PyTorch sends -10 to -128 and saturates 10", () => {
    // fround(1 / s) = 12.75 exactly; -10 × 12.75 = -127.5, a tie, to the even -128 (inside the
    // range); 10 × 12.75 = 127.5 to 128, which saturates to 127.
    const g = quantizationGrid(t, params, { semantics: "pytorch" });
    expect(segmentXs(trace(g, "used codes (5 of 256)"))[0]).toBe(int8Levels[0]);
    expect(trace(g, "saturated inputs (1)").x).toEqual([10]);
    expect(trace(g, "inputs x").x).toEqual([-10, -5, 0, 5]);
  });

  test("zoom along x only; the rows are labelled; the title counts what the legend counts", () => {
    expect(fig.layout.dragmode).toBe("zoom");
    expect(fig.layout.yaxis?.fixedrange).toBe(true);
    expect(fig.layout.yaxis?.ticktext).toEqual(["levels", "inputs"]);
    expect(fig.layout.xaxis?.title).toEqual({ text: "real value" });
    expect(fig.layout.title).toMatchObject({
      text: "Quantization grid: int8, 256 levels, s = 0.0784314, z = 0; 5 of 256 codes used",
    });
  });

  test("an asymmetric uint4 grid: the whole spec", () => {
    // uint4 [0, 15], s = 0.25, z = 2: levels (q - 2) / 4 from -0.5 to 3.25. Codes: -1 / 0.25 + 2 =
    // -2 saturates to 0; fround(-0.3) / 0.25 = -1.2 -> -1, + 2 = 1; fround(0.62) / 0.25 = 2.48 -> 2,
    // + 2 = 4; 5 / 0.25 + 2 = 22 saturates to 15.
    const g = quantizationGrid([-1, -0.3, 0.62, 5], { dtype: "uint4", scale: 0.25, zeroPoint: 2 });
    expect(g.data.map((d) => d.name)).toEqual([
      "range of the levels [-0.5, 3.25]",
      "used codes (4 of 16)",
      "unused codes (12)",
      "x → x̂",
      "inputs x",
      "saturated inputs (2)",
      "dequantized x̂ = (q − z)·s",
    ]);
    expect(trace(g, "dequantized x̂ = (q − z)·s").x).toEqual([-0.5, -0.25, 0.5, 3.25]);
    expect(trace(g, "saturated inputs (2)").x).toEqual([-1, 5]);
    expect(g.data).toStrictEqual([
      {
        fill: "toself",
        fillcolor: "rgba(0, 158, 115, 0.10)",
        hoverinfo: "skip",
        line: {
          color: "#009E73",
          dash: "dot",
          width: 1,
        },
        mode: "lines",
        name: "range of the levels [-0.5, 3.25]",
        type: "scatter",
        x: [-0.5, 3.25, 3.25, -0.5, -0.5],
        y: [-0.5, -0.5, 1.4, 1.4, -0.5],
      },
      {
        hovertemplate: "%{text}<extra>used</extra>",
        line: {
          color: "#555555",
          width: 1.5,
        },
        mode: "lines",
        name: "used codes (4 of 16)",
        type: "scatter",
        ...ticks(
          [
            [0, -0.5],
            [1, -0.25],
            [4, 0.5],
            [15, 3.25],
          ],
          -0.25,
          0.25,
        ),
      },
      {
        hovertemplate: "%{text}<extra>unused</extra>",
        line: {
          color: "#CC79A7",
          width: 1,
        },
        mode: "lines",
        name: "unused codes (12)",
        type: "scatter",
        ...ticks(
          [
            [2, 0],
            [3, 0.25],
            [5, 0.75],
            [6, 1],
            [7, 1.25],
            [8, 1.5],
            [9, 1.75],
            [10, 2],
            [11, 2.25],
            [12, 2.5],
            [13, 2.75],
            [14, 3],
          ],
          -0.25,
          0.25,
        ),
      },
      {
        hoverinfo: "skip",
        line: {
          color: "#0072B2",
          width: 1,
        },
        mode: "lines",
        name: "x → x̂",
        opacity: 0.6,
        type: "scatter",
        x: [
          -1,
          -0.5,
          null,
          -0.30000001192092896,
          -0.25,
          null,
          0.6200000047683716,
          0.5,
          null,
          5,
          3.25,
          null,
        ],
        y: [1, 0.31, null, 1, 0.31, null, 1, 0.31, null, 1, 0.31, null],
      },
      {
        ...inputMarkers("#0072B2"),
        name: "inputs x",
        text: ["x = -0.3<br>q = 1<br>x̂ = -0.25", "x = 0.62<br>q = 4<br>x̂ = 0.5"],
        type: "scatter",
        x: [-0.30000001192092896, 0.6200000047683716],
        y: [1, 1],
      },
      {
        ...inputMarkers("#E69F00"),
        name: "saturated inputs (2)",
        text: ["x = -1<br>q = 0<br>x̂ = -0.5", "x = 5<br>q = 15<br>x̂ = 3.25"],
        type: "scatter",
        x: [-1, 5],
        y: [1, 1],
      },
      {
        hovertemplate: "%{text}<extra></extra>",
        marker: {
          color: "#D55E00",
          size: 9,
          symbol: "triangle-down",
        },
        mode: "markers",
        name: "dequantized x̂ = (q − z)·s",
        text: [
          "x = -1<br>q = 0<br>x̂ = -0.5",
          "x = -0.3<br>q = 1<br>x̂ = -0.25",
          "x = 0.62<br>q = 4<br>x̂ = 0.5",
          "x = 5<br>q = 15<br>x̂ = 3.25",
        ],
        type: "scatter",
        x: [-0.5, -0.25, 0.5, 3.25],
        y: [0.31, 0.31, 0.31, 0.31],
      },
    ]);
    expect(g.layout).toMatchInlineSnapshot(`
      {
        "autosize": true,
        "dragmode": "zoom",
        "font": {
          "color": "#222222",
          "family": "Arial, Helvetica, sans-serif",
          "size": 13,
        },
        "height": 420,
        "hovermode": "closest",
        "legend": {
          "bgcolor": "rgba(255,255,255,0)",
          "orientation": "h",
          "x": 0,
          "xanchor": "left",
          "y": 0,
          "yanchor": "bottom",
          "yref": "container",
        },
        "margin": {
          "b": 56,
          "l": 64,
          "r": 24,
          "t": 56,
        },
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "showlegend": true,
        "title": {
          "font": {
            "size": 16,
          },
          "text": "Quantization grid: uint4, 16 levels, s = 0.25, z = 2; 4 of 16 codes used",
          "x": 0,
          "xanchor": "left",
          "xref": "paper",
          "y": 0.97,
          "yanchor": "top",
          "yref": "container",
        },
        "xaxis": {
          "automargin": true,
          "gridcolor": "#e6e6e6",
          "linecolor": "#444444",
          "range": [
            -1.24,
            5.24,
          ],
          "showgrid": false,
          "showline": true,
          "ticks": "outside",
          "title": {
            "text": "real value",
          },
          "zeroline": false,
        },
        "yaxis": {
          "automargin": true,
          "fixedrange": true,
          "gridcolor": "#e6e6e6",
          "linecolor": "#444444",
          "range": [
            -0.6,
            1.5,
          ],
          "showgrid": false,
          "showline": false,
          "ticks": "",
          "ticktext": [
            "levels",
            "inputs",
          ],
          "tickvals": [
            0,
            1,
          ],
          "title": {
            "text": "",
          },
          "zeroline": false,
        },
      }
    `);
  });
});

describe("histogramWithLevels", () => {
  const fig = histogramWithLevels(t, params, { bins: 4 });

  test("traces, counts and bins", () => {
    expect(fig.data.map((d) => d.name)).toEqual([
      "range of the levels [-10.0392, 9.96078]",
      "values (5)",
      "levels (q − z)·s (256)",
    ]);
    const bars = trace(fig, "values (5)");
    // Bins of width 5 from -10: [-10, -5) [-5, 0) [0, 5) [5, 10], the maximum in the last bin.
    expect(bars.x).toEqual([-7.5, -2.5, 2.5, 7.5]);
    expect(bars.y).toEqual([1, 1, 1, 2]);
    expect(bars.width).toEqual([5, 5, 5, 5]);
    expect(bars.hovertext).toEqual(["[-10, -5)", "[-5, 0)", "[0, 5)", "[5, 10]"]);
    expect(bars.textposition).toBe("none");
  });

  test("all 256 of core's levels are drawn over the bars, and their range", () => {
    const levels = trace(fig, "levels (q − z)·s (256)");
    expect(segmentXs(levels)).toEqual(int8Levels);
    expect(Math.max(...levels.y.filter((y: number | null) => y !== null))).toBeCloseTo(
      2 * 1.08,
      12,
    );
    const band = trace(fig, "range of the levels [-10.0392, 9.96078]");
    expect([Math.min(...band.x), Math.max(...band.x)]).toEqual([int8Levels[0], int8Levels[255]]);
    expect(fig.layout.barmode).toBe("overlay");
    expect(fig.layout.title).toMatchObject({
      text: "Values and the 256 levels of int8 (s = 0.0784314, z = 0)",
    });
  });

  test("default bins: clamp(ceil(sqrt(n)), 10, 80); equal values make one bin of width scale", () => {
    expect(trace(histogramWithLevels(t, params), "values (5)").x.length).toBe(10);
    const many = Array.from({ length: 10000 }, (_, i) => i / 10000);
    expect(trace(histogramWithLevels(many, params), "values (10000)").x.length).toBe(80);
    const equal = trace(histogramWithLevels([3, 3, 3], params), "values (3)");
    expect(equal.x).toEqual([3]);
    expect(equal.y).toEqual([3]);
    expect(equal.width).toEqual([s]);
  });

  test("typed arrays are accepted and copied to plain arrays", () => {
    const f = histogramWithLevels(
      new Float32Array([0.5, 1.5]),
      { dtype: "uint4", scale: 1 },
      {
        bins: 2,
      },
    );
    expect(trace(f, "values (2)").y).toEqual([1, 1]);
    expect(Array.isArray(trace(f, "values (2)").y)).toBe(true);
    expect(segmentXs(trace(f, "levels (q − z)·s (16)"))).toEqual(
      Array.from({ length: 16 }, (_, i) => i),
    );
  });
});

describe("errorPerElement", () => {
  test("core's absolute error, the bound s/2, and the saturated element in orange", () => {
    // 12 / s = 153 saturates to 127; 10 does not (see quantizationGrid).
    const original = [...t, 12];
    const dequantized = [...dq, dq[4] as number];
    const fig = errorPerElement({ original, dequantized, params });
    expect(fig.data.map((d) => d.name)).toEqual(["not saturated", "saturated (1)"]);
    const ae = Array.from(absoluteError(original, dequantized));
    expect(trace(fig, "not saturated").y).toEqual([...ae.slice(0, 5), null]);
    expect(trace(fig, "saturated (1)").y).toEqual([null, null, null, null, null, ae[5]]);
    expect(ae[5]).toBeCloseTo(12 - 127 * s, 6);
    expect(trace(fig, "saturated (1)").marker.color).toBe(COLORS.saturated);
    expect(fig.layout.shapes).toEqual([
      {
        type: "line",
        xref: "paper",
        x0: 0,
        x1: 1,
        yref: "y",
        y0: s / 2,
        y1: s / 2,
        line: { color: COLORS.bound, width: 1.5, dash: "dash" },
        layer: "above",
        name: "bound s/2 = 0.0392157",
        showlegend: true,
      },
    ]);
    expect(fig.layout.yaxis?.title).toEqual({ text: "absolute error |x̂ − x|" });
  });

  test("which elements saturate depends on the semantics, and core decides", () => {
    // PyTorch: 10 × fround(1 / s) = 127.5 rounds to 128 and saturates; ONNX: 127, inside.
    const onnx = errorPerElement({ original: t, dequantized: dq, params });
    expect(onnx.data.map((d) => d.name)).toEqual(["not saturated"]);
    const torch = errorPerElement({ original: t, dequantized: dq, params, semantics: "pytorch" });
    expect(traceQuantize(t, params, { semantics: "pytorch" }).clipped).toEqual([
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(trace(torch, "saturated (1)").y).toEqual([
      null,
      null,
      null,
      null,
      absoluteError([10], [dq[4] as number])[0],
    ]);
  });

  test("without params: one trace, no bound", () => {
    const fig = errorPerElement({ original: [1, 2], dequantized: [1.5, 2] });
    expect(fig.data.map((d) => [d.name, (d as AnyTrace).y])).toEqual([["error", [0.5, 0]]]);
    expect(fig.layout.shapes).toBeUndefined();
    expect(fig.layout.title).toMatchObject({ text: "Absolute error per element (max 0.5)" });
  });

  test("signed error is core's signedError, with the bounds ±s/2", () => {
    const fig = errorPerElement({
      original: [1, 2],
      dequantized: [1.25, 1.75],
      kind: "signed",
      params: { dtype: "int8", scale: 0.5 },
    });
    expect(trace(fig, "not saturated").y).toEqual([0.25, -0.25]);
    expect(trace(fig, "not saturated").y).toEqual(Array.from(signedError([1, 2], [1.25, 1.75])));
    expect(fig.layout.shapes?.map((shape) => shape.y0)).toEqual([0.25, -0.25]);
  });

  test("percentage: core's 100 |x̂ − x| / |x|; where x = 0 no bar (core says 0) and a marker", () => {
    const original = [-4, 0, 2];
    const dequantized = [-4.5, 0.5, 2];
    const fig = errorPerElement({
      original,
      dequantized,
      kind: "percentage",
      params: { dtype: "int8", scale: 1 },
    });
    expect(fig.data.map((d) => d.name)).toEqual([
      "not saturated",
      "bound 100·(s/2)/|x|",
      "x = 0 (no relative error)",
    ]);
    expect(Array.from(absolutePercentageError(original, dequantized))).toEqual([12.5, 0, 0]);
    expect(trace(fig, "not saturated").y).toEqual([12.5, null, 0]);
    expect(trace(fig, "bound 100·(s/2)/|x|").y).toEqual([12.5, null, 25]);
    expect(trace(fig, "x = 0 (no relative error)").x).toEqual([1]);
    expect(fig.layout.shapes).toBeUndefined();
    // x = 0 as core reads it: 1e-46 is 0 in float32.
    const tiny = errorPerElement({ original: [1e-46, 1], dequantized: [0, 1], kind: "percentage" });
    expect(trace(tiny, "error").y).toEqual([null, 0]);
    expect(trace(tiny, "x = 0 (no relative error)").x).toEqual([0]);
  });

  test("labels make a category axis", () => {
    const fig = errorPerElement({ original: [1, 2], dequantized: [1, 2], labels: ["w0", "w1"] });
    expect(trace(fig, "error").x).toEqual(["w0", "w1"]);
    expect(fig.layout.xaxis?.type).toBe("category");
  });
});

describe("compareErrors", () => {
  const int4 = { dtype: "int4", scale: 20 / 15 } as const;
  const int4Back = Array.from(dequantize(quantize(t, int4)).data);
  const fig = compareErrors({
    original: t,
    schemes: [
      { name: "int8", dequantized: dq, params },
      { name: "int4", dequantized: int4Back, params: int4 },
      { name: "exact", dequantized: t },
    ],
  });

  test("one bar trace per scheme, grouped, in the scheme colours, core's errors", () => {
    expect(fig.data.map((d) => d.name)).toEqual(["int8", "int4", "exact"]);
    expect(fig.data.map((d) => (d as AnyTrace).marker.color)).toEqual([
      "#0072B2",
      "#D55E00",
      "#009E73",
    ]);
    expect(fig.layout.barmode).toBe("group");
    expect(trace(fig, "int8").y).toEqual(Array.from(absoluteError(t, dq)));
    expect(trace(fig, "int4").y).toEqual(Array.from(absoluteError(t, int4Back)));
    expect(trace(fig, "exact").y).toEqual([0, 0, 0, 0, 0]);
  });

  test("a dashed bound per scheme with params, in its colour, from core's float32 scale", () => {
    expect(fig.layout.shapes?.map((shape) => [shape.name, shape.y0, shape.line?.color])).toEqual([
      ["int8: s/2 = 0.0392157", s / 2, "#0072B2"],
      ["int4: s/2 = 0.666667", Math.fround(20 / 15) / 2, "#D55E00"],
    ]);
  });

  test("percentage: no bar where x = 0, and the same marker as errorPerElement", () => {
    const f = compareErrors({
      original: t,
      schemes: [{ name: "int8", dequantized: dq }],
      kind: "percentage",
    });
    expect(trace(f, "int8").y[2]).toBeNull();
    expect(trace(f, "x = 0 (no relative error)").x).toEqual([2]);
  });
});

describe("mappingCurve", () => {
  test("the staircase steps where core's code changes: ties to even, flat where it saturates", () => {
    // int4, s = 1: code = rint(x). A tie goes to the even code, so the step into an even code sits
    // on the tie (-2.5 -> -2, -0.5 -> -0) and the step into an odd one a float32 above it
    // (-1.5 -> -2, 0.5 -> 0); 1.5 -> 2 again on the tie.
    const fig = mappingCurve({ dtype: "int4", scale: 1 }, { range: [-3, 2] });
    expect(fig.data.map((d) => d.name)).toEqual([
      "range of the levels [-8, 7]",
      "identity x̂ = x",
      "dequantized x̂(x)",
    ]);
    const stairs = trace(fig, "dequantized x̂(x)");
    expect(stairs.x).toEqual([-3, -2.5, -1.5 + 2 ** -23, -0.5, 0.5 + 2 ** -24, 1.5, 2]);
    expect(stairs.y).toEqual([-3, -2, -1, 0, 1, 2, 2]);
    expect(stairs.line.shape).toBe("hv");
    expect(trace(fig, "identity x̂ = x").y).toEqual([-3, 2]);
    const flat = trace(
      mappingCurve({ dtype: "int4", scale: 1 }, { range: [-12, 12] }),
      "dequantized x̂(x)",
    );
    expect(flat.y.slice(0, 2)).toEqual([-8, -7]);
    expect(flat.y.slice(-2)).toEqual([7, 7]);
  });

  test("every step is where core's quantize changes the code, for both semantics", () => {
    for (const semantics of ["onnx", "pytorch"] as const) {
      const fig = mappingCurve(params, { y: "code", semantics });
      const stairs = trace(fig, "code q(x)");
      const edges: number[] = stairs.x.slice(1, -1);
      expect(edges.length).toBe(255);
      const at = quantize(edges, params, { semantics }).data;
      const below = quantize(edges.map(float32Below), params, { semantics }).data;
      edges.forEach((_, i) => {
        expect(at[i]).toBe(stairs.y[i + 1]);
        expect(below[i]).toBe((stairs.y[i + 1] as number) - 1);
      });
    }
  });

  test("codes on the y axis, with a zero point, and inputs marked", () => {
    // uint4, s = 0.5, z = 1: code = rint(2x) + 1. -1 -> -1 saturates to 0; the steps: into 1 at
    // the tie -0.25 (rint(-0.5) = -0), into 2 just above 0.25, into 3 at 0.75, into 4 just above
    // 1.25 (float32 steps 2^-25 and 2^-23 there).
    const fig = mappingCurve(
      { dtype: "uint4", scale: 0.5, zeroPoint: 1 },
      { range: [-1, 1.5], y: "code", values: [-0.2, 0.8] },
    );
    const stairs = trace(fig, "code q(x)");
    expect(stairs.x).toEqual([-1, -0.25, 0.25 + 2 ** -25, 0.75, 1.25 + 2 ** -23, 1.5]);
    expect(stairs.y).toEqual([0, 1, 2, 3, 4, 4]);
    // -0.4 -> 0, + 1; 1.6 -> 2, + 1.
    expect(trace(fig, "inputs").y).toEqual([1, 3]);
    expect(trace(fig, "x / s + z (unrounded)").y).toEqual([-1, 4]);
    expect(fig.layout.yaxis?.title).toEqual({ text: "code q" });
  });

  test("the default range is the range of the levels widened by 10% each side", () => {
    const fig = mappingCurve({ dtype: "int4", scale: 1 });
    expect(fig.layout.xaxis?.range).toEqual([-9.5, 8.5]);
  });

  test("ties go to the even code", () => {
    const fig = mappingCurve({ dtype: "int4", scale: 1 }, { values: [0.5, 1.5, -0.5, 2.5] });
    expect(trace(fig, "inputs").y).toEqual([0, 2, 0, 2]);
  });
});

describe("originalVsDequantized", () => {
  const fig = originalVsDequantized({ original: t, dequantized: dq });

  test("original and dequantized at each index, joined by core's signed error", () => {
    expect(fig.data.map((d) => d.name)).toEqual(["error x̂ − x", "original x", "dequantized x̂"]);
    expect(trace(fig, "original x").x).toEqual([0, 1, 2, 3, 4]);
    expect(trace(fig, "original x").y).toEqual(t);
    expect(trace(fig, "dequantized x̂").y).toEqual(dq);
    expect(trace(fig, "dequantized x̂").customdata).toEqual(Array.from(signedError(t, dq)));
    // x̂ - x for -10: -127 s rounded to float32, + 10.
    expect(trace(fig, "dequantized x̂").customdata[0]).toBe((dq[0] as number) + 10);
    expect(trace(fig, "error x̂ − x").y.slice(0, 3)).toEqual([-10, dq[0], null]);
    expect(trace(fig, "original x").marker.color).toBe(COLORS.original);
    expect(trace(fig, "dequantized x̂").marker.color).toBe(COLORS.dequantized);
  });

  test("labels", () => {
    const f = originalVsDequantized({
      original: [1, 2],
      dequantized: [1, 2],
      labels: ["a", "b"],
      title: "T",
    });
    expect(trace(f, "original x").x).toEqual(["a", "b"]);
    expect(f.layout.title).toMatchObject({ text: "T" });
  });
});

test("builders are deterministic and their specs survive JSON", () => {
  const build = () => [
    quantizationGrid(t, params),
    histogramWithLevels(t, params),
    errorPerElement({ original: t, dequantized: dq, params }),
    compareErrors({ original: t, schemes: [{ name: "a", dequantized: dq }] }),
    mappingCurve(params, { values: t }),
    originalVsDequantized({ original: t, dequantized: dq }),
  ];
  const once = build();
  expect(build()).toEqual(once);
  expect(JSON.parse(JSON.stringify(once))).toEqual(once);
});
