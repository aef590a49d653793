import { extent, type QuantParams, type Semantics } from "@quantlab/core";
import { checkInteger, checkOptions } from "@quantlab/core/validate";
import type { Data } from "plotly.js";
import { finiteArray, type NumericArray, optionalString } from "../validate.js";
import { levelOf, levelSegments, readGrid } from "./grid.js";
import { MAX_DRAWN_LEVELS } from "./quantization-grid.js";
import { axis, baseLayout, COLORS, fmt, rangeBand } from "./theme.js";
import type { Figure } from "./types.js";

/** Options of {@link histogramWithLevels}. */
export interface HistogramWithLevelsOptions {
  /** The number of equal-width bins over [min(values), max(values)]; default clamp(ceil(sqrt(n)), 10, 80). */
  bins?: number;
  /** The arithmetic of the levels, as in core's `dequantize`: "onnx" (default) or "pytorch". */
  semantics?: Semantics;
  /** Replaces the default title. */
  title?: string;
}

const HISTOGRAM_OPTIONS = ["bins", "semantics", "title"] as const;

/**
 * A histogram of the values with every level x̂ = dequantize(q), q in [qmin, qmax] of
 * `params.dtype`, drawn over it as a thin vertical line, and the range of the levels
 * [x̂(qmin), x̂(qmax)] shaded: it shows how much of the grid the data actually uses. The levels are
 * core's (`dequantize` with the named semantics, float32).
 *
 * Binning: `bins` bins of width w = (max - min) / bins from min; x falls in bin floor((x - min) / w), the
 * maximum in the last bin (one bin of width `scale` when all values are equal). Counted here, so the spec
 * holds the counts.
 *
 * Traces, in order: `range of the levels`, `values` (bars), `levels`.
 *
 * @throws {TypeError} when an argument has the wrong type, or `params` are per axis or per block.
 * @throws {RangeError} for `params` core refuses (scale, zero point, dtype), a dtype of more than
 *   4096 levels, unknown option keys, values empty or not finite as float32, or bins not an integer
 *   in [1, 10000].
 * @example
 * const fig = histogramWithLevels([-10, -5, 0, 5, 10], { dtype: "int8", scale: 20 / 255 }, { bins: 4 });
 * fig.data[1].y;
 * // => [1, 1, 1, 2]
 */
export function histogramWithLevels(
  values: NumericArray,
  params: QuantParams,
  options?: HistogramWithLevelsOptions,
): Figure {
  const fn = "histogramWithLevels";
  const xs = finiteArray(fn, "values", values);
  const opts = checkOptions(fn, "options", options, HISTOGRAM_OPTIONS);
  const grid = readGrid(fn, params, opts.semantics, MAX_DRAWN_LEVELS);
  const defaultBins = Math.min(80, Math.max(10, Math.ceil(Math.sqrt(xs.length))));
  const bins = checkInteger(fn, "options.bins", opts.bins, defaultBins, 1, 10000);
  const title = optionalString(fn, "options.title", opts.title);

  const [vmin, vmax] = extent(xs);
  const equal = vmin === vmax;
  const count = equal ? 1 : bins;
  const width = equal ? grid.params.scale : (vmax - vmin) / count;
  const start = equal ? vmin - width / 2 : vmin;
  const counts = new Array<number>(count).fill(0);
  for (const x of xs) {
    const b = equal ? 0 : Math.min(count - 1, Math.floor((x - vmin) / width));
    counts[b] = (counts[b] as number) + 1;
  }
  const centers = counts.map((_, b) => start + (b + 0.5) * width);
  const edges = counts.map(
    (_, b) =>
      `[${fmt(start + b * width)}, ${fmt(start + (b + 1) * width)}${b === count - 1 ? "]" : ")"}`,
  );
  const top = Math.max(...counts) * 1.08;

  const lowest = levelOf(grid, grid.qmin);
  const highest = levelOf(grid, grid.qmax);
  const ticks = levelSegments(grid, 0, top);

  const data: Data[] = [
    rangeBand(lowest, highest, 0, top),
    {
      type: "bar",
      name: `values (${xs.length})`,
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
      name: `levels (q − z)·s (${grid.count})`,
      x: ticks.x,
      y: ticks.y,
      text: ticks.text,
      line: { color: COLORS.level, width: 1 },
      opacity: grid.count <= 64 ? 0.7 : 0.4,
      hovertemplate: "%{text}<extra></extra>",
    },
  ];
  const lo = Math.min(lowest, start);
  const hi = Math.max(highest, start + count * width);
  const pad = (hi - lo) * 0.03;
  const { scale, zeroPoint, dtype } = grid.params;
  const layout = baseLayout(
    title ??
      `Values and the ${grid.count} levels of ${dtype} (s = ${fmt(scale)}, z = ${zeroPoint})`,
    axis("real value", { range: [lo - pad, hi + pad], showgrid: false }),
    axis("count", { rangemode: "tozero", range: [0, top] }),
  );
  layout.barmode = "overlay";
  return { data, layout };
}
