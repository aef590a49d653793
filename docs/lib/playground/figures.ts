/**
 * The playground's and the inspector's figures as plotly `{ data, layout }`. @quantlab/plot's
 * builders draw where they apply (per-tensor integer grids, the histogram with an integer grid's
 * levels, the error of single elements, original against dequantized); the builders here cover
 * what they do not: a histogram with the values a reconstruction uses (block formats, floats, per
 * channel), the error of every element of a large tensor as an envelope, a plain histogram. The
 * numbers drawn are core's results, binned.
 */
import { extent } from "@quantlab/core";
import { COLORS, type Figure } from "@quantlab/plot";

/** At most this many distinct reconstructed values are drawn as level lines. */
export const MAX_LEVEL_LINES = 4096;

const axis = (title: string, extra: Record<string, unknown> = {}) => ({
  title: { text: title },
  zeroline: false,
  automargin: false,
  ...extra,
});

/** A layout with the page's margins; the title is shown as text above the figure, not in it. */
export function layoutOf(
  xTitle: string,
  yTitle: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    margin: { t: 16, r: 16, b: 48, l: 56 },
    height: 320,
    showlegend: true,
    legend: { orientation: "h", x: 0, xanchor: "left", y: 1.02, yanchor: "bottom" },
    xaxis: axis(xTitle),
    yaxis: axis(yTitle),
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    ...extra,
  };
}

/** Counts of `values` in `bins` equal bins over [lo, hi] (the maximum in the last bin). */
export function binCounts(
  values: ArrayLike<number>,
  bins: number,
  lo: number,
  hi: number,
): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins || 1;
  for (let i = 0; i < values.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((values[i] as number) - lo) / width)));
    counts[b] = (counts[b] as number) + 1;
  }
  return counts;
}

/** The bar trace of {@link binCounts}: one bar a bin, at its centre, named after the count of values. */
function histogramBars(
  values: Float32Array,
  bins: number,
  lo: number,
  hi: number,
  opacity: number,
) {
  const counts = binCounts(values, bins, lo, hi);
  const width = (hi - lo) / bins || 1;
  return {
    type: "bar",
    name: `values (${values.length})`,
    x: counts.map((_, b) => lo + (b + 0.5) * width),
    y: counts,
    width: counts.map(() => width),
    marker: { color: COLORS.original, opacity },
    hovertemplate: "%{x:.4g}: %{y}<extra></extra>",
  };
}

/** The distinct values of `y`, sorted (NaN left out). */
export function distinctValues(y: Float32Array): Float32Array {
  const sorted = Float32Array.from(y).sort();
  let k = 0;
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] as number;
    if (Number.isNaN(v)) continue;
    if (k === 0 || sorted[k - 1] !== v) sorted[k++] = v;
  }
  return sorted.slice(0, k);
}

/**
 * A histogram of `x` with the distinct values of the reconstruction `y` drawn over it as thin
 * lines (when there are at most {@link MAX_LEVEL_LINES}): the levels the data actually lands on.
 * @example
 * const fig = histogramWithUsedValues(Float32Array.of(0, 1, 2), Float32Array.of(0, 1, 1), 2);
 * fig.data[1].name; // => "values the reconstruction uses (2)"
 */
export function histogramWithUsedValues(x: Float32Array, y: Float32Array, bins = 80): Figure {
  const [lo, hi] = extent(x);
  const bars = histogramBars(x, bins, lo, hi, 0.75);
  const top = Math.max(...bars.y) * 1.08;
  const used = distinctValues(y);
  const data: Record<string, unknown>[] = [bars];
  if (used.length <= MAX_LEVEL_LINES) {
    const lx: (number | null)[] = [];
    const ly: (number | null)[] = [];
    for (const v of used) {
      lx.push(v, v, null);
      ly.push(0, top, null);
    }
    data.push({
      type: "scatter",
      mode: "lines",
      name: `values the reconstruction uses (${used.length})`,
      x: lx,
      y: ly,
      line: { color: COLORS.level, width: 1 },
      opacity: used.length <= 64 ? 0.7 : 0.35,
      hoverinfo: "skip",
    });
  } else {
    data.push({
      type: "scatter",
      mode: "lines",
      name: `${used.length} distinct reconstructed values (too many to draw)`,
      x: [lo, lo],
      y: [0, 0],
      line: { color: COLORS.level, width: 1 },
      hoverinfo: "skip",
    });
  }
  return {
    data,
    layout: layoutOf("real value", "count", {
      barmode: "overlay",
      yaxis: axis("count", { range: [0, top] }),
    }),
  } as unknown as Figure;
}

