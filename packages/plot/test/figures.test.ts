import { describe, expect, test } from "vitest";
import {
  COLORS,
  compareErrors,
  errorPerElement,
  type Figure,
  histogramWithLevels,
  mappingCurve,
  originalVsDequantized,
  quantizationGrid,
} from "../src/index.js";

// The source's example: t = [-10, -5, 0, 5, 10] on int8 with scale float32(20 / 255), zero point 0.
const t = [-10, -5, 0, 5, 10];
const s = 0.0784313753247261;
const q = [-127, -64, 0, 64, 127]; // 10 / s = 127.4999955... rounds to 127; 5 / s = 63.75 to 64.
const dq = q.map((code) => code * s);
const int8 = { scale: s, zeroPoint: 0, qmin: -128, qmax: 127 };

// biome-ignore lint/suspicious/noExplicitAny: tests read trace fields of every trace type
type AnyTrace = any;
function trace(fig: Figure, name: string): AnyTrace {
  const found = fig.data.find((d) => d.name === name);
  if (!found)
    throw new Error(`no trace named ${name}; traces: ${fig.data.map((d) => d.name).join(" | ")}`);
  return found;
}
/** The x of every other point of a segments trace [a, a, null, b, b, null, ...]. */
function segmentXs(tr: AnyTrace): number[] {
  const xs: number[] = [];
  for (let i = 0; i < tr.x.length; i += 3) xs.push(tr.x[i]);
  return xs;
}

test("the example scale is float32(20 / 255)", () => {
  expect(Math.fround(20 / 255)).toBe(s);
});

