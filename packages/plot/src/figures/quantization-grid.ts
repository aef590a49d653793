import { extent, type QuantParams, type Semantics } from "@quantlab/core";
import { checkOptions } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { finiteArray, type NumericArray, optionalString } from "../validate.js";
import { levelOf, levelSegments, readGrid, traceOf } from "./grid.js";
import { axis, baseLayout, COLORS, fmt, rangeBand } from "./theme.js";
import type { Figure } from "./types.js";

/** The most levels {@link quantizationGrid} and {@link histogramWithLevels} draw (int12). */
export const MAX_DRAWN_LEVELS = 4096;

/** Options of {@link quantizationGrid}. */
export interface QuantizationGridOptions {
  /** The arithmetic of the codes, as in core's `quantize`: "onnx" (default) or "pytorch". */
  semantics?: Semantics;
  /** Replaces the default title. */
  title?: string;
}

const GRID_OPTIONS = ["semantics", "title"] as const;

/**
 * The quantization grid on a number line: a tick at every level x̂ = dequantize(q) for q in
 * [qmin, qmax] of `params.dtype`, the codes some input maps to in grey and the codes none maps to in
 * pink, the range of the levels [x̂(qmin), x̂(qmax)] shaded, and a line from each input x (top row)
 * down to its level x̂ (bottom row). Zoom along x to see single levels.
 *
 * Every number is core's: the inputs as float32, their codes by `traceQuantize` with the named
 * semantics, the levels by `dequantize`, and an input is drawn as saturated (orange) where
 * saturation changed its code (the trace's `clipped`), not merely because it lies beyond the last
 * level: x = 10 with s = float32(20 / 255) gives 10 / s = 127.49999, code 127, not saturated.
 *
 * Traces, in order: `range of the levels`, `used codes`, `unused codes` (only if any), `x → x̂`,
 * `inputs x`, `saturated inputs` (only if any), `dequantized x̂`.
 *
 * @throws {TypeError} when an argument has the wrong type, or `params` are per axis or per block.
 * @throws {RangeError} for `params` core refuses (scale, zero point, dtype), a dtype of more than
 *   4096 levels, unknown option keys, or values empty or not finite as float32.
 * @example
 * const fig = quantizationGrid([-10, -5, 0, 5, 10], { dtype: "int8", scale: 20 / 255 });
 * fig.data.map((trace) => trace.name).slice(1, 3);
 * // => ["used codes (5 of 256)", "unused codes (251)"]
 */
export function quantizationGrid(
  values: NumericArray,
  params: QuantParams,
  options?: QuantizationGridOptions,
): Figure {
  const fn = "quantizationGrid";
  const xs = finiteArray(fn, "values", values);
  const opts = checkOptions(fn, "options", options, GRID_OPTIONS);
  const grid = readGrid(fn, params, opts.semantics, MAX_DRAWN_LEVELS);
  const title = optionalString(fn, "options.title", opts.title);

  const trace = traceOf(grid, xs);
  const x = Array.from(trace.x);
  const codes = Array.from(trace.code);
  const dequantized = codes.map((q) => levelOf(grid, q));
  const lowest = levelOf(grid, grid.qmin);
  const highest = levelOf(grid, grid.qmax);
  const used = new Set(codes);
  const tickTop = 0.25;
  const usedTicks = levelSegments(grid, -tickTop, tickTop, (q) => used.has(q));
  const unusedTicks = levelSegments(grid, -tickTop, tickTop, (q) => !used.has(q));
  const unusedCount = grid.count - used.size;

  const kept: number[] = [];
  const saturated: number[] = [];
  x.forEach((_, i) => {
    (trace.clipped[i] ? saturated : kept).push(i);
  });
  const segX: Array<number | null> = [];
  const segY: Array<number | null> = [];
  x.forEach((v, i) => {
    segX.push(v, dequantized[i] as number, null);
    segY.push(1, tickTop + 0.06, null);
  });
  const pointInfo = (i: number) =>
    `x = ${fmt(x[i] as number)}<br>q = ${codes[i]}<br>x̂ = ${fmt(dequantized[i] as number)}`;
  const inputTrace = (indices: number[], name: string, color: string): Data => ({
    type: "scatter",
    mode: "markers",
    name,
    x: indices.map((i) => x[i] as number),
    y: indices.map(() => 1),
    text: indices.map(pointInfo),
    marker: { color, size: 9, symbol: "circle", line: { color: "#ffffff", width: 1 } },
    hovertemplate: "%{text}<extra></extra>",
  });

  const data: Data[] = [
    rangeBand(lowest, highest, -0.5, 1.4),
    {
      type: "scatter",
      mode: "lines",
      name: `used codes (${used.size} of ${grid.count})`,
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
  data.push(inputTrace(kept, "inputs x", COLORS.original));
  if (saturated.length > 0)
    data.push(inputTrace(saturated, `saturated inputs (${saturated.length})`, COLORS.saturated));
  data.push({
    type: "scatter",
    mode: "markers",
    name: "dequantized x̂ = (q − z)·s",
    x: dequantized,
    y: dequantized.map(() => tickTop + 0.06),
    text: x.map((_, i) => pointInfo(i)),
    marker: { color: COLORS.dequantized, size: 9, symbol: "triangle-down" },
    hovertemplate: "%{text}<extra></extra>",
  });

  const [vmin, vmax] = extent(x);
  const lo = Math.min(lowest, vmin);
  const hi = Math.max(highest, vmax);
  const pad = (hi - lo) * 0.04 || grid.params.scale;
  const { scale, zeroPoint, dtype } = grid.params;
  const layout = baseLayout(
    title ??
      `Quantization grid: ${dtype}, ${grid.count} levels, s = ${fmt(scale)}, z = ${zeroPoint}; ${used.size} of ${grid.count} codes used`,
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