/**
 * The signed error e = y − x of every element, as the band between the smallest and largest error
 * of each run of consecutive elements (at most `buckets` runs), with the mean |e| of each run.
 * `bound` (s / 2 of a per-tensor grid) is drawn dashed when given.
 * @example
 * const fig = errorEnvelope(Float64Array.of(0.1, -0.2, 0.05, 0), 2);
 * fig.data[1].y; // => [0.1, 0.05]
 */
export function errorEnvelope(errors: Float64Array, buckets = 600, bound?: number): Figure {
  const n = errors.length;
  const runs = Math.min(n, buckets);
  const lows: number[] = [];
  const highs: number[] = [];
  const means: number[] = [];
  const xs: number[] = [];
  for (let b = 0; b < runs; b++) {
    const from = Math.floor((b * n) / runs);
    const to = Math.floor(((b + 1) * n) / runs);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (let i = from; i < to; i++) {
      const e = errors[i] as number;
      if (e < lo) lo = e;
      if (e > hi) hi = e;
      sum += Math.abs(e);
    }
    xs.push((from + to - 1) / 2);
    lows.push(lo);
    highs.push(hi);
    means.push(sum / (to - from));
  }
  const span = n === runs ? "each element" : `each run of ${(n / runs).toFixed(1)} elements`;
  const data: Record<string, unknown>[] = [
    {
      type: "scatter",
      mode: "lines",
      name: "smallest error",
      x: xs,
      y: lows,
      line: { color: COLORS.dequantized, width: 1 },
      hovertemplate: "element %{x:.0f}: %{y:.3g}<extra></extra>",
    },
    {
      type: "scatter",
      mode: "lines",
      name: `largest error (${span})`,
      x: xs,
      y: highs,
      fill: "tonexty",
      fillcolor: "rgba(213, 94, 0, 0.18)",
      line: { color: COLORS.dequantized, width: 1 },
      hovertemplate: "element %{x:.0f}: %{y:.3g}<extra></extra>",
    },
    {
      type: "scatter",
      mode: "lines",
      name: "mean |error|",
      x: xs,
      y: means,
      line: { color: COLORS.original, width: 1.5 },
      hovertemplate: "element %{x:.0f}: %{y:.3g}<extra></extra>",
    },
  ];
  if (bound !== undefined) {
    data.push({
      type: "scatter",
      mode: "lines",
      name: "± s / 2",
      x: [0, n - 1, null, 0, n - 1],
      y: [bound, bound, null, -bound, -bound],
      line: { color: COLORS.level, width: 1, dash: "dash" },
      hoverinfo: "skip",
    });
  }
  return { data, layout: layoutOf("element index", "error x̂ − x") } as unknown as Figure;
}

/**
 * A plain histogram of `values` in `bins` bins, for the inspector.
 * @example
 * histogram(Float32Array.of(0, 1, 1), 2).data[0].y; // => [1, 2]
 */
export function histogram(values: Float32Array, bins = 80): Figure {
  const [lo, hi] = extent(values);
  return {
    data: [histogramBars(values, bins, lo, hi, 0.8)],
    layout: layoutOf("value", "count", { showlegend: false }),
  } as unknown as Figure;
}

/** One entry of a figure's legend: a trace's name and how its swatch is drawn. */
export interface LegendEntry {
  name: string;
  /** A line (with its dash and the fill under it), a point (with its symbol) or a filled box. */
  kind: "line" | "point" | "box";
  color: string;
  dash?: string;
  fill?: string;
  /** plotly's marker symbol: "circle", "triangle-down", "diamond-open", ... */
  symbol?: string;
  opacity?: number;
}

type Trace = {
  type?: string;
  mode?: string;
  name?: string;
  showlegend?: boolean;
  fill?: string;
  fillcolor?: string;
  line?: { color?: string; dash?: string };
  marker?: { color?: string; symbol?: string; opacity?: number };
  opacity?: number;
};

type Shape = {
  name?: string;
  showlegend?: boolean;
  fillcolor?: string;
  line?: { color?: string; dash?: string };
};

/**
 * The entries plotly's legend would show for `figure` (the named traces, not `showlegend: false`,
 * then the layout's shapes with `showlegend: true`), for a page that draws the legend itself:
 * plotly measures every entry's text on each draw.
 * @example
 * legendOf({ data: [{ type: "bar", name: "values", marker: { color: "#0072B2" } }] });
 * // => [{ name: "values", kind: "box", color: "#0072B2" }]
 */
