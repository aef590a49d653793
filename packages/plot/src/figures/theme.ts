import type { Data, Layout, LayoutAxis } from "plotly.js";

/**
 * One colour per role, the same in every figure (Okabe-Ito, readable by colour-blind readers):
 * the original values are blue, the dequantized ones vermillion, saturated ones orange, the range
 * of the levels green.
 */
export const COLORS = {
  original: "#0072B2",
  dequantized: "#D55E00",
  error: "#56B4E9",
  saturated: "#E69F00",
  bound: "#222222",
  level: "#555555",
  unusedLevel: "#CC79A7",
  rangeEdge: "#009E73",
  rangeFill: "rgba(0, 158, 115, 0.10)",
  identity: "#999999",
} as const;

/** The colours of series compared side by side (schemes in `compareErrors`), in order. */
export const SERIES_COLORS = [
  "#0072B2",
  "#D55E00",
  "#009E73",
  "#CC79A7",
  "#E69F00",
  "#56B4E9",
  "#000000",
  "#F0E442",
] as const;

/** The default height in pixels: a figure fits a notebook output (about 800 px wide) without scrolling. */
export const DEFAULT_HEIGHT = 420;

/**
 * The range of the levels, [x̂(qmin), x̂(qmax)], as a shaded band from y0 to y1. Inputs a little
 * outside it are not necessarily saturated: core decides that (the trace's `clipped`).
 */
export function rangeBand(lo: number, hi: number, y0: number, y1: number): Data {
  return {
    type: "scatter",
    mode: "lines",
    name: `range of the levels [${fmt(lo)}, ${fmt(hi)}]`,
    x: [lo, hi, hi, lo, lo],
    y: [y0, y0, y1, y1, y0],
    fill: "toself",
    fillcolor: COLORS.rangeFill,
    line: { color: COLORS.rangeEdge, width: 1, dash: "dot" },
    hoverinfo: "skip",
  };
}

/** An axis with a title, light grid lines and outside ticks. */
export function axis(title: string, extra: Partial<LayoutAxis> = {}): Partial<LayoutAxis> {
  return {
    title: { text: title },
    showline: true,
    linecolor: "#444444",
    gridcolor: "#e6e6e6",
    zeroline: false,
    ticks: "outside",
    automargin: true,
    ...extra,
  };
}

/** The layout every figure starts from: a left-aligned title, the legend in a row above the plot. */
export function baseLayout(
  title: string,
  xaxis: Partial<LayoutAxis>,
  yaxis: Partial<LayoutAxis>,
): Partial<Layout> {
  return {
    title: {
      text: title,
      x: 0,
      xref: "paper",
      xanchor: "left",
      y: 0.97,
      yref: "container",
      yanchor: "top",
      font: { size: 16 },
    },
    height: DEFAULT_HEIGHT,
    autosize: true,
    margin: { l: 64, r: 24, t: 56, b: 56 },
    font: { family: "Arial, Helvetica, sans-serif", size: 13, color: "#222222" },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    showlegend: true,
    legend: {
      orientation: "h",
      x: 0,
      xanchor: "left",
      y: 0,
      yref: "container",
      yanchor: "bottom",
      bgcolor: "rgba(255,255,255,0)",
    },
    hovermode: "closest",
    xaxis,
    yaxis,
  };
}

/**
 * Formats a number for a title or a label: up to 6 significant digits, no trailing zeros.
 *
 * @example
 * [fmt(20 / 255), fmt(-0), fmt(0.5)];
 * // => ["0.0784314", "0", "0.5"]
 */
export function fmt(value: number): string {
  if (Object.is(value, -0)) return "0";
  return String(Number(value.toPrecision(6)));
}
