import type { Data } from "plotly.js";
import { finiteArray, type NumericArray, optionalString, optionsObject } from "../validate.js";
import { checkGrid, codesFor, extent, level } from "./grid.js";
import { axis, baseLayout, COLORS, fmt } from "./theme.js";
import type { Figure, GridOptions } from "./types.js";

/** The most levels {@link quantizationGrid} and {@link histogramWithLevels} draw (int12). */
export const MAX_DRAWN_LEVELS = 4096;

/** Options of {@link quantizationGrid}. */
export interface QuantizationGridOptions extends GridOptions {
  /** The real values to place on the grid. */
  values: NumericArray;
  /**
   * The codes of `values` as computed elsewhere (e.g. by @quantlab/core); integers in [qmin, qmax].
   * Default: clamp(roundHalfEven(x / scale) + zeroPoint, qmin, qmax) in float64.
   */
  codes?: NumericArray;
  /** Replaces the default title. */
  title?: string;
}

/**
 * The quantization grid on a number line: a tick at every representable level (q - zeroPoint) * scale
 * for q in [qmin, qmax], the codes some input maps to in grey and the codes none maps to in pink, the clip
 * range [(qmin - zeroPoint) * scale, (qmax - zeroPoint) * scale] shaded, and a line from each input x (top
 * row) down to its dequantized level x̂ (bottom row). Zoom along x to see single levels.
 *
 * Codes: clamp(roundHalfEven(x / scale) + zeroPoint, qmin, qmax) in float64 unless `codes` is given.
 *
 * Traces, in order: `clip range`, `used codes`, `unused codes` (only if any), `x → x̂`, `inputs x`,
 * `clipped inputs` (only if any input lies outside the clip range), `dequantized x̂`.
 *
 * @throws {TypeError} when an argument has the wrong type.
 * @throws {RangeError} when scale is not finite > 0, qmax <= qmin, more than 4096 levels, zeroPoint outside
 *   [qmin, qmax], values empty or not finite, or codes outside [qmin, qmax] or of another length.
 * @example
 * const fig = quantizationGrid({ values: [-10, -5, 0, 5, 10], scale: 20 / 255, zeroPoint: 0, qmin: -128, qmax: 127 });
 * fig.data.find((trace) => trace.name === "unused codes (251)") !== undefined;
 * // => true
 */
export function quantizationGrid(options: QuantizationGridOptions): Figure {
  const fn = "quantizationGrid";
  const opts = optionsObject(fn, "options", options);
  const grid = checkGrid(fn, opts, MAX_DRAWN_LEVELS);
  const values = finiteArray(fn, "values", opts.values);
  const codes = codesFor(fn, values, opts.codes, grid);
  const title = optionalString(fn, "title", opts.title);

  const clipLo = level(grid.qmin, grid);
  const clipHi = level(grid.qmax, grid);
  const used = new Set(codes);
  const tickTop = 0.25;
  const ticks = (want: boolean) => {
    const x: Array<number | null> = [];
    const y: Array<number | null> = [];
    const text: string[] = [];
    for (let q = grid.qmin; q <= grid.qmax; q++) {
      if (used.has(q) !== want) continue;
      const v = level(q, grid);
      const label = `q = ${q}<br>(q − z)·s = ${fmt(v)}`;
      x.push(v, v, null);
      y.push(-tickTop, tickTop, null);
      text.push(label, label, "");
    }
    return { x, y, text };
  };
  const usedTicks = ticks(true);
  const unusedTicks = ticks(false);
  const unusedCount = grid.levels - used.size;

  const dequantized = codes.map((q) => level(q, grid));
  const inside: number[] = [];
  const outside: number[] = [];
  values.forEach((x, i) => {
    (x < clipLo || x > clipHi ? outside : inside).push(i);
  });
  const segX: Array<number | null> = [];
  const segY: Array<number | null> = [];
  values.forEach((x, i) => {
    segX.push(x, dequantized[i] as number, null);
    segY.push(1, tickTop + 0.06, null);
  });
  const pointInfo = (i: number) =>
    `x = ${fmt(values[i] as number)}<br>q = ${codes[i]}<br>x̂ = ${fmt(dequantized[i] as number)}`;
  const inputTrace = (indices: number[], name: string, color: string): Data => ({
    type: "scatter",
    mode: "markers",
    name,
    x: indices.map((i) => values[i] as number),
    y: indices.map(() => 1),
    text: indices.map(pointInfo),
    marker: { color, size: 9, symbol: "circle", line: { color: "#ffffff", width: 1 } },
    hovertemplate: "%{text}<extra></extra>",
  });

  const data: Data[] = [
    {
      type: "scatter",
      mode: "lines",
      name: `clip range [${fmt(clipLo)}, ${fmt(clipHi)}]`,
      x: [clipLo, clipHi, clipHi, clipLo, clipLo],
      y: [-0.5, -0.5, 1.4, 1.4, -0.5],
      fill: "toself",
      fillcolor: COLORS.clipFill,
      line: { color: COLORS.clipEdge, width: 1, dash: "dot" },
      hoverinfo: "skip",
    },
    {
      type: "scatter",
      mode: "lines",
      name: `used codes (${used.size} of ${grid.levels})`,
      x: usedTicks.x,
      y: usedTicks.y,
      text: usedTicks.text,
      line: { color: COLORS.level, width: 1.5 },
      hovertemplate: "%{text}<extra>used</extra>",
    },
  ];
  if (unusedCount > 0) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: `unused codes (${unusedCount})`,
      x: unusedTicks.x,
      y: unusedTicks.y,
      text: unusedTicks.text,
      line: { color: COLORS.unusedLevel, width: 1 },
      hovertemplate: "%{text}<extra>unused</extra>",
    });
  }
  data.push({
    type: "scatter",
    mode: "lines",
    name: "x → x̂",
    x: segX,
    y: segY,
    line: { color: COLORS.original, width: 1 },
    opacity: 0.6,
    hoverinfo: "skip",
  });
  data.push(inputTrace(inside, "inputs x", COLORS.original));
  if (outside.length > 0)
    data.push(inputTrace(outside, `clipped inputs (${outside.length})`, COLORS.overBound));
  data.push({
    type: "scatter",
    mode: "markers",
    name: "dequantized x̂ = (q − z)·s",
    x: dequantized,
    y: dequantized.map(() => tickTop + 0.06),
    text: values.map((_, i) => pointInfo(i)),
    marker: { color: COLORS.dequantized, size: 9, symbol: "triangle-down" },
    hovertemplate: "%{text}<extra></extra>",
  });

  const [vmin, vmax] = extent(values);
  const lo = Math.min(clipLo, vmin);
  const hi = Math.max(clipHi, vmax);
  const pad = (hi - lo) * 0.04 || grid.scale;
  const layout = baseLayout(
    title ??
      `Quantization grid: ${grid.levels} levels, s = ${fmt(grid.scale)}, z = ${grid.zeroPoint}; ${used.size} of ${grid.levels} codes used`,
    axis("real value", { range: [lo - pad, hi + pad], showgrid: false }),
    axis("", {
      range: [-0.6, 1.5],
      fixedrange: true,
      showgrid: false,
      showline: false,
      ticks: "",
      tickvals: [0, 1],
      ticktext: ["levels", "inputs"],
    }),
  );
  layout.dragmode = "zoom";
  return { data, layout };
}
