import type { Data } from "plotly.js";
import {
  finiteArray,
  integer,
  type NumericArray,
  optionalString,
  optionsObject,
} from "../validate.js";
import { checkGrid, extent, level } from "./grid.js";
import { MAX_DRAWN_LEVELS } from "./quantization-grid.js";
import { axis, baseLayout, COLORS, fmt } from "./theme.js";
import type { Figure, GridOptions } from "./types.js";

/** Options of {@link histogramWithLevels}. */
export interface HistogramWithLevelsOptions extends GridOptions {
  /** The real values whose distribution is drawn. */
  values: NumericArray;
  /** The number of equal-width bins over [min(values), max(values)]; default clamp(ceil(sqrt(n)), 10, 80). */
  bins?: number;
  /** Replaces the default title. */
  title?: string;
}

/**
 * A histogram of the values with every representable level (q - zeroPoint) * scale, q in [qmin, qmax],
 * drawn over it as a thin vertical line, and the clip range [(qmin - zeroPoint) * scale,
 * (qmax - zeroPoint) * scale] shaded: it shows how much of the grid the data actually uses.
 *
 * Binning: `bins` bins of width w = (max - min) / bins from min; x falls in bin floor((x - min) / w), the
 * maximum in the last bin (one bin of width `scale` when all values are equal). Counted here, so the spec
 * holds the counts.
 *
 * Traces, in order: `clip range`, `values` (bars), `levels`.
 *
 * @throws {TypeError} when an argument has the wrong type.
 * @throws {RangeError} when scale is not finite > 0, qmax <= qmin, more than 4096 levels, zeroPoint outside
 *   [qmin, qmax], values empty or not finite, or bins not an integer in [1, 10000].
 * @example
 * const fig = histogramWithLevels({ values: [-10, -5, 0, 5, 10], scale: 20 / 255, zeroPoint: 0, qmin: -128, qmax: 127, bins: 4 });
 * fig.data[1].y;
 * // => [1, 1, 1, 2]
 */
export function histogramWithLevels(options: HistogramWithLevelsOptions): Figure {
  const fn = "histogramWithLevels";
  const opts = optionsObject(fn, "options", options);
  const grid = checkGrid(fn, opts, MAX_DRAWN_LEVELS);
  const values = finiteArray(fn, "values", opts.values);
  const bins =
    opts.bins === undefined
      ? Math.min(80, Math.max(10, Math.ceil(Math.sqrt(values.length))))
      : integer(fn, "bins", opts.bins, 1, 10000);
  const title = optionalString(fn, "title", opts.title);

  const [vmin, vmax] = extent(values);
  const equal = vmin === vmax;
  const count = equal ? 1 : bins;
  const width = equal ? grid.scale : (vmax - vmin) / count;
  const start = equal ? vmin - width / 2 : vmin;
  const counts = new Array<number>(count).fill(0);
  for (const x of values) {
    const b = equal ? 0 : Math.min(count - 1, Math.floor((x - vmin) / width));
    counts[b] = (counts[b] as number) + 1;
  }
  const centers = counts.map((_, b) => start + (b + 0.5) * width);
  const edges = counts.map(
    (_, b) =>
      `[${fmt(start + b * width)}, ${fmt(start + (b + 1) * width)}${b === count - 1 ? "]" : ")"}`,
  );
  const top = Math.max(...counts) * 1.08;

  const clipLo = level(grid.qmin, grid);
  const clipHi = level(grid.qmax, grid);
  const levelX: Array<number | null> = [];
  const levelY: Array<number | null> = [];
  const levelText: string[] = [];
  for (let q = grid.qmin; q <= grid.qmax; q++) {
    const v = level(q, grid);
    const label = `q = ${q}<br>(q − z)·s = ${fmt(v)}`;
    levelX.push(v, v, null);
    levelY.push(0, top, null);
    levelText.push(label, label, "");
  }

  const data: Data[] = [
    {
      type: "scatter",
      mode: "lines",
      name: `clip range [${fmt(clipLo)}, ${fmt(clipHi)}]`,
      x: [clipLo, clipLo, clipHi, clipHi, clipLo],
      y: [0, top, top, 0, 0],
      fill: "toself",
      fillcolor: COLORS.clipFill,
      line: { color: COLORS.clipEdge, width: 1, dash: "dot" },
      hoverinfo: "skip",
    },
    {
      type: "bar",
      name: `values (${values.length})`,
      x: centers,
      y: counts,
      width: centers.map(() => width),
      hovertext: edges,
      textposition: "none",
      marker: {
        color: COLORS.original,
        opacity: 0.75,
        line: { color: "#ffffff", width: count <= 80 ? 0.5 : 0 },
      },
      hovertemplate: "%{hovertext}: %{y}<extra></extra>",
    },
    {
      type: "scatter",
      mode: "lines",
      name: `levels (q − z)·s (${grid.levels})`,
      x: levelX,
      y: levelY,
      text: levelText,
      line: { color: COLORS.level, width: 1 },
      opacity: grid.levels <= 64 ? 0.7 : 0.4,
      hovertemplate: "%{text}<extra></extra>",
    },
  ];
  const lo = Math.min(clipLo, start);
  const hi = Math.max(clipHi, start + count * width);
  const pad = (hi - lo) * 0.03;
  const layout = baseLayout(
    title ??
      `Values and the ${grid.levels} levels of the grid (s = ${fmt(grid.scale)}, z = ${grid.zeroPoint})`,
    axis("real value", { range: [lo - pad, hi + pad], showgrid: false }),
    axis("count", { rangemode: "tozero", range: [0, top] }),
  );
  layout.barmode = "overlay";
  return { data, layout };
}