describe("quantizationGrid", () => {
  const fig = quantizationGrid({ values: t, ...int8 });

  test("traces, in order", () => {
    expect(fig.data.map((d) => d.name)).toEqual([
      "clip range [-10.0392, 9.96078]",
      "used codes (5 of 256)",
      "unused codes (251)",
      "x → x̂",
      "inputs x",
      "clipped inputs (1)",
      "dequantized x̂ = (q − z)·s",
    ]);
  });

  test("the clip range is [(qmin - zp) s, (qmax - zp) s]", () => {
    const band = trace(fig, "clip range [-10.0392, 9.96078]");
    expect(Math.min(...band.x)).toBe(-128 * s);
    expect(Math.max(...band.x)).toBe(127 * s);
    expect(band.fill).toBe("toself");
  });

  test("every level (q - zp) s is a tick, the used ones apart", () => {
    const used = trace(fig, "used codes (5 of 256)");
    const unused = trace(fig, "unused codes (251)");
    expect(segmentXs(used)).toEqual(dq);
    expect(used.x.length).toBe(5 * 3);
    expect(unused.x.length).toBe(251 * 3);
    const all = [...segmentXs(used), ...segmentXs(unused)].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 256 }, (_, i) => (i - 128) * s));
    expect(segmentXs(unused)).toContain(-128 * s);
    expect(segmentXs(unused)).not.toContain(-127 * s);
    expect(used.text[0]).toBe("q = -127<br>(q − z)·s = -9.96078");
    expect(used.line.width).toBeLessThanOrEqual(1.5);
    expect(unused.line.color).toBe(COLORS.unusedLevel);
  });

  test("each input lands on its dequantized level", () => {
    expect(trace(fig, "dequantized x̂ = (q − z)·s").x).toEqual(dq);
    const lines = trace(fig, "x → x̂");
    expect(lines.x).toEqual([
      -10,
      -127 * s,
      null,
      -5,
      -64 * s,
      null,
      0,
      0,
      null,
      5,
      64 * s,
      null,
      10,
      127 * s,
      null,
    ]);
    expect(trace(fig, "inputs x").x).toEqual([-10, -5, 0, 5]);
    // 10 > 127 s = 9.96: outside the clip range.
    expect(trace(fig, "clipped inputs (1)").x).toEqual([10]);
  });

  test("zoom along x only; the rows are labelled", () => {
    expect(fig.layout.dragmode).toBe("zoom");
    expect(fig.layout.yaxis?.fixedrange).toBe(true);
    expect(fig.layout.yaxis?.ticktext).toEqual(["levels", "inputs"]);
    expect(fig.layout.xaxis?.title).toEqual({ text: "real value" });
    expect(fig.layout.title).toMatchObject({
      text: "Quantization grid: 256 levels, s = 0.0784314, z = 0; 5 of 256 codes used",
    });
  });

  test("codes given by the caller are drawn as given", () => {
    const g = quantizationGrid({ values: [-10.04, 0], codes: [-128, 0], ...int8 });
    expect(segmentXs(trace(g, "used codes (2 of 256)"))).toEqual([-128 * s, 0]);
    expect(trace(g, "dequantized x̂ = (q − z)·s").x).toEqual([-128 * s, 0]);
  });

  test("an asymmetric uint4 grid: the whole spec", () => {
    const g = quantizationGrid({
      values: [-0.3, 0.62, 2],
      scale: 0.25,
      zeroPoint: 2,
      qmin: 0,
      qmax: 3,
    });
    expect(g.data).toMatchInlineSnapshot(`
        [
          {
            "fill": "toself",
            "fillcolor": "rgba(0, 158, 115, 0.10)",
            "hoverinfo": "skip",
            "line": {
              "color": "#009E73",
              "dash": "dot",
              "width": 1,
            },
            "mode": "lines",
            "name": "clip range [-0.5, 0.25]",
            "type": "scatter",
            "x": [
              -0.5,
              0.25,
              0.25,
              -0.5,
              -0.5,
            ],
            "y": [
              -0.5,
              -0.5,
              1.4,
              1.4,
              -0.5,
            ],
          },
          {
            "hovertemplate": "%{text}<extra>used</extra>",
            "line": {
              "color": "#555555",
              "width": 1.5,
            },
            "mode": "lines",
            "name": "used codes (2 of 4)",
            "text": [
              "q = 1<br>(q − z)·s = -0.25",
              "q = 1<br>(q − z)·s = -0.25",
              "",
              "q = 3<br>(q − z)·s = 0.25",
              "q = 3<br>(q − z)·s = 0.25",
              "",
            ],
            "type": "scatter",
            "x": [
              -0.25,
              -0.25,
              null,
              0.25,
              0.25,
              null,
            ],
            "y": [
              -0.25,
              0.25,
              null,
              -0.25,
              0.25,
              null,
            ],
          },
          {
            "hovertemplate": "%{text}<extra>unused</extra>",
            "line": {
              "color": "#CC79A7",
              "width": 1,
            },
            "mode": "lines",
            "name": "unused codes (2)",
            "text": [
              "q = 0<br>(q − z)·s = -0.5",
              "q = 0<br>(q − z)·s = -0.5",
              "",
              "q = 2<br>(q − z)·s = 0",
              "q = 2<br>(q − z)·s = 0",
              "",
            ],
            "type": "scatter",
            "x": [
              -0.5,
              -0.5,
              null,
              0,
              0,
              null,
            ],
            "y": [
              -0.25,
              0.25,
              null,
              -0.25,
              0.25,
              null,
            ],
          },
          {
            "hoverinfo": "skip",
            "line": {
              "color": "#0072B2",
              "width": 1,
            },
            "mode": "lines",
            "name": "x → x̂",
            "opacity": 0.6,
            "type": "scatter",
            "x": [
              -0.3,
              -0.25,
              null,
              0.62,
              0.25,
              null,
              2,
              0.25,
              null,
            ],
            "y": [
              1,
              0.31,
              null,
              1,
              0.31,
              null,
              1,
              0.31,
              null,
            ],
          },
          {
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {
              "color": "#0072B2",
              "line": {
                "color": "#ffffff",
                "width": 1,
              },
              "size": 9,
              "symbol": "circle",
            },
            "mode": "markers",
            "name": "inputs x",
            "text": [
              "x = -0.3<br>q = 1<br>x̂ = -0.25",
            ],
            "type": "scatter",
            "x": [
              -0.3,
            ],
            "y": [
              1,
            ],
          },
          {
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {
              "color": "#E69F00",
              "line": {
                "color": "#ffffff",
                "width": 1,
              },
              "size": 9,
              "symbol": "circle",
            },
            "mode": "markers",
            "name": "clipped inputs (2)",
            "text": [
              "x = 0.62<br>q = 3<br>x̂ = 0.25",
              "x = 2<br>q = 3<br>x̂ = 0.25",
            ],
            "type": "scatter",
            "x": [
              0.62,
              2,
            ],
            "y": [
              1,
              1,
            ],
          },
          {
            "hovertemplate": "%{text}<extra></extra>",
            "marker": {
              "color": "#D55E00",
              "size": 9,
              "symbol": "triangle-down",
            },
            "mode": "markers",
            "name": "dequantized x̂ = (q − z)·s",
            "text": [
              "x = -0.3<br>q = 1<br>x̂ = -0.25",
              "x = 0.62<br>q = 3<br>x̂ = 0.25",
              "x = 2<br>q = 3<br>x̂ = 0.25",
            ],
            "type": "scatter",
            "x": [
              -0.25,
              0.25,
              0.25,
            ],
            "y": [
              0.31,
              0.31,
              0.31,
            ],
          },
        ]
    `);
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
          "text": "Quantization grid: 4 levels, s = 0.25, z = 2; 2 of 4 codes used",
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
            -0.6,
            2.1,
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
  const fig = histogramWithLevels({ values: t, ...int8, bins: 4 });

  test("traces, counts and bins", () => {
    expect(fig.data.map((d) => d.name)).toEqual([
      "clip range [-10.0392, 9.96078]",
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

  test("all 256 levels are drawn over the bars, and the clip range", () => {
    const levels = trace(fig, "levels (q − z)·s (256)");
    expect(segmentXs(levels)).toEqual(Array.from({ length: 256 }, (_, i) => (i - 128) * s));
    expect(Math.max(...levels.y.filter((y: number | null) => y !== null))).toBeCloseTo(
      2 * 1.08,
      12,
    );
    const band = trace(fig, "clip range [-10.0392, 9.96078]");
    expect([Math.min(...band.x), Math.max(...band.x)]).toEqual([-128 * s, 127 * s]);
    expect(fig.layout.barmode).toBe("overlay");
  });

  test("default bins: clamp(ceil(sqrt(n)), 10, 80); equal values make one bin of width scale", () => {
    expect(trace(histogramWithLevels({ values: t, ...int8 }), "values (5)").x.length).toBe(10);
    const many = Array.from({ length: 10000 }, (_, i) => i / 10000);
    expect(trace(histogramWithLevels({ values: many, ...int8 }), "values (10000)").x.length).toBe(
      80,
    );
    const equal = trace(histogramWithLevels({ values: [3, 3, 3], ...int8 }), "values (3)");
    expect(equal.x).toEqual([3]);
    expect(equal.y).toEqual([3]);
    expect(equal.width).toEqual([s]);
  });

  test("typed arrays are accepted and copied to plain arrays", () => {
    const f = histogramWithLevels({
      values: new Float32Array([0.5, 1.5]),
      scale: 1,
      zeroPoint: 0,
      qmin: 0,
      qmax: 3,
      bins: 2,
    });
    expect(trace(f, "values (2)").y).toEqual([1, 1]);
    expect(Array.isArray(trace(f, "values (2)").y)).toBe(true);
  });
});

describe("errorPerElement", () => {
  test("absolute error with the bound s/2, and a clipped element beyond it", () => {
    const fig = errorPerElement({ original: [...t, 12], dequantized: [...dq, 127 * s], scale: s });
    expect(fig.data.map((d) => d.name)).toEqual(["within s/2", "beyond s/2 (clipped: 1)"]);
    const within = trace(fig, "within s/2");
    expect(within.y).toEqual([10 - 127 * s, 64 * s - 5, 0, 64 * s - 5, 10 - 127 * s, null]);
    expect(trace(fig, "beyond s/2 (clipped: 1)").y).toEqual([
      null,
      null,
      null,
      null,
      null,
      12 - 127 * s,
    ]);
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

  test("without a scale: one trace, no bound", () => {
    const fig = errorPerElement({ original: [1, 2], dequantized: [1.5, 2] });
    expect(fig.data.map((d) => [d.name, (d as AnyTrace).y])).toEqual([["error", [0.5, 0]]]);
    expect(fig.layout.shapes).toBeUndefined();
    expect(fig.layout.title).toMatchObject({ text: "Absolute error per element (max 0.5)" });
  });

  test("signed error has the bounds ±s/2", () => {
    const fig = errorPerElement({
      original: [1, 2],
      dequantized: [1.25, 1.75],
      kind: "signed",
      scale: 0.5,
    });
    expect(trace(fig, "within s/2").y).toEqual([0.25, -0.25]);
    expect(fig.layout.shapes?.map((shape) => shape.y0)).toEqual([0.25, -0.25]);
  });

  test("percentage: 100 |x̂ − x| / |x|, no bar and a marker where x = 0, the bound per element", () => {
    const fig = errorPerElement({
      original: [-4, 0, 2],
      dequantized: [-4.5, 0, 2],
      kind: "percentage",
      scale: 1,
    });
    expect(fig.data.map((d) => d.name)).toEqual([
      "within the bound",
      "bound 100·(s/2)/|x|",
      "x = 0 (no relative error)",
    ]);
    expect(trace(fig, "within the bound").y).toEqual([12.5, null, 0]);
    expect(trace(fig, "bound 100·(s/2)/|x|").y).toEqual([12.5, null, 25]);
    expect(trace(fig, "x = 0 (no relative error)").x).toEqual([1]);
    expect(fig.layout.shapes).toBeUndefined();
  });

  test("labels make a category axis", () => {
    const fig = errorPerElement({ original: [1, 2], dequantized: [1, 2], labels: ["w0", "w1"] });
    expect(trace(fig, "error").x).toEqual(["w0", "w1"]);
    expect(fig.layout.xaxis?.type).toBe("category");
  });
});

describe("compareErrors", () => {
  const int4 = 20 / 15;
  const fig = compareErrors({
    original: t,
    schemes: [
      { name: "int8", dequantized: dq, scale: s },
      {
        name: "int4",
        dequantized: [-15, -4, 0, 4, 15].map((code) => (code * int4) / 2),
        scale: int4,
      },
      { name: "no scale", dequantized: t },
    ],
  });

  test("one bar trace per scheme, grouped, in the scheme colours", () => {
    expect(fig.data.map((d) => d.name)).toEqual(["int8", "int4", "no scale"]);
    expect(fig.data.map((d) => (d as AnyTrace).marker.color)).toEqual([
      "#0072B2",
      "#D55E00",
      "#009E73",
    ]);
    expect(fig.layout.barmode).toBe("group");
    expect(trace(fig, "int8").y).toEqual([10 - 127 * s, 64 * s - 5, 0, 64 * s - 5, 10 - 127 * s]);
    expect(trace(fig, "no scale").y).toEqual([0, 0, 0, 0, 0]);
  });

  test("a dashed bound per scheme with a scale, in its colour", () => {
    expect(fig.layout.shapes?.map((shape) => [shape.name, shape.y0, shape.line?.color])).toEqual([
      ["int8: s/2 = 0.0392157", s / 2, "#0072B2"],
      ["int4: s/2 = 0.666667", int4 / 2, "#D55E00"],
    ]);
  });
});

describe("mappingCurve", () => {
  test("the staircase steps at (q + 1/2 - zp) s and is flat outside the clip range", () => {
    const fig = mappingCurve({ scale: 1, zeroPoint: 0, qmin: -2, qmax: 1, range: [-3, 2] });
    expect(fig.data.map((d) => d.name)).toEqual([
      "clip range [-2, 1]",
      "identity x̂ = x",
      "dequantized x̂(x)",
    ]);
    const stairs = trace(fig, "dequantized x̂(x)");
    expect(stairs.x).toEqual([-3, -1.5, -0.5, 0.5, 2]);
    expect(stairs.y).toEqual([-2, -1, 0, 1, 1]);
    expect(stairs.line.shape).toBe("hv");
    expect(trace(fig, "identity x̂ = x").y).toEqual([-3, 2]);
  });

  test("codes on the y axis, with a zero point, and inputs marked", () => {
    const fig = mappingCurve({
      scale: 0.5,
      zeroPoint: 1,
      qmin: 0,
      qmax: 3,
      range: [-1, 1.5],
      y: "code",
      values: [-0.2, 0.8],
    });
    const stairs = trace(fig, "code q(x)");
    // Steps at (q + 1/2 - 1) * 0.5 for q = 0, 1, 2: -0.25, 0.25, 0.75.
    expect(stairs.x).toEqual([-1, -0.25, 0.25, 0.75, 1.5]);
    expect(stairs.y).toEqual([0, 1, 2, 3, 3]);
    expect(trace(fig, "inputs").y).toEqual([1, 3]); // -0.4 + 1 -> 0 + 1; 1.6 + 1 -> 2 + 1
    expect(trace(fig, "x / s + z (unrounded)").y).toEqual([-1, 4]);
    expect(fig.layout.yaxis?.title).toEqual({ text: "code q" });
  });

  test("the default range is the clip range widened by 10% each side", () => {
    const fig = mappingCurve({ scale: 1, zeroPoint: 0, qmin: -5, qmax: 5 });
    expect(fig.layout.xaxis?.range).toEqual([-6, 6]);
  });

  test("ties go to the even code", () => {
    const fig = mappingCurve({
      scale: 1,
      zeroPoint: 0,
      qmin: -4,
      qmax: 4,
      range: [-1, 1],
      values: [0.5, 1.5, -0.5, 2.5],
    });
    expect(trace(fig, "inputs").y).toEqual([0, 2, 0, 2]);
  });
});

describe("originalVsDequantized", () => {
  const fig = originalVsDequantized({ original: t, dequantized: dq });

  test("original and dequantized at each index, joined by the error", () => {
    expect(fig.data.map((d) => d.name)).toEqual(["error x̂ − x", "original x", "dequantized x̂"]);
    expect(trace(fig, "original x").x).toEqual([0, 1, 2, 3, 4]);
    expect(trace(fig, "original x").y).toEqual(t);
    expect(trace(fig, "dequantized x̂").y).toEqual(dq);
    expect(trace(fig, "dequantized x̂").customdata).toEqual([
      -127 * s + 10,
      -64 * s + 5,
      0,
      64 * s - 5,
      127 * s - 10,
    ]);
    expect(trace(fig, "error x̂ − x").y.slice(0, 3)).toEqual([-10, -127 * s, null]);
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
    quantizationGrid({ values: t, ...int8 }),
    histogramWithLevels({ values: t, ...int8 }),
    errorPerElement({ original: t, dequantized: dq, scale: s }),
    compareErrors({ original: t, schemes: [{ name: "a", dequantized: dq }] }),
    mappingCurve({ ...int8, values: t }),
    originalVsDequantized({ original: t, dequantized: dq }),
  ];
  const once = build();
  expect(build()).toEqual(once);
  expect(JSON.parse(JSON.stringify(once))).toEqual(once);
});