export function legendOf(figure: {
  data: unknown[];
  layout?: Record<string, unknown>;
}): LegendEntry[] {
  const entries: LegendEntry[] = [];
  for (const trace of figure.data as Trace[]) {
    if (trace.showlegend === false || !trace.name) continue;
    if (trace.type === "bar") {
      entries.push({ name: trace.name, kind: "box", color: trace.marker?.color ?? "currentColor" });
    } else if (trace.mode?.includes("markers") && !trace.mode.includes("lines")) {
      const opacity = trace.marker?.opacity ?? trace.opacity;
      entries.push({
        name: trace.name,
        kind: "point",
        color: trace.marker?.color ?? "currentColor",
        symbol: trace.marker?.symbol ?? "circle",
        ...(opacity !== undefined ? { opacity } : {}),
      });
    } else {
      entries.push({
        name: trace.name,
        kind: "line",
        color: trace.line?.color ?? "currentColor",
        ...(trace.line?.dash ? { dash: trace.line.dash } : {}),
        ...(trace.fill && trace.fill !== "none" && trace.fillcolor
          ? { fill: trace.fillcolor }
          : {}),
      });
    }
  }
  for (const shape of (figure.layout?.shapes as Shape[] | undefined) ?? []) {
    if (shape.showlegend !== true || !shape.name) continue;
    entries.push({
      name: shape.name,
      kind: "line",
      color: shape.line?.color ?? "currentColor",
      ...(shape.line?.dash ? { dash: shape.line.dash } : {}),
    });
  }
  return entries;
}

/** SVG stroke-dasharray for plotly's named dashes (the swatch's 2 px line). */
export const DASHES: Record<string, string> = {
  dot: "2 2",
  dash: "5 3",
  longdash: "8 3",
  dashdot: "5 2 2 2",
};

type LineTrace = Trace & {
  x?: (number | null)[];
  y?: (number | null)[];
  opacity?: number;
  line?: { color?: string; dash?: string; width?: number };
};

/**
 * `figure` with each lines trace of at least `min` separate segments (a grid's level or code
 * lines) drawn as one shape: plotly draws and styles every segment as its own SVG element on
 * each draw, a shape is one path. Those segments lose their hover text; a legend drawn from
 * {@link legendOf} of the figure before keeps their entry. A shape goes above the traces unless a
 * trace of points comes after it.
 * @example
 * const fig = { data: [{ type: "scatter", mode: "lines", x: [0, 0, null, 1, 1], y: [0, 1, null, 0, 1] }], layout: {} };
 * segmentsAsShapes(fig, 2).layout.shapes[0].path; // => "M0,0L0,1M1,0L1,1"
 */
export function segmentsAsShapes(
  figure: { data: unknown[]; layout: Record<string, unknown> },
  min = 16,
): { data: unknown[]; layout: Record<string, unknown> } {
  const data = figure.data as LineTrace[];
  const shapes: Record<string, unknown>[] = [];
  const kept: LineTrace[] = [];
  data.forEach((trace, i) => {
    const lines = trace.type === "scatter" && trace.mode === "lines" && !trace.fill;
    const path = lines && trace.x && trace.y ? segmentsPath(trace.x, trace.y) : null;
    if (!path || path.segments < min) {
      kept.push(trace);
      return;
    }
    const pointsAfter = data.slice(i + 1).some((t) => t.mode?.includes("markers"));
    shapes.push({
      type: "path",
      path: path.d,
      xref: "x",
      yref: "y",
      layer: pointsAfter ? "between" : "above",
      opacity: trace.opacity ?? 1,
      line: {
        color: trace.line?.color,
        width: trace.line?.width ?? 1,
        dash: trace.line?.dash ?? "solid",
      },
    });
  });
  if (shapes.length === 0) return figure;
  const before = (figure.layout.shapes as unknown[] | undefined) ?? [];
  return { data: kept, layout: { ...figure.layout, shapes: [...before, ...shapes] } };
}

/**
 * The SVG path of a line through (x, y) that breaks where plotly's would: at a null or
 * non-finite coordinate. With the number of segments it draws.
 * @example
 * segmentsPath([0, 1, 2, 3], [0, null, 2, 3]); // => { d: "M0,0M2,2L3,3", segments: 2 }
 */
export function segmentsPath(
  x: readonly (number | null)[],
  y: readonly (number | null)[],
): { d: string; segments: number } {
  let d = "";
  let segments = 0;
  let pen = false;
  for (let k = 0; k < x.length; k++) {
    const a = x[k];
    const b = y[k];
    if (!Number.isFinite(a) || !Number.isFinite(b)) {
      pen = false;
      continue;
    }
    if (!pen) segments++;
    d += `${pen ? "L" : "M"}${a},${b}`;
    pen = true;
  }
  return { d, segments };
}
